// `moesim run`: everything is validated (keys, cross-key constraints, data
// files, the output path) before any work; then Kokkos starts and the
// experiment runs (DESIGN.md §3).
#include "cli/commands.hpp"

#include "config/config.hpp"
#include "config/sources.hpp"
#include "core/interrupt.hpp"
#include "core/kokkos_runtime.hpp"
#include "core/registry.hpp"
#include "datasets/dataset.hpp"
#include "models/register_models.hpp"
#include "trace/trace_sink.hpp"
#include "train/experiment.hpp"

#include <iostream>

namespace moesim::cli {

namespace {

po::options_description run_options() {
  po::options_description o("options", 100, 40);
  o.add_options()
      ("help,h", "this help, e.g. moesim run --help")
      ("config,c", po::value<std::string>()->value_name("F"),
       "INI file: [section] key = value; [variant.NAME] sections; relative paths resolve "
       "against the file, e.g. --config configs/capacity_sweep.ini")
      ("set", po::value<std::vector<std::string>>()->value_name("K=V"),
       "override one key, repeatable, later wins, e.g. --set model.top_k=1 --set train.steps=200")
      ("output,o", po::value<std::string>()->value_name("F.h5")->default_value("moesim_run.h5"),
       "trace file, written as F.h5.partial and renamed when complete, e.g. --output run1.h5")
      ("seed", po::value<std::int64_t>()->value_name("N"),
       "sets experiment.seeds to N unless the config or a --set sets it, e.g. --seed 7")
      ("print-config",
       "print every key with its value, default and accepted values, then exit 0, "
       "e.g. moesim run --config my.ini --print-config");
  add_threads_option(o);
  return o;
}

CommandHelp run_help() {
  return {"moesim run [--config F] [--set k=v]... [--output F.h5] [--seed N] [--threads N] "
          "[--print-config]",
          "Trains and evaluates every variant in experiment.variants on the same data,\n"
          "initialisation and budget, for every seed in experiment.seeds; prints a comparison\n"
          "table and writes one HDF5 trace. Precedence: --set and options, then --config, then\n"
          "defaults. Without --config: the built-in quickstart (Gaussian mixture; switch, gshard,\n"
          "expert_choice, soft_moe, dense, hash).",
          {"moesim run",
           "moesim run --config configs/capacity_sweep.ini --output quick.h5",
           "moesim run --set experiment.variants=switch,hash --set train.steps=100 --seed 3",
           "moesim run --set experiment.seeds=1,2,3 --threads 8 --output seeds.h5",
           "moesim run --config my.ini --print-config"}};
}

}  // namespace

int run_command(const Invocation& inv) {
  const auto options = run_options();
  const auto vm = parse_options(inv, options);
  if (vm.count("help")) {
    print_help(std::cout, run_help(), options);
    return 0;
  }
  const int threads = threads_option(vm);

  ConfigSources sources;
  if (vm.count("config")) sources.config_path = vm["config"].as<std::string>();
  if (vm.count("set")) sources.sets = vm["set"].as<std::vector<std::string>>();
  if (vm.count("seed")) sources.seed = vm["seed"].as<std::int64_t>();
  const std::string output = vm["output"].as<std::string>();

  // Everything is checked before any work starts.
  Registry registry;
  ConfigSchema schema;
  register_builtins(registry, schema);
  std::string note;
  const Config config = load_config(schema, sources, &note);
  if (!note.empty()) std::cerr << "moesim: note: " << note << "\n";
  // Kokkos first: validation builds one router and expert bank per variant.
  KokkosOptions kokkos;
  kokkos.num_threads = threads;
  kokkos.passthrough = inv.kokkos;
  KokkosRuntime runtime(kokkos);
  validate_experiment(registry, config);
  validate_dataset(config);
  TraceSink::check_writable(output);

  if (vm.count("print-config")) {
    std::cout << config.describe();
    return 0;
  }

  install_interrupt_handlers();
  RunOptions run;
  run.output = output;
  run.command_line = inv.command_line;
  run.threads = kokkos_concurrency();
  return run_experiment(registry, config, run);
}

}  // namespace moesim::cli
