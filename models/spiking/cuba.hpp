// Spiking engine core (issue 6): Brian2's examples/CUBA network
// (check_values.md, "Spiking: Brian2's examples/CUBA").
//
// One LifExp population of n_exc + n_inh neurons (excitatory first). Two
// fixed-probability projections, self-connections allowed: excitatory sources
// add we to ge, inhibitory sources add wi to gi of every target in the whole
// population. V0 uniform in [Vr, Vt], ge = gi = 0. No delay: spikes detected in
// step n are delivered after that step's update and act from step n+1.
//
// Randomness: Philox keyed by the seed, streams kSpikingStream + 0 (V0),
// + 1 (excitatory connectivity), + 2 (inhibitory connectivity); the run is
// bit-identical for any thread count.
#pragma once
#include "models/spiking/neuron_model.hpp"

#include "core/philox.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace moesim::spiking {

// Philox streams of the spiking engine (streams::kUser + 600 …).
inline constexpr std::uint64_t kSpikingStream = streams::kUser + 600;

struct CubaConfig {
  std::size_t n_exc = 3200;
  std::size_t n_inh = 800;
  double connection_probability = 0.02;
  double we_mV = 60.0 * 0.27 / 10.0;   // 1.62 mV
  double wi_mV = -20.0 * 4.5 / 10.0;   // -9 mV
  double duration_ms = 1000.0;
  double dt_ms = 0.1;
  LifExpParams neuron{};  // defaults are CUBA's: tau_m 20, tau_e 5, tau_i 10 ms, …
  std::uint64_t seed = 1;
};

struct CubaResult {
  std::vector<double> spike_times_ms;   // by time (step n gives n * dt)
  std::vector<std::uint32_t> spike_ids; // within a step ascending
  double rate_hz = 0.0;                 // spikes / neurons / simulated seconds
  double isi_cv = 0.0;                  // mean over neurons with >= 3 spikes of std/mean (population std)
  std::size_t spikes = 0;
  std::size_t synaptic_events = 0;      // spike deliveries to synapses
  std::size_t neurons_in_cv = 0;        // neurons that entered isi_cv
  std::size_t num_synapses = 0;
};

// Runs the network on `space`; throws moesim::UsageError on invalid settings.
template <class ExecSpace>
CubaResult run_cuba(const ExecSpace& space, const CubaConfig& config);

// Mean over neurons with at least 3 spikes of the ISI coefficient of
// variation (population standard deviation / mean); 0 if no neuron qualifies.
// Spike times must be non-decreasing. `counted` receives that neuron count.
double mean_isi_cv(const std::vector<double>& times_ms, const std::vector<std::uint32_t>& ids,
                   std::size_t num_neurons, std::size_t* counted = nullptr);

}  // namespace moesim::spiking
