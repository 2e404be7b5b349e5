// The one translation unit that provides main() for a CAF unit test binary.
#include <caf/test/unit_test_impl.hpp>
