// Deterministic sums for the noise / measurement / density-matrix code
// (DESIGN.md §5): [0, n) is cut into fixed blocks of kReduceBlock indices,
// each block is summed sequentially by one parallel iteration, and the block
// sums are combined in index order on the host. The result is therefore
// bit-identical for any thread count, like StateSpace's private block sums
// (state_space.hpp), which this mirrors for N accumulators at once. A single
// block in host-accessible memory is summed directly by the caller (same
// order, same result), which keeps small registers free of launch overhead.
#pragma once
#include "models/quantum/state_space.hpp"

#include <Kokkos_Core.hpp>

#include <array>
#include <cstddef>

namespace moesim::quantum {

// Returns Σ_i f(i, acc) for i in [0, n), where f adds its terms into the N
// doubles of `acc` (a double[N]).
template <int N, class MemorySpace, class ExecSpace, class F>
std::array<double, N> ordered_block_sums(const ExecSpace& exec, std::size_t n, F f) {
  const std::size_t nblocks = (n + kReduceBlock - 1) / kReduceBlock;
  if (nblocks <= 1 && Kokkos::SpaceAccessibility<Kokkos::HostSpace, MemorySpace>::accessible) {
    // One block (small registers): the same sequential sum, on the calling
    // thread, without a kernel launch and a scratch allocation per call.
    double acc[N] = {};
    for (std::size_t i = 0; i < n; ++i) f(i, acc);
    std::array<double, N> total{};
    for (int j = 0; j < N; ++j) total[j] = acc[j];
    return total;
  }
  Kokkos::View<double**, Kokkos::LayoutRight, MemorySpace> part("quantum.ordered_block_sums", nblocks, N);
  Kokkos::parallel_for(
      "quantum.ordered_block_sums",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::size_t>>(exec, 0, nblocks),
      KOKKOS_LAMBDA(const std::size_t b) {
        const std::size_t lo = b * kReduceBlock, hi = lo + kReduceBlock < n ? lo + kReduceBlock : n;
        double acc[N] = {};
        for (std::size_t i = lo; i < hi; ++i) f(i, acc);
        for (int j = 0; j < N; ++j) part(b, j) = acc[j];
      });
  exec.fence();
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), part);
  std::array<double, N> total{};
  for (std::size_t b = 0; b < nblocks; ++b)
    for (int j = 0; j < N; ++j) total[j] += h(b, j);
  return total;
}

}  // namespace moesim::quantum
