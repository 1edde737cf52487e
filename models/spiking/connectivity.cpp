// Fixed-probability CSR construction and event-driven spike propagation.
#include "models/spiking/connectivity.hpp"

#include "core/error.hpp"
#include "core/philox.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

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

  // One pass over the draws: fixed blocks of rows (independent of the thread
  // count) collect their targets in a block-local list and store the row
  // lengths at s + 1; an in-order prefix sum gives the offsets; the blocks are
  // then copied into place. The draws of row s are the same in any case.
  constexpr std::int64_t kRowsPerBlock = 64;
  const std::int64_t blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  std::vector<std::vector<std::uint32_t>> block_targets(static_cast<std::size_t>(blocks));
  auto row_ptr = proj.row_ptr;
  const double expected_row = p * static_cast<double>(n);
  Kokkos::parallel_for(
      "spiking.connect_draw", Policy(space, 0, blocks), [=, &block_targets](const std::int64_t b) {
        auto& list = block_targets[static_cast<std::size_t>(b)];
        const std::int64_t first = b * kRowsPerBlock, last = std::min(rows, first + kRowsPerBlock);
        list.reserve(static_cast<std::size_t>(1.1 * expected_row * static_cast<double>(last - first)) + 16);
        for (std::int64_t s = first; s < last; ++s) {
          const std::size_t before = list.size();
          walk_row(key, static_cast<std::uint64_t>(s), n, p, log_q,
                   [&](std::uint64_t j) { list.push_back(static_cast<std::uint32_t>(j)); });
          row_ptr(s + 1) = list.size() - before;
        }
      });
  space.fence();
  for (std::size_t s = 0; s < spec.num_sources; ++s) row_ptr(s + 1) += row_ptr(s);

  const std::size_t total = row_ptr(spec.num_sources);
  proj.targets = Kokkos::View<std::uint32_t*, Kokkos::HostSpace>(
      Kokkos::ViewAllocateWithoutInitializing("spiking.targets"), total);
  proj.weights = Kokkos::View<double*, Kokkos::HostSpace>(
      Kokkos::ViewAllocateWithoutInitializing("spiking.weights"), total);
  auto targets = proj.targets;
  auto weights = proj.weights;
  const double w = spec.weight_mV;
  Kokkos::parallel_for(
      "spiking.connect_fill", Policy(space, 0, blocks), [=, &block_targets](const std::int64_t b) {
        const auto& list = block_targets[static_cast<std::size_t>(b)];
        const std::size_t at = row_ptr(b * kRowsPerBlock);
        for (std::size_t k = 0; k < list.size(); ++k) {
          targets(at + k) = list[k];
          weights(at + k) = w;
        }
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

template <class Real>
void propagate_range(const Projection& projection, const std::uint32_t* sources, std::size_t count,
                     Real* target_var, std::size_t lo, std::size_t hi, std::size_t target_offset) {
  const std::uint32_t* targets = projection.targets.data();
  const double* weights = projection.weights.data();
  Real* out = target_var + target_offset;
  for (std::size_t k = 0; k < count; ++k) {
    std::size_t begin = projection.row_ptr(sources[k]);
    std::size_t end = projection.row_ptr(sources[k] + 1);
    // Rows are sorted: clip them to [lo, hi) by binary search.
    if (lo > 0) begin = static_cast<std::size_t>(std::lower_bound(targets + begin, targets + end, lo) - targets);
    if (hi < projection.num_targets)
      end = static_cast<std::size_t>(std::lower_bound(targets + begin, targets + end, hi) - targets);
    for (std::size_t j = begin; j < end; ++j) out[targets[j]] += static_cast<Real>(weights[j]);
  }
}

template void propagate_range<double>(const Projection&, const std::uint32_t*, std::size_t, double*, std::size_t,
                                      std::size_t, std::size_t);
template void propagate_range<float>(const Projection&, const std::uint32_t*, std::size_t, float*, std::size_t,
                                     std::size_t, std::size_t);

int Projection::max_delay_steps() const {
  if (delays.extent(0) == 0) return delay_steps;
  int m = 0;
  for (std::size_t k = 0; k < delays.extent(0); ++k) m = std::max(m, static_cast<int>(delays(k)));
  return m;
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
