// Spiking engine core (issue 6): a neuron model declared as data.
//
// LifExp is the current-based leaky integrate-and-fire neuron with
// exponential synaptic currents (NEST's iaf_psc_exp; Brian2's CUBA equations):
//
//   dv/dt  = (ge + gi + drive - (v - El)) / tau_m      (held while refractory)
//   dge/dt = -ge / tau_e,   dgi/dt = -gi / tau_i       (always decay)
//
// ge, gi and drive (= R*I, a constant input) are in mV, times in ms. The model
// is a plain parameter set (LifExpParams) plus the exact propagator of the
// linear system over one fixed dt, computed once (LifExpModel::make): the
// update is x(t+dt) = P x(t) with no integration error beyond rounding.
//
// Step semantics (Brian2's, for a fixed dt; step n covers [n dt, (n+1) dt)):
//   1. neurons that are not refractory integrate v; refractory neurons keep v
//      and count their counter down by one; ge and gi decay for everyone;
//   2. a non-refractory neuron with v > Vt spikes "in step n" (spike time n dt),
//      v is set to Vr and its counter to refractory_steps - 1;
//   3. (in the caller) spikes of step n are delivered to ge / gi of their
//      targets after this update, so targets feel them from step n+1.
// With refractory_steps R = round(t_ref / dt), a neuron that spiked in step n
// keeps v = Vr through steps n+1 … n+R-1 and may spike again at step n+R at the
// earliest: the shortest inter-spike interval is exactly R steps (t_ref);
// R = 0 and R = 1 both mean no clamped step (shortest interval one step).
#pragma once
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <vector>

namespace moesim::spiking {

// A model declared as data: its name, equations, state variables and a table of
// its parameters (INI key with unit suffix, the member it sets, meaning).
// Presets (neuron_preset.hpp) and docs walk these tables instead of naming
// each parameter by hand, so adding a parameter is one table row.
template <class Params>
struct ParamField {
  const char* key;          // e.g. "tau_m_ms"
  double Params::*member;   // the field it sets
  const char* meaning;
};

struct ModelInfo {
  const char* name;             // e.g. "lif_exp" (the `model` key of a preset)
  const char* equations;        // update rule, human readable
  const char* state_variables;  // e.g. "v (mV), ge, gi (mV), refractory (steps)"
};

// Parameters of a current-based LIF with exponential synapses (ms, mV).
struct LifExpParams {
  double tau_m_ms = 20.0;
  double tau_e_ms = 5.0;
  double tau_i_ms = 10.0;
  double v_threshold_mV = -50.0;
  double v_reset_mV = -60.0;
  double e_leak_mV = -49.0;
  double refractory_ms = 5.0;
  double drive_mV = 0.0;  // R * I of a constant input current
};

// LifExp declared as data (see ParamField / ModelInfo above).
const ModelInfo& lif_exp_info();
const std::vector<ParamField<LifExpParams>>& lif_exp_fields();

// The model for one dt: parameters plus the exact propagator. With u = v - El:
//   u'  = p_mm u + p_me ge + p_mi gi + p_drive * drive
//   ge' = p_ee ge,   gi' = p_ii gi
struct LifExpModel {
  LifExpParams params;
  double dt_ms = 0.1;
  double p_mm = 0, p_me = 0, p_mi = 0, p_drive = 0, p_ee = 0, p_ii = 0;
  int refractory_steps = 0;

  // Validates (positive time constants and dt, Vr < Vt, t_ref >= 0) and
  // computes the propagator; throws moesim::UsageError on bad parameters.
  static LifExpModel make(const LifExpParams& params, double dt_ms);
};

// The state of a population of n neurons (host memory). The conductance
// models (conductance_lif.hpp, adaptive_lif.hpp) use the same layout with ge,
// gi as conductances in units of the leak conductance.
struct LifExpState {
  Kokkos::View<double*, Kokkos::HostSpace> v, ge, gi;  // mV (lif_exp)
  Kokkos::View<int*, Kokkos::HostSpace> refractory;    // steps still clamped
  Kokkos::View<std::uint8_t*, Kokkos::HostSpace> spiked;  // 1 if spiked in the last step

  LifExpState() = default;
  explicit LifExpState(std::size_t n);
  std::size_t size() const { return v.extent(0); }
};

// One time step of the whole population (phases 1 and 2 above) as a Kokkos
// parallel loop on `space`; each neuron is independent, so the result does not
// depend on the thread count. Fences `space` before returning.
template <class ExecSpace>
void lif_exp_step(const ExecSpace& space, const LifExpModel& model, const LifExpState& state);

// Indices of the neurons with state.spiked set, ascending (appended to `out`).
void collect_spikes(const LifExpState& state, std::vector<std::uint32_t>& out);

}  // namespace moesim::spiking
