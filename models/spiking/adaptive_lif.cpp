// Adaptive-threshold LIF: parameter table, validation and parallel update.
#include "models/spiking/adaptive_lif.hpp"

#include "core/error.hpp"
#include "models/spiking/population_step.hpp"

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

namespace {

// conductance_lif's membrane; the threshold Vt - offset + theta, with theta
// decaying every step (refractory or not) and rising by theta_plus at a spike.
struct AdaptiveLifRule {
  static constexpr const char* kLabel = "spiking.adaptive_lif_step";
  using Extra = double;  // theta of the neuron during the step
  ConductanceLifMembrane membrane;
  Kokkos::View<double*, Kokkos::HostSpace> theta;
  double decay_theta, theta_plus, base_threshold;
  double decay_e, decay_i, v_reset;
  int hold;
  AdaptiveLifRule(const AdaptiveLifModel& m, const AdaptiveLifState& s)
      : membrane(m.base), theta(s.theta), decay_theta(m.decay_theta), theta_plus(m.params.theta_plus_mV),
        base_threshold(m.base.params.v_threshold_mV - m.params.theta_offset_mV), decay_e(m.base.decay_e),
        decay_i(m.base.decay_i), v_reset(m.base.params.v_reset_mV), hold(refractory_hold(m.base.refractory_steps)) {}
  KOKKOS_INLINE_FUNCTION double load(std::int64_t i) const { return theta(i) * decay_theta; }
  KOKKOS_INLINE_FUNCTION void store(std::int64_t i, double th) const { theta(i) = th; }
  KOKKOS_INLINE_FUNCTION double integrate(double v, double e, double in) const { return membrane(v, e, in); }
  KOKKOS_INLINE_FUNCTION double threshold(double th) const { return base_threshold + th; }
  KOKKOS_INLINE_FUNCTION void on_spike(double& th) const { th += theta_plus; }
};

}  // namespace

template <class ExecSpace>
void adaptive_lif_step(const ExecSpace& space, const AdaptiveLifModel& model, const AdaptiveLifState& state) {
  step_population(space, state.core, AdaptiveLifRule(model, state));
}

MOESIM_SPIKING_INSTANTIATE_STEP(adaptive_lif_step, AdaptiveLifModel, AdaptiveLifState)

}  // namespace moesim::spiking
