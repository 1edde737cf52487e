// Brian2's CUBA network on the LifExp model and fixed-probability projections.
#include "models/spiking/cuba.hpp"

#include "core/error.hpp"
#include "models/spiking/connectivity.hpp"
#include "models/spiking/delay_buffer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <string>

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

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// On x86-64 with GCC or Clang the update is also compiled for AVX2 and the
// variant is picked at load time (the loop reads and writes ~65 bytes per
// neuron from L2, and AVX2's blends cut the instruction count). AVX2 has no
// FMA and the build is ISO C++ (-ffp-contract=off), so both variants round
// exactly like lif_exp_step.
#if defined(__x86_64__) && defined(__ELF__) && !defined(__CUDACC__) && !defined(__NVCC__) && \
    ((defined(__GNUC__) && __GNUC__ >= 8) || (defined(__clang__) && __clang_major__ >= 14))
#define MOESIM_SPIKING_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MOESIM_SPIKING_CLONES
#endif

// The LifExp update of neurons [lo, hi) (phases 1 and 2 of neuron_model.hpp),
// branch-free so that the compiler vectorises it. In double, the expressions
// and their order are lif_exp_step's, hence the same rounding; in float the
// same expressions in single precision.
template <class Real>
__attribute__((always_inline)) inline void integrate_body(const LifExpModel& m, Real* __restrict v,
                                                          Real* __restrict ge, Real* __restrict gi,
                                                          int* __restrict refractory,
                                                          std::uint8_t* __restrict spiked, std::size_t lo,
                                                          std::size_t hi) {
  const Real p_mm = static_cast<Real>(m.p_mm), p_me = static_cast<Real>(m.p_me), p_mi = static_cast<Real>(m.p_mi);
  const Real p_ee = static_cast<Real>(m.p_ee), p_ii = static_cast<Real>(m.p_ii);
  const Real drive_term = static_cast<Real>(m.p_drive * m.params.drive_mV);
  const Real el = static_cast<Real>(m.params.e_leak_mV), vt = static_cast<Real>(m.params.v_threshold_mV);
  const Real vr = static_cast<Real>(m.params.v_reset_mV);
  const int hold = m.refractory_steps > 0 ? m.refractory_steps - 1 : 0;
  for (std::size_t i = lo; i < hi; ++i) {
    const Real e = ge[i], in = gi[i], v0 = v[i];
    const int r = refractory[i];
    const Real u = p_mm * (v0 - el) + p_me * e + p_mi * in + drive_term;
    const Real vn = u + el;
    // int masks and selects (no && or nested branches): vectorisable.
    const int active = r <= 0;
    const int fired = active & (vn > vt);
    const Real v_kept = active ? vn : v0;
    v[i] = fired ? vr : v_kept;
    refractory[i] = fired ? hold : r - (1 - active);
    ge[i] = p_ee * e;
    gi[i] = p_ii * in;
    spiked[i] = static_cast<std::uint8_t>(fired);
  }
}

MOESIM_SPIKING_CLONES void integrate_block(const LifExpModel& m, double* v, double* ge, double* gi, int* refractory,
                                           std::uint8_t* spiked, std::size_t lo, std::size_t hi) {
  integrate_body<double>(m, v, ge, gi, refractory, spiked, lo, hi);
}

MOESIM_SPIKING_CLONES void integrate_block(const LifExpModel& m, float* v, float* ge, float* gi, int* refractory,
                                           std::uint8_t* spiked, std::size_t lo, std::size_t hi) {
  integrate_body<float>(m, v, ge, gi, refractory, spiked, lo, hi);
}

// Appends the indices in [lo, hi) with spiked set to out (ascending). Spikes
// are rare: 8 flags are tested at a time and the set ones found by counting
// trailing zeros (flags are 0 or 1, so flag k is bit 8k of the word, on a
// little-endian host; others take the byte loop).
std::size_t collect_block(const std::uint8_t* spiked, std::size_t lo, std::size_t hi, std::uint32_t* out) {
  std::size_t count = 0, i = lo;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  for (; i + 8 <= hi; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, spiked + i, sizeof word);
    while (word != 0) {
      out[count++] = static_cast<std::uint32_t>(i + static_cast<std::size_t>(__builtin_ctzll(word)) / 8);
      word &= word - 1;
    }
  }
