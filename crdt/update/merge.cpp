// merge_updates: a port of Yjs mergeUpdatesV2 (src/utils/updates.js), step for step, so that the bytes
// are Yjs's: the decoders are ordered by (client descending, clock ascending), overlapping structs are
// cut, clock gaps become Skip structs, consecutive GC/GC and Skip/Skip merge, delete sets are united.
#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "crdt/update/lazy_reader.hpp"
#include "crdt/update/lazy_writer.hpp"
#include "crdt/update/update.hpp"
#include "crdt/update/update_encoder.hpp"

namespace zeal::crdt {

namespace {

std::uint64_t block_end(const block& b) {
  return block_id(b).clock + block_length(b);
}
bool is_skip(const block& b) {
  return std::holds_alternative<skip_block>(b);
}

/// AbstractStruct.mergeWith for structs read from updates: GC+GC and Skip+Skip extend the left one.
/// Items never merge here (Item.mergeWith needs left.right === right, which decoded items lack).
bool merge_with(block& left, const block& right) {
  if (auto* gc = std::get_if<gc_block>(&left)) {
    if (const auto* r = std::get_if<gc_block>(&right)) {
      gc->length += r->length;
      return true;
    }
    return false;
  }
  if (auto* skip = std::get_if<skip_block>(&left)) {
    if (const auto* r = std::get_if<skip_block>(&right)) {
      skip->length += r->length;
      return true;
    }
  }
  return false;
}

/// The sort comparator of mergeUpdatesV2 as a three-way result.
int compare_decoders(lazy_reader* a, lazy_reader* b) {
  const block& x = *a->curr();
  const block& y = *b->curr();
  const auto& ix = block_id(x);
  const auto& iy = block_id(y);
  if (ix.client == iy.client) {
    if (ix.clock == iy.clock) {
      if (x.index() == y.index()) return 0;
      return is_skip(x) ? 1 : -1;
    }
    return ix.clock < iy.clock ? -1 : 1;
  }
  return iy.client < ix.client ? -1 : 1;  // higher clients first
}

}  // namespace

result<bytes> merge_updates(std::span<const bytes_view> updates, update_format format) {
  if (updates.size() == 1) return bytes(updates[0].begin(), updates[0].end());
  std::vector<lazy_reader> readers;
  readers.reserve(updates.size());
  for (const auto& u : updates) {
    auto decoded = decode_update(u, format);
    if (!decoded) return decoded.err();
    readers.emplace_back(std::move(decoded).value(), true);
  }
  std::vector<lazy_reader*> active;
  for (auto& r : readers) active.push_back(&r);

  auto enc = make_update_encoder(format);
  lazy_writer writer(*enc);
  std::optional<block> curr_write;  // the offset of Yjs's currWrite is always 0

  while (true) {
    std::erase_if(active, [](lazy_reader* r) { return r->curr() == nullptr; });
    std::stable_sort(active.begin(), active.end(),
                     [](lazy_reader* a, lazy_reader* b) { return compare_decoders(a, b) < 0; });
    if (active.empty()) break;
    lazy_reader& curr_decoder = *active.front();
    const std::uint64_t first_client = block_id(*curr_decoder.curr()).client;

    if (curr_write) {
      block* curr = curr_decoder.curr();
      bool iterated = false;
      // Skip what has been written already (higher clients are written first).
      while (curr != nullptr && block_end(*curr) <= block_end(*curr_write) &&
             block_id(*curr).client >= block_id(*curr_write).client) {
        curr = curr_decoder.next();
        iterated = true;
      }
      if (curr == nullptr || block_id(*curr).client != first_client ||
          (iterated && block_id(*curr).clock > block_end(*curr_write))) {
        continue;
      }
      if (first_client != block_id(*curr_write).client) {
        writer.write(*curr_write, 0);
        curr_write = *curr;
        curr_decoder.next();
      } else if (block_end(*curr_write) < block_id(*curr).clock) {
        // A gap: write what we have and fill the gap with a Skip.
        if (auto* skip = std::get_if<skip_block>(&*curr_write)) {
          skip->length = block_end(*curr) - skip->id.clock;
        } else {
          writer.write(*curr_write, 0);
          const auto end = block_end(*curr_write);
          curr_write = skip_block{{first_client, end}, block_id(*curr).clock - end};
        }
      } else {
        const auto diff = block_end(*curr_write) - block_id(*curr).clock;
        std::optional<block> sliced;
        if (diff > 0) {
          if (auto* skip = std::get_if<skip_block>(&*curr_write)) {
            skip->length -= diff;  // prefer cutting the Skip: the other struct carries more information
          } else {
            sliced = slice_block(*curr, diff);
          }
        }
        const block& next_struct = sliced ? *sliced : *curr;
        if (!merge_with(*curr_write, next_struct)) {
          writer.write(*curr_write, 0);
          curr_write = sliced ? std::move(*sliced) : *curr;
          curr_decoder.next();
        }
      }
    } else {
      curr_write = *curr_decoder.curr();
      curr_decoder.next();
    }
    for (block* next = curr_decoder.curr();
         next != nullptr && block_id(*next).client == first_client &&
         block_id(*next).clock == block_end(*curr_write) && !is_skip(*next);
         next = curr_decoder.next()) {
      writer.write(*curr_write, 0);
      curr_write = *next;
    }
  }
  if (curr_write) writer.write(*curr_write, 0);
  writer.finish();

  // mergeDeleteSets: all ranges per client, then one sort and merge.
  delete_set ds;
  for (auto& r : readers) {
    for (const auto& [client, dels] : r.delete_set().clients()) {
      auto& mine = ds.clients()[client];
      mine.insert(mine.end(), dels.begin(), dels.end());
    }
  }
  ds.sort_and_merge();
  ds.write(*enc);
  return enc->to_bytes();
}

}  // namespace zeal::crdt
