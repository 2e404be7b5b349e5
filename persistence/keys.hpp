#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zeal::persistence::keys {

/// The key layout of the RocksDB store (exposed for tests and tools).
///   room prefix P = unsigned LEB128 varint(room size) + room bytes   (prefix-free: no two rooms'
///                   keys can collide, and no room's prefix is a prefix of another's)
///   "log" CF:       P + big-endian uint64 seq -> update bytes
///   "snapshot" CF:  P -> encoded state
///   "meta" CF:      P -> meta value (see encode_meta)

std::string room_prefix(std::string_view room);
std::string log_key(std::string_view prefix, std::uint64_t seq);

/// The smallest key greater than every key starting with `prefix`; nullopt if there is none.
std::optional<std::string> prefix_successor(std::string_view prefix);

struct decoded_prefix {
  std::string room;
  /// Bytes of the key the prefix occupies.
  std::size_t size = 0;
};
/// Decodes the room prefix at the start of `key`; nullopt if malformed.
std::optional<decoded_prefix> decode_room_prefix(std::string_view key);

/// The sequence number of a log key with the given prefix size; nullopt if the suffix is not exactly
/// 8 bytes.
std::optional<std::uint64_t> decode_log_seq(std::string_view key, std::size_t prefix_size);

/// Meta value: version byte 2 + big-endian uint64 snapshot_seq + big-endian uint64 snapshot size (so that
/// opening the store can count snapshot bytes without reading the snapshots). Version 1 (byte 1 +
/// snapshot_seq, no size) is still read.
struct meta {
  std::uint64_t snapshot_seq = 0;
  /// Bytes of the room's snapshot; nullopt for a version-1 record.
  std::optional<std::uint64_t> snapshot_bytes;
};
/// Writes version 2 (snapshot_bytes 0 if unset).
std::string encode_meta(const meta& m);
std::optional<meta> decode_meta(std::string_view value);

void append_be64(std::string& out, std::uint64_t v);
std::uint64_t read_be64(const char* p);

/// A key as text for error messages: printable ASCII as is, other bytes as \xNN.
std::string printable(std::string_view key);

}  // namespace zeal::persistence::keys
