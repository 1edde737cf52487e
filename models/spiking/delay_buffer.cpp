// Ring of per-step input accumulators for delayed synapses.
#include "models/spiking/delay_buffer.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <string>

namespace moesim::spiking {

DelayBuffer::DelayBuffer(std::size_t num_targets, int max_delay_steps) : num_targets_(num_targets) {
  if (max_delay_steps < 0 || max_delay_steps > kMaxDelaySteps)
    throw UsageError("spiking delay: " + std::to_string(max_delay_steps) + " steps is out of range (accepted: 0-" +
                     std::to_string(kMaxDelaySteps) + ")");
  slots_ = max_delay_steps + 1;
  acc_.assign(static_cast<std::size_t>(slots_) * num_targets, 0.0);
}

void DelayBuffer::schedule(const Projection& projection, const std::uint32_t* sources, std::size_t count,
                           std::size_t lo, std::size_t hi) {
  const bool per_synapse = projection.delays.extent(0) > 0;
  const int uniform = projection.delay_steps;
  if (!per_synapse && (uniform < 0 || uniform >= slots_))
    throw UsageError("spiking delay: projection delay of " + std::to_string(uniform) +
                     " steps exceeds the buffer's " + std::to_string(slots_ - 1));
  const std::uint32_t* targets = projection.targets.data();
  const double* weights = projection.weights.data();
  const std::uint16_t* delays = per_synapse ? projection.delays.data() : nullptr;
  for (std::size_t k = 0; k < count; ++k) {
    std::size_t begin = projection.row_ptr(sources[k]);
    const std::size_t end = projection.row_ptr(sources[k] + 1);
    if (lo > 0) begin = static_cast<std::size_t>(std::lower_bound(targets + begin, targets + end, lo) - targets);
    for (std::size_t j = begin; j < end && targets[j] < hi; ++j) {
      const int d = delays ? delays[j] : uniform;
      if (d >= slots_)
        throw UsageError("spiking delay: synapse delay of " + std::to_string(d) + " steps exceeds the buffer's " +
                         std::to_string(slots_ - 1));
      int slot = head_ + d;
      if (slot >= slots_) slot -= slots_;
      acc_[static_cast<std::size_t>(slot) * num_targets_ + targets[j]] += weights[j];
    }
  }
}

template <class Real>
void DelayBuffer::drain(Real* target_var, std::size_t lo, std::size_t hi, std::size_t offset) {
  double* slot = acc_.data() + static_cast<std::size_t>(head_) * num_targets_;
  for (std::size_t t = lo; t < hi; ++t) {
    target_var[offset + t] += static_cast<Real>(slot[t]);
    slot[t] = 0.0;
  }
}

template void DelayBuffer::drain<double>(double*, std::size_t, std::size_t, std::size_t);
template void DelayBuffer::drain<float>(float*, std::size_t, std::size_t, std::size_t);

}  // namespace moesim::spiking
