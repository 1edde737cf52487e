// `moesim bench [NAME...] [--json] [--threads N]`: kernel benchmarks (DESIGN.md §3).
#include "cli/commands.hpp"

#include "bench/bench.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/kokkos_runtime.hpp"
#include "core/registry.hpp"
#include "models/register_models.hpp"

#include <iostream>
#include <map>

namespace moesim::cli {

int bench_command(const Invocation& inv) {
  po::options_description options("options", 100, 40);
  options.add_options()
      ("help,h", "this help, e.g. moesim bench --help")
      ("json", "one JSON object per line (keys: bench, impl, threads, seconds, the shape, ...), "
               "e.g. moesim bench moe_layer --json")
      ("list", "print the benchmark names, descriptions and options, e.g. moesim bench --list")
      ("set", po::value<std::vector<std::string>>(),
       "benchmark option key=value (repeatable; see --list), e.g. moesim bench statevector --set qubits=20,24");
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
                {"moesim bench", "moesim bench moe_layer --json --threads 8", "moesim bench --list",
                 "moesim bench statevector --set qubits=20,24 --json"}},
               options);
    return 0;
  }
  Registry registry;
  ConfigSchema schema;
  register_builtins(registry, schema);
  if (vm.count("list")) {
    for (const auto& [n, e] : registry.benchmarks()) {
      std::cout << n << "  " << e.description << "\n";
      for (const auto& [k, help] : e.options) std::cout << "    --set " << k << "=...  " << help << "\n";
    }
    return 0;
  }
  std::vector<std::string> names;
  if (vm.count("name")) names = vm["name"].as<std::vector<std::string>>();
  std::map<std::string, std::string> bench_options;
  if (vm.count("set"))
    for (const auto& kv : vm["set"].as<std::vector<std::string>>()) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        throw UsageError("bench: --set '" + kv + "' is not key=value (e.g. --set qubits=20,24)");
      bench_options[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  // Names and options are checked before Kokkos starts.
  validate_benchmarks(registry, names, bench_options);
  KokkosOptions kokkos;
  kokkos.num_threads = threads_option(vm);
  kokkos.passthrough = inv.kokkos;
  KokkosRuntime runtime(kokkos);
  run_benchmarks(registry, schema, names, vm.count("json") > 0, std::cout, bench_options);
  return 0;
}

}  // namespace moesim::cli
