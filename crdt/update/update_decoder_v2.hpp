#pragma once

#include <vector>

#include "crdt/lib0/rle.hpp"
#include "crdt/update/update_decoder.hpp"

namespace zeal::crdt {

/// Yjs UpdateDecoderV2 (+ DSDecoderV2) over borrowed bytes (they must outlive the decoder).
/// Construction reads the feature flag and the nine columns (throws decode_error on bad framing); rest()
/// then continues with everything after the columns. Reading past the end of a column throws (except the
/// info and parentInfo Rle columns, whose last run repeats forever by design). Clocks stay within 2^53−1.
class update_decoder_v2 final : public update_decoder {
 public:
  explicit update_decoder_v2(bytes_view data, std::size_t base_offset = 0);

  update_format format() const override { return update_format::v2; }
  lib0::decoder& rest() override { return rest_; }

  void reset_ds_cur_val() override { ds_cur_val_ = 0; }
  std::uint64_t read_ds_clock() override;
  std::uint64_t read_ds_len() override;

  id read_left_id() override;
  id read_right_id() override;
  std::uint64_t read_client() override { return client_.read(); }
  std::uint8_t read_info() override { return info_.read(); }
  std::string read_string() override { return string_.read(); }
  std::u16string read_string_utf16() override { return string_.read_utf16(); }
  bool read_parent_info() override { return parent_info_.read() == 1; }
  /// Throws if the value does not fit a byte.
  std::uint8_t read_type_ref() override;
  std::uint64_t read_len() override { return len_.read(); }
  lib0::any read_any() override { return rest_.read_any(); }
  bytes read_buf() override;
  /// readAny.
  lib0::any read_json() override { return rest_.read_any(); }
  /// keyClock below the number of keys seen refers back; otherwise a new key follows in the string column.
  std::string read_key() override;

 private:
  // Members are initialized in declaration order: rest_, the feature flag, then the columns in wire order.
  lib0::decoder rest_;
  std::uint64_t feature_flag_;
  std::uint64_t ds_cur_val_ = 0;
  std::vector<std::string> keys_;
  lib0::int_diff_opt_rle_decoder key_clock_;
  lib0::uint_opt_rle_decoder client_;
  lib0::int_diff_opt_rle_decoder left_clock_;
  lib0::int_diff_opt_rle_decoder right_clock_;
  lib0::rle_decoder info_;
  lib0::string_decoder string_;
  lib0::rle_decoder parent_info_;
  lib0::uint_opt_rle_decoder type_ref_;
  lib0::uint_opt_rle_decoder len_;
};

}  // namespace zeal::crdt
