// Swarm-native router training: see swarm_router_optimizer.hpp for the design.
//
// Precedent: training neural-network weights with PSO goes back to the first
// PSO paper (Kennedy & Eberhart 1995, which trained a network's weights as its
// demonstration) and was compared with backpropagation by Gudise &
// Venayagamoorthy (2003, IEEE Swarm Intelligence Symposium). Here only the
// gate is trained that way, on the validation loss, while the experts keep
// their gradient training: a hybrid of gradient descent and gradient-free
// search, restarted around the incumbent each round.
#include "models/swarm/swarm_router_optimizer.hpp"

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "models/swarm/algorithms.hpp"

#include <memory>

namespace moesim::swarm {

namespace {
std::vector<double> shifted(const std::vector<double>& c, double by) {
  std::vector<double> out(c);
  for (double& v : out) v += by;
  return out;
}
}  // namespace

RouterSwarmSettings RouterSwarmSettings::from_config(const Config& c, const std::string& algorithm,
                                                     std::uint64_t seed) {
  RouterSwarmSettings s;
  s.algorithm = algorithm;
  s.population = std::size_t(c.get_int("swarm.population"));
  s.evals_per_round = std::size_t(c.get_int("swarm.evals_per_round"));
  s.every = int(c.get_int("swarm.every"));
  s.fitness_examples = std::size_t(c.get_int("swarm.fitness_examples"));
  s.init_radius = c.get_real("swarm.init_radius");
  s.seed = seed;
  s.validate();
  return s;
}

void RouterSwarmSettings::validate() const {
  bool known = false;
  for (const auto& n : algorithm_names()) known = known || n == algorithm;
  if (!known)
    throw UsageError("train.router_optimizer: unknown algorithm '" + algorithm +
                     "' (accepted: gradient, " + algorithm_names_joined() + ")");
  if (population < 2) throw UsageError("swarm.population: " + std::to_string(population) + " (accepted: at least 2)");
  if (evals_per_round < population + 1)
    throw UsageError("swarm.evals_per_round: " + std::to_string(evals_per_round) +
                     " cannot evaluate the incumbent and a whole initial swarm of swarm.population = " +
                     std::to_string(population) + " (accepted: at least " + std::to_string(population + 1) + ")");
  if (every < 1) throw UsageError("swarm.every: " + std::to_string(every) + " (accepted: at least 1)");
  if (fitness_examples < 1) throw UsageError("swarm.fitness_examples: 0 (accepted: at least 1)");
  if (!(init_radius > 0) || !(init_radius <= 1e3))
    throw UsageError("swarm.init_radius: " + std::to_string(init_radius) + " (accepted: > 0 and <= 1000)");
}

RouterBoxProblem::RouterBoxProblem(const std::vector<double>& center, double radius, const RouterFitness& fitness)
    : Problem("router-weights", shifted(center, -radius), shifted(center, radius)), fitness_(fitness) {}

double RouterBoxProblem::value(const double* x) const { return fitness_(x); }

void RouterBoxProblem::evaluate(const HostSpace&, const double* x, std::size_t n, double* f) const {
  // Sequential on purpose: each evaluation installs x in the shared model.
  for (std::size_t i = 0; i < n; ++i) f[i] = fitness_(x + i * dimension());
}

SwarmRouterOptimizer::SwarmRouterOptimizer(const RouterSwarmSettings& s) : s_(s) { s_.validate(); }

RouterSearchSchedule SwarmRouterOptimizer::schedule() const {
  RouterSearchSchedule out;
  out.every = s_.every;
  out.fitness_examples = s_.fitness_examples;
  return out;
}

RouterRoundResult SwarmRouterOptimizer::round(const std::vector<double>& incumbent, const RouterFitness& fitness) {
  RouterRoundResult r;
  r.incumbent_loss = fitness(incumbent.data());
  r.best_loss = r.incumbent_loss;
  r.best = incumbent;
  r.evaluations = 1;
  const RouterBoxProblem problem(incumbent, s_.init_radius, fitness);
  OptimizerSettings os;
  os.population = s_.population;
  os.budget = s_.evals_per_round - 1;
  // A distinct Philox key per round (Weyl step over the round number): the
  // same seed gives the same rounds, different rounds draw independent streams.
  os.seed = s_.seed + 0x9E3779B97F4A7C15ull * std::uint64_t(rounds_ + 1);
  auto opt = make_optimizer(s_.algorithm, problem, os);
  opt->run();
  r.evaluations += opt->evaluations();
  if (opt->best_value() < r.incumbent_loss) {  // strict: ties keep the incumbent
    r.best_loss = opt->best_value();
    r.best = opt->best_position();
    r.improved = true;
  }
  ++rounds_;
  return r;
}

void register_swarm_router_training(Registry& registry, ConfigSchema& schema) {
  using K = KeyType;
  schema.declare(make_key("swarm.population", K::Int, "10",
                          "swarm router training: particles (food sources for ABC) of each round's swarm",
                          2.0, false, 100000.0));
  schema.declare(make_key("swarm.evals_per_round", K::Int, "40",
                          "swarm router training: validation-loss evaluations per round, the incumbent's "
                          "included (>= swarm.population + 1)",
                          3.0, false, 1e9));
  schema.declare(make_key("swarm.every", K::Int, "20",
                          "swarm router training: training steps between swarm rounds", 1.0, false, 1e9));
  schema.declare(make_key("swarm.fitness_examples", K::Int, "256",
                          "swarm router training: validation examples (the first N) of the fitness", 1.0,
                          false, 1e9));
  schema.declare(make_key("swarm.init_radius", K::Real, "0.01",
                          "swarm router training: half-width of each round's search box around the current "
                          "router weights, per weight",
                          0.0, true, 1000.0));
  for (const auto& algo : algorithm_names()) {
    schema.add_choice("train.router_optimizer", algo);
    registry.add_router_optimizer(
        algo, "router weights trained by " + algo + " on the validation loss",
        [algo](const RouterOptimizerRequest& req) -> std::unique_ptr<RouterParameterOptimizer> {
          if (!req.config) throw UsageError("train.router_optimizer: no configuration given");
          return std::make_unique<SwarmRouterOptimizer>(RouterSwarmSettings::from_config(*req.config, algo, req.seed));
        });
  }
}

}  // namespace moesim::swarm
