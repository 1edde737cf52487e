// Brian2's CUBA network on the LifExp model and fixed-probability projections.
#include "models/spiking/cuba.hpp"

#include "core/error.hpp"
#include "models/spiking/connectivity.hpp"

#include <algorithm>
#include <cmath>

namespace moesim::spiking {

double mean_isi_cv(const std::vector<double>& times_ms, const std::vector<std::uint32_t>& ids,
                   std::size_t num_neurons, std::size_t* counted) {
  // Per neuron: last spike time, ISI count, sum and sum of squares of ISIs
  // (accumulated in spike order, so the result is deterministic).
  std::vector<double> last(num_neurons, 0.0), sum(num_neurons, 0.0), sum_sq(num_neurons, 0.0);
  std::vector<std::size_t> count(num_neurons, 0);
  std::vector<std::size_t> n_isi(num_neurons, 0);
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const std::uint32_t i = ids[k];
    if (count[i] > 0) {
      const double isi = times_ms[k] - last[i];
      sum[i] += isi;
      sum_sq[i] += isi * isi;
      ++n_isi[i];
    }
    last[i] = times_ms[k];
    ++count[i];
  }
  double total = 0.0;
  std::size_t used = 0;
  for (std::size_t i = 0; i < num_neurons; ++i) {
    if (count[i] < 3) continue;
    const double m = sum[i] / static_cast<double>(n_isi[i]);
    const double var = std::max(0.0, sum_sq[i] / static_cast<double>(n_isi[i]) - m * m);
    total += std::sqrt(var) / m;
    ++used;
  }
  if (counted) *counted = used;
  return used ? total / static_cast<double>(used) : 0.0;
}

template <class ExecSpace>
CubaResult run_cuba(const ExecSpace& space, const CubaConfig& config) {
  if (config.n_exc + config.n_inh == 0) throw UsageError("CUBA: the network needs neurons");
  if (!(config.duration_ms >= 0.0) || !std::isfinite(config.duration_ms))
    throw UsageError("CUBA: duration must be a finite value >= 0");
  const LifExpModel model = LifExpModel::make(config.neuron, config.dt_ms);
  const std::size_t n = config.n_exc + config.n_inh;

  FixedProbabilitySpec exc{config.n_exc, n, config.connection_probability, config.we_mV,
                           config.seed, kSpikingStream + 1};
  FixedProbabilitySpec inh{config.n_inh, n, config.connection_probability, config.wi_mV,
                           config.seed, kSpikingStream + 2};
  const Projection exc_proj = fixed_probability_projection(space, exc);
  const Projection inh_proj = fixed_probability_projection(space, inh);

  LifExpState state(n);
  const auto& p = config.neuron;
  const PhiloxKey v0_key{config.seed, kSpikingStream + 0};
  for (std::size_t i = 0; i < n; ++i)
    state.v(i) = p.v_reset_mV + Philox::uniform(v0_key, i) * (p.v_threshold_mV - p.v_reset_mV);

  CubaResult result;
  result.num_synapses = exc_proj.num_synapses() + inh_proj.num_synapses();
  const auto steps = static_cast<std::size_t>(std::llround(config.duration_ms / config.dt_ms));
  std::vector<std::uint32_t> fired, exc_fired, inh_fired;
  for (std::size_t step = 0; step < steps; ++step) {
    lif_exp_step(space, model, state);
    fired.clear();
    collect_spikes(state, fired);
    if (fired.empty()) continue;
    exc_fired.clear();
    inh_fired.clear();
    const double t = static_cast<double>(step) * config.dt_ms;
    for (const std::uint32_t i : fired) {
      result.spike_times_ms.push_back(t);
      result.spike_ids.push_back(i);
      if (i < config.n_exc)
        exc_fired.push_back(i);
      else
        inh_fired.push_back(static_cast<std::uint32_t>(i - config.n_exc));
    }
    result.synaptic_events += propagate(exc_proj, exc_fired, state.ge);
    result.synaptic_events += propagate(inh_proj, inh_fired, state.gi);
  }
  result.spikes = result.spike_ids.size();
  const double seconds = static_cast<double>(steps) * config.dt_ms * 1e-3;
  result.rate_hz = seconds > 0 ? static_cast<double>(result.spikes) / static_cast<double>(n) / seconds : 0.0;
  result.isi_cv = mean_isi_cv(result.spike_times_ms, result.spike_ids, n, &result.neurons_in_cv);
  return result;
}

#if defined(KOKKOS_ENABLE_SERIAL)
template CubaResult run_cuba<Kokkos::Serial>(const Kokkos::Serial&, const CubaConfig&);
#endif
#if defined(KOKKOS_ENABLE_OPENMP)
template CubaResult run_cuba<Kokkos::OpenMP>(const Kokkos::OpenMP&, const CubaConfig&);
#endif
#if defined(KOKKOS_ENABLE_THREADS)
template CubaResult run_cuba<Kokkos::Threads>(const Kokkos::Threads&, const CubaConfig&);
#endif

}  // namespace moesim::spiking
