#pragma once

#include "crdt/update/update_encoder.hpp"

namespace zeal::crdt {

/// Yjs UpdateEncoderV1 (+ DSEncoderV1): everything goes to one buffer.
class update_encoder_v1 final : public update_encoder {
 public:
  update_format format() const override { return update_format::v1; }
  lib0::encoder& rest() override { return rest_; }
  /// Non-destructive: a copy of the buffer.
  bytes to_bytes() override { return rest_.data(); }

  void reset_ds_cur_val() override {}
  void write_ds_clock(std::uint64_t clock) override { rest_.write_var_uint(clock); }
  void write_ds_len(std::uint64_t len) override { rest_.write_var_uint(len); }

  void write_left_id(id v) override;
  void write_right_id(id v) override;
  void write_client(std::uint64_t client) override { rest_.write_var_uint(client); }
  void write_info(std::uint8_t info) override { rest_.write_u8(info); }
  void write_string(std::string_view utf8) override { rest_.write_var_string(utf8); }
  void write_parent_info(bool is_root_name) override { rest_.write_var_uint(is_root_name ? 1 : 0); }
  void write_type_ref(std::uint8_t ref) override { rest_.write_var_uint(ref); }
  void write_len(std::uint64_t len) override { rest_.write_var_uint(len); }
  void write_any(const lib0::any& v) override { rest_.write_any(v); }
  void write_buf(bytes_view data) override { rest_.write_var_bytes(data); }
  /// varString(JSON.stringify(v)).
  void write_json(const lib0::any& v) override;
  void write_key(std::string_view key) override { rest_.write_var_string(key); }

 private:
  lib0::encoder rest_;
};

}  // namespace zeal::crdt
