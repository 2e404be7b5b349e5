#include "app/server/room_tools.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <variant>

#include "persistence/rocksdb_store.hpp"
#include "persistence/room_doc.hpp"

namespace zeal::app {

namespace fs = std::filesystem;

namespace {

std::string quoted_room(std::string_view room) {
  return "room \"" + display_name(room) + "\"";
}

/// The data directory as an absolute, normalized path without a trailing separator (for messages and
/// for opening).
std::string absolute_dir(const std::string& dir) {
  std::error_code ec;
  fs::path p = fs::absolute(dir, ec);
  if (ec) p = dir;
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool mentions_lock(const std::string& message) {
  std::string lower(message);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("lock") != std::string::npos;
}

using open_result = std::variant<std::unique_ptr<persistence::rocksdb_store>, tool_outcome>;

/// Opens the store at `dir` (absolute). Without `create`, a missing directory or one without a database is
/// an error (a typo'd --data-dir must not create an empty database).
open_result open_store(const std::string& dir, bool create, bool sync) {
  std::error_code ec;
  if (create) {
    fs::create_directories(dir, ec);
    if (ec)
      return tool_outcome{tool_exit_failure, "cannot create data directory " + dir + ": " + ec.message()};
  } else {
    if (!fs::is_directory(dir, ec)) return tool_outcome{tool_exit_failure, "no data directory at " + dir};
    if (!fs::exists(fs::path(dir) / "CURRENT", ec))
      return tool_outcome{tool_exit_failure,
                          "no data directory at " + dir + " (it holds no RocksDB database)"};
  }
  persistence::rocksdb_store_options o;
  o.path = dir;
  o.sync = sync;
  o.create_if_missing = create;
  auto opened = persistence::rocksdb_store::open(o);
  if (!opened) {
    std::string why = opened.error_message();
    const std::string prefix = "open: path=" + dir + ": ";
    if (why.compare(0, prefix.size(), prefix) == 0) why.erase(0, prefix.size());
    std::string msg = "cannot open " + dir + ": " + why;
    if (mentions_lock(why))
      msg += " (is a zeal-crdt-server running on it? use GET/POST /rooms/<room>/update while it runs)";
    return tool_outcome{tool_exit_failure, std::move(msg)};
  }
  return std::move(opened).value();
}

/// Reads all of `path` ("-": stdin). nullopt and `error` on failure.
std::optional<crdt::bytes> read_all(const std::string& path, std::FILE* in, std::string& error) {
  const bool is_stdin = path == "-";
  std::FILE* f = is_stdin ? in : std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int saved = errno;
    error = "cannot read " + path + ": " + std::strerror(saved);
    return std::nullopt;
  }
  crdt::bytes data;
  std::uint8_t buf[65536];
  for (;;) {
    std::size_t n = std::fread(buf, 1, sizeof buf, f);
    data.insert(data.end(), buf, buf + n);
    if (n < sizeof buf) break;
  }
  const bool failed = std::ferror(f) != 0;
  const int saved = errno;
  if (!is_stdin) std::fclose(f);
  if (failed) {
    error = "cannot read " + (is_stdin ? std::string("<stdin>") : path) + ": " + std::strerror(saved);
    return std::nullopt;
  }
  return data;
}

/// Writes `data` to `f` and flushes it; false (errno set) on failure.
bool write_all(std::FILE* f, crdt::bytes_view data) {
  if (!data.empty() && std::fwrite(data.data(), 1, data.size(), f) != data.size()) return false;
  return std::fflush(f) == 0 && std::ferror(f) == 0;
}

/// Writes `data` to the file `path` (replaced); on failure nothing is left there.
std::optional<std::string> write_file(const std::string& path, crdt::bytes_view data) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    const int saved = errno;
    return "cannot write " + path + ": " + std::strerror(saved);
  }
  bool ok = write_all(f, data);
  int saved = errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    std::remove(path.c_str());
    return "cannot write " + path + ": " + std::strerror(saved);
  }
  return std::nullopt;
}

struct tool_spec {
  std::string_view name;
  std::size_t min_positional;
  std::size_t max_positional;
  std::string_view synopsis;
};

constexpr tool_spec tool_specs[] = {
    {"export", 1, 2, "export ROOM [FILE] [server options]"},
    {"import", 2, 2, "import ROOM FILE [server options]"},
    {"rooms", 0, 0, "rooms [server options]"},
};

