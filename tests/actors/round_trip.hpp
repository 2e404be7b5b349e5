#pragma once

// Serializes a whole caf::message with CAF's binary serializer and reads it back, as a message crossing
// nodes would be (every element type must be registered with the system's config).

#include <vector>

#include <caf/actor_system.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/message.hpp>

namespace zeal::actors::test {

/// The message after a serialize/deserialize round trip; fails the running test on a serializer error.
inline caf::message round_trip(caf::actor_system& sys, const caf::message& in) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  auto msg = in;
  if (auto err = sink(msg)) CAF_FAIL("serialize: " << sys.render(err));
  caf::message out;
  caf::binary_deserializer source{sys, buf};
  if (auto err = source(out)) CAF_FAIL("deserialize: " << sys.render(err));
  return out;
}

}  // namespace zeal::actors::test
