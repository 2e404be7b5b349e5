#include "actors/seed_command.hpp"

#include "crdt/lib0/json.hpp"

namespace zeal::actors {

namespace {

seed_command invalid(std::string why) {
  seed_command c;
  c.type = seed_command::kind::invalid;
  c.error = std::move(why);
  return c;
}

}  // namespace

seed_command parse_seed_command(std::string_view text) {
  auto parsed = crdt::lib0::parse_json(text);
  if (!parsed) return invalid("invalid JSON: " + parsed.err().to_string());
  const auto& v = parsed.value();
  if (!v.is_object()) return invalid("expected a JSON object");
  const auto* action = v.find("action");
  if (action == nullptr) return invalid("missing \"action\"");
  if (!action->is_string()) return invalid("\"action\" must be a string");
  if (action->as_string() == "leave") {
    seed_command c;
    c.type = seed_command::kind::leave;
    return c;
  }
  if (action->as_string() != "join") return invalid("unknown action: " + action->as_string());
  const auto* room = v.find("room");
  if (room == nullptr) return invalid("missing \"room\"");
  if (!room->is_string()) return invalid("\"room\" must be a string");
  seed_command c;
  c.type = seed_command::kind::join;
  c.room = room->as_string();
  return c;
}

std::string seed_error_text(std::string_view reason) {
  std::string out = "{\"error\":";
  crdt::lib0::append_json_string(out, reason);
  out += '}';
  return out;
}

}  // namespace zeal::actors
