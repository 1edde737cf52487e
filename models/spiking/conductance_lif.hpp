// Spiking engine (issue 6): conductance-based leaky integrate-and-fire neuron
// (COBA; Vogels & Abbott 2005, Brette et al. 2007 benchmark 1).
//
//   dv/dt  = ((El - v) + ge_t (Ee - v) + gi_t (Ei - v) + drive) / tau_m   (held while refractory)
//   dge/dt = -ge / tau_e,   dgi/dt = -gi / tau_i                          (always decay)
//   ge_t = ge + g_exc_tonic,  gi_t = gi + g_inh_tonic
//
// Conductances are dimensionless, in units of the leak conductance (Brian2's
// COBA convention: a 6 nS synapse on a 10 nS leak adds 0.6 to ge); drive = R*I
// in mV; times in ms. The tonic conductances are constant inputs.
//
// Integration over one step h (v is linear in itself for given conductances):
// the conductances decay exactly (ge <- ge e^{-h/tau_e}); v uses the exact
// solution of its equation with the conductances frozen at one value g:
//   G = 1 + ge_t + gi_t,  v_inf = (El + ge_t Ee + gi_t Ei + drive) / G,
//   v <- v_inf + (v - v_inf) e^{-h G / tau_m}.
// Schemes differ in where the conductances are frozen:
//   * kExponentialEuler: at the step start (Brian2's `exponential_euler`;
//     first order in h: the global error halves with h);
//   * kExponentialMidpoint (default): at the step midpoint, ge e^{-h/(2 tau_e)}
//     (second order: the error quarters with h).
// Both are exact when the conductances are constant (tonic input only).
//
// Step semantics, state layout and refractory counter are those of LifExp
// (neuron_model.hpp): v > Vt spikes in step n, v = Vr, counter = R - 1 with
// R = round(t_ref / dt); the state type is LifExpState (ge, gi hold the
// dimensionless conductances), so propagate() and collect_spikes() apply.
#pragma once
#include "models/spiking/neuron_model.hpp"

#include <cmath>

namespace moesim::spiking {

struct ConductanceLifParams {
  double tau_m_ms = 20.0;
  double tau_e_ms = 5.0;
  double tau_i_ms = 10.0;
  double v_threshold_mV = -50.0;
  double v_reset_mV = -60.0;
  double e_leak_mV = -60.0;
  double e_exc_mV = 0.0;
  double e_inh_mV = -80.0;
  double refractory_ms = 5.0;
  double drive_mV = 0.0;      // R * I of a constant input current
  double g_exc_tonic = 0.0;   // constant excitatory conductance / g_leak
  double g_inh_tonic = 0.0;   // constant inhibitory conductance / g_leak
};

enum class ConductanceScheme { kExponentialEuler, kExponentialMidpoint };

const ModelInfo& conductance_lif_info();
const std::vector<ParamField<ConductanceLifParams>>& conductance_lif_fields();

struct ConductanceLifModel {
  ConductanceLifParams params;
  double dt_ms = 0.1;
  ConductanceScheme scheme = ConductanceScheme::kExponentialMidpoint;
  double decay_e = 0, decay_i = 0;  // e^{-h/tau}: the exact conductance decay
  double freeze_e = 0, freeze_i = 0;  // factor giving the frozen conductance (1 or e^{-h/(2 tau)})
  int refractory_steps = 0;

  // Validates (positive time constants and dt, Vr < Vt, t_ref >= 0, tonic
  // conductances >= 0, finite potentials); throws moesim::UsageError.
  static ConductanceLifModel make(const ConductanceLifParams& params, double dt_ms,
                                  ConductanceScheme scheme = ConductanceScheme::kExponentialMidpoint);
};

using ConductanceLifState = LifExpState;

// v after one integrated step from v with frozen conductances ge_t, gi_t
// (tonic parts included): the closed form above. Shared with adaptive_lif.
KOKKOS_INLINE_FUNCTION double conductance_lif_v_step(const ConductanceLifParams& p, double dt_ms,
                                                     double v, double ge_t, double gi_t) {
  const double g = 1.0 + ge_t + gi_t;
  const double v_inf = (p.e_leak_mV + ge_t * p.e_exc_mV + gi_t * p.e_inh_mV + p.drive_mV) / g;
  return v_inf + (v - v_inf) * std::exp(-dt_ms * g / p.tau_m_ms);
}

// The subthreshold v update of a model: conductance_lif_v_step with ge, gi
// scaled by the scheme's freeze factors plus the tonic conductances.
struct ConductanceLifMembrane {
  ConductanceLifParams p;
  double dt_ms, freeze_e, freeze_i;
  explicit ConductanceLifMembrane(const ConductanceLifModel& m)
      : p(m.params), dt_ms(m.dt_ms), freeze_e(m.freeze_e), freeze_i(m.freeze_i) {}
  KOKKOS_INLINE_FUNCTION double operator()(double v, double ge, double gi) const {
    return conductance_lif_v_step(p, dt_ms, v, ge * freeze_e + p.g_exc_tonic, gi * freeze_i + p.g_inh_tonic);
  }
};

// One step of the population as a Kokkos parallel loop on `space` (neurons
// independent: the result does not depend on the thread count). Fences.
template <class ExecSpace>
void conductance_lif_step(const ExecSpace& space, const ConductanceLifModel& model,
                          const ConductanceLifState& state);

}  // namespace moesim::spiking
