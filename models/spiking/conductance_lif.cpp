// Conductance-based LIF: validation, parameter table and parallel update.
#include "models/spiking/conductance_lif.hpp"

#include "core/error.hpp"
#include "models/spiking/population_step.hpp"

#include <cmath>
#include <string>

namespace moesim::spiking {

namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw UsageError("spiking conductance LIF: " + what);
}

bool finite_positive(double x) { return std::isfinite(x) && x > 0; }

}  // namespace

const ModelInfo& conductance_lif_info() {
  static const ModelInfo info{
      "conductance_lif",
      "dv/dt = ((El - v) + (ge + g_exc_tonic)(Ee - v) + (gi + g_inh_tonic)(Ei - v) + drive) / tau_m "
      "(held while refractory); dge/dt = -ge / tau_e; dgi/dt = -gi / tau_i; v > Vt: spike, v = Vr, "
      "hold round(t_ref / dt) steps",
      "v (mV), ge, gi (units of g_leak), refractory (steps), spiked"};
  return info;
}

const std::vector<ParamField<ConductanceLifParams>>& conductance_lif_fields() {
  using P = ConductanceLifParams;
  static const std::vector<ParamField<P>> fields{
      {"tau_m_ms", &P::tau_m_ms, "membrane time constant C / g_leak"},
      {"tau_e_ms", &P::tau_e_ms, "excitatory conductance decay"},
      {"tau_i_ms", &P::tau_i_ms, "inhibitory conductance decay"},
      {"v_threshold_mV", &P::v_threshold_mV, "spike threshold Vt"},
      {"v_reset_mV", &P::v_reset_mV, "reset potential Vr"},
      {"e_leak_mV", &P::e_leak_mV, "leak reversal potential El"},
      {"e_exc_mV", &P::e_exc_mV, "excitatory reversal potential Ee"},
      {"e_inh_mV", &P::e_inh_mV, "inhibitory reversal potential Ei"},
      {"refractory_ms", &P::refractory_ms, "refractory period t_ref"},
      {"drive_mV", &P::drive_mV, "constant input R*I"},
      {"g_exc_tonic", &P::g_exc_tonic, "constant excitatory conductance / g_leak"},
      {"g_inh_tonic", &P::g_inh_tonic, "constant inhibitory conductance / g_leak"},
  };
  return fields;
}

ConductanceLifModel ConductanceLifModel::make(const ConductanceLifParams& p, double dt_ms,
                                              ConductanceScheme scheme) {
  require(finite_positive(dt_ms), "dt must be positive");
  require(finite_positive(p.tau_m_ms), "tau_m must be positive");
  require(finite_positive(p.tau_e_ms), "tau_e must be positive");
  require(finite_positive(p.tau_i_ms), "tau_i must be positive");
  require(std::isfinite(p.refractory_ms) && p.refractory_ms >= 0, "refractory period must be >= 0");
  require(std::isfinite(p.v_threshold_mV) && std::isfinite(p.v_reset_mV) && p.v_reset_mV < p.v_threshold_mV,
          "reset must lie below threshold");
  require(std::isfinite(p.e_leak_mV) && std::isfinite(p.e_exc_mV) && std::isfinite(p.e_inh_mV) &&
              std::isfinite(p.drive_mV),
          "potentials and drive must be finite");
  require(std::isfinite(p.g_exc_tonic) && p.g_exc_tonic >= 0 && std::isfinite(p.g_inh_tonic) &&
              p.g_inh_tonic >= 0,
          "tonic conductances must be >= 0");
  ConductanceLifModel m;
  m.params = p;
  m.dt_ms = dt_ms;
  m.scheme = scheme;
  m.decay_e = std::exp(-dt_ms / p.tau_e_ms);
  m.decay_i = std::exp(-dt_ms / p.tau_i_ms);
  const bool midpoint = scheme == ConductanceScheme::kExponentialMidpoint;
  m.freeze_e = midpoint ? std::exp(-0.5 * dt_ms / p.tau_e_ms) : 1.0;
  m.freeze_i = midpoint ? std::exp(-0.5 * dt_ms / p.tau_i_ms) : 1.0;
  const double steps = std::round(p.refractory_ms / dt_ms);
  require(steps < 1e9, "refractory period too long for dt");
  m.refractory_steps = static_cast<int>(steps);
  return m;
}

namespace {

struct ConductanceLifRule : StatelessRule {
  static constexpr const char* kLabel = "spiking.conductance_lif_step";
  ConductanceLifMembrane membrane;
  double vt, decay_e, decay_i, v_reset;
  int hold;
  explicit ConductanceLifRule(const ConductanceLifModel& m)
      : membrane(m), vt(m.params.v_threshold_mV), decay_e(m.decay_e), decay_i(m.decay_i),
        v_reset(m.params.v_reset_mV), hold(refractory_hold(m.refractory_steps)) {}
  KOKKOS_INLINE_FUNCTION double integrate(double v, double e, double in) const { return membrane(v, e, in); }
  KOKKOS_INLINE_FUNCTION double threshold(const Extra&) const { return vt; }
};

}  // namespace

template <class ExecSpace>
void conductance_lif_step(const ExecSpace& space, const ConductanceLifModel& model,
                          const ConductanceLifState& state) {
  step_population(space, state, ConductanceLifRule(model));
}

MOESIM_SPIKING_INSTANTIATE_STEP(conductance_lif_step, ConductanceLifModel, ConductanceLifState)

}  // namespace moesim::spiking
