// The step every LIF-type population shares (lif_exp, conductance_lif,
// adaptive_lif): a refractory neuron counts down with v held; otherwise v
// integrates one step and, above threshold, spikes: v = v_reset, the counter
// holds, the rule's on-spike action runs. ge and gi decay every step, after the
// membrane used their start-of-step values. Only the rule differs per model.
#pragma once
#include "models/spiking/neuron_model.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace moesim::spiking {

// Steps still clamped after the spike step for a period of `refractory_steps`.
inline int refractory_hold(int refractory_steps) { return refractory_steps > 0 ? refractory_steps - 1 : 0; }

// Base of rules without per-neuron state besides v, ge, gi.
struct StatelessRule {
  struct Extra {};
  KOKKOS_INLINE_FUNCTION Extra load(std::int64_t) const { return {}; }
  KOKKOS_INLINE_FUNCTION void store(std::int64_t, const Extra&) const {}
  KOKKOS_INLINE_FUNCTION void on_spike(Extra&) const {}
};

// Rule: kLabel (kernel name); decay_e, decay_i, v_reset, hold; Extra with
// load(i) (read and advance the neuron's extra state at the step's start) and
// store(i, x); integrate(v, ge, gi) -> subthreshold v at the step's end;
// threshold(x); on_spike(x). Neurons are independent: the result does not
// depend on the thread count. Fences.
template <class ExecSpace, class Rule>
void step_population(const ExecSpace& space, const LifExpState& state, const Rule& rule) {
  const auto v = state.v;
  const auto ge = state.ge;
  const auto gi = state.gi;
  const auto refractory = state.refractory;
  const auto spiked = state.spiked;
  Kokkos::parallel_for(
      Rule::kLabel,
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0,
                                                                      static_cast<std::int64_t>(state.size())),
      KOKKOS_LAMBDA(const std::int64_t i) {
        const double e = ge(i), in = gi(i);
        auto extra = rule.load(i);
        std::uint8_t fired = 0;
        if (refractory(i) > 0) {
          refractory(i) -= 1;
        } else {
          double vn = rule.integrate(v(i), e, in);
          if (vn > rule.threshold(extra)) {
            fired = 1;
            vn = rule.v_reset;
            rule.on_spike(extra);
            refractory(i) = rule.hold;
          }
          v(i) = vn;
        }
        rule.store(i, extra);
        ge(i) = rule.decay_e * e;
        gi(i) = rule.decay_i * in;
        spiked(i) = fired;
      });
  space.fence();
}

}  // namespace moesim::spiking

// Explicit instantiations of a step function `FN(const Exec&, const MODEL&,
// const STATE&)` for every enabled host execution space.
#if defined(KOKKOS_ENABLE_SERIAL)
#define MOESIM_SPIKING_STEP_SERIAL(FN, MODEL, STATE) \
  template void FN<Kokkos::Serial>(const Kokkos::Serial&, const MODEL&, const STATE&);
#else
#define MOESIM_SPIKING_STEP_SERIAL(FN, MODEL, STATE)
#endif
#if defined(KOKKOS_ENABLE_OPENMP)
#define MOESIM_SPIKING_STEP_OPENMP(FN, MODEL, STATE) \
  template void FN<Kokkos::OpenMP>(const Kokkos::OpenMP&, const MODEL&, const STATE&);
#else
#define MOESIM_SPIKING_STEP_OPENMP(FN, MODEL, STATE)
#endif
#if defined(KOKKOS_ENABLE_THREADS)
#define MOESIM_SPIKING_STEP_THREADS(FN, MODEL, STATE) \
  template void FN<Kokkos::Threads>(const Kokkos::Threads&, const MODEL&, const STATE&);
#else
#define MOESIM_SPIKING_STEP_THREADS(FN, MODEL, STATE)
#endif
#define MOESIM_SPIKING_INSTANTIATE_STEP(FN, MODEL, STATE) \
  MOESIM_SPIKING_STEP_SERIAL(FN, MODEL, STATE)            \
  MOESIM_SPIKING_STEP_OPENMP(FN, MODEL, STATE)            \
  MOESIM_SPIKING_STEP_THREADS(FN, MODEL, STATE)
