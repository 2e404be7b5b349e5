#include "app/ydoc/cli_options.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace zeal::ydoc {

namespace {

constexpr std::array<std::string_view, 7> commands = {"apply", "json", "sv",     "diff",
                                                      "merge", "dump", "pending"};

bool allows(std::string_view command, std::string_view option) {
  if (option == "--v2") return true;
  if (option == "--out-v2") return command == "apply" || command == "diff" || command == "merge";
  if (option == "--no-gc") return command == "apply" || command == "json";
  if (option == "-o") return command == "apply" || command == "diff" || command == "merge";
  if (option == "--sv") return command == "diff";
  return false;
}

}  // namespace

const char* usage_text() {
  return "usage: zeal-ydoc COMMAND [OPTIONS] FILE...\n"
         "\n"
         "FILE is a binary Yjs update; '-' reads standard input. Updates are applied in the order given,\n"
         "each as its own transaction.\n"
         "\n"
         "commands:\n"
         "  apply   [--v2] [--out-v2] [--no-gc] [-o OUT] FILE...   full encoded state of the result\n"
         "  json    [--v2] [--no-gc] FILE...                       the document as JSON\n"
         "  sv      [--v2] FILE...                                 the state vector as JSON\n"
         "  diff    --sv SVFILE [--v2] [--out-v2] [-o OUT] FILE... the state as an update against SVFILE\n"
         "  merge   [--v2] [--out-v2] [-o OUT] FILE...             doc-less merge of the updates\n"
         "  dump    [--v2] FILE                                    a listing of structs and delete set\n"
         "  pending [--v2] FILE...                                 missing dependencies as JSON\n"
         "\n"
         "options:\n"
         "  --v2      input updates are v2 (default v1)\n"
         "  --out-v2  write the output update as v2\n"
         "  --no-gc   keep deleted content (Yjs gc: false)\n"
         "  -o OUT    write the output to OUT instead of standard output\n"
         "  --sv F    binary state vector to diff against\n"
         "  -h, --help\n"
         "\n"
         "exit status: 0 success, 1 usage error, 2 malformed input.\n";
}

std::optional<cli_options> parse_cli(const std::vector<std::string>& args, std::string& error) {
  cli_options opts;
  if (args.empty()) {
    error = "missing command";
    return std::nullopt;
  }
  opts.command = args[0];
  if (opts.command == "-h" || opts.command == "--help" || opts.command == "help") {
    opts.command = "help";
    return opts;
  }
  if (std::find(commands.begin(), commands.end(), opts.command) == commands.end()) {
    error = "unknown command '" + opts.command + "'";
    return std::nullopt;
  }
  bool only_files = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_files || a == "-" || a.empty() || a[0] != '-') {
      opts.files.push_back(a);
      continue;
    }
    if (a == "--") {
      only_files = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      opts.command = "help";
      return opts;
    }
    if (!allows(opts.command, a)) {
      error = "option '" + a + "' is not valid for '" + opts.command + "'";
      return std::nullopt;
    }
    if (a == "--v2") {
      opts.in_format = crdt::update_format::v2;
    } else if (a == "--out-v2") {
      opts.out_format = crdt::update_format::v2;
    } else if (a == "--no-gc") {
      opts.gc = false;
    } else if (a == "-o" || a == "--sv") {
      if (i + 1 >= args.size()) {
        error = "option '" + a + "' needs a file name";
        return std::nullopt;
      }
      (a == "-o" ? opts.out_path : opts.sv_path) = args[++i];
    }
  }
  if (opts.files.empty()) {
    error = "'" + opts.command + "' needs at least one FILE";
    return std::nullopt;
  }
  if (opts.command == "dump" && opts.files.size() != 1) {
    error = "'dump' takes exactly one FILE";
    return std::nullopt;
  }
  if (opts.command == "diff" && !opts.sv_path) {
    error = "'diff' needs --sv SVFILE";
    return std::nullopt;
  }
  return opts;
}

}  // namespace zeal::ydoc