#endif
  for (; i < hi; ++i)
    if (spiked[i]) out[count++] = static_cast<std::uint32_t>(i);
  return count;
}

// Arrivals at the targets [lo, hi) of one projection from `count` sources.
template <class Real>
void deliver(const Projection& proj, DelayBuffer& buffer, const std::uint32_t* sources, std::size_t count,
             Real* target, std::size_t lo, std::size_t hi) {
  if (!proj.delayed()) {
    propagate_range(proj, sources, count, target, lo, hi);
  } else {
    buffer.schedule(proj, sources, count, lo, hi);
    buffer.drain(target, lo, hi);
  }
}

template <class Real, class ExecSpace>
CubaResult simulate(const ExecSpace& space, const CubaConfig& config);

}  // namespace

template <class ExecSpace>
CubaResult run_cuba(const ExecSpace& space, const CubaConfig& config) {
  if (config.n_exc + config.n_inh == 0) throw UsageError("CUBA: the network needs neurons");
  if (config.n_exc + config.n_inh >= (std::size_t{1} << 32) - 1)
    throw UsageError("CUBA: at most 2^32 - 2 neurons");
  if (!(config.duration_ms >= 0.0) || !std::isfinite(config.duration_ms))
    throw UsageError("CUBA: duration must be a finite value >= 0");
  for (const int d : {config.exc_delay_steps, config.inh_delay_steps})
    if (d < 0 || d > kMaxDelaySteps)
      throw UsageError("CUBA: delay of " + std::to_string(d) + " steps is out of range (accepted: 0-" +
                       std::to_string(kMaxDelaySteps) + ")");
  LifExpModel::make(config.neuron, config.dt_ms);  // validates
  return config.precision == CubaPrecision::kFloat64 ? simulate<double>(space, config)
                                                     : simulate<float>(space, config);
}

