// Exact propagator and parallel update of the LifExp neuron model.
#include "models/spiking/neuron_model.hpp"

#include "core/error.hpp"
#include "models/spiking/population_step.hpp"

#include <cmath>
#include <string>

namespace moesim::spiking {

namespace {

// Response of u to a synaptic current starting at g0 = 1 that decays with
// tau_s, after time h: tau_s / (tau_s - tau_m) (e^{-h/tau_s} - e^{-h/tau_m}),
// and its limit (h / tau_m) e^{-h/tau_m} when tau_s == tau_m. expm1 keeps the
// difference accurate when the time constants are close.
double synaptic_propagator(double h, double tau_m, double tau_s) {
  const double a = 1.0 / tau_m - 1.0 / tau_s;  // e^{-h/tau_s} = e^{-h/tau_m} e^{a h}
  if (std::abs(a * h) < 1e-12) return (h / tau_m) * std::exp(-h / tau_m);
  return std::exp(-h / tau_m) * std::expm1(a * h) / (a * tau_m);
}

void require(bool ok, const std::string& what) {
  if (!ok) throw UsageError("spiking LIF: " + what);
}

}  // namespace

const ModelInfo& lif_exp_info() {
  static const ModelInfo info{
      "lif_exp",
      "dv/dt = (ge + gi + drive - (v - El)) / tau_m (held while refractory); "
      "dge/dt = -ge / tau_e; dgi/dt = -gi / tau_i; v > Vt: spike, v = Vr, "
      "hold round(t_ref / dt) steps",
      "v (mV), ge (mV), gi (mV), refractory (steps), spiked"};
  return info;
}

const std::vector<ParamField<LifExpParams>>& lif_exp_fields() {
  static const std::vector<ParamField<LifExpParams>> fields{
      {"tau_m_ms", &LifExpParams::tau_m_ms, "membrane time constant"},
      {"tau_e_ms", &LifExpParams::tau_e_ms, "excitatory synaptic current decay"},
      {"tau_i_ms", &LifExpParams::tau_i_ms, "inhibitory synaptic current decay"},
      {"v_threshold_mV", &LifExpParams::v_threshold_mV, "spike threshold Vt"},
      {"v_reset_mV", &LifExpParams::v_reset_mV, "reset potential Vr"},
      {"e_leak_mV", &LifExpParams::e_leak_mV, "leak reversal potential El"},
      {"refractory_ms", &LifExpParams::refractory_ms, "refractory period t_ref"},
      {"drive_mV", &LifExpParams::drive_mV, "constant input R*I"},
  };
  return fields;
}

LifExpModel LifExpModel::make(const LifExpParams& p, double dt_ms) {
  require(std::isfinite(dt_ms) && dt_ms > 0, "dt must be positive");
  require(std::isfinite(p.tau_m_ms) && p.tau_m_ms > 0, "tau_m must be positive");
  require(std::isfinite(p.tau_e_ms) && p.tau_e_ms > 0, "tau_e must be positive");
  require(std::isfinite(p.tau_i_ms) && p.tau_i_ms > 0, "tau_i must be positive");
  require(std::isfinite(p.refractory_ms) && p.refractory_ms >= 0, "refractory period must be >= 0");
  require(p.v_reset_mV < p.v_threshold_mV, "reset must lie below threshold");
  require(std::isfinite(p.e_leak_mV) && std::isfinite(p.drive_mV), "leak and drive must be finite");
  LifExpModel m;
  m.params = p;
  m.dt_ms = dt_ms;
  m.p_mm = std::exp(-dt_ms / p.tau_m_ms);
  m.p_drive = -std::expm1(-dt_ms / p.tau_m_ms);
  m.p_ee = std::exp(-dt_ms / p.tau_e_ms);
  m.p_ii = std::exp(-dt_ms / p.tau_i_ms);
  m.p_me = synaptic_propagator(dt_ms, p.tau_m_ms, p.tau_e_ms);
  m.p_mi = synaptic_propagator(dt_ms, p.tau_m_ms, p.tau_i_ms);
  const double steps = std::round(p.refractory_ms / dt_ms);
  require(steps < 1e9, "refractory period too long for dt");
  m.refractory_steps = static_cast<int>(steps);
  return m;
}

LifExpState::LifExpState(std::size_t n)
    : v("spiking.v", n),
      ge("spiking.ge", n),
      gi("spiking.gi", n),
      refractory("spiking.refractory", n),
      spiked("spiking.spiked", n) {}

namespace {

// lif_exp: the exact propagator of the linear subthreshold system.
struct LifExpRule : StatelessRule {
  static constexpr const char* kLabel = "spiking.lif_exp_step";
  double p_mm, p_me, p_mi, drive_term, el, vt;
  double decay_e, decay_i, v_reset;
  int hold;
  explicit LifExpRule(const LifExpModel& m)
      : p_mm(m.p_mm), p_me(m.p_me), p_mi(m.p_mi), drive_term(m.p_drive * m.params.drive_mV),
        el(m.params.e_leak_mV), vt(m.params.v_threshold_mV), decay_e(m.p_ee), decay_i(m.p_ii),
        v_reset(m.params.v_reset_mV), hold(refractory_hold(m.refractory_steps)) {}
  KOKKOS_INLINE_FUNCTION double integrate(double v, double e, double in) const {
    const double u = p_mm * (v - el) + p_me * e + p_mi * in + drive_term;
    return u + el;
  }
  KOKKOS_INLINE_FUNCTION double threshold(const Extra&) const { return vt; }
};

}  // namespace

template <class ExecSpace>
void lif_exp_step(const ExecSpace& space, const LifExpModel& model, const LifExpState& state) {
  step_population(space, state, LifExpRule(model));
}

void collect_spikes(const LifExpState& state, std::vector<std::uint32_t>& out) {
  const std::size_t n = state.size();
  for (std::size_t i = 0; i < n; ++i)
    if (state.spiked(i)) out.push_back(static_cast<std::uint32_t>(i));
}

MOESIM_SPIKING_INSTANTIATE_STEP(lif_exp_step, LifExpModel, LifExpState)

}  // namespace moesim::spiking
