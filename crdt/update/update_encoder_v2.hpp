#pragma once

#include "crdt/lib0/rle.hpp"
#include "crdt/update/update_encoder.hpp"

namespace zeal::crdt {

/// Yjs UpdateEncoderV2 (+ DSEncoderV2): fields spread over nine column encoders plus the rest stream.
/// Like Yjs, every write_key writes a fresh key (keyClock++ and the string); no key table is kept.
class update_encoder_v2 final : public update_encoder {
 public:
  update_format format() const override { return update_format::v2; }
  lib0::encoder& rest() override { return rest_; }
  /// varUint 0 (feature flag), the nine columns as varUint8Array, then the rest stream unprefixed.
  /// Non-destructive: calling it again (or after more writes) gives the right bytes.
  bytes to_bytes() override;

  void reset_ds_cur_val() override { ds_cur_val_ = 0; }
  void write_ds_clock(std::uint64_t clock) override;
  /// `len` must be > 0.
  void write_ds_len(std::uint64_t len) override;

  void write_left_id(id v) override;
  void write_right_id(id v) override;
  void write_client(std::uint64_t client) override { client_.write(client); }
  void write_info(std::uint8_t info) override { info_.write(info); }
  void write_string(std::string_view utf8) override { string_.write(utf8); }
  void write_string_utf16(std::u16string_view utf16) override { string_.write_utf16(utf16); }
  void write_parent_info(bool is_root_name) override { parent_info_.write(is_root_name ? 1 : 0); }
  void write_type_ref(std::uint8_t ref) override { type_ref_.write(ref); }
  void write_len(std::uint64_t len) override { len_.write(len); }
  void write_any(const lib0::any& v) override { rest_.write_any(v); }
  void write_buf(bytes_view data) override { rest_.write_var_bytes(data); }
  /// writeAny(v).
  void write_json(const lib0::any& v) override { rest_.write_any(v); }
  void write_key(std::string_view key) override;

 private:
  lib0::encoder rest_;
  std::uint64_t ds_cur_val_ = 0;
  std::int64_t key_clock_ = 0;
  lib0::int_diff_opt_rle_encoder key_clock_enc_;
  lib0::uint_opt_rle_encoder client_;
  lib0::int_diff_opt_rle_encoder left_clock_;
  lib0::int_diff_opt_rle_encoder right_clock_;
  lib0::rle_encoder info_;
  lib0::string_encoder string_;
  lib0::rle_encoder parent_info_;
  lib0::uint_opt_rle_encoder type_ref_;
  lib0::uint_opt_rle_encoder len_;
};

}  // namespace zeal::crdt
