#include "crdt/update/lazy_writer.hpp"

#include "crdt/update/update_encoder.hpp"

namespace zeal::crdt {

void lazy_writer::write(const block& b, std::uint64_t offset) {
  const auto& id = block_id(b);
  if (written_ > 0 && curr_client_ != id.client) flush();
  if (written_ == 0) {
    curr_client_ = id.client;
    enc_.write_client(id.client);
    enc_.rest().write_var_uint(id.clock + offset);
  }
  write_block(enc_, b, offset);
  ++written_;
}

void lazy_writer::flush() {
  if (written_ == 0) return;
  fragments_.emplace_back(written_, enc_.rest().take());
  enc_.rest().clear();
  written_ = 0;
}

void lazy_writer::finish() {
  flush();
  auto& rest = enc_.rest();
  rest.write_var_uint(fragments_.size());
  for (const auto& [count, fragment] : fragments_) {
    rest.write_var_uint(count);
    rest.write_raw(fragment);
  }
  fragments_.clear();
}

}  // namespace zeal::crdt
