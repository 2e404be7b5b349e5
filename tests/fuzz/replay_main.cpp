// Runs a libFuzzer target without libFuzzer (normal g++ builds): every file of the corpus directories, then
// a number of deterministic random mutations of them (bit flips, byte changes, inserts, erases, truncation,
// chunk copies, splices). A crash or a failed invariant aborts, which fails the ctest entry.
//   usage: <target> [--mutations N] [--seed S] corpus_dir_or_file...
//   ZEAL_FUZZ_LAST_INPUT=file: write each input to `file` before running it (the reproducer after a crash).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using input = std::vector<std::uint8_t>;

struct rng {
  std::uint64_t s;
  std::uint64_t next() {  // splitmix64
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

input read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return input(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// With ZEAL_FUZZ_LAST_INPUT=<file> every input is written there before it runs: after a crash the file
// holds the reproducer.
const char* last_input_file = nullptr;

void run(const input& in) {
  if (last_input_file != nullptr) {
    std::ofstream out(last_input_file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(in.data()), static_cast<std::streamsize>(in.size()));
  }
  // Copy into an exactly sized heap buffer so that ASan sees reads past the end.
  auto* buf = static_cast<std::uint8_t*>(std::malloc(in.empty() ? 1 : in.size()));
  std::copy(in.begin(), in.end(), buf);
  LLVMFuzzerTestOneInput(buf, in.size());
  std::free(buf);
}

std::uint8_t interesting_byte(rng& r) {
  static constexpr std::uint8_t values[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x07, 0x08, 0x09, 0x0a, 0x3f,
                                            0x40, 0x41, 0x7f, 0x80, 0x81, 0xc0, 0xfe, 0xff, 0x75, 0x77};
  return values[r.below(sizeof(values))];
}

input mutate(const input& base, const std::vector<input>& corpus, rng& r) {
  input out = base;
  const std::size_t steps = 1 + r.below(4);
  for (std::size_t i = 0; i < steps; ++i) {
    switch (r.below(8)) {
      case 0:
        if (!out.empty()) out[r.below(out.size())] ^= static_cast<std::uint8_t>(1u << r.below(8));
        break;
      case 1:
        if (!out.empty()) out[r.below(out.size())] = interesting_byte(r);
        break;
      case 2:
        if (!out.empty()) out[r.below(out.size())] = static_cast<std::uint8_t>(r.next());
        break;
      case 3:
        out.insert(out.begin() + static_cast<std::ptrdiff_t>(r.below(out.size() + 1)), interesting_byte(r));
        break;
      case 4:
        if (!out.empty()) {
          const std::size_t at = r.below(out.size());
          const std::size_t n = 1 + r.below(std::min<std::size_t>(8, out.size() - at));
          out.erase(out.begin() + static_cast<std::ptrdiff_t>(at),
                    out.begin() + static_cast<std::ptrdiff_t>(at + n));
        }
        break;
      case 5:
        out.resize(r.below(out.size() + 1));
        break;
      case 6:
        if (!out.empty()) {  // copy a chunk elsewhere
          const std::size_t from = r.below(out.size());
          const std::size_t n = 1 + r.below(std::min<std::size_t>(16, out.size() - from));
          const input chunk(out.begin() + static_cast<std::ptrdiff_t>(from),
                            out.begin() + static_cast<std::ptrdiff_t>(from + n));
          out.insert(out.begin() + static_cast<std::ptrdiff_t>(r.below(out.size() + 1)), chunk.begin(),
                     chunk.end());
        }
        break;
      default:
        if (!corpus.empty()) {  // splice with another corpus entry
          const input& other = corpus[r.below(corpus.size())];
          const std::size_t cut = r.below(out.size() + 1);
          const std::size_t from = r.below(other.size() + 1);
          out.resize(cut);
          out.insert(out.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
        }
        break;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mutations = 1000;
  std::uint64_t seed = 1;
  std::vector<std::filesystem::path> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--mutations" && i + 1 < argc) {
      mutations = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      paths.emplace_back(arg);
    }
  }
  last_input_file = std::getenv("ZEAL_FUZZ_LAST_INPUT");
  std::vector<std::filesystem::path> files;
  for (const auto& p : paths) {
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else if (std::filesystem::is_regular_file(p)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "no such corpus: %s\n", p.string().c_str());
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<input> corpus;
  for (const auto& f : files) corpus.push_back(read_file(f));
  run({});
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    std::fprintf(stderr, "replay %s (%zu bytes)\n", files[i].filename().string().c_str(), corpus[i].size());
    run(corpus[i]);
  }
  rng r{seed};
  for (std::size_t i = 0; i < mutations; ++i) {
    const input base = corpus.empty() ? input{} : corpus[r.below(corpus.size())];
    run(mutate(base, corpus, r));
  }
  std::fprintf(stderr, "%zu corpus files, %zu mutations: ok\n", corpus.size(), mutations);
  return 0;
}
