#include "crdt/update/update.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "crdt/lib0/decoder.hpp"
#include "crdt/lib0/encoder.hpp"
#include "crdt/update/lazy_reader.hpp"
#include "crdt/update/lazy_writer.hpp"
#include "crdt/update/update_decoder.hpp"
#include "crdt/update/update_encoder.hpp"

namespace zeal::crdt {

namespace {

/// v2 columns are run-length encoded, so a few bytes can announce any number of structs. We accept at
/// most this many structs per update plus `max_structs_per_byte` per input byte (real updates stay far
/// below: one struct costs at least a few bytes in practice).
constexpr std::uint64_t base_struct_budget = 4096;
constexpr std::uint64_t max_structs_per_byte = 8;

std::string group_context(std::uint64_t client, std::uint64_t index) {
  return "client " + std::to_string(client) + " struct " + std::to_string(index) + ": ";
}

/// readClientsStructRefs / lazyStructReaderGenerator framing: #groups; per group #structs (rest),
/// client (readClient), first clock (rest); then the structs.
std::vector<client_blocks> read_struct_section(update_decoder& dec, std::size_t input_size) {
  auto& rest = dec.rest();
  std::vector<client_blocks> groups;
  const auto groups_at = rest.offset();
  const auto num_groups = rest.read_var_uint();
  // A group takes at least two rest bytes (#structs and clock; v1 adds the client).
  if (num_groups > rest.remaining() / 2) {
    throw decode_error("client count " + std::to_string(num_groups) + " exceeds the input", groups_at);
  }
  groups.reserve(num_groups);
  std::uint64_t budget = base_struct_budget + max_structs_per_byte * input_size;
  for (std::uint64_t g = 0; g < num_groups; ++g) {
    const auto count_at = rest.offset();
    const auto num_structs = rest.read_var_uint();
    // v1: each struct takes at least two bytes of the one stream.
    if (dec.format() == update_format::v1 && num_structs > rest.remaining() / 2) {
      throw decode_error("struct count " + std::to_string(num_structs) + " exceeds the input", count_at);
    }
    if (num_structs > budget) {
      throw decode_error("struct count " + std::to_string(num_structs) + " is implausibly large for " +
                             std::to_string(input_size) + " input bytes",
                         count_at);
    }
    budget -= num_structs;
    client_blocks group;
    group.client = dec.read_client();
    std::uint64_t clock = rest.read_var_uint();
    // v1 counts are bounded by the input above; v2 counts (run-length columns) only by the budget, so
    // reserve at most one struct per input byte there.
    group.blocks.reserve(
        dec.format() == update_format::v1 ? num_structs : std::min<std::uint64_t>(num_structs, input_size));
    for (std::uint64_t i = 0; i < num_structs; ++i) {
      const auto at = rest.offset();
      try {
        read_block_into(dec, {group.client, clock}, group.blocks.emplace_back());
      } catch (const decode_error& e) {
        throw decode_error(group_context(group.client, i) + e.err().message, e.err().offset);
      }
      const auto len = block_length(group.blocks.back());
      if (len > lib0::max_safe_integer - clock) {
        throw decode_error(group_context(group.client, i) + "clock beyond 2^53", at);
      }
      clock += len;
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

decoded_update read_update(update_decoder& dec, std::size_t input_size) {
  decoded_update u;
  u.clients = read_struct_section(dec, input_size);
  try {
    u.delete_set = delete_set::read(dec);
  } catch (const decode_error& e) {
    throw decode_error("delete set: " + e.err().message, e.err().offset);
  }
  return u;
}

}  // namespace

result<decoded_update> decode_update(bytes_view data, update_format format) {
  try {
    auto dec = make_update_decoder(data, format);
    return read_update(*dec, data.size());
  } catch (const decode_error& e) {
    auto err = e.err();
    if (err.message.find("end of input") != std::string::npos)
      err.message = "update truncated: " + err.message;
    return err;
  }
}

bytes encode_update(const decoded_update& u, update_format format) {
  auto enc = make_update_encoder(format);
  auto& rest = enc->rest();
  rest.write_var_uint(u.clients.size());
  for (const auto& group : u.clients) {
    rest.write_var_uint(group.blocks.size());
    enc->write_client(group.client);
    rest.write_var_uint(group.blocks.empty() ? 0 : block_id(group.blocks.front()).clock);
    for (const auto& b : group.blocks) write_block(*enc, b, 0);
  }
  u.delete_set.write(*enc);
  return enc->to_bytes();
}

result<bytes> convert_update(bytes_view update, update_format from, update_format to) {
  // convertUpdateFormat: every struct through a LazyStructWriter, then the delete set as read.
  auto decoded = decode_update(update, from);
  if (!decoded) return decoded.err();
  lazy_reader reader(std::move(decoded).value(), false);
  auto enc = make_update_encoder(to);
  lazy_writer writer(*enc);
  for (auto* curr = reader.curr(); curr != nullptr; curr = reader.next()) writer.write(*curr, 0);
  writer.finish();
  reader.delete_set().write(*enc);
  return enc->to_bytes();
}

result<bytes> state_vector_from_update(bytes_view update, update_format format) {
  // encodeStateVectorFromUpdateV2: per client (in wire order) the end of the run of structs starting
  // at clock 0, up to the first Skip. Entries are written in the order found, not sorted.
  auto decoded = decode_update(update, format);
  if (!decoded) return decoded.err();
  lazy_reader reader(std::move(decoded).value(), false);
  lib0::encoder entries;
  std::uint64_t size = 0;
  auto* curr = reader.curr();
  if (curr != nullptr) {
    std::uint64_t curr_client = block_id(*curr).client;
    bool stop_counting = block_id(*curr).clock != 0;
    std::uint64_t curr_clock = stop_counting ? 0 : block_id(*curr).clock + block_length(*curr);
    for (; curr != nullptr; curr = reader.next()) {
      const auto& id = block_id(*curr);
      if (curr_client != id.client) {
        if (curr_clock != 0) {
          ++size;
          entries.write_var_uint(curr_client);
          entries.write_var_uint(curr_clock);
        }
        curr_client = id.client;
        curr_clock = 0;
        stop_counting = id.clock != 0;
      }
      if (std::holds_alternative<skip_block>(*curr)) stop_counting = true;
      if (!stop_counting) curr_clock = id.clock + block_length(*curr);
    }
    if (curr_clock != 0) {
      ++size;
      entries.write_var_uint(curr_client);
      entries.write_var_uint(curr_clock);
    }
  }
  lib0::encoder out;
  out.write_var_uint(size);
  out.write_raw(entries.data());
  return out.take();
}

bytes empty_update(update_format format) {
  if (format == update_format::v1) return {0, 0};
  return {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
}

}  // namespace zeal::crdt
