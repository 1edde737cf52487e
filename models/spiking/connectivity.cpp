// Fixed-probability CSR construction and event-driven spike propagation.
#include "models/spiking/connectivity.hpp"

#include "core/error.hpp"
#include "core/philox.hpp"

#include <cmath>
#include <limits>

namespace moesim::spiking {

namespace {

// Visits the targets of row `s` in ascending order: target j is chosen with
// probability p, independently, by skipping Geometric(p) - 1 targets at a time.
// The draws of a row use counters (s << 32) | k, k = 0, 1, ...
template <class Visit>
inline void walk_row(PhiloxKey key, std::uint64_t s, std::uint64_t n, double p,
                                     double log_q, Visit&& visit) {
  if (p <= 0.0 || n == 0) return;
  if (p >= 1.0) {
    for (std::uint64_t j = 0; j < n; ++j) visit(j);
    return;
  }
  std::uint64_t k = 0;
  double j = -1.0;  // double: a skip can exceed the integer range for tiny p
  while (true) {
    const double u = Philox::uniform(key, (s << 32) | k++);
    j += 1.0 + std::floor(std::log1p(-u) / log_q);  // log(1-u), 1-u in (0, 1]
    if (!(j < static_cast<double>(n))) return;
    visit(static_cast<std::uint64_t>(j));
  }
}

}  // namespace

template <class ExecSpace>
Projection fixed_probability_projection(const ExecSpace& space, const FixedProbabilitySpec& spec) {
  if (!(spec.probability >= 0.0 && spec.probability <= 1.0))
    throw UsageError("spiking connectivity: probability must lie in [0, 1]");
  if (spec.num_targets >= std::numeric_limits<std::uint32_t>::max())
    throw UsageError("spiking connectivity: at most 2^32 - 2 targets");
  if (spec.num_sources >= (std::uint64_t{1} << 32))
    throw UsageError("spiking connectivity: at most 2^32 - 1 sources");
  Projection proj;
  proj.num_sources = spec.num_sources;
  proj.num_targets = spec.num_targets;
  proj.row_ptr = Kokkos::View<std::size_t*, Kokkos::HostSpace>("spiking.row_ptr", spec.num_sources + 1);
  const PhiloxKey key{spec.seed, spec.stream};
  const std::uint64_t n = spec.num_targets;
  const double p = spec.probability;
  const double log_q = std::log1p(-p);
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  const std::int64_t rows = static_cast<std::int64_t>(spec.num_sources);

  // Pass 1: row lengths (stored at s + 1), then an in-order prefix sum.
  auto row_ptr = proj.row_ptr;
  Kokkos::parallel_for(
      "spiking.connect_count", Policy(space, 0, rows), KOKKOS_LAMBDA(const std::int64_t s) {
        std::size_t count = 0;
        walk_row(key, static_cast<std::uint64_t>(s), n, p, log_q, [&](std::uint64_t) { ++count; });
        row_ptr(s + 1) = count;
      });
  space.fence();
  for (std::size_t s = 0; s < spec.num_sources; ++s) row_ptr(s + 1) += row_ptr(s);

  // Pass 2: the same draws again, writing the targets.
  const std::size_t total = row_ptr(spec.num_sources);
  proj.targets = Kokkos::View<std::uint32_t*, Kokkos::HostSpace>(
      Kokkos::ViewAllocateWithoutInitializing("spiking.targets"), total);
  proj.weights = Kokkos::View<double*, Kokkos::HostSpace>(
      Kokkos::ViewAllocateWithoutInitializing("spiking.weights"), total);
  auto targets = proj.targets;
  auto weights = proj.weights;
  const double w = spec.weight_mV;
  Kokkos::parallel_for(
      "spiking.connect_fill", Policy(space, 0, rows), KOKKOS_LAMBDA(const std::int64_t s) {
        std::size_t at = row_ptr(s);
        walk_row(key, static_cast<std::uint64_t>(s), n, p, log_q, [&](std::uint64_t j) {
          targets(at) = static_cast<std::uint32_t>(j);
          weights(at) = w;
          ++at;
        });
      });
  space.fence();
  return proj;
}

std::size_t propagate(const Projection& projection, const std::vector<std::uint32_t>& spiking_sources,
                      const Kokkos::View<double*, Kokkos::HostSpace>& target_var,
                      std::size_t target_offset) {
  std::size_t events = 0;
  for (const std::uint32_t s : spiking_sources) {
    const std::size_t begin = projection.row_ptr(s), end = projection.row_ptr(s + 1);
    for (std::size_t k = begin; k < end; ++k)
      target_var(projection.targets(k) + target_offset) += projection.weights(k);
    events += end - begin;
  }
  return events;
}

#if defined(KOKKOS_ENABLE_SERIAL)
template Projection fixed_probability_projection<Kokkos::Serial>(const Kokkos::Serial&,
                                                                 const FixedProbabilitySpec&);
#endif
#if defined(KOKKOS_ENABLE_OPENMP)
template Projection fixed_probability_projection<Kokkos::OpenMP>(const Kokkos::OpenMP&,
                                                                 const FixedProbabilitySpec&);
#endif
#if defined(KOKKOS_ENABLE_THREADS)
template Projection fixed_probability_projection<Kokkos::Threads>(const Kokkos::Threads&,
                                                                  const FixedProbabilitySpec&);
#endif

}  // namespace moesim::spiking
