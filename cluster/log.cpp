#include "cluster/log.hpp"

#include "actors/log.hpp"

namespace zeal::cluster::log {

spdlog::logger& cluster() {
  static const std::shared_ptr<spdlog::logger> logger = actors::log::get_or_create("cluster");
  return *logger;
}

}  // namespace zeal::cluster::log
