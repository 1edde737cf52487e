// Errors that carry the process exit code of DESIGN.md §3, so that the CLI maps
// every failure to the right code in one place.
#pragma once
#include <stdexcept>
#include <string>

namespace moesim {

// Bad usage or configuration (unknown key, wrong type, out of range): exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bad input data: missing, unreadable, truncated or malformed file: exit 3.
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A numerical failure during training (NaN / Inf): exit 1.
struct NumericError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace moesim
