#include "models/swarm/optimizer.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <limits>

namespace moesim::swarm {

Optimizer::Optimizer(const Problem& problem, const OptimizerSettings& settings, HostSpace space)
    : problem_(problem),
      settings_(settings),
      dim_(problem.dimension()),
      pop_(settings.population),
      space_(space),
      key_{settings.seed, kSwarmStream},
      best_value_(std::numeric_limits<double>::infinity()),
      best_position_(problem.dimension(), 0.0) {
  if (settings.budget < 1) throw UsageError("swarm: the evaluation budget must be at least 1");
  if (settings.population < 2) throw UsageError("swarm: the population must be at least 2");
}

bool Optimizer::step() {
  if (exhausted()) return false;
  const std::size_t before = evals_;
  if (!initialised_) {
    initialise();
    initialised_ = true;
  } else {
    generation();
  }
  history_.push_back(best_value_);
  // A generation that evaluates nothing would loop forever: treat as done.
  return evals_ > before;
}

void Optimizer::run() {
  while (step()) {
  }
}

std::size_t Optimizer::evaluations_to_reach(double target) const {
  for (const auto& [evals, value] : improvements_)
    if (value <= target) return evals;
  return 0;
}

std::size_t Optimizer::evaluate(const double* x, std::size_t n, double* f) {
  const std::size_t m = std::min(n, remaining());
  problem_.evaluate(space_, x, m, f);
  for (std::size_t i = m; i < n; ++i) f[i] = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < m; ++i) {
    ++evals_;
    if (f[i] < best_value_) {
      best_value_ = f[i];
      std::copy(x + i * dim_, x + (i + 1) * dim_, best_position_.begin());
      improvements_.emplace_back(evals_, f[i]);
    }
  }
  return m;
}

double Optimizer::uniform() { return Philox::uniform(key_, counter_++); }
double Optimizer::uniform(double a, double b) { return a + (b - a) * uniform(); }
double Optimizer::normal() { return Philox::normal(key_, counter_++); }
std::size_t Optimizer::below(std::size_t n) {
  return static_cast<std::size_t>(Philox::below(key_, counter_++, n));
}

void Optimizer::random_point(double* x) {
  for (std::size_t d = 0; d < dim_; ++d) x[d] = uniform(problem_.lower(d), problem_.upper(d));
}

double Optimizer::clamp(double v, std::size_t d) const {
  return std::min(std::max(v, problem_.lower(d)), problem_.upper(d));
}

void Optimizer::clamp(double* x) const {
  for (std::size_t d = 0; d < dim_; ++d) x[d] = clamp(x[d], d);
}

}  // namespace moesim::swarm
