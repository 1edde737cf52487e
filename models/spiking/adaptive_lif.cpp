// Adaptive-threshold LIF: parameter table, validation and parallel update.
#include "models/spiking/adaptive_lif.hpp"

#include "core/error.hpp"

#include <cmath>

namespace moesim::spiking {

const ModelInfo& adaptive_lif_info() {
  static const ModelInfo info{
      "adaptive_lif",
      "conductance_lif dynamics; dtheta/dt = -theta / tau_theta; spike when v > Vt - theta_offset + theta; "
      "at a spike v = Vr, theta += theta_plus",
      "v (mV), ge, gi (units of g_leak), theta (mV), refractory (steps), spiked"};
  return info;
}

const std::vector<ParamField<AdaptiveLifParams>>& adaptive_lif_fields() {
  using P = AdaptiveLifParams;
  static const std::vector<ParamField<P>> fields = [] {
    std::vector<ParamField<P>> f;
    for (const auto& base : conductance_lif_fields())
      f.push_back({base.key, static_cast<double P::*>(base.member), base.meaning});
    f.push_back({"theta_plus_mV", &P::theta_plus_mV, "threshold increase per spike"});
    f.push_back({"tau_theta_ms", &P::tau_theta_ms, "threshold decay time constant"});
    f.push_back({"theta_offset_mV", &P::theta_offset_mV, "threshold = Vt - offset + theta"});
    f.push_back({"theta_init_mV", &P::theta_init_mV, "initial theta"});
    return f;
  }();
  return fields;
}

AdaptiveLifModel AdaptiveLifModel::make(const AdaptiveLifParams& p, double dt_ms, ConductanceScheme scheme) {
  AdaptiveLifModel m;
  m.base = ConductanceLifModel::make(p, dt_ms, scheme);
  if (!(std::isfinite(p.tau_theta_ms) && p.tau_theta_ms > 0))
    throw UsageError("spiking adaptive LIF: tau_theta must be positive");
  if (!(std::isfinite(p.theta_plus_mV) && p.theta_plus_mV >= 0))
    throw UsageError("spiking adaptive LIF: theta_plus must be >= 0");
  if (!std::isfinite(p.theta_offset_mV) || !std::isfinite(p.theta_init_mV))
    throw UsageError("spiking adaptive LIF: theta offset and initial theta must be finite");
  m.params = p;
  m.decay_theta = std::exp(-dt_ms / p.tau_theta_ms);
  return m;
}

AdaptiveLifState::AdaptiveLifState(std::size_t n, const AdaptiveLifParams& params)
    : core(n), theta("spiking.theta", n) {
  Kokkos::deep_copy(theta, params.theta_init_mV);
  Kokkos::deep_copy(core.v, params.e_leak_mV);
}

template <class ExecSpace>
void adaptive_lif_step(const ExecSpace& space, const AdaptiveLifModel& model, const AdaptiveLifState& state) {
  const auto v = state.core.v;
  const auto ge = state.core.ge;
  const auto gi = state.core.gi;
  const auto refractory = state.core.refractory;
  const auto spiked = state.core.spiked;
  const auto theta = state.theta;
  const ConductanceLifParams p = model.base.params;
  const double dt = model.base.dt_ms;
  const double decay_e = model.base.decay_e, decay_i = model.base.decay_i;
  const double freeze_e = model.base.freeze_e, freeze_i = model.base.freeze_i;
  const double decay_theta = model.decay_theta;
  const double theta_plus = model.params.theta_plus_mV;
  const double base_threshold = p.v_threshold_mV - model.params.theta_offset_mV;
  const int hold = model.base.refractory_steps > 0 ? model.base.refractory_steps - 1 : 0;
  Kokkos::parallel_for(
      "spiking.adaptive_lif_step",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(
          space, 0, static_cast<std::int64_t>(state.size())),
      KOKKOS_LAMBDA(const std::int64_t i) {
        const double e = ge(i), in = gi(i);
        double th = theta(i) * decay_theta;
        std::uint8_t fired = 0;
        if (refractory(i) > 0) {
          refractory(i) -= 1;
        } else {
          double vn = conductance_lif_v_step(p, dt, v(i), e * freeze_e + p.g_exc_tonic,
                                             in * freeze_i + p.g_inh_tonic);
          if (vn > base_threshold + th) {
            fired = 1;
            vn = p.v_reset_mV;
            th += theta_plus;
            refractory(i) = hold;
          }
          v(i) = vn;
        }
        theta(i) = th;
        ge(i) = decay_e * e;
        gi(i) = decay_i * in;
        spiked(i) = fired;
      });
  space.fence();
}

#if defined(KOKKOS_ENABLE_SERIAL)
template void adaptive_lif_step<Kokkos::Serial>(const Kokkos::Serial&, const AdaptiveLifModel&,
                                                const AdaptiveLifState&);
#endif
#if defined(KOKKOS_ENABLE_OPENMP)
template void adaptive_lif_step<Kokkos::OpenMP>(const Kokkos::OpenMP&, const AdaptiveLifModel&,
                                                const AdaptiveLifState&);
#endif
#if defined(KOKKOS_ENABLE_THREADS)
template void adaptive_lif_step<Kokkos::Threads>(const Kokkos::Threads&, const AdaptiveLifModel&,
                                                 const AdaptiveLifState&);
#endif

}  // namespace moesim::spiking
