// Swarm-native router training (issue 4): the swarm algorithms of
// models/swarm as RouterParameterOptimizers (src/train/swarm_router_training.hpp),
// registered under their `moesim swarm --algo` names as choices of
// train.router_optimizer, with the swarm.* keys.
//
// Design: a fresh swarm every round (restart), searching the box
// incumbent ± swarm.init_radius. Between rounds the experts, norms and head
// move by gradient, so the fitness landscape of the router weights changes: a
// persistent swarm would keep personal and global bests whose recorded losses
// belong to models that no longer exist (stale memory in a dynamic
// optimisation problem). Restarting around the incumbent, which is always
// re-evaluated on the current model and kept unless a candidate beats it, makes
// every round an elitist, trust-region-like step: the installed weights are the
// best evaluated in the round, so within a round the validation loss never gets
// worse.
#pragma once
#include "models/swarm/problem.hpp"
#include "train/swarm_router_training.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace moesim {
class Registry;
class ConfigSchema;
}  // namespace moesim

namespace moesim::swarm {

struct RouterSwarmSettings {
  std::string algorithm = "pso";
  std::size_t population = 10;        // swarm.population
  std::size_t evals_per_round = 40;   // swarm.evals_per_round, the incumbent's evaluation included
  int every = 20;                     // swarm.every
  std::size_t fitness_examples = 256; // swarm.fitness_examples
  double init_radius = 0.01;          // swarm.init_radius: half-width of the search box per weight
  std::uint64_t seed = 1;

  // Reads swarm.* of a (variant) configuration; UsageError naming the key.
  static RouterSwarmSettings from_config(const Config& c, const std::string& algorithm, std::uint64_t seed);
  void validate() const;
};

// The box around the incumbent whose objective is the router fitness. The
// objective writes the candidate into the (stateful) model, so evaluate()
// runs the rows sequentially, in index order, whatever the execution space.
class RouterBoxProblem : public Problem {
 public:
  RouterBoxProblem(const std::vector<double>& center, double radius, const RouterFitness& fitness);
  double value(const double* x) const override;
  void evaluate(const HostSpace& space, const double* x, std::size_t n, double* f) const override;

 private:
  const RouterFitness& fitness_;
};

class SwarmRouterOptimizer : public RouterParameterOptimizer {
 public:
  explicit SwarmRouterOptimizer(const RouterSwarmSettings& s);
  std::string name() const override { return s_.algorithm; }
  RouterSearchSchedule schedule() const override;
  RouterRoundResult round(const std::vector<double>& incumbent, const RouterFitness& fitness) override;
  std::size_t rounds() const { return rounds_; }

 private:
  RouterSwarmSettings s_;
  std::size_t rounds_ = 0;
};

// Declares the swarm.* keys, adds every algorithm name as a choice of
// train.router_optimizer and registers its factory.
void register_swarm_router_training(Registry& registry, ConfigSchema& schema);

}  // namespace moesim::swarm
