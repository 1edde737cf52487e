// What `moesim swarm` does, callable from tests: validate the request (bad
// names or numbers throw UsageError listing the accepted values, exit 2), run
// the optimizer to its budget and report the contract lines of DESIGN.md §3.
#pragma once
#include "models/swarm/algorithms.hpp"

#include <cstdint>
#include <ostream>
#include <string>

namespace moesim::swarm {

struct SwarmRequest {
  std::string algo = "pso";
  std::string problem = "sphere";
  std::size_t dim = 10;
  std::size_t evals = 10000;
  std::size_t pop = 20;
  std::uint64_t seed = 1;
  std::string abc_scout = "textbook";  // abc only: textbook | pagmo (see abc.cpp)
  double target = 0;                   // > 0: also report the evaluations to reach it
};

struct SwarmResult {
  double best = 0;
  std::size_t evals = 0;
  std::size_t target_evals = 0;  // 0: target not reached (or none asked)
  std::size_t steps = 0;
  std::vector<double> best_position;
};

// Throws UsageError for a bad request.
void validate(const SwarmRequest& request);
SwarmResult run_swarm(const SwarmRequest& request, HostSpace space = HostSpace());
// Prints `best <value>` (17 significant digits) and `evals <n>`, then free lines.
void print_result(std::ostream& out, const SwarmRequest& request, const SwarmResult& result);

}  // namespace moesim::swarm
