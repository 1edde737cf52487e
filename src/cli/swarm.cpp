// `moesim swarm --algo A --problem P --dim D --evals N [--pop N] [--seed S]`:
// runs a swarm optimizer on a standard test function (DESIGN.md §3). The work
// is in models/swarm/swarm_run.*; this file parses options and prints.
#include "cli/commands.hpp"

#include "core/error.hpp"
#include "core/kokkos_runtime.hpp"
#include "models/swarm/swarm_run.hpp"
#include "models/swarm/test_functions.hpp"

#include <iostream>

namespace moesim::cli {

int swarm_command(const Invocation& inv) {
  const std::string algos = swarm::algorithm_names_joined();
  const std::string problems = swarm::test_function_names();
  const std::string algo_help = "optimizer: " + algos + ", e.g. --algo pso";
  const std::string problem_help = "test function: " + problems + ", e.g. --problem rastrigin";
  po::options_description options("options", 100, 40);
  options.add_options()
      ("help,h", "this help, e.g. moesim swarm --help")
      ("algo", po::value<std::string>(), algo_help.c_str())
      ("problem", po::value<std::string>(), problem_help.c_str())
      ("dim", po::value<long long>(), "dimension (>= 1; rosenbrock >= 2), e.g. --dim 10")
      ("evals", po::value<long long>(), "objective evaluations, initial population included, e.g. --evals 100000")
      ("pop", po::value<long long>()->default_value(20),
       "particles / ants per iteration / food sources (>= 2), e.g. --pop 40")
      ("seed", po::value<std::uint64_t>()->default_value(1), "random seed, e.g. --seed 7")
      ("target", po::value<double>(),
       "also print `target_evals N`, the evaluations used when the best first reached <= T "
       "(0: never), e.g. --target 1e-8")
      ("abc-scout", po::value<std::string>()->default_value("textbook"),
       "abc only: textbook (a scout's source gets its new fitness) or pagmo (keeps the old one), "
       "e.g. --abc-scout pagmo");
  add_threads_option(options);
  const auto vm = parse_options(inv, options);
  if (vm.count("help")) {
    print_help(std::cout,
               {"moesim swarm --algo A --problem P --dim D --evals N [--pop N] [--seed S] [--threads N]",
                "Minimises a standard test function with a swarm optimizer under a budget of\n"
                "objective evaluations and prints `best <value>` (the best value found) and\n"
                "`evals <count>` (evaluations used, the initial population's included).\n"
                "Algorithms: " + algos + ".\nProblems: " + problems + ".",
                {"moesim swarm --algo pso --problem rastrigin --dim 10 --evals 100000 --seed 3",
                 "moesim swarm --algo abc --problem rosenbrock --dim 30 --evals 300000 --pop 20",
                 "moesim swarm --algo pso --problem sphere --dim 10 --evals 20000 --target 1e-8"}},
               options);
    return 0;
  }
  for (const char* required : {"algo", "problem", "dim", "evals"})
    if (!vm.count(required))
      throw UsageError(std::string("swarm: --") + required + " is required (see `moesim swarm --help`; " +
                       "algorithms: " + algos + "; problems: " + problems + ")");
  swarm::SwarmRequest request;
  request.algo = vm["algo"].as<std::string>();
  request.problem = vm["problem"].as<std::string>();
  // Parsed signed so that a negative number is reported as given, not wrapped.
  auto non_negative = [&](const char* key) {
    const long long v = vm[key].as<long long>();
    if (v < 0)
      throw UsageError(std::string("swarm: --") + key + " " + std::to_string(v) +
                       " is out of range (accepted: a positive integer)");
    return static_cast<std::size_t>(v);
  };
  request.dim = non_negative("dim");
  request.evals = non_negative("evals");
  request.pop = non_negative("pop");
  request.seed = vm["seed"].as<std::uint64_t>();
  request.abc_scout = vm["abc-scout"].as<std::string>();
  if (vm.count("target")) request.target = vm["target"].as<double>();
  swarm::validate(request);  // before Kokkos starts

  KokkosOptions kokkos;
  kokkos.num_threads = threads_option(vm);
  kokkos.passthrough = inv.kokkos;
  KokkosRuntime runtime(kokkos);
  const auto result = swarm::run_swarm(request);
  swarm::print_result(std::cout, request, result);
  return 0;
}

}  // namespace moesim::cli