const tool_spec* find_tool(std::string_view name) {
  for (const auto& t : tool_specs) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace

bool is_room_tool(std::string_view command) {
  return find_tool(command) != nullptr;
}

std::string room_tools_usage() {
  std::string u;
  u += "Room tools (offline: stop the server first; RocksDB allows one process per data directory):\n";
  u += "  zeal-crdt-server export ROOM [FILE] [server options]\n";
  u += "      write the room's full state as one Yjs v1 update to FILE (default or \"-\": stdout, which\n";
  u += "      must not be a terminal)\n";
  u += "  zeal-crdt-server import ROOM FILE [server options]\n";
  u += "      merge the v1 update in FILE (\"-\": stdin) into the stored room (a new room if none) and\n";
  u += "      store the merged state as the room's snapshot\n";
  u += "  zeal-crdt-server rooms [server options]\n";
  u += "      list every stored room name, one per line, sorted (control bytes written as \\xNN)\n";
  u += "ROOM and FILE come right after the command; the server options that follow (--data-dir DIR,\n";
  u += "--config FILE, ...), the environment and ./config.ini are read as for the server. While the\n";
  u += "server runs use GET /rooms/<room>/update and POST /rooms/<room>/update instead.\n";
  u += "Exit status: 0 success; 1 no data directory, directory in use, room not stored or an I/O error;\n";
  u += "2 a usage or configuration error, a FILE or a stored record that does not decode.\n";
  return u;
}

std::string display_name(std::string_view name) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(name.size());
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out;
}

crdt::doc make_room_doc() {
  return crdt::doc{persistence::room_doc_options()};
}

std::optional<std::string> build_room_doc(std::string_view room, const persistence::room_data& data,
                                          crdt::doc& d) {
  auto failed = persistence::apply_stored(d, room, data.snapshot ? &*data.snapshot : nullptr,
                                          data.snapshot_seq, data.log);
  if (failed) return quoted_room(room) + ": " + *failed;
  return std::nullopt;
}

std::optional<std::string> validate_update(crdt::bytes_view update, const std::string& label) {
  crdt::doc scratch = make_room_doc();
  auto st = scratch.apply_update(update);
  if (!st) return label + ": malformed update: " + st.err().to_string();
  return std::nullopt;
}

tool_outcome export_room(persistence::store& s, std::string_view room, const std::string& dir,
                         crdt::bytes& state) {
  auto data = s.load(room);
  if (!data) return {tool_exit_bad_input, quoted_room(room) + " cannot be loaded: " + data.error_message()};
  if (!data->snapshot && data->log.empty())
    return {tool_exit_failure, quoted_room(room) + " is not stored in " + dir};
  crdt::doc d = make_room_doc();
  if (auto e = build_room_doc(room, *data, d)) return {tool_exit_bad_input, *e};
  state = d.encode_state_as_update();
  return {};
}

tool_outcome import_room(persistence::store& s, std::string_view room, crdt::bytes_view update,
                         const std::string& label) {
  auto data = s.load(room);
  if (!data)
    return {tool_exit_bad_input,
            quoted_room(room) + " cannot be loaded: " + data.error_message() + " (nothing was written)"};
  crdt::doc d = make_room_doc();
  if (auto e = build_room_doc(room, *data, d)) return {tool_exit_bad_input, *e + " (nothing was written)"};
  auto st = d.apply_update(update);
  if (!st)
    return {tool_exit_bad_input,
            label + ": malformed update: " + st.err().to_string() + " (nothing was written)"};
  auto seq = s.append(room, update);
  if (!seq) return {tool_exit_failure, "cannot store the update: " + seq.error_message()};
  const crdt::bytes state = d.encode_state_as_update();
  if (auto w = s.write_snapshot(room, state, *seq); !w)
    return {tool_exit_failure, "the update is stored in the room's log (seq " + std::to_string(*seq) +
                                   ") but the snapshot could not be written: " + w.error_message()};
  return {tool_exit_ok, "imported " + std::to_string(update.size()) + " bytes into " + quoted_room(room) +
                            " (state now " + std::to_string(state.size()) + " bytes)"};
}

tool_outcome list_rooms(persistence::store& s, std::vector<std::string>& rooms) {
  auto listed = s.list_rooms();
  if (!listed) return {tool_exit_bad_input, "cannot list the rooms: " + listed.error_message()};
  rooms = std::move(listed).value();
  return {};
}

