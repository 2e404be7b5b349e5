// Precompiled for every CAF test binary: what caf/test/unit_test.hpp includes (not unit_test.hpp itself,
// which must see each file's own CAF_SUITE definition).
#pragma once

#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <caf/deep_to_string.hpp>
#include <caf/detail/arg_wrapper.hpp>
#include <caf/detail/type_traits.hpp>
#include <caf/fwd.hpp>
#include <caf/logger.hpp>
#include <caf/optional.hpp>
#include <caf/term.hpp>
#include <caf/variant.hpp>
