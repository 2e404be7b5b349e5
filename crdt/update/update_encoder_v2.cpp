#include "crdt/update/update_encoder_v2.hpp"

#include <cassert>

namespace zeal::crdt {

bytes update_encoder_v2::to_bytes() {
  lib0::encoder e;
  e.write_var_uint(0);  // feature flag
  e.write_var_bytes(key_clock_enc_.to_bytes());
  e.write_var_bytes(client_.to_bytes());
  e.write_var_bytes(left_clock_.to_bytes());
  e.write_var_bytes(right_clock_.to_bytes());
  e.write_var_bytes(info_.to_bytes());
  e.write_var_bytes(string_.to_bytes());
  e.write_var_bytes(parent_info_.to_bytes());
  e.write_var_bytes(type_ref_.to_bytes());
  e.write_var_bytes(len_.to_bytes());
  e.write_raw(rest_.data());  // appended without a length prefix
  return e.take();
}

void update_encoder_v2::write_ds_clock(std::uint64_t clock) {
  assert(clock >= ds_cur_val_);
  rest_.write_var_uint(clock - ds_cur_val_);
  ds_cur_val_ = clock;
}

void update_encoder_v2::write_ds_len(std::uint64_t len) {
  assert(len > 0);
  rest_.write_var_uint(len - 1);
  ds_cur_val_ += len;
}

void update_encoder_v2::write_left_id(id v) {
  client_.write(v.client);
  left_clock_.write(static_cast<std::int64_t>(v.clock));
}

void update_encoder_v2::write_right_id(id v) {
  client_.write(v.client);
  right_clock_.write(static_cast<std::int64_t>(v.clock));
}

void update_encoder_v2::write_key(std::string_view key) {
  key_clock_enc_.write(key_clock_++);
  string_.write(key);
}

}  // namespace zeal::crdt