int run_room_tool(const std::vector<std::string>& args, const getenv_fn& getenv, std::FILE* out,
                  std::FILE* err, const std::string& default_config_path) {
  const tool_spec* tool = args.empty() ? nullptr : find_tool(args[0]);
  const std::string name = tool ? std::string(tool->name) : std::string(args.empty() ? "" : args[0]);
  auto complain = [&](int code, const std::string& message) {
    std::fprintf(err, "zeal-crdt-server %s: %s\n", name.c_str(), message.c_str());
    return code;
  };
  if (tool == nullptr) return complain(tool_exit_bad_input, "unknown command");

  // ROOM / FILE first (a lone "-" is a FILE), then the server options.
  std::vector<std::string> positional;
  std::size_t i = 1;
  for (; i < args.size(); ++i) {
    if (args[i].size() > 1 && args[i][0] == '-') break;
    positional.push_back(args[i]);
  }
  const std::vector<std::string> option_args(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  auto loaded = load_server_options(option_args, getenv, default_config_path);
  if (loaded.status == load_result::outcome::help) {
    std::fputs(room_tools_usage().c_str(), out);
    std::fflush(out);
    return tool_exit_ok;
  }
  if (loaded.status == load_result::outcome::error) return complain(tool_exit_bad_input, loaded.message);
  if (positional.size() < tool->min_positional || positional.size() > tool->max_positional) {
    return complain(tool_exit_bad_input, "usage: zeal-crdt-server " + std::string(tool->synopsis) +
                                             " (ROOM and FILE before the options; see --help)");
  }
  if (!positional.empty() && positional[0].empty())
    return complain(tool_exit_bad_input, "ROOM must not be empty");

  const server_options& opts = loaded.options;
  const std::string dir = absolute_dir(opts.data_dir);

  auto finish = [&](persistence::rocksdb_store& store, int code) {
    if (auto c = store.close(); !c) return complain(tool_exit_failure, c.error_message());
    return code;
  };

  if (tool->name == "export") {
    const std::string& room = positional[0];
    const std::string file = positional.size() > 1 ? positional[1] : "-";
    if (file == "-" && ::isatty(::fileno(out)) == 1)
      return complain(tool_exit_bad_input,
                      "refusing to write a binary update to a terminal (give FILE or redirect stdout)");
    auto opened = open_store(dir, false, opts.sync);
    if (auto* o = std::get_if<tool_outcome>(&opened)) return complain(o->exit_code, o->message);
    auto& store = *std::get<0>(opened);
    crdt::bytes state;
    auto r = export_room(store, room, dir, state);
    const int closed = finish(store, tool_exit_ok);
    if (r.exit_code != tool_exit_ok) return complain(r.exit_code, r.message);
    if (closed != tool_exit_ok) return closed;
    if (file == "-") {
      if (!write_all(out, state))
        return complain(tool_exit_failure, std::string("cannot write to stdout: ") + std::strerror(errno));
      return tool_exit_ok;
    }
    if (auto e = write_file(file, state)) return complain(tool_exit_failure, *e);
    std::fprintf(out, "exported %s (%zu bytes) to %s\n", quoted_room(room).c_str(), state.size(),
                 file.c_str());
    std::fflush(out);
    return tool_exit_ok;
  }

  if (tool->name == "import") {
    const std::string& room = positional[0];
    const std::string& file = positional[1];
    const std::string label = file == "-" ? "<stdin>" : file;
    std::string error;
    auto update = read_all(file, stdin, error);
    if (!update) return complain(tool_exit_failure, error);
    // Validated before the data directory is touched: a bad file creates and writes nothing.
    if (auto e = validate_update(*update, label))
      return complain(tool_exit_bad_input, *e + " (nothing was written)");
    auto opened = open_store(dir, true, opts.sync);
    if (auto* o = std::get_if<tool_outcome>(&opened)) return complain(o->exit_code, o->message);
    auto& store = *std::get<0>(opened);
    auto r = import_room(store, room, *update, label);
    const int code = finish(store, tool_exit_ok);
    if (r.exit_code != tool_exit_ok) return complain(r.exit_code, r.message);
    std::fprintf(out, "%s\n", r.message.c_str());
    std::fflush(out);
    return code;
  }

  // rooms
  auto opened = open_store(dir, false, opts.sync);
  if (auto* o = std::get_if<tool_outcome>(&opened)) return complain(o->exit_code, o->message);
  auto& store = *std::get<0>(opened);
  std::vector<std::string> rooms;
  auto r = list_rooms(store, rooms);
  const int code = finish(store, tool_exit_ok);
  if (r.exit_code != tool_exit_ok) return complain(r.exit_code, r.message);
  for (const auto& room : rooms) std::fprintf(out, "%s\n", display_name(room).c_str());
  if (std::fflush(out) != 0 || std::ferror(out) != 0)
    return complain(tool_exit_failure, std::string("cannot write to stdout: ") + std::strerror(errno));
  return code;
}

}  // namespace zeal::app
