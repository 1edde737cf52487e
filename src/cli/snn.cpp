// `moesim snn --preset NAME [--duration S] [--seed N] [--output F.h5] [--threads N]`:
// runs a spiking network preset (models/spiking/snn_presets.*) and prints the
// DESIGN.md §3 lines rate_hz, isi_cv, spikes, synaptic_events, then free
// lines (sizes, timings). With --output the spikes go to an HDF5 trace in the
// SONATA layout /spikes/<population>/{timestamps (ms), node_ids}, sorting
// by_time, written as NAME.partial and renamed when the run completes.
#include "cli/commands.hpp"

#include "build_info.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/kokkos_runtime.hpp"
#include "models/spiking/snn_presets.hpp"
#include "trace/trace_sink.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

namespace moesim::cli {

namespace {

constexpr double kMaxDurationS = 3600.0;  // spikes are kept in memory

std::string this_host() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

}  // namespace

int snn_command(const Invocation& inv) {
  const std::string names = spiking::snn_preset_names();
  const std::string preset_help = "network preset: " + names + ", e.g. --preset cuba";
  po::options_description options("options", 100, 40);
  options.add_options()
      ("help,h", "this help, e.g. moesim snn --help")
      ("preset", po::value<std::string>(), preset_help.c_str())
      ("duration", po::value<double>()->default_value(1.0, "1"),
       "simulated time in seconds (0 < S <= 3600, at least one time step), e.g. --duration 2.5")
      ("seed", po::value<std::uint64_t>()->default_value(1), "seed of the network and initial state, e.g. --seed 7")
      ("precision", po::value<std::string>()->default_value("fp64"),
       "state precision: fp64 (exact reference arithmetic) or fp32 (faster; same statistics), e.g. --precision fp32")
      ("output", po::value<std::string>(),
       "HDF5 trace with the spikes in SONATA layout (/spikes/<population>/timestamps, node_ids), e.g. --output cuba.h5");
  add_threads_option(options);
  const auto vm = parse_options(inv, options);
  if (vm.count("help")) {
    print_help(std::cout,
               {"moesim snn --preset NAME [--duration S] [--seed N] [--output F.h5] [--threads N]",
                "Runs a spiking network preset and prints `rate_hz <x>` (spikes / neurons /\n"
                "simulated seconds), `isi_cv <x>` (mean over neurons with >= 3 spikes of the ISI\n"
                "standard deviation / mean, population standard deviation), `spikes <n>` and\n"
                "`synaptic_events <n>` (spike deliveries to synapses), then sizes and timings.\n"
                "Presets: " + names + ".",
                {"moesim snn --preset cuba", "moesim snn --preset cuba --seed 3 --duration 2 --output cuba.h5",
                 "moesim snn --preset cuba --threads 2"}},
               options);
    return 0;
  }
  // Everything is checked before any work starts.
  if (!vm.count("preset"))
    throw UsageError("snn: --preset is required (accepted: " + names + "; see `moesim snn --help`)");
  const std::string name = vm["preset"].as<std::string>();
  const spiking::SnnPreset* preset = spiking::find_snn_preset(name);
  if (!preset) throw UsageError("snn: --preset '" + name + "' is not a preset (accepted: " + names + ")");
  const double duration_s = vm["duration"].as<double>();
  std::ostringstream given;
  given << duration_s;
  if (!std::isfinite(duration_s) || !(duration_s > 0.0) || duration_s > kMaxDurationS ||
      std::llround(duration_s * 1e3 / preset->dt_ms) < 1)
    throw UsageError("snn: --duration " + given.str() + " is out of range (accepted: seconds, at least one " +
                     "time step of " + std::to_string(preset->dt_ms) + " ms and at most 3600, e.g. 1)");
  spiking::SnnRequest request;
  request.duration_ms = duration_s * 1e3;
  request.seed = vm["seed"].as<std::uint64_t>();
  request.stop_requested = &interrupt_requested;
  const std::string precision = vm["precision"].as<std::string>();
  if (precision == "fp64")
    request.precision = spiking::CubaPrecision::kFloat64;
  else if (precision == "fp32")
    request.precision = spiking::CubaPrecision::kFloat32;
  else
    throw UsageError("snn: --precision '" + precision + "' is not accepted (accepted: fp64, fp32)");
  std::string output;
  if (vm.count("output")) {
    output = vm["output"].as<std::string>();
    TraceSink::check_writable(output);
  }

  KokkosOptions kokkos;
  kokkos.num_threads = threads_option(vm);
  kokkos.passthrough = inv.kokkos;
  KokkosRuntime runtime(kokkos);
  install_interrupt_handlers();

  std::unique_ptr<TraceSink> sink;
  if (!output.empty()) {
    RootInfo root;
    root.moesim_version = MOESIM_VERSION_STRING;
    root.git_hash = MOESIM_GIT_HASH;
    root.command_line = inv.command_line;
    root.backend = "Kokkos " + kokkos_execution_space_name();
    root.host = this_host();
    root.seeds = {static_cast<std::int64_t>(request.seed)};
    root.threads = kokkos_concurrency();
    sink = std::make_unique<TraceSink>(output, root, 0);
    sink->write_config(preset->describe(request));
  }

  const spiking::SnnResult r = preset->run(request);
  if (sink) {
    const std::vector<std::uint64_t> ids(r.spike_ids.begin(), r.spike_ids.end());
    sink->write_spikes(preset->population, r.spike_times_ms, ids, 2 /* by_time */);
    if (r.interrupted) {
      sink->finish(TraceStatus::Interrupted);
      std::fprintf(stderr, "moesim snn: interrupted by signal %d after %zu steps; partial trace in %s\n",
                   interrupt_signal(), r.steps, sink->partial_path().c_str());
      return 128 + interrupt_signal();
    }
    sink->finish(TraceStatus::Complete);
  } else if (r.interrupted) {
    std::fprintf(stderr, "moesim snn: interrupted by signal %d after %zu steps\n", interrupt_signal(), r.steps);
    return 128 + interrupt_signal();
  }

  std::ostringstream out;
  out.precision(10);
  out << "rate_hz " << r.rate_hz << "\n"
      << "isi_cv " << r.isi_cv << "\n"
      << "spikes " << r.spikes << "\n"
      << "synaptic_events " << r.synaptic_events << "\n"
      << "preset " << preset->name << "\n"
      << "neurons " << r.num_neurons << "\n"
      << "synapses " << r.num_synapses << "\n"
      << "neurons_in_cv " << r.neurons_in_cv << "\n"
      << "simulated_s " << static_cast<double>(r.steps) * preset->dt_ms * 1e-3 << "\n"
      << "threads " << kokkos_concurrency() << "\n"
      << "precision " << precision << "\n"
      << "build_seconds " << r.build_seconds << "\n"
      << "simulate_seconds " << r.simulate_seconds << "\n"
      << "simulate_cpu_seconds " << r.simulate_cpu_seconds << "\n"
      << "synaptic_events_per_s "
      << (r.simulate_seconds > 0 ? static_cast<double>(r.synaptic_events) / r.simulate_seconds : 0.0) << "\n";
  if (sink) out << "trace " << output << "\n";
  std::cout << out.str();
  return 0;
}

}  // namespace moesim::cli
