// Artificial Bee Colony (ABC).
//
// D. Karaboga, "An idea based on honey bee swarm for numerical optimization",
// Technical Report TR06, Erciyes University, 2005 (and Karaboga & Basturk,
// J. Global Optimization 39:459-471, 2007). SN food sources = the population.
//   Employed bee of source i: v = x_i except one random component j,
//     v_j = x_ij + φ (x_ij - x_kj),  φ ~ U[-1, 1), k ≠ i random; clamped to the box;
//     greedy: v replaces x_i if f(v) < f(x_i) (trial counter reset), else trial_i++.
//   Onlooker bees (SN of them) pick source i with probability
//     fit_i / Σ fit, fit = 1/(1+f) (f >= 0) or 1+|f|, and search around it the same way.
//   Scout: a source whose trial counter reached `limit` is abandoned and replaced
//     by a uniform random one.
// Parameters and schedule as pagmo's bee_colony (read for understanding, not
// copied): limit = 20; at most one scout per generation, the source with the
// largest trial counter, decided at the start of the generation (it skips its
// employed bee); onlookers chosen by pagmo's cyclic roulette (walk the sources,
// select source s when U < p_s). A generation costs exactly 2 × SN evaluations.
//
// Scout fitness: pagmo's bee_colony keeps the abandoned source's OLD fitness
// after a scout replaces its position; the textbook ABC evaluates the scout and
// uses its NEW fitness. We implement the textbook behaviour by default
// (AbcParams::keep_old_fitness_after_scout = false); setting it to true
// reproduces pagmo's behaviour (`moesim swarm --abc-scout pagmo`).
//
// Parallelism: each phase's candidates are generated from the sources as they
// stand at the start of the phase and evaluated as one parallel batch, then the
// greedy selections are applied in index order (Karaboga's ABC applies them one
// bee at a time; the batch form is the usual parallel ABC).
#include "models/swarm/algorithms.hpp"
#include "models/swarm/food_sources.hpp"

#include <algorithm>
#include <limits>

namespace moesim::swarm {

namespace {

class Abc final : public Optimizer {
 public:
  Abc(const Problem& p, const OptimizerSettings& s, const AbcParams& a, HostSpace space)
      : Optimizer(p, s, space), a_(a) {}
  std::string name() const override { return "abc"; }

 protected:
  void initialise() override {
    src_.resize(pop_, dim_);
    for (std::size_t i = 0; i < pop_; ++i) random_point(&src_.x[i * dim_]);
    evaluate(src_.x.data(), pop_, src_.f.data());
  }

  void generation() override {
    const std::size_t n = pop_;
    const std::size_t scout = src_.scout(a_.limit);  // size() if none

    // 1. Employed bees (and the scout) as one batch of n evaluations.
    std::vector<double> cand(n * dim_), fc(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (i == scout)
        random_point(&cand[i * dim_]);
      else
        neighbour(i, &cand[i * dim_]);
    }
    evaluate(cand.data(), n, fc.data());
    for (std::size_t i = 0; i < n; ++i) {
      if (i == scout)
        src_.install_scout(i, &cand[i * dim_], fc[i], !a_.keep_old_fitness_after_scout);
      else
        src_.greedy(i, &cand[i * dim_], fc[i]);
    }

    // 2. Onlooker bees: cyclic roulette over the fitness-proportional probabilities.
    const auto chosen = src_.onlookers([this] { return uniform(); });
    for (std::size_t t = 0; t < n; ++t) neighbour(chosen[t], &cand[t * dim_]);
    evaluate(cand.data(), n, fc.data());
    for (std::size_t t = 0; t < n; ++t) src_.greedy(chosen[t], &cand[t * dim_], fc[t]);
  }

 private:
  void neighbour(std::size_t i, double* v) {
    std::copy(&src_.x[i * dim_], &src_.x[(i + 1) * dim_], v);
    const std::size_t j = below(dim_);
    std::size_t k = below(pop_ - 1);
    if (k >= i) ++k;
    const double phi = uniform(-1.0, 1.0);
    v[j] = clamp(v[j] + phi * (v[j] - src_.x[k * dim_ + j]), j);
  }

  AbcParams a_;
  FoodSources src_;
};

}  // namespace

std::unique_ptr<Optimizer> make_abc(const Problem& p, const OptimizerSettings& s, const AbcParams& a,
                                    HostSpace space) {
  return std::make_unique<Abc>(p, s, a, space);
}

}  // namespace moesim::swarm
