#pragma once

// Seeded random convergence scenario shared by convergence_test.cpp (fast) and
// convergence_slow_test.cpp (10,000 iterations): several docs edit concurrently (text with formats and
// emoji, maps, arrays, nested types), exchange their updates in random order with duplicates and
// merged batches, and must end with identical JSON, state vectors and encoded state.

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "crdt/doc/doc.hpp"
#include "crdt/lib0/utf.hpp"
#include "crdt/update/update.hpp"
#include "tests/crdt/doc/doc_test_util.hpp"

namespace zeal::crdt::test {

struct convergence_result {
  bool ok = true;
  std::string message;
};

class convergence_run {
 public:
  convergence_run(std::uint32_t seed, int ndocs, bool gc) : rng_(seed) {
    for (int i = 0; i < ndocs; ++i) {
      auto p = std::make_unique<peer>();
      p->d =
          std::make_unique<doc>(doc_options{static_cast<std::uint64_t>(i + 1) * 1000003u % 4294967291u, gc});
      peer* raw = p.get();
      p->d->on_update([this, raw](bytes_view u) { on_emit(raw, u); });
      peers_.push_back(std::move(p));
    }
  }

  convergence_result run(int steps) {
    for (int s = 0; s < steps; ++s) {
      const int r = pick(10);
      if (r < 6) {
        local_edit(*peers_[pick(static_cast<int>(peers_.size()))]);
      } else {
        deliver_some();
      }
      if (!result_.ok) return result_;
    }
    // deliver everything, then compare
    for (int guard = 0; guard < 1000 && any_pending(); ++guard) deliver_some(true);
    if (!result_.ok) return result_;
    const doc& first = *peers_[0]->d;
    const std::string json = first.to_json();
    const std::string sv = hex(first.state_vector().encode());
    // Encoded states are compared after a load into a fresh doc: Yjs replicas are not byte-identical in
    // general (e.g. GC structs of a collected map's overwritten values merge only where the collecting
    // transaction's delete set reaches them), a fresh load merges every mergeable neighbour.
    const std::string v1 = canonical(first, update_format::v1);
    const std::string v2 = canonical(first, update_format::v2);
    const std::string ds = hex(first.encode_state_as_update(update_format::v1, first.state_vector()));
    for (std::size_t i = 1; i < peers_.size(); ++i) {
      const doc& d = *peers_[i]->d;
      if (d.to_json() != json) return fail("json differs: " + d.to_json() + " vs " + json);
      if (hex(d.state_vector().encode()) != sv) return fail("state vector differs");
      if (!(d.delete_set() == first.delete_set())) return fail("delete set differs");
      if (hex(d.encode_state_as_update(update_format::v1, d.state_vector())) != ds)
        return fail("ds encoding differs");
      if (canonical(d, update_format::v1) != v1) {
        return fail("encoded v1 differs: doc " + std::to_string(i) + " " + canonical(d, update_format::v1) +
                    " vs doc 0 " + v1);
      }
      if (canonical(d, update_format::v2) != v2) return fail("encoded v2 differs");
      if (!d.pending().missing.empty() || d.pending().pending_deletes) return fail("pending left over");
    }
    // a fresh doc loading the state agrees too
    doc fresh(doc_options{99, true});
    if (!fresh.apply_update(first.encode_state_as_update(update_format::v2), update_format::v2).ok()) {
      return fail("state does not load");
    }
    if (fresh.to_json() != json) return fail("loaded json differs");
    return result_;
  }

 public:
  std::vector<const doc*> docs() const {
    std::vector<const doc*> out;
    for (const auto& p : peers_) out.push_back(p->d.get());
    return out;
  }

 private:
  static std::string canonical(const doc& d, update_format f) {
    doc fresh(doc_options{98, true});
    fresh.apply_update(d.encode_state_as_update(f), f);
    return hex(fresh.encode_state_as_update(f));
  }

  struct peer {
    std::unique_ptr<doc> d;
    std::deque<bytes> inbox;
    bool applying = false;
    int emitted_while_applying = 0;
  };

