// Spiking engine core (issue 6): sparse synaptic connectivity and spike
// propagation.
//
// A Projection holds the synapses from a source population to a target
// population in CSR form, source-major: the synapses of source s are
// targets[row_ptr[s] .. row_ptr[s+1]), ascending, with their weights (mV added
// to the target's ge or gi per presynaptic spike).
//
// fixed_probability_projection() connects every (source, target) pair
// independently with probability p, self-pairs included (Brian2's
// connect(p=...)). It walks each row by geometric skips drawn from Philox keyed
// by (seed, stream) with counter (source << 32 | draw), so row s depends only
// on s: the rows are built in parallel (count, prefix sum, fill) and the
// result does not depend on the thread count.
//
// propagate() adds the weights of the spiking sources' synapses to a target
// variable, sources in ascending order and each row in ascending target order:
// every target's sum is formed in a fixed order (no atomics), so it is
// bit-identical for any thread count. propagate_range() does the same for the
// targets in [lo, hi) only: threads owning disjoint target ranges deliver the
// same spikes concurrently with the same per-target order.
//
// Delays (in steps, see delay_buffer.hpp): every synapse has delay_steps, or
// its own entry of `delays` when that view is not empty.
#pragma once
#include <Kokkos_Core.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace moesim::spiking {

struct Projection {
  std::size_t num_sources = 0;
  std::size_t num_targets = 0;
  Kokkos::View<std::size_t*, Kokkos::HostSpace> row_ptr;   // num_sources + 1
  Kokkos::View<std::uint32_t*, Kokkos::HostSpace> targets;  // num_synapses
  Kokkos::View<double*, Kokkos::HostSpace> weights;        // num_synapses, mV
  int delay_steps = 0;                                     // every synapse's delay, unless…
  Kokkos::View<std::uint16_t*, Kokkos::HostSpace> delays;  // …per synapse (empty: uniform)

  std::size_t num_synapses() const { return num_sources ? row_ptr(num_sources) : 0; }
  std::size_t out_degree(std::size_t s) const { return row_ptr(s + 1) - row_ptr(s); }
  // True if some synapse has a nonzero delay (then delivery needs a DelayBuffer).
  bool delayed() const { return delay_steps != 0 || delays.extent(0) > 0; }
  int max_delay_steps() const;
};

struct FixedProbabilitySpec {
  std::size_t num_sources = 0;
  std::size_t num_targets = 0;
  double probability = 0.0;  // in [0, 1]
  double weight_mV = 0.0;    // the weight of every synapse
  std::uint64_t seed = 0;
  std::uint64_t stream = 0;  // Philox stream: distinct per projection
};

// Builds the projection in parallel on `space`; throws moesim::UsageError on a
// probability outside [0, 1] or more than 2^32 - 1 targets.
template <class ExecSpace>
Projection fixed_probability_projection(const ExecSpace& space, const FixedProbabilitySpec& spec);

// For each source in `spiking_sources` (ascending local indices), adds each of
// its synapses' weight to target_var(target + target_offset). Returns the
// number of synaptic events (spike deliveries).
std::size_t propagate(const Projection& projection, const std::vector<std::uint32_t>& spiking_sources,
                      const Kokkos::View<double*, Kokkos::HostSpace>& target_var,
                      std::size_t target_offset = 0);

// The synapses of `sources` (count local indices) whose targets lie in
// [lo, hi): target_var[target_offset + target] += weight, in source order.
// Ignores delays (the caller routes delayed projections through a DelayBuffer).
// Real: double, or float (each weight is rounded to float before the add).
template <class Real>
void propagate_range(const Projection& projection, const std::uint32_t* sources, std::size_t count,
                     Real* target_var, std::size_t lo, std::size_t hi, std::size_t target_offset = 0);

}  // namespace moesim::spiking
