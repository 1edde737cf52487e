// `moesim bench [NAME...] [--json] [--threads N]`: kernel benchmarks (DESIGN.md §3).
#include "cli/commands.hpp"

#include "bench/bench.hpp"
#include "config/config.hpp"
#include "core/kokkos_runtime.hpp"
#include "core/registry.hpp"
#include "models/register_models.hpp"

#include <iostream>

namespace moesim::cli {

int bench_command(const Invocation& inv) {
  po::options_description options("options", 100, 40);
  options.add_options()
      ("help,h", "this help, e.g. moesim bench --help")
      ("json", "one JSON object per line (keys: bench, impl, threads, seconds, the shape, ...), "
               "e.g. moesim bench moe_layer --json")
      ("list", "print the benchmark names and exit, e.g. moesim bench --list");
  add_threads_option(options);
  po::options_description all;
  all.add(options);
  all.add_options()("name", po::value<std::vector<std::string>>(), "");
  const auto vm = parse_options(inv, all, "name");
  if (vm.count("help")) {
    print_help(std::cout,
               {"moesim bench [NAME...] [--json] [--list] [--threads N]",
                "Runs the named kernel benchmarks (all without NAME); each reports a ratio\n"
                "against a limit measured in the same run.",
                {"moesim bench", "moesim bench moe_layer --json --threads 8", "moesim bench --list"}},
               options);
    return 0;
  }
  if (vm.count("list")) {
    for (const auto& n : benchmark_names()) std::cout << n << "\n";
    return 0;
  }
  std::vector<std::string> names;
  if (vm.count("name")) names = vm["name"].as<std::vector<std::string>>();
  Registry registry;
  ConfigSchema schema;
  register_builtins(registry, schema);
  KokkosOptions kokkos;
  kokkos.num_threads = threads_option(vm);
  kokkos.passthrough = inv.kokkos;
  KokkosRuntime runtime(kokkos);
  run_benchmarks(registry, schema, names, vm.count("json") > 0, std::cout);
  return 0;
}

}  // namespace moesim::cli
