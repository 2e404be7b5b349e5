#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crdt/update/update_format.hpp"

namespace zeal::ydoc {

/// The parsed command line of zeal-ydoc.
struct cli_options {
  std::string command;  // apply, json, sv, diff, merge, dump, pending, help
  crdt::update_format in_format = crdt::update_format::v1;
  crdt::update_format out_format = crdt::update_format::v1;
  bool gc = true;
  std::optional<std::string> out_path;  // -o
  std::optional<std::string> sv_path;   // --sv
  std::vector<std::string> files;
};

/// Parses argv; on a usage error returns nullopt and sets `error`.
std::optional<cli_options> parse_cli(const std::vector<std::string>& args, std::string& error);

/// The --help text.
const char* usage_text();

}  // namespace zeal::ydoc
