// zeal_load: a single-threaded WebSocket load generator for Yjs servers (y-websocket protocol and
// Hocuspocus). bench/load/README.md describes the modes and the JSON it prints.
#include <malloc.h>
#include <unistd.h>

#include <csignal>
#include <exception>
#include <iostream>
#include <string>

#include "bench/load/modes.hpp"
#include "bench/load/options.hpp"
#include "bench/load/yjs_client.hpp"
#include "bench/load/yjs_updates.hpp"

int main(int argc, char** argv) {
  using namespace zeal::bench::load;
  std::signal(SIGPIPE, SIG_IGN);
  // Large receive buffers (a joiner's 1 MiB SyncStep2) come from the heap and are reused, instead of a
  // fresh mmap (page faults, zeroing) per message.
  ::mallopt(M_MMAP_THRESHOLD, 64 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
  const auto opts = parse_options(argc, argv);
  if (!opts) return 2;
  // A last resort behind --timeout: nothing blocks, but a bug must not hang the runner.
  ::alarm(static_cast<unsigned>(opts->timeout_s) + 30);
  std::string error;
  if (!self_test(error) || !check_frames(error)) {
    std::cerr << "zeal_load: self-test failed: " << error << "\n";
    return 1;
  }
  if (opts->self_test_only) {
    std::cerr << "zeal_load: self-test ok\n";
    return 0;
  }
  try {
    switch (opts->mode) {
      case mode::idle:
        return run_idle(*opts);
      case mode::joinstorm:
        return run_joinstorm(*opts);
      default:
        return run_stream(*opts);
    }
  } catch (const std::exception& e) {
    std::cerr << "zeal_load: " << e.what() << "\n";
    return 1;
  }
}
