#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "crdt/lib0/any.hpp"
#include "crdt/lib0/bytes.hpp"
#include "crdt/lib0/encoder.hpp"
#include "crdt/update/id.hpp"
#include "crdt/update/update_format.hpp"

namespace zeal::crdt {

/// The one encoder interface structs, contents and delete sets are written through (Yjs UpdateEncoderV1 /
/// UpdateEncoderV2 + DSEncoderV1/V2). v1 writes everything to one buffer; v2 spreads fields over columns.
class update_encoder {
 public:
  virtual ~update_encoder() = default;
  virtual update_format format() const = 0;
  /// The "rest" stream (v1: the only stream): struct-group headers, delete-set counts, v2's rest data.
  virtual lib0::encoder& rest() = 0;
  /// The finished update bytes (v2: flag + the nine columns + rest).
  virtual bytes to_bytes() = 0;

  // delete set
  virtual void reset_ds_cur_val() = 0;
  virtual void write_ds_clock(std::uint64_t clock) = 0;
  virtual void write_ds_len(std::uint64_t len) = 0;

  // structs
  virtual void write_left_id(id v) = 0;
  virtual void write_right_id(id v) = 0;
  virtual void write_client(std::uint64_t client) = 0;
  virtual void write_info(std::uint8_t info) = 0;
  /// `utf8` is valid UTF-8 (v2 records its UTF-16 length).
  virtual void write_string(std::string_view utf8) = 0;
  /// write_string(utf16_to_utf8(utf16)) (ContentString); v2 skips the intermediate string.
  virtual void write_string_utf16(std::u16string_view utf16);
  virtual void write_parent_info(bool is_root_name) = 0;
  virtual void write_type_ref(std::uint8_t ref) = 0;
  /// GC/Deleted/Skip lengths, Any/JSON counts.
  virtual void write_len(std::uint64_t len) = 0;
  virtual void write_any(const lib0::any& v) = 0;
  virtual void write_buf(bytes_view data) = 0;
  /// v1: varString(JSON.stringify(v)); v2: writeAny(v).
  virtual void write_json(const lib0::any& v) = 0;
  /// Format keys, XML node names, hook names.
  virtual void write_key(std::string_view key) = 0;
};

std::unique_ptr<update_encoder> make_update_encoder(update_format format);

}  // namespace zeal::crdt
