// The `snn` benchmark: CUBA's simulation loop against a bare scatter-add.
#include "models/spiking/snn_bench.hpp"

#include "bench/bench.hpp"
#include "bench/bench_report.hpp"
#include "core/error.hpp"
#include "core/kokkos_runtime.hpp"
#include "core/philox.hpp"
#include "core/registry.hpp"
#include "models/spiking/cuba.hpp"

#include <Kokkos_Core.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace moesim {

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// Events per second of target[idx[k]] += w[k] over `events` random targets
// in [0, n): each thread owns a contiguous slice of the event stream and its
// own target array (no sharing), so the rate scales with threads as the
// simulation's delivery does. Median of `repeats`.
double scatter_add_rate(std::size_t n, std::size_t events, int repeats) {
  const int threads = std::max(1, kokkos_concurrency());
  std::vector<std::uint32_t> idx(events);
  std::vector<double> w(events, 1.62);
  for (std::size_t k = 0; k < events; ++k)
    idx[k] = static_cast<std::uint32_t>(Philox::below({7, spiking::kSpikingStream + 90}, k, n));
  std::vector<std::vector<double>> target(static_cast<std::size_t>(threads), std::vector<double>(n, 0.0));
  std::vector<double> times;
  double sink = 0.0;
  for (int r = 0; r < repeats + 1; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    Kokkos::parallel_for(
        "bench.snn_scatter", Kokkos::RangePolicy<Kokkos::DefaultHostExecutionSpace>(0, threads),
        [&](const int t) {
          const std::size_t lo = events * static_cast<std::size_t>(t) / static_cast<std::size_t>(threads);
          const std::size_t hi = events * static_cast<std::size_t>(t + 1) / static_cast<std::size_t>(threads);
          double* out = target[static_cast<std::size_t>(t)].data();
          for (std::size_t k = lo; k < hi; ++k) out[idx[k]] += w[k];
        });
    Kokkos::fence();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r > 0) times.push_back(s);  // the first is a warm-up
  }
  for (const auto& t : target) sink += t[0];
  volatile double keep = sink;  // the adds stay observable
  (void)keep;
  return static_cast<double>(events) / median(times);
}

void run_snn_bench(const Registry::BenchmarkContext& ctx, std::ostream& out) {
  const auto seed = static_cast<std::uint64_t>(bench_option_int(ctx, "snn", "seed", 1));
  const int repeats = static_cast<int>(std::max<std::int64_t>(1, bench_option_int(ctx, "snn", "repeats", 5)));
  const std::string precisions = bench_option_string(ctx, "precision", "fp64,fp32");
  std::vector<std::pair<std::string, spiking::CubaPrecision>> selected;
  for (const auto& [name, value] : {std::pair<std::string, spiking::CubaPrecision>{"fp64", spiking::CubaPrecision::kFloat64},
                                    {"fp32", spiking::CubaPrecision::kFloat32}})
    if (("," + precisions + ",").find("," + name + ",") != std::string::npos) selected.emplace_back(name, value);
  if (selected.empty())
    throw UsageError("bench snn: precision = '" + precisions + "' is not accepted (accepted: fp64, fp32, fp64,fp32)");
  double scatter = 0.0;
  for (const auto& [name, precision] : selected) {
    spiking::CubaConfig config;
    config.seed = seed;
    config.duration_ms = 1000.0;
    config.precision = precision;
    config.min_block_neurons = static_cast<std::size_t>(
        std::max<std::int64_t>(64, bench_option_int(ctx, "snn", "min_block", static_cast<std::int64_t>(config.min_block_neurons))));
    std::vector<double> sim, cpu, build;
    spiking::CubaResult r;
    for (int k = 0; k < repeats + 1; ++k) {
      r = spiking::run_cuba(Kokkos::DefaultHostExecutionSpace(), config);
      if (k == 0) continue;  // warm-up: page faults, thread start
      sim.push_back(r.simulate_seconds);
      cpu.push_back(r.simulate_cpu_seconds);
      build.push_back(r.build_seconds);
    }
    const double seconds = median(sim);
    const double events_per_s = static_cast<double>(r.synaptic_events) / seconds;
    if (scatter == 0.0) scatter = scatter_add_rate(r.num_neurons, r.synaptic_events, repeats);
    BenchReport report;
    report.add("bench", std::string("snn"))
        .add("impl", std::string("moesim"))
        .add("threads", static_cast<long long>(kokkos_concurrency()))
        .add("seconds", seconds)
        .add("network", std::string("cuba"))
        .add("simulated_s", 1.0)
        .add("dt_ms", config.dt_ms)
        .add("precision", name)
        .add("blocks", static_cast<long long>(r.blocks))
        .add("neurons", static_cast<long long>(r.num_neurons))
        .add("synapses", static_cast<long long>(r.num_synapses))
        .add("spikes", static_cast<long long>(r.spikes))
        .add("synaptic_events", static_cast<long long>(r.synaptic_events))
        .add("synaptic_events_per_s", events_per_s)
        .add("cpu_seconds", median(cpu))
        .add("build_seconds", median(build))
        .add("scatter_add_per_s", scatter)
        .add("scatter_fraction", events_per_s / scatter);
    report.print(out, ctx.json);
  }
}

}  // namespace

void register_spiking_benchmarks(Registry& registry) {
  registry.add_benchmark(
      "snn",
      {"Brian2's CUBA network (4000 LIF neurons, 1 s simulated): simulation time and synaptic events/s "
       "against a bare scatter-add of the same events",
       {{"seed", "network seed, e.g. seed=1"},
        {"repeats", "timed runs (median), e.g. repeats=5"},
        {"min_block", "neurons per thread block at least (default 16384: CUBA runs in one block), e.g. min_block=512"},
        {"precision", "state precisions, one line each: fp64, fp32 or fp64,fp32 (default), e.g. precision=fp32"}},
       run_snn_bench});
}

}  // namespace moesim