namespace {

template <class Real, class ExecSpace>
CubaResult simulate(const ExecSpace& space, const CubaConfig& config) {
  const LifExpModel model = LifExpModel::make(config.neuron, config.dt_ms);
  const std::size_t n = config.n_exc + config.n_inh;
  const auto t_build = std::chrono::steady_clock::now();

  FixedProbabilitySpec exc{config.n_exc, n, config.connection_probability, config.we_mV,
                           config.seed, kSpikingStream + 1};
  FixedProbabilitySpec inh{config.n_inh, n, config.connection_probability, config.wi_mV,
                           config.seed, kSpikingStream + 2};
  Projection exc_proj = fixed_probability_projection(space, exc);
  Projection inh_proj = fixed_probability_projection(space, inh);
  exc_proj.delay_steps = config.exc_delay_steps;
  inh_proj.delay_steps = config.inh_delay_steps;
  DelayBuffer exc_buffer = exc_proj.delayed() ? DelayBuffer(n, exc_proj.max_delay_steps()) : DelayBuffer();
  DelayBuffer inh_buffer = inh_proj.delayed() ? DelayBuffer(n, inh_proj.max_delay_steps()) : DelayBuffer();

  std::vector<Real> v(n), ge(n, Real(0)), gi(n, Real(0));
  std::vector<int> refractory(n, 0);
  std::vector<std::uint8_t> spiked(n, 0);
  const auto& p = config.neuron;
  const PhiloxKey v0_key{config.seed, kSpikingStream + 0};
  for (std::size_t i = 0; i < n; ++i)
    v[i] = static_cast<Real>(p.v_reset_mV + Philox::uniform(v0_key, i) * (p.v_threshold_mV - p.v_reset_mV));

  // Blocks of neurons, one per thread, on 64-neuron boundaries; the results
  // do not depend on the split.
  const std::size_t threads = static_cast<std::size_t>(std::max(1, static_cast<int>(space.concurrency())));
  const std::size_t blocks =
      std::max<std::size_t>(1, std::min(threads, n / std::max<std::size_t>(64, config.min_block_neurons)));
  std::vector<std::size_t> bound(blocks + 1, n);
  for (std::size_t b = 0; b < blocks; ++b) bound[b] = std::min(n, (n * b / blocks) / 64 * 64);

  // fired: spikes of the last step, ascending (excitatory ids first);
  // inh_sources: the inhibitory ones as local source indices.
  std::vector<std::uint32_t> fired(n), inh_sources(n);
  std::size_t n_fired = 0, n_fired_exc = 0;

  CubaResult result;
  result.num_synapses = exc_proj.num_synapses() + inh_proj.num_synapses();
  result.num_neurons = n;
  result.blocks = blocks;
  // Room for 10 Hz without reallocation, capped (long runs grow as needed).
  result.spike_times_ms.reserve(static_cast<std::size_t>(
      std::min(config.duration_ms * 1e-3 * 10.0 * static_cast<double>(n), double(1 << 22))));
  result.spike_ids.reserve(result.spike_times_ms.capacity());
  const auto steps = static_cast<std::size_t>(std::llround(config.duration_ms / config.dt_ms));
  result.build_seconds = seconds_since(t_build);

  Real* pv = v.data();
  Real* pge = ge.data();
  Real* pgi = gi.data();
  int* pref = refractory.data();
  std::uint8_t* pspiked = spiked.data();
  std::uint32_t* pfired = fired.data();
  const std::uint32_t* pinh = inh_sources.data();
  const auto block_step = [&](std::size_t b) {
    const std::size_t lo = bound[b], hi = bound[b + 1];
    deliver(exc_proj, exc_buffer, pfired, n_fired_exc, pge, lo, hi);
    deliver(inh_proj, inh_buffer, pinh, n_fired - n_fired_exc, pgi, lo, hi);
    integrate_block(model, pv, pge, pgi, pref, pspiked, lo, hi);
  };
  const auto t_sim = std::chrono::steady_clock::now();
  const std::clock_t cpu_sim = std::clock();
  std::size_t step = 0;
  for (; step < steps; ++step) {
    if (config.stop_requested && step % 1024 == 0 && config.stop_requested()) {
      result.interrupted = true;
      break;
    }
    if (blocks == 1) {
      block_step(0);
    } else {
      Kokkos::parallel_for("spiking.cuba_step", Kokkos::RangePolicy<ExecSpace>(space, 0, blocks),
                           [&](const std::size_t b) { block_step(b); });
      space.fence();
    }
    if (exc_proj.delayed()) exc_buffer.advance();
    if (inh_proj.delayed()) inh_buffer.advance();
    // Spike detection after the parallel part: the fired list of the step
    // (read by every block in the next one) is rebuilt here.
    n_fired = collect_block(pspiked, 0, n, pfired);
    n_fired_exc = static_cast<std::size_t>(std::lower_bound(pfired, pfired + n_fired, config.n_exc) - pfired);
    if (n_fired == 0) continue;
    const double t = static_cast<double>(step) * config.dt_ms;
    for (std::size_t k = 0; k < n_fired; ++k) {
      result.spike_times_ms.push_back(t);
      result.spike_ids.push_back(pfired[k]);
    }
    for (std::size_t k = 0; k < n_fired_exc; ++k) result.synaptic_events += exc_proj.out_degree(pfired[k]);
    for (std::size_t k = n_fired_exc; k < n_fired; ++k) {
      inh_sources[k - n_fired_exc] = static_cast<std::uint32_t>(pfired[k] - config.n_exc);
      result.synaptic_events += inh_proj.out_degree(inh_sources[k - n_fired_exc]);
    }
  }
  result.simulate_seconds = seconds_since(t_sim);
  result.simulate_cpu_seconds = static_cast<double>(std::clock() - cpu_sim) / CLOCKS_PER_SEC;
  result.steps = step;
  result.spikes = result.spike_ids.size();
  const double seconds = static_cast<double>(step) * config.dt_ms * 1e-3;
  result.rate_hz = seconds > 0 ? static_cast<double>(result.spikes) / static_cast<double>(n) / seconds : 0.0;
  result.isi_cv = mean_isi_cv(result.spike_times_ms, result.spike_ids, n, &result.neurons_in_cv);
  return result;
}

}  // namespace

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
