#include "train/experiment.hpp"

#include "build_info.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/kokkos_runtime.hpp"
#include "core/registry.hpp"
#include "datasets/dataset.hpp"
#include "devices/presets_dir.hpp"
#include "model/moe_model.hpp"
#include "train/metrics.hpp"
#include "train/progress.hpp"
#include "train/swarm_router_training.hpp"
#include "train/trainer.hpp"
#include "trace/trace_sink.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace moesim {

namespace {

// The variants to run: experiment.variants if given; else model.router if
// given; else the quickstart list (experiment.variants' default).
std::vector<std::string> variant_names(const Config& c) {
  if (!c.is_explicit("experiment.variants") && c.is_explicit("model.router"))
    return {c.get("model.router")};
  auto v = c.get_list("experiment.variants");
  if (v.empty()) throw UsageError("experiment.variants: empty (give at least one router or [variant.NAME])");
  return v;
}

std::vector<std::string> preset_dirs() { return {MOESIM_SOURCE_PRESETS, MOESIM_INSTALL_PRESETS}; }

EnergyTable energy_table(const Config& c) {
  const std::string name = c.get("trace.energy_table");
  const bool is_path = name.find('/') != std::string::npos ||
                       (name.size() > 4 && name.compare(name.size() - 4, 4, ".ini") == 0);
  if (!is_path) {
    const std::string dir = presets_directory(preset_dirs());
    if (!std::filesystem::exists(dir + "/energy_" + name + ".ini")) {
      std::string accepted;
      for (const auto& [preset, _] : list_presets(dir))
        if (preset.rfind("energy_", 0) == 0) accepted += (accepted.empty() ? "" : ", ") + preset.substr(7);
      throw UsageError("trace.energy_table: unknown energy preset '" + name + "' in " + dir +
                       " (accepted: " + accepted + ")");
    }
  }
  return load_energy_table(name, preset_dirs());
}

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

void print_table(const std::vector<SummaryRow>& rows, std::ostream& out) {
  char line[512];
  std::snprintf(line, sizeof line, "%-18s %5s %17s %10s %8s %9s %8s %10s %10s %9s\n", "variant",
                "seeds", "test_accuracy", "final_loss", "load_cv", "dropped%", "MI_bits",
                "GFLOPs", "energy_J", "time_s");
  out << line;
  for (const auto& r : rows) {
    char acc[64];
    if (r.seeds > 1)
      std::snprintf(acc, sizeof acc, "%.4f±%.4f", r.test_accuracy_mean, r.test_accuracy_ci95);
    else
      std::snprintf(acc, sizeof acc, "%.4f", r.test_accuracy_mean);
    std::snprintf(line, sizeof line, "%-18s %5lld %17s %10.4f %8.3f %9.2f %8.3f %10.1f %10.3g %9.1f\n",
                  r.variant.c_str(), static_cast<long long>(r.seeds), acc, r.final_loss, r.load_cv,
                  100.0 * r.dropped_fraction, r.mutual_information, r.gflops, r.energy_j,
                  r.wall_time_s);
    out << line;
  }
}

}  // namespace

void validate_experiment(const Registry& registry, const Config& config) {
  for (const auto& name : variant_names(config)) {
    const Config v = config.for_variant(name);
    const std::string router = v.get("model.router");
    if (!registry.has_router(router))
      throw UsageError("model.router: unknown router '" + router + "' in variant '" + name + "'");
    const auto experts = v.get_int("model.experts"), top_k = v.get_int("model.top_k");
    if (top_k > experts)
      throw UsageError("model.top_k: " + std::to_string(top_k) + " exceeds model.experts (" +
                       std::to_string(experts) + ") in variant '" + name + "'");
    const auto m = v.get_int("model.expert_granularity");
    if (v.get_int("model.d_ff") % m != 0)
      throw UsageError("model.expert_granularity: " + std::to_string(m) + " must divide model.d_ff (" +
                       std::to_string(v.get_int("model.d_ff")) + ") in variant '" + name + "'");
    // Build one layer's router and experts: their own cross-key checks
    // (e.g. router.groups dividing the experts) run now, before any data is
    // loaded or output created. The input width does not matter here.
    const ModelSpec spec = model_spec_from_config(v, 1, 2, 0);
    const RouterPtr probe = registry.make_router(router, spec.router_spec(0));
    const std::string router_optimizer = v.get("train.router_optimizer");
    if (router_optimizer != "gradient") {  // swarm-native router training: its keys and a gate to train
      RouterOptimizerRequest request;
      request.config = &v;
      registry.make_router_optimizer(router_optimizer, request);
      if (probe->parameters().empty())
        throw UsageError("train.router_optimizer: '" + router_optimizer + "' needs a router with parameters; router '" +
                         router + "' of variant '" + name + "' has none (accepted: gradient)");
    }
    registry.make_experts(spec.expert_type, spec.expert_spec(0));
  }
  energy_table(config);
}

