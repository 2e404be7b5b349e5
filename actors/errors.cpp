#include "actors/errors.hpp"

#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace zeal::actors {

caf::error make_actor_error(std::uint16_t close_code, std::string reason) {
  return caf::make_error(caf::sec::runtime_error, close_code, std::move(reason));
}

bool is_actor_error(const caf::error& err) {
  return err.category() == caf::atom("system") &&
         err.code() == static_cast<std::uint8_t>(caf::sec::runtime_error) &&
         err.context().match_elements<std::uint16_t, std::string>();
}

std::string error_reason(const caf::error& err) {
  const auto& ctx = err.context();
  for (std::size_t i = 0; i < ctx.size(); ++i)
    if (ctx.match_element<std::string>(i)) return ctx.get_as<std::string>(i);
  return caf::to_string(err);
}

std::uint16_t error_close_code(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.size() >= 1 && ctx.match_element<std::uint16_t>(0)) return ctx.get_as<std::uint16_t>(0);
  return 1011;
}

}  // namespace zeal::actors
