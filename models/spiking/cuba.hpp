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
//
// The simulation loop fuses, per time step and per block of neurons owned by
// one thread: delivery of the previous step's spikes to the block's targets
// (source order, so each target sums in a fixed order), the LifExp update
// with LifExpModel's propagator (the same arithmetic as lif_exp_step, so the
// spike trains are those of lif_exp_step + propagate, bit for bit) and spike
// detection. One parallel region per step; none with one block (one thread,
// or fewer than 2 x min_block_neurons neurons). Optional
// per-projection delays go through a DelayBuffer (delay_buffer.hpp).
#pragma once
#include "models/spiking/neuron_model.hpp"

#include "core/philox.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace moesim::spiking {

// State precision of the simulation loop. kFloat64 (default) reproduces
// lif_exp_step + propagate bit for bit; kFloat32 keeps v, ge, gi in float
// (half the memory traffic of the loop, which streams the whole state every
// step): the same network and statistics, a different spike train in detail.
enum class CubaPrecision { kFloat64, kFloat32 };

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
  // Synaptic delays in steps (0: Brian2's CUBA; a spike of step n acts from
  // step n + delay + 1).
  int exc_delay_steps = 0;
  int inh_delay_steps = 0;
  // Polled every 1024 steps; when it returns true the run stops there
  // (CubaResult::interrupted, statistics over the steps run).
  bool (*stop_requested)() = nullptr;
  CubaPrecision precision = CubaPrecision::kFloat64;
  // Neurons per thread block at least: a step of CUBA's 4000 neurons takes a
  // few microseconds, less than what a fork/join costs (far more on a busy
  // machine), so small networks run in one block whatever the thread count.
  // The results never depend on the blocks.
  std::size_t min_block_neurons = 16384;
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
  std::size_t num_neurons = 0;
  std::size_t steps = 0;                // time steps simulated
  std::size_t blocks = 0;               // thread blocks the neurons were split into
  bool interrupted = false;
  double build_seconds = 0.0;           // connectivity and initial state (wall clock)
  double simulate_seconds = 0.0;        // the time-step loop (wall clock)
  double simulate_cpu_seconds = 0.0;    // the same, CPU time of the process (std::clock)
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
