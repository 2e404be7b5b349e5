#pragma once

#include "crdt/update/update_decoder.hpp"

namespace zeal::crdt {

/// Yjs UpdateDecoderV1 (+ DSDecoderV1) over borrowed bytes (they must outlive the decoder).
class update_decoder_v1 final : public update_decoder {
 public:
  explicit update_decoder_v1(bytes_view data, std::size_t base_offset = 0) : rest_(data, base_offset) {}

  update_format format() const override { return update_format::v1; }
  lib0::decoder& rest() override { return rest_; }

  void reset_ds_cur_val() override {}
  std::uint64_t read_ds_clock() override { return rest_.read_var_uint(); }
  std::uint64_t read_ds_len() override { return rest_.read_var_uint(); }

  id read_left_id() override;
  id read_right_id() override { return read_left_id(); }
  std::uint64_t read_client() override { return rest_.read_var_uint(); }
  std::uint8_t read_info() override { return rest_.read_u8(); }
  std::string read_string() override { return rest_.read_var_string(); }
  std::u16string read_string_utf16() override;
  /// varUint == 1 (any other value means "parent is an ID", as in Yjs).
  bool read_parent_info() override { return rest_.read_var_uint() == 1; }
  /// Throws if the value does not fit a byte.
  std::uint8_t read_type_ref() override;
  std::uint64_t read_len() override { return rest_.read_var_uint(); }
  lib0::any read_any() override { return rest_.read_any(); }
  bytes read_buf() override;
  /// JSON.parse(varString) (bare `undefined` accepted); invalid JSON throws at the string's offset.
  lib0::any read_json() override;
  std::string read_key() override { return rest_.read_var_string(); }

 private:
  lib0::decoder rest_;
};

}  // namespace zeal::crdt
