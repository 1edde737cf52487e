#include "core/parameter.hpp"

#include "core/philox.hpp"

namespace moesim {

void init_normal(Parameter& p, std::uint64_t seed, std::uint64_t salt, double std) {
  const PhiloxKey key{seed, streams::kInit + (salt << 8)};
  auto v = p.value;
  const std::size_t cols = v.extent(1);
  Kokkos::parallel_for(
      "init_normal", Kokkos::RangePolicy<HostExec>(0, v.size()), [=](std::size_t i) {
        v(i / cols, i % cols) = static_cast<float>(std * Philox::normal(key, i));
      });
}

void init_uniform(Parameter& p, std::uint64_t seed, std::uint64_t salt, double bound) {
  const PhiloxKey key{seed, streams::kInit + (salt << 8)};
  auto v = p.value;
  const std::size_t cols = v.extent(1);
  Kokkos::parallel_for(
      "init_uniform", Kokkos::RangePolicy<HostExec>(0, v.size()), [=](std::size_t i) {
        v(i / cols, i % cols) = static_cast<float>(bound * (2.0 * Philox::uniform(key, i) - 1.0));
      });
}

}  // namespace moesim
