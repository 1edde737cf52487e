// Spiking engine (issue 6): synaptic delays in integer time steps.
//
// A DelayBuffer is a ring of per-step input accumulators, one double per
// target neuron and slot. When a spike is emitted (the delivery point after
// step n), each of its synapses adds its weight to the accumulator of the
// delivery point n + d, d being the synapse's delay in steps (its own, or the
// projection's uniform delay); drain() at delivery point m adds the slot due
// at m to the target variable and clears it, so the target feels the spike
// from step n + d + 1 on — exactly d steps later than an undelayed spike.
//
// Undelayed projections do not use the buffer: the caller adds their weights
// straight to the target variable (propagate_range), which keeps the
// undelayed network bit-identical to one without delay support (an
// accumulator would round w1 + w2 + … before adding it to ge).
//
// Everything takes a target range [lo, hi): threads that own disjoint target
// ranges schedule and drain concurrently, and every accumulator still sums its
// weights in source order, so results do not depend on the thread count.
#pragma once
#include "models/spiking/connectivity.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace moesim::spiking {

class DelayBuffer {
 public:
  DelayBuffer() = default;
  // Slots for delays 0 … max_delay_steps; throws UsageError if max_delay_steps
  // is negative or above kMaxDelaySteps.
  DelayBuffer(std::size_t num_targets, int max_delay_steps);

  std::size_t num_targets() const { return num_targets_; }
  int max_delay_steps() const { return slots_ - 1; }

  // Schedules the synapses of `sources` (local source indices, in the order
  // given) whose targets lie in [lo, hi): weight w of a synapse with delay d
  // goes to the slot d delivery points ahead of the current one. Throws
  // UsageError if a delay exceeds max_delay_steps().
  void schedule(const Projection& projection, const std::uint32_t* sources, std::size_t count,
                std::size_t lo, std::size_t hi);

  // Adds the current slot's accumulators of targets [lo, hi) to
  // target_var[offset + t] and clears them. Real: double or float.
  template <class Real>
  void drain(Real* target_var, std::size_t lo, std::size_t hi, std::size_t offset = 0);

  // Moves to the next delivery point (call once per step, after every range
  // has been drained).
  void advance() { head_ = head_ + 1 == slots_ ? 0 : head_ + 1; }

 private:
  std::size_t num_targets_ = 0;
  int slots_ = 1;
  int head_ = 0;
  std::vector<double> acc_;  // [slot][target]
};

// Longest delay a buffer accepts (steps); 10 s at dt = 0.1 ms.
inline constexpr int kMaxDelaySteps = 100000;

}  // namespace moesim::spiking
