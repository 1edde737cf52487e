// Split rules shared by the loaders (DESIGN.md §3, data.test_fraction and
// data.validation). Every loader orders its examples as
//   [ train | validation | test ]
// in source order (file order, or generation order for generators):
//  * test: the last round(N * test_fraction) examples, clamped to 1..N-1
//    (Fashion-MNIST has its own test files instead);
//  * validation: the last V examples of the rest (R = N - test), where V is
//    data.validation if set, else R / 10 (at least 1 when R >= 2);
//    V must leave at least one training example.
#pragma once
#include "datasets/dataset.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace moesim {

// Examples for validation out of `n` (UsageError naming data.validation if it
// leaves no training example). `what` names the examples, for the message.
std::size_t validation_count(std::optional<std::int64_t> requested, std::size_t n,
                             const std::string& what);

// Test examples out of n >= 2 (UsageError if n < 2).
std::size_t test_count(double test_fraction, std::size_t n, const std::string& what);

// Rows [begin, end) of `all` (features, labels, ids, clusters), a deep copy.
Dataset slice_dataset(const Dataset& all, std::size_t begin, std::size_t end);

// [train | validation | test] of `all` as the rules above.
DatasetSplits split_dataset(const Dataset& all, double test_fraction,
                            std::optional<std::int64_t> validation, const std::string& what);

}  // namespace moesim
