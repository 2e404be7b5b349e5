#include "crdt/update/update_encoder_v1.hpp"

#include "crdt/lib0/json.hpp"

namespace zeal::crdt {

void update_encoder_v1::write_left_id(id v) {
  rest_.write_var_uint(v.client);
  rest_.write_var_uint(v.clock);
}

void update_encoder_v1::write_right_id(id v) {
  rest_.write_var_uint(v.client);
  rest_.write_var_uint(v.clock);
}

void update_encoder_v1::write_json(const lib0::any& v) {
  rest_.write_var_string(lib0::to_json(v));
}

}  // namespace zeal::crdt
