#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "crdt/doc/item.hpp"

namespace zeal::crdt {

/// One client's structs, sorted by clock, no gaps. A gap buffer: edits cluster around the cursor, so
/// inserting/erasing in the middle (splits and merges) costs the distance to the previous edit instead
/// of a memmove of half the array.
class struct_list {
 public:
  std::size_t size() const { return buf_.size() - gap_len_; }
  bool empty() const { return size() == 0; }
  item* operator[](std::size_t i) const { return i < gap_start_ ? buf_[i] : buf_[i + gap_len_]; }
  item*& operator[](std::size_t i) { return i < gap_start_ ? buf_[i] : buf_[i + gap_len_]; }
  item* back() const { return (*this)[size() - 1]; }

  /// The index of the struct containing `clock` (precondition: clock < state). Remembers the last hit:
  /// lookups cluster around the cursor.
  std::size_t find(std::uint64_t clock) const {
    const std::size_t n = size();
    assert(n > 0);
    const item* last = (*this)[n - 1];
    if (last->id.clock <= clock) return n - 1;
    std::size_t left = 0;
    std::size_t right = n - 1;
    if (hint_ < n) {
      const item* h = (*this)[hint_];
      if (h->id.clock <= clock) {
        if (clock < h->id.clock + h->length) return hint_;
        if (hint_ + 1 < n) {
          const item* h2 = (*this)[hint_ + 1];
          if (h2->id.clock <= clock && clock < h2->id.clock + h2->length) return hint_ = hint_ + 1;
        }
        // The target is after the hint: gallop forward (ascending scans, e.g. delete sets, stay cheap).
        std::size_t lo = hint_ + 1;  // the target's index is >= lo
        std::size_t step = 1;
        std::size_t hi = lo + step;
        while (hi < n && (*this)[hi]->id.clock <= clock) {
          lo = hi;
          step *= 2;
          hi = lo + step;
        }
        left = lo;
        right = std::min(hi, n - 1);
      } else if (hint_ > 0) {
        const item* h0 = (*this)[hint_ - 1];
        if (h0->id.clock <= clock && clock < h0->id.clock + h0->length) return hint_ = hint_ - 1;
        // The target is before the hint: gallop backward.
        std::size_t hi = hint_ - 1;  // the target's index is <= hi
        std::size_t step = 1;
        while (step <= hi) {
          std::size_t p = hi - step;
          if ((*this)[p]->id.clock <= clock) {
            left = p;
            break;
          }
          if (p == 0) break;
          hi = p - 1;
          step *= 2;
        }
        right = hi;
      }
    }
    while (left <= right) {
      std::size_t mid = left + (right - left) / 2;
      const item* m = (*this)[mid];
      if (m->id.clock <= clock) {
        if (clock < m->id.clock + m->length) return hint_ = mid;
        left = mid + 1;
      } else {
        if (mid == 0) break;
        right = mid - 1;
      }
    }
    assert(false && "struct_list::find: clock not in store");
    return 0;
  }

  void push_back(item* s) { insert(size(), s); }

  void insert(std::size_t pos, item* s) {
    if (gap_len_ == 0) grow();
    move_gap(pos);
    buf_[gap_start_++] = s;
    --gap_len_;
  }

  /// Erases [first, last).
  void erase(std::size_t first, std::size_t last) {
    move_gap(last);
    gap_start_ = first;
    gap_len_ += last - first;
  }

 private:
  void move_gap(std::size_t pos) {
    if (pos < gap_start_) {
      std::size_t n = gap_start_ - pos;
      std::move_backward(buf_.begin() + static_cast<std::ptrdiff_t>(pos),
                         buf_.begin() + static_cast<std::ptrdiff_t>(gap_start_),
                         buf_.begin() + static_cast<std::ptrdiff_t>(gap_start_ + gap_len_));
      gap_start_ -= n;
    } else if (pos > gap_start_) {
      std::size_t n = pos - gap_start_;
      std::move(buf_.begin() + static_cast<std::ptrdiff_t>(gap_start_ + gap_len_),
                buf_.begin() + static_cast<std::ptrdiff_t>(gap_start_ + gap_len_ + n),
                buf_.begin() + static_cast<std::ptrdiff_t>(gap_start_));
      gap_start_ += n;
    }
  }

  void grow() {
    std::size_t old_size = size();
    std::size_t extra = std::max<std::size_t>(16, old_size / 2);
    std::vector<item*> nb(old_size + extra);
    std::copy(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(gap_start_), nb.begin());
    std::size_t tail = buf_.size() - gap_start_ - gap_len_;
    std::copy(buf_.end() - static_cast<std::ptrdiff_t>(tail), buf_.end(),
              nb.end() - static_cast<std::ptrdiff_t>(tail));
    buf_ = std::move(nb);
    gap_len_ = extra;
  }

  std::vector<item*> buf_;
  mutable std::size_t hint_ = 0;
  std::size_t gap_start_ = 0;
  std::size_t gap_len_ = 0;
};

}  // namespace zeal::crdt
