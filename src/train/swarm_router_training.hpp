// Gradient-free ("swarm-native") training of the router parameters (issue 4).
//
// With train.router_optimizer other than `gradient`, every router Parameter of
// every layer is flattened into one vector and taken out of AdamW; every
// `every` steps a RouterParameterOptimizer runs one round that evaluates
// candidate router weights by the validation loss (cross-entropy on a fixed
// validation subset, inference mode) and the best point evaluated in the round,
// the incumbent included, is installed. Experts, norms, input and head keep
// training by gradient.
//
// The core (this file) only defines the interface and drives it; the swarm
// algorithms live in models/swarm (which links the core, not the other way
// round) and register a factory per algorithm with the Registry
// (models/swarm/swarm_router_optimizer.cpp).
#pragma once
#include "core/parameter.hpp"
#include "datasets/dataset.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace moesim {

class Config;
class MoEModel;
class RunWriter;

// Objective of a round: writes the candidate x[0..D) into the model and
// returns its validation loss (nats). Stateful: call it sequentially.
using RouterFitness = std::function<double(const double* x)>;

// What one round did.
struct RouterRoundResult {
  double incumbent_loss = 0;       // fitness of the weights the round started from (nats)
  double best_loss = 0;            // fitness of the weights installed, <= incumbent_loss (nats)
  std::size_t evaluations = 0;     // objective evaluations of this round, the incumbent's included
  bool improved = false;           // a candidate beat the incumbent
  std::vector<double> best;        // the weights to install (== incumbent if !improved)
};

// When rounds run and on how much validation data.
struct RouterSearchSchedule {
  int every = 20;                      // training steps between rounds
  std::size_t fitness_examples = 256;  // validation subset (its first N examples)
};

class RouterParameterOptimizer {
 public:
  virtual ~RouterParameterOptimizer() = default;
  virtual std::string name() const = 0;
  virtual RouterSearchSchedule schedule() const = 0;
  // One round from `incumbent` (D values). Must evaluate `fitness` sequentially,
  // draw its randomness from Philox only, and return the best evaluated point
  // with the incumbent among the candidates (the incumbent is kept on ties).
  virtual RouterRoundResult round(const std::vector<double>& incumbent, const RouterFitness& fitness) = 0;
};

// What a registered factory gets (Registry::make_router_optimizer).
struct RouterOptimizerRequest {
  const Config* config = nullptr;  // the variant's configuration (reads its own keys)
  std::uint64_t seed = 0;          // the run's seed
  std::size_t dimension = 0;       // number of router parameters (0 when only validating)
};

// Drives the rounds for one model during Trainer::run.
class RouterSearch {
 public:
  // Throws UsageError (train.router_optimizer) if the model's routers have no
  // parameters.
  RouterSearch(MoEModel& model, const Dataset& validation, std::unique_ptr<RouterParameterOptimizer> optimizer,
               int batch_size);

  // `all` without the router parameters: what AdamW updates.
  ParameterList gradient_parameters(const ParameterList& all) const;
  bool due(int step) const { return step % schedule_.every == 0; }
  // Runs one round at training step `step`, installs its best weights, and
  // traces it under substrate/swarm_training when writer is not null.
  RouterRoundResult round(int step, std::uint64_t seed, RunWriter* writer);

  std::vector<double> router_weights() const;  // flattened, layer by layer, parameter by parameter
  void install(const std::vector<double>& w);
  double fitness(const double* x);            // installs x, returns the subset's validation loss
  std::size_t dimension() const { return dimension_; }
  std::size_t rounds() const { return rounds_; }
  std::size_t evaluations() const { return evaluations_; }
  const RouterSearchSchedule& schedule() const { return schedule_; }

 private:
  MoEModel& model_;
  Dataset subset_;
  std::unique_ptr<RouterParameterOptimizer> optimizer_;
  RouterSearchSchedule schedule_;
  int batch_size_;
  ParameterList router_params_;
  std::size_t dimension_ = 0, rounds_ = 0, evaluations_ = 0;
  std::vector<double> last_installed_;  // to trace the drift between rounds (must be 0)
};

}  // namespace moesim
