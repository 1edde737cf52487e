// The common interface of the swarm optimizers (issue 4).
//
// An Optimizer minimises a Problem under a budget counted in objective
// evaluations, the initial population's evaluations included: evaluations()
// never exceeds budget(). It advances in steps: the first step() creates and
// evaluates the initial population, each later step() runs one generation of
// the algorithm (the last one may be cut short by the budget). After each step
// the best-so-far value is appended to history().
//
// Randomness: every draw comes from moesim::Philox keyed by (seed, stream)
// with a counter advanced in program order. Draws are made outside the parallel
// evaluation, so the same seed gives the same trajectory for any thread count.
#pragma once
#include "models/swarm/problem.hpp"

#include "core/philox.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace moesim::swarm {

// Philox stream of the swarm optimizers (streams::kUser + 400).
inline constexpr std::uint64_t kSwarmStream = streams::kUser + 400;

struct OptimizerSettings {
  std::size_t population = 20;  // particles / ants per iteration / food sources
  std::size_t budget = 10000;   // objective evaluations, initial population included
  std::uint64_t seed = 1;
};

class Optimizer {
 public:
  Optimizer(const Problem& problem, const OptimizerSettings& settings, HostSpace space = HostSpace());
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual std::string name() const = 0;

  // One step (initialisation first, then one generation). Returns false, doing
  // nothing, once the budget is exhausted.
  bool step();
  // Steps until the budget is exhausted.
  void run();

  bool exhausted() const { return evals_ >= settings_.budget; }
  double best_value() const { return best_value_; }
  const std::vector<double>& best_position() const { return best_position_; }
  std::size_t evaluations() const { return evals_; }
  std::size_t budget() const { return settings_.budget; }
  std::size_t population() const { return settings_.population; }
  // Best-so-far value after each step (entry 0: after initialisation).
  const std::vector<double>& history() const { return history_; }
  // (evaluation count, new best value) each time the best-so-far improved.
  const std::vector<std::pair<std::size_t, double>>& improvements() const { return improvements_; }
  // The evaluation count at which the best-so-far first reached <= target; 0 if never.
  std::size_t evaluations_to_reach(double target) const;
  const Problem& problem() const { return problem_; }

 protected:
  virtual void initialise() = 0;
  virtual void generation() = 0;

  // Evaluates up to n points (x: [n, D] row-major) in parallel, cut to the
  // remaining budget; f[i] = +inf for every point left unevaluated. Updates the
  // best-so-far in index order. Returns how many were evaluated.
  std::size_t evaluate(const double* x, std::size_t n, double* f);
  std::size_t remaining() const { return settings_.budget - evals_; }
  // Fraction of the budget used, in [0, 1].
  double progress() const { return static_cast<double>(evals_) / static_cast<double>(settings_.budget); }

  double uniform();                       // [0, 1)
  double uniform(double a, double b);     // [a, b)
  double normal();                        // N(0, 1)
  std::size_t below(std::size_t n);       // {0, ..., n-1}
  void random_point(double* x);           // uniform in the box
  void clamp(double* x) const;            // onto the box
  double clamp(double v, std::size_t d) const;

  const Problem& problem_;
  const OptimizerSettings settings_;
  const std::size_t dim_;
  const std::size_t pop_;

 private:
  HostSpace space_;
  PhiloxKey key_;
  std::uint64_t counter_ = 0;
  std::size_t evals_ = 0;
  bool initialised_ = false;
  double best_value_;
  std::vector<double> best_position_;
  std::vector<double> history_;
  std::vector<std::pair<std::size_t, double>> improvements_;
};

}  // namespace moesim::swarm