int run_experiment(const Registry& registry, const Config& config, const RunOptions& options) {
  const auto variants = variant_names(config);
  const auto seeds = config.get_int_list("experiment.seeds");
  const Ledger ledger(energy_table(config));
  const bool terminal = ProgressReporter::stderr_is_terminal();

  std::fprintf(stderr, "moesim run: loading %s\n", config.get("data.name").c_str());
  const DatasetSplits data = load_dataset(config);
  std::fprintf(stderr, "moesim run: %zu train / %zu validation / %zu test examples, %zu features, "
               "%d classes; %zu variant(s) x %zu seed(s)\n",
               data.train.size(), data.validation.size(), data.test.size(), data.train.dim(),
               data.train.num_classes, variants.size(), seeds.size());

  RootInfo root;
  root.moesim_version = MOESIM_VERSION_STRING;
  root.git_hash = MOESIM_GIT_HASH;
  root.command_line = options.command_line;
  root.backend = config.get("model.backend") + " (Kokkos " + kokkos_execution_space_name() + ")";
  root.host = host_name();
  root.seeds = seeds;
  root.threads = options.threads > 0 ? options.threads : kokkos_concurrency();
  TraceSink sink(options.output, root, int(config.get_int("trace.flush_every")));
  sink.write_config(config.to_ini());

  std::vector<SummaryRow> rows;
  for (const auto& name : variants) {
    const Config vc = config.for_variant(name);
    Trainer trainer(registry, vc, name, data, ledger);
    const auto& ts = trainer.settings();
    RunInfo info;
    info.variant = name;
    info.router = vc.get("model.router");
    info.substrate = registry.router_substrate(info.router);
    info.expert_type = vc.get("model.expert_type");
    info.num_experts = int(vc.get_int("model.experts") * vc.get_int("model.expert_granularity"));
    info.top_k = int(vc.get_int("model.top_k") * vc.get_int("model.expert_granularity"));
    info.layers = int(vc.get_int("model.layers"));
    info.num_classes = data.train.num_classes;
    info.capacity_factor = vc.get_real("model.capacity_factor");
    info.seeds = seeds;
    for (int s = 1; s <= ts.steps; ++s) info.train_steps.push_back(s);
    info.eval_steps = ts.eval_steps();
    RunWriter& writer = sink.add_run(info);

    std::vector<double> acc, loss, cv, dropped, mi, flops, energy, wall;
    for (std::size_t i = 0; i < seeds.size(); ++i) {
      const SeedOutcome o = trainer.run(std::uint64_t(seeds[i]), int(i), &writer, terminal);
      if (o.interrupted) {
        sink.finish(TraceStatus::Interrupted);
        std::fprintf(stderr, "moesim run: interrupted by signal %d; partial trace in %s\n",
                     interrupt_signal(), sink.partial_path().c_str());
        return 128 + interrupt_signal();
      }
      acc.push_back(o.test_accuracy);
      loss.push_back(o.final_loss);
      cv.push_back(o.mean_load_cv);
      dropped.push_back(o.dropped_fraction);
      mi.push_back(o.mutual_information);
      flops.push_back(o.flops);
      energy.push_back(o.energy_j);
      wall.push_back(o.wall_time_s);
    }
    const MeanCi a = mean_ci95(acc);
    rows.push_back({name, std::int64_t(seeds.size()), a.mean, a.ci95, mean_ci95(loss).mean,
                    mean_ci95(cv).mean, mean_ci95(dropped).mean, mean_ci95(mi).mean,
                    mean_ci95(flops).mean / 1e9, mean_ci95(energy).mean, mean_ci95(wall).mean});
  }
  sink.write_summary(rows);
  sink.finish(TraceStatus::Complete);
  print_table(rows, std::cout);
  std::cout << "trace " << options.output << "\n";
  return 0;
}

}  // namespace moesim
