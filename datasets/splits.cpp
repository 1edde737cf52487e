#include "datasets/splits.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>

namespace moesim {

std::size_t validation_count(std::optional<std::int64_t> requested, std::size_t n,
                             const std::string& what) {
  if (requested) {
    if (*requested < 0)
      throw UsageError("data.validation: " + std::to_string(*requested) + " is negative (accepted: 0.." +
                       std::to_string(n == 0 ? 0 : n - 1) + ")");
    if (static_cast<std::uint64_t>(*requested) >= n)
      throw UsageError("data.validation: " + std::to_string(*requested) + " examples leave none of the " +
                       std::to_string(n) + " examples of " + what + " for training (accepted: 0.." +
                       std::to_string(n == 0 ? 0 : n - 1) + ")");
    return static_cast<std::size_t>(*requested);
  }
  if (n < 2) return 0;
  return std::max<std::size_t>(1, n / 10);
}

std::size_t test_count(double test_fraction, std::size_t n, const std::string& what) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0))
    throw UsageError("data.test_fraction: " + std::to_string(test_fraction) +
                     " is out of range (accepted: 0 < value < 1)");
  if (n < 2)
    throw UsageError(what + " has " + std::to_string(n) +
                     " example(s): at least 2 are needed for a training and a test set");
  const double t = std::llround(static_cast<double>(n) * test_fraction);
  return static_cast<std::size_t>(std::clamp<double>(t, 1.0, static_cast<double>(n - 1)));
}

Dataset slice_dataset(const Dataset& all, std::size_t begin, std::size_t end) {
  Dataset out;
  out.name = all.name;
  out.num_classes = all.num_classes;
  out.num_clusters = all.num_clusters;
  const std::size_t n = end - begin, d = all.dim();
  out.features = make_matrix(all.name.empty() ? "dataset" : all.name, n, d);
  auto src = all.features;
  auto dst = out.features;
  Kokkos::parallel_for(
      "dataset_slice", Kokkos::RangePolicy<HostExec>(0, n), [=](const std::size_t i) {
        for (std::size_t j = 0; j < d; ++j) dst(i, j) = src(begin + i, j);
      });
  Kokkos::fence();
  out.labels.assign(all.labels.begin() + begin, all.labels.begin() + end);
  out.ids.assign(all.ids.begin() + begin, all.ids.begin() + end);
  if (!all.clusters.empty()) out.clusters.assign(all.clusters.begin() + begin, all.clusters.begin() + end);
  return out;
}

DatasetSplits split_dataset(const Dataset& all, double test_fraction,
                            std::optional<std::int64_t> validation, const std::string& what) {
  const std::size_t n = all.size();
  const std::size_t n_test = test_count(test_fraction, n, what);
  const std::size_t rest = n - n_test;
  const std::size_t n_val = validation_count(validation, rest, what + " without its test set");
  DatasetSplits s;
  s.train = slice_dataset(all, 0, rest - n_val);
  s.validation = slice_dataset(all, rest - n_val, rest);
  s.test = slice_dataset(all, rest, n);
  return s;
}

}  // namespace moesim
