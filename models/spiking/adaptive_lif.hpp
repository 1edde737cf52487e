// Spiking engine (issue 6): adaptive-threshold LIF (Diehl & Cook 2015,
// "Unsupervised learning of digit recognition using spike-timing-dependent
// plasticity", Front. Comput. Neurosci. 9:99, doi:10.3389/fncom.2015.00099).
//
// The conductance-based LIF of conductance_lif.hpp with a homeostatic
// threshold variable theta (mV):
//
//   dtheta/dt = -theta / tau_theta           (always, refractory or not)
//   spike when v > Vt - theta_offset + theta;  at a spike: v = Vr, theta += theta_plus
//
// As in Diehl & Cook's code the threshold is written Vt - offset + theta with
// theta starting at theta_init (their offset = theta_init = 20 mV, so the
// initial threshold is Vt). Each spike raises the threshold by theta_plus, so
// under constant drive the inter-spike interval grows; without spikes theta
// decays back (exactly: theta <- theta e^{-dt/tau_theta} every step).
//
// Step n: theta decays; v integrates as conductance_lif_step (same scheme,
// refractory counter and conductance decay); the threshold test uses the
// decayed theta; a spiking neuron then adds theta_plus.
#pragma once
#include "models/spiking/conductance_lif.hpp"

namespace moesim::spiking {

struct AdaptiveLifParams : ConductanceLifParams {
  double theta_plus_mV = 0.05;   // threshold increase per spike
  double tau_theta_ms = 1e7;     // threshold decay time constant
  double theta_offset_mV = 20.0; // threshold = Vt - offset + theta
  double theta_init_mV = 20.0;   // theta of a fresh state
};

const ModelInfo& adaptive_lif_info();
const std::vector<ParamField<AdaptiveLifParams>>& adaptive_lif_fields();

struct AdaptiveLifModel {
  ConductanceLifModel base;  // membrane, conductances, refractory counter
  AdaptiveLifParams params;
  double decay_theta = 0;    // e^{-dt / tau_theta}

  // Validates as ConductanceLifModel::make plus tau_theta > 0, theta_plus >= 0,
  // finite offset and initial theta; throws moesim::UsageError.
  static AdaptiveLifModel make(const AdaptiveLifParams& params, double dt_ms,
                               ConductanceScheme scheme = ConductanceScheme::kExponentialMidpoint);
};

struct AdaptiveLifState {
  LifExpState core;  // v, ge, gi, refractory, spiked
  Kokkos::View<double*, Kokkos::HostSpace> theta;  // mV

  AdaptiveLifState() = default;
  // n neurons at rest: v = El, ge = gi = 0, theta = theta_init, not refractory.
  AdaptiveLifState(std::size_t n, const AdaptiveLifParams& params);
  std::size_t size() const { return core.size(); }
};

// One step of the population as a Kokkos parallel loop on `space` (neurons
// independent: the result does not depend on the thread count). Fences.
template <class ExecSpace>
void adaptive_lif_step(const ExecSpace& space, const AdaptiveLifModel& model, const AdaptiveLifState& state);

}  // namespace moesim::spiking