  int pick(int n) { return static_cast<int>(rng_() % static_cast<std::uint32_t>(n)); }

  convergence_result fail(std::string msg) {
    result_.ok = false;
    if (result_.message.empty()) result_.message = std::move(msg);
    return result_;
  }

  void on_emit(peer* from, bytes_view u) {
    if (from->applying && from->emitted_while_applying++ == 0) return;  // the applied update itself
    for (auto& p : peers_) {
      if (p.get() == from) continue;
      p->inbox.emplace_back(u.begin(), u.end());
      if (pick(8) == 0) p->inbox.emplace_back(u.begin(), u.end());  // duplicate
    }
  }

  bool any_pending() const {
    for (const auto& p : peers_) {
      if (!p->inbox.empty()) return true;
    }
    return false;
  }

  void apply(peer& p, const bytes& u) {
    p.applying = true;
    p.emitted_while_applying = 0;
    auto st = p.d->apply_update(u);
    p.applying = false;
    if (!st) fail("apply failed: " + st.err().to_string());
  }

  void deliver_some(bool all = false) {
    for (auto& pp : peers_) {
      peer& p = *pp;
      if (p.inbox.empty()) continue;
      if (!all && pick(2) == 0) continue;
      const int mode = pick(4);
      if (mode == 0 && p.inbox.size() >= 2) {
        // merged batch of a random slice, in random order
        std::size_t n = 2 + static_cast<std::size_t>(
                                pick(static_cast<int>(std::min<std::size_t>(p.inbox.size() - 1, 5))));
        std::vector<bytes> batch;
        for (std::size_t k = 0; k < n; ++k) {
          std::size_t idx = static_cast<std::size_t>(pick(static_cast<int>(p.inbox.size())));
          batch.push_back(std::move(p.inbox[idx]));
          p.inbox.erase(p.inbox.begin() + static_cast<std::ptrdiff_t>(idx));
        }
        std::vector<bytes_view> views(batch.begin(), batch.end());
        auto merged = merge_updates(views, update_format::v1);
        if (!merged) {
          fail("merge failed: " + merged.err().to_string());
          return;
        }
        apply(p, *merged);
      } else {
        // one update, from a random position (out of order delivery)
        std::size_t idx = mode == 1 ? static_cast<std::size_t>(pick(static_cast<int>(p.inbox.size()))) : 0;
        bytes u = std::move(p.inbox[idx]);
        p.inbox.erase(p.inbox.begin() + static_cast<std::ptrdiff_t>(idx));
        apply(p, u);
      }
    }
  }

  std::string random_text() {
    static const char* pieces[] = {"a", "b", "hello", " ", "\xF0\x9F\x98\x80", "\xC3\xA9", "xyz", "\n", "12"};
    std::string s;
    int n = 1 + pick(3);
    for (int i = 0; i < n; ++i) s += pieces[pick(9)];
    return s;
  }

  lib0::any random_value() {
    switch (pick(6)) {
      case 0:
        return lib0::any(pick(1000));
      case 1:
        return lib0::any(random_text());
      case 2:
        return lib0::any(pick(2) == 0);
      case 3:
        return lib0::any(lib0::null_t{});
      case 4:
        return lib0::any(lib0::any::array{lib0::any(1), lib0::any("x")});
      default:
        return lib0::any::make_object({{"k", lib0::any(pick(10))}});
    }
  }

  // Positions inside a surrogate pair are avoided: a local split there is not transmitted, so Yjs
  // replicas themselves diverge (U+FFFD locally, the emoji remotely).
  static std::uint64_t snap(const std::u16string& s, std::uint64_t p) {
    if (p > 0 && p < s.size() && s[p] >= 0xDC00 && s[p] <= 0xDFFF && s[p - 1] >= 0xD800 && s[p - 1] <= 0xDBFF)
      return p - 1;
    return p;
  }
  static std::uint64_t snap_end(const std::u16string& s, std::uint64_t p) {
    if (p > 0 && p < s.size() && s[p] >= 0xDC00 && s[p] <= 0xDFFF && s[p - 1] >= 0xD800 && s[p - 1] <= 0xDBFF)
      return p + 1;
    return p;
  }

