#include "crdt/lib0/rle.hpp"

#include <string>

#include "crdt/lib0/error.hpp"
#include "crdt/lib0/utf.hpp"

namespace zeal::crdt::lib0 {

// ---- rle ----------------------------------------------------------------------------------------------

void rle_encoder::write(std::uint8_t v) {
  if (count_ > 0 && state_ == v) {
    ++count_;
    return;
  }
  // Flush the previous run's counter (count−1), unless this is the first value.
  if (count_ > 0) enc_.write_var_uint(count_ - 1);
  count_ = 1;
  enc_.write_u8(v);
  state_ = v;
}

bytes rle_encoder::to_bytes() const {
  return enc_.data();
}

std::uint8_t rle_decoder::read() {
  if (count_ == 0 && !forever_) {
    if (dec_.at_end()) dec_.fail("exhausted RLE column");
    state_ = dec_.read_u8();
    if (dec_.at_end()) {
      forever_ = true;  // the last run has no count
    } else {
      count_ = dec_.read_var_uint() + 1;
    }
  }
  if (!forever_) --count_;
  return state_;
}

// ---- uint opt rle -------------------------------------------------------------------------------------

void uint_opt_rle_encoder::flush_into(encoder& e) const {
  if (count_ == 0) return;
  // A single value is written as is; a run sets the sign (−0 included) and a count follows.
  e.write_var_int(state_, count_ > 1);
  if (count_ > 1) e.write_var_uint(count_ - 2);
}

void uint_opt_rle_encoder::write(std::uint64_t v) {
  // Like lib0 (initial state 0, count 0), a leading 0 simply starts the first run.
  if (state_ == v) {
    ++count_;
    return;
  }
  flush_into(enc_);
  count_ = 1;
  state_ = v;
}

bytes uint_opt_rle_encoder::to_bytes() const {
  encoder e;
  e.write_raw(enc_.data());
  flush_into(e);
  return e.take();
}

std::uint64_t uint_opt_rle_decoder::read() {
  if (count_ == 0) {
    if (dec_.at_end()) dec_.fail("exhausted UintOptRle column");
    auto v = dec_.read_var_int_signed();
    state_ = v.magnitude;
    count_ = v.negative ? dec_.read_var_uint() + 2 : 1;
  }
  --count_;
  return state_;
}

// ---- int diff opt rle ---------------------------------------------------------------------------------

void int_diff_opt_rle_encoder::flush_into(encoder& e) const {
  if (count_ == 0) return;
  // diff·2 + (whether a count follows)
  e.write_var_int(diff_ * 2 + (count_ == 1 ? 0 : 1));
  if (count_ > 1) e.write_var_uint(count_ - 2);
}

void int_diff_opt_rle_encoder::write(std::int64_t v) {
  if (diff_ == v - state_) {
    state_ = v;
    ++count_;
    return;
  }
  flush_into(enc_);
  count_ = 1;
  diff_ = v - state_;
  state_ = v;
}

bytes int_diff_opt_rle_encoder::to_bytes() const {
  encoder e;
  e.write_raw(enc_.data());
  flush_into(e);
  return e.take();
}

std::int64_t int_diff_opt_rle_decoder::read() {
  constexpr auto max = static_cast<std::int64_t>(max_safe_integer);
  constexpr std::uint64_t max_encoded_diff = (std::uint64_t{1} << 54) - 1;
  if (count_ == 0) {
    if (dec_.at_end()) dec_.fail("exhausted IntDiffOptRle column");
    // diff·2 + 1 where the diff of two clocks within ±(2^53−1) needs 54 bits and a sign: |encoded| ≤ 2^54−1.
    std::int64_t encoded = dec_.read_var_int_signed(max_encoded_diff).value();
    std::int64_t has_count = encoded & 1;
    diff_ = (encoded - has_count) / 2;  // floor(encoded / 2)
    count_ = has_count ? dec_.read_var_uint() + 2 : 1;
  }
  std::int64_t next = state_ + diff_;  // |state| < 2^53, |diff| < 2^53: no overflow
  if (next > max || next < -max) dec_.fail("IntDiffOptRle value exceeds 2^53-1");
  state_ = next;
  --count_;
  return state_;
}

// ---- strings ------------------------------------------------------------------------------------------

void string_encoder::write(std::string_view utf8) {
  joined_.append(utf8);
  lengths_.write(utf16_length(utf8));
}

void string_encoder::write_utf16(std::u16string_view utf16) {
  append_utf16_as_utf8(joined_, utf16);
  lengths_.write(utf16.size());
}

bytes string_encoder::to_bytes() const {
  encoder e;
  e.write_var_string(joined_);
  e.write_raw(lengths_.to_bytes());
  return e.take();
}

namespace {

uint_opt_rle_decoder rest_decoder(decoder& d) {
  std::size_t off = d.offset();
  return uint_opt_rle_decoder(d.read_rest(), off);
}

void append_replacement(std::string& out) {
  out += "\xef\xbf\xbd";
}

}  // namespace

string_decoder::string_decoder(bytes_view data, std::size_t base_offset)
    : string_decoder(decoder(data, base_offset), base_offset) {}

string_decoder::string_decoder(decoder d, std::size_t /*base_offset*/)
    : joined_(d.read_var_string()), joined_offset_(d.offset() - joined_.size()), lengths_(rest_decoder(d)) {}

string_decoder::next_string string_decoder::advance() {
  std::uint64_t units = lengths_.read();
  next_string r;
  const std::size_t n = joined_.size();
  if (units > 0 && split_pair_) {
    // The previous string took the high surrogate of the pair at pos_: the low one is lone here.
    r.lead_replacement = true;
    pos_ += 4;
    split_pair_ = false;
    --units;
  }
  r.start = pos_;
  while (units > 0) {
    if (pos_ >= n) throw decode_error("string length runs past the joined string", joined_offset_ + pos_);
    auto b = static_cast<unsigned char>(joined_[pos_]);
    std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;  // joined_ is valid UTF-8
    if (len == 4) {
      if (units == 1) {
        // The length ends between the two halves of a surrogate pair.
        r.end = pos_;
        r.trail_replacement = true;
        split_pair_ = true;
        return r;
      }
      units -= 2;
    } else {
      units -= 1;
    }
    pos_ += len;
  }
  r.end = pos_;
  return r;
}

std::string string_decoder::read() {
  const next_string r = advance();
  std::string out;
  if (r.lead_replacement) append_replacement(out);
  out.append(joined_, r.start, r.end - r.start);
  if (r.trail_replacement) append_replacement(out);
  return out;
}

std::u16string string_decoder::read_utf16() {
  const next_string r = advance();
  if (!r.lead_replacement && !r.trail_replacement) {
    return utf8_to_utf16(std::string_view(joined_).substr(r.start, r.end - r.start));
  }
  std::u16string out;
  if (r.lead_replacement) out.push_back(u'\uFFFD');
  out += utf8_to_utf16(std::string_view(joined_).substr(r.start, r.end - r.start));
  if (r.trail_replacement) out.push_back(u'\uFFFD');
  return out;
}

}  // namespace zeal::crdt::lib0
