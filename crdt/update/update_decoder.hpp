#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "crdt/lib0/any.hpp"
#include "crdt/lib0/bytes.hpp"
#include "crdt/lib0/decoder.hpp"
#include "crdt/lib0/error.hpp"
#include "crdt/update/id.hpp"
#include "crdt/update/update_format.hpp"

namespace zeal::crdt {

/// Mirror of update_encoder (Yjs UpdateDecoderV1/V2 + DSDecoderV1/V2). Reads throw decode_error with the
/// byte offset; v2 construction reads the feature flag and the nine columns (and throws on bad framing),
/// and reading from an exhausted column is an error.
class update_decoder {
 public:
  virtual ~update_decoder() = default;
  virtual update_format format() const = 0;
  virtual lib0::decoder& rest() = 0;

  virtual void reset_ds_cur_val() = 0;
  virtual std::uint64_t read_ds_clock() = 0;
  virtual std::uint64_t read_ds_len() = 0;

  virtual id read_left_id() = 0;
  virtual id read_right_id() = 0;
  virtual std::uint64_t read_client() = 0;
  virtual std::uint8_t read_info() = 0;
  virtual std::string read_string() = 0;
  /// read_string() as UTF-16 (ContentString): the decoders override it to skip the UTF-8 copy.
  virtual std::u16string read_string_utf16();
  virtual bool read_parent_info() = 0;
  virtual std::uint8_t read_type_ref() = 0;
  virtual std::uint64_t read_len() = 0;
  virtual lib0::any read_any() = 0;
  virtual bytes read_buf() = 0;
  virtual lib0::any read_json() = 0;
  virtual std::string read_key() = 0;
};

/// Throws decode_error if a v2 update's framing is broken.
std::unique_ptr<update_decoder> make_update_decoder(bytes_view data, update_format format);

}  // namespace zeal::crdt