  void edit_text(text t) {
    if (!t.valid()) return;
    const std::uint64_t len = t.length();
    const std::u16string s = lib0::utf8_to_utf16(t.to_string());
    switch (pick(5)) {
      case 0:
      case 1:
        t.insert(snap(s, len == 0 ? 0 : static_cast<std::uint64_t>(pick(static_cast<int>(len + 1)))),
                 random_text());
        break;
      case 2:
        if (len > 0) {
          auto at = snap(s, static_cast<std::uint64_t>(pick(static_cast<int>(len))));
          auto end = snap_end(s, at + 1 +
                                     static_cast<std::uint64_t>(
                                         pick(static_cast<int>(std::min<std::uint64_t>(len - at, 4)))));
          t.remove(at, std::min(end, len) - at);
        }
        break;
      case 3:
        if (len > 0) {
          auto at = snap(s, static_cast<std::uint64_t>(pick(static_cast<int>(len))));
          auto end = snap_end(s, at + 1 +
                                     static_cast<std::uint64_t>(
                                         pick(static_cast<int>(std::min<std::uint64_t>(len - at, 5)))));
          lib0::any v = pick(3) == 0 ? lib0::any(lib0::null_t{}) : lib0::any(true);
          t.format(at, std::min(end, len) - at, {{pick(2) == 0 ? "bold" : "italic", v}});
        }
        break;
      default:
        t.insert(snap(s, len == 0 ? 0 : static_cast<std::uint64_t>(pick(static_cast<int>(len + 1)))),
                 random_text(), {{"bold", lib0::any(true)}});
        break;
    }
  }

  void edit_array(array a) {
    if (!a.valid()) return;
    const std::uint64_t len = a.length();
    switch (pick(5)) {
      case 0:
      case 1:
        a.insert(len == 0 ? 0 : static_cast<std::uint64_t>(pick(static_cast<int>(len + 1))),
                 {random_value(), random_value()});
        break;
      case 2:
        if (len > 0) {
          auto at = static_cast<std::uint64_t>(pick(static_cast<int>(len)));
          a.remove(at, 1 + static_cast<std::uint64_t>(
                               pick(static_cast<int>(std::min<std::uint64_t>(len - at, 3)))));
        }
        break;
      case 3:
        a.push({random_value()});
        break;
      default: {
        auto nt = a.insert_text(len == 0 ? 0 : static_cast<std::uint64_t>(pick(static_cast<int>(len + 1))));
        nt.insert(0, random_text());
        break;
      }
    }
  }

  void edit_map(map m) {
    if (!m.valid()) return;
    static const char* keys[] = {"a", "b", "c", "d"};
    const char* key = keys[pick(4)];
    switch (pick(6)) {
      case 0:
      case 1:
        m.set(key, random_value());
        break;
      case 2:
        m.remove(key);
        break;
      case 3: {
        auto nt = m.set_text("nt");
        nt.insert(0, random_text());
        break;
      }
      case 4: {
        auto na = m.set_array("na");
        na.push({random_value()});
        break;
      }
      default: {
        auto nm = m.set_map("nm");
        nm.set(key, random_value());
        break;
      }
    }
  }

  void local_edit(peer& p) {
    doc& d = *p.d;
    auto body = [&]() {
      switch (pick(7)) {
        case 0:
        case 1:
          edit_text(d.get_text("text"));
          break;
        case 2:
          edit_array(d.get_array("array"));
          break;
        case 3:
          edit_map(d.get_map("map"));
          break;
        case 4:
          edit_text(d.get_map("map").get_text("nt"));
          break;
        case 5:
          edit_array(d.get_map("map").get_array("na"));
          break;
        default:
          edit_map(d.get_map("map").get_map("nm"));
          break;
      }
    };
    if (pick(5) == 0) {
      d.transact([&] {
        body();
        body();
      });
    } else {
      body();
    }
  }

  std::mt19937 rng_;
  std::vector<std::unique_ptr<peer>> peers_;
  convergence_result result_;
};

}  // namespace zeal::crdt::test
