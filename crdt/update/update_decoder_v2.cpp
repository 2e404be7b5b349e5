#include "crdt/update/update_decoder_v2.hpp"

namespace zeal::crdt {

namespace {

/// Reads one varUint8Array column from `d` and builds its decoder with absolute offsets.
template <class D>
D column(lib0::decoder& d) {
  auto b = d.read_var_bytes();
  return D(b, d.offset() - b.size());
}

constexpr auto max_clock = static_cast<std::int64_t>(lib0::max_safe_integer);

std::uint64_t checked_clock(std::int64_t v, const char* what, const lib0::decoder& rest) {
  // Column offsets are not tracked per read; report the rest stream's offset.
  if (v < 0 || v > max_clock) throw decode_error(std::string(what) + " out of range", rest.offset());
  return static_cast<std::uint64_t>(v);
}

}  // namespace

update_decoder_v2::update_decoder_v2(bytes_view data, std::size_t base_offset)
    : rest_(data, base_offset),
      feature_flag_(rest_.read_var_uint()),
      key_clock_(column<lib0::int_diff_opt_rle_decoder>(rest_)),
      client_(column<lib0::uint_opt_rle_decoder>(rest_)),
      left_clock_(column<lib0::int_diff_opt_rle_decoder>(rest_)),
      right_clock_(column<lib0::int_diff_opt_rle_decoder>(rest_)),
      info_(column<lib0::rle_decoder>(rest_)),
      string_(column<lib0::string_decoder>(rest_)),
      parent_info_(column<lib0::rle_decoder>(rest_)),
      type_ref_(column<lib0::uint_opt_rle_decoder>(rest_)),
      len_(column<lib0::uint_opt_rle_decoder>(rest_)) {}

std::uint64_t update_decoder_v2::read_ds_clock() {
  std::size_t start = rest_.offset();
  std::uint64_t diff = rest_.read_var_uint();
  if (diff > lib0::max_safe_integer - ds_cur_val_)
    throw decode_error("delete set clock exceeds 2^53-1", start);
  ds_cur_val_ += diff;
  return ds_cur_val_;
}

std::uint64_t update_decoder_v2::read_ds_len() {
  std::size_t start = rest_.offset();
  std::uint64_t len = rest_.read_var_uint() + 1;
  if (len > lib0::max_safe_integer - ds_cur_val_)
    throw decode_error("delete set range exceeds 2^53-1", start);
  ds_cur_val_ += len;
  return len;
}

id update_decoder_v2::read_left_id() {
  id out;
  out.client = client_.read();
  out.clock = checked_clock(left_clock_.read(), "left clock", rest_);
  return out;
}

id update_decoder_v2::read_right_id() {
  id out;
  out.client = client_.read();
  out.clock = checked_clock(right_clock_.read(), "right clock", rest_);
  return out;
}

std::uint8_t update_decoder_v2::read_type_ref() {
  std::uint64_t v = type_ref_.read();
  if (v > 0xFF) throw decode_error("type ref out of range", rest_.offset());
  return static_cast<std::uint8_t>(v);
}

bytes update_decoder_v2::read_buf() {
  auto b = rest_.read_var_bytes();
  return bytes(b.begin(), b.end());
}

std::string update_decoder_v2::read_key() {
  std::int64_t clock = key_clock_.read();
  if (clock < 0) throw decode_error("negative key clock", rest_.offset());
  if (static_cast<std::uint64_t>(clock) < keys_.size()) return keys_[static_cast<std::size_t>(clock)];
  keys_.push_back(string_.read());
  return keys_.back();
}

}  // namespace zeal::crdt
