#pragma once

// The [cluster] seeds option: "host:port[,host:port...]". Its own library (zeal_cluster_seeds, no CAF), so
// that app/server's option checks and the membership configuration share one parser.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zeal::cluster {

struct cluster_address {
  std::string host;
  std::uint16_t port = 0;
};

/// Parses a comma-separated list of HOST:PORT entries. Spaces and tabs around an entry are ignored; a text
/// of only blanks is no seeds. The port is the part after the last ':' (1..65535); an IPv6 host is written
/// in brackets ("[::1]:7101", the brackets are dropped). An empty entry ("a:1,,b:2"), a missing host or
/// port, or a host with spaces is an error: nullopt, and `error` names the entry.
std::optional<std::vector<cluster_address>> parse_seeds(std::string_view text, std::string& error);

/// "host:port" as parse_seeds reads it back (an IPv6 host in brackets).
std::string to_string(const cluster_address& a);

}  // namespace zeal::cluster
