// zeal-ydoc: inspect, merge, diff and apply Yjs updates with Zeal's document core.
#include <iostream>
#include <string>
#include <vector>

#include "app/ydoc/cli_options.hpp"
#include "app/ydoc/commands.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string error;
  auto opts = zeal::ydoc::parse_cli(args, error);
  if (!opts) {
    std::cerr << "zeal-ydoc: " << error << "\n\n" << zeal::ydoc::usage_text();
    return zeal::ydoc::exit_usage;
  }
  return zeal::ydoc::run_command(*opts, std::cout, std::cerr);
}
