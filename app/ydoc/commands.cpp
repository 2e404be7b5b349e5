#include "app/ydoc/commands.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "app/ydoc/dump.hpp"
#include "crdt/doc/doc.hpp"
#include "crdt/update/state_vector.hpp"
#include "crdt/update/update.hpp"

namespace zeal::ydoc {

namespace {

struct input {
  std::string name;
  crdt::bytes data;
};

std::optional<crdt::bytes> read_file(const std::string& path) {
  // libstdc++'s filebuf throws std::ios_failure from underflow on a read error (e.g. EISDIR when the
  // path is a directory); istreambuf_iterator lets it through.
  try {
    if (path == "-") {
      std::istreambuf_iterator<char> begin(std::cin), end;
      std::string s(begin, end);
      return crdt::bytes(s.begin(), s.end());
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    crdt::bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return std::nullopt;
    return data;
  } catch (const std::ios_base::failure&) {
    return std::nullopt;
  }
}

std::string display_name(const std::string& path) {
  return path == "-" ? "<stdin>" : path;
}

/// Reads every input file; false (after a message) if one can't be read.
bool read_inputs(const std::vector<std::string>& files, std::vector<input>& inputs, std::ostream& err) {
  for (const auto& f : files) {
    auto data = read_file(f);
    if (!data) {
      err << "zeal-ydoc: cannot read " << display_name(f) << "\n";
      return false;
    }
    inputs.push_back({display_name(f), std::move(*data)});
  }
  return true;
}

int malformed(std::ostream& err, const std::string& what, const crdt::error& e) {
  err << "zeal-ydoc: " << what << ": malformed: " << e.to_string() << "\n";
  return exit_malformed;
}

int write_output(const cli_options& opts, const crdt::bytes& data, std::ostream& out, std::ostream& err) {
  if (opts.out_path) {
    std::ofstream f(*opts.out_path, std::ios::binary | std::ios::trunc);
    if (!f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()))) {
      err << "zeal-ydoc: cannot write " << *opts.out_path << "\n";
      return exit_usage;
    }
    return exit_ok;
  }
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.flush();
  return exit_ok;
}

/// Applies every input in order, each as its own transaction. Returns an exit code on failure.
std::optional<int> apply_all(crdt::doc& d, const std::vector<input>& inputs, crdt::update_format format,
                             std::ostream& err) {
  for (const auto& in : inputs) {
    auto st = d.apply_update(in.data, format);
    if (!st) return malformed(err, in.name, st.err());
  }
  return std::nullopt;
}

std::string state_vector_json(const crdt::state_vector& sv) {
  std::string s = "{";
  bool first = true;
  for (const auto& [client, clock] : sv.clocks()) {
    if (!first) s += ',';
    first = false;
    s += '"' + std::to_string(client) + "\":" + std::to_string(clock);
  }
  return s + "}";
}

std::string pending_json(const crdt::pending_info& p) {
  std::string s = "{\"missing\":{";
  bool first = true;
  for (const auto& [client, clock] : p.missing) {
    if (!first) s += ',';
    first = false;
    s += '"' + std::to_string(client) + "\":" + std::to_string(clock);
  }
  s += "},\"pendingDeletes\":";
  s += p.pending_deletes ? "true" : "false";
  return s + "}";
}

int run_doc_command(const cli_options& opts, const std::vector<input>& inputs, std::ostream& out,
                    std::ostream& err) {
  crdt::doc d(crdt::doc_options{.client_id = 0, .gc = opts.gc});
  if (auto rc = apply_all(d, inputs, opts.in_format, err)) return *rc;
  if (opts.command == "apply") return write_output(opts, d.encode_state_as_update(opts.out_format), out, err);
  if (opts.command == "json") {
    out << d.to_json() << "\n";
    return exit_ok;
  }
  if (opts.command == "sv") {
    out << state_vector_json(d.state_vector()) << "\n";
    return exit_ok;
  }
  if (opts.command == "pending") {
    out << pending_json(d.pending()) << "\n";
    return exit_ok;
  }
  // diff
  auto sv_bytes = read_file(*opts.sv_path);
  if (!sv_bytes) {
    err << "zeal-ydoc: cannot read " << display_name(*opts.sv_path) << "\n";
    return exit_usage;
  }
  auto diff = d.encode_state_as_update(*sv_bytes, opts.out_format);
  if (!diff) return malformed(err, display_name(*opts.sv_path), diff.err());
  return write_output(opts, *diff, out, err);
}

int run_merge(const cli_options& opts, const std::vector<input>& inputs, std::ostream& out,
              std::ostream& err) {
  std::vector<crdt::bytes_view> views;
  views.reserve(inputs.size());
  for (const auto& in : inputs) {
    // Validate each input on its own so that the error names the file.
    if (auto u = crdt::decode_update(in.data, opts.in_format); !u) return malformed(err, in.name, u.err());
    views.emplace_back(in.data);
  }
  auto merged = crdt::merge_updates(views, opts.in_format);
  if (!merged) return malformed(err, "merge", merged.err());
  if (opts.out_format == opts.in_format) return write_output(opts, *merged, out, err);
  auto converted = crdt::convert_update(*merged, opts.in_format, opts.out_format);
  if (!converted) return malformed(err, "merge", converted.err());
  return write_output(opts, *converted, out, err);
}

int run_dump(const cli_options& opts, const input& in, std::ostream& out, std::ostream& err) {
  auto u = crdt::decode_update(in.data, opts.in_format);
  if (!u) return malformed(err, in.name, u.err());
  out << dump_update(*u, opts.in_format, in.data.size());
  return exit_ok;
}

}  // namespace

int run_command(const cli_options& opts, std::ostream& out, std::ostream& err) {
  if (opts.command == "help") {
    out << usage_text();
    return exit_ok;
  }
  std::vector<input> inputs;
  if (!read_inputs(opts.files, inputs, err)) return exit_usage;
  int rc = opts.command == "merge"  ? run_merge(opts, inputs, out, err)
           : opts.command == "dump" ? run_dump(opts, inputs.front(), out, err)
                                    : run_doc_command(opts, inputs, out, err);
  // A failed write to standard output (disk full, closed stdout) must not look like success.
  if (rc == exit_ok && !out.flush()) {
    err << "zeal-ydoc: cannot write standard output\n";
    return exit_usage;
  }
  return rc;
}

}  // namespace zeal::ydoc
