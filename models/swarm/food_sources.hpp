// The food-source memory of the bee-colony optimizers (ABC, CNSABC): the
// sources, their objective values and trial counters, with the three rules
// both share — greedy selection, the scout that abandons an exhausted source,
// and the onlookers' cyclic roulette (Karaboga 2005; Karaboga & Basturk 2007).
#pragma once
#include "models/swarm/algorithms.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

namespace moesim::swarm {

struct FoodSources {
  std::size_t dim = 0;
  std::vector<double> x;            // [sources, dim]
  std::vector<double> f;            // objective value of each source
  std::vector<std::size_t> trial;   // failed improvements since the source last changed

  void resize(std::size_t sources, std::size_t dimension) {
    dim = dimension;
    x.assign(sources * dim, 0.0);
    f.assign(sources, 0.0);
    trial.assign(sources, 0);
  }
  std::size_t size() const { return f.size(); }

  // Greedy selection: keep v if it improves source i, else count a failed trial.
  void greedy(std::size_t i, const double* v, double fv) {
    if (fv < f[i]) {
      std::copy(v, v + dim, &x[i * dim]);
      f[i] = fv;
      trial[i] = 0;
    } else {
      ++trial[i];
    }
  }

  // The source a scout abandons this generation (at most one): the one with
  // the largest trial counter (lowest index on ties) if it reached `limit`;
  // size() if none.
  std::size_t scout(std::size_t limit) const {
    std::size_t mi = 0;
    for (std::size_t i = 1; i < size(); ++i)
      if (trial[i] > trial[mi]) mi = i;
    return trial[mi] >= limit ? mi : size();
  }

  // Replaces source i by the scout's point v. `update_fitness` false keeps the
  // old value, as pagmo's bee_colony does. fv = +inf means the budget ran out
  // before v was evaluated: the source is kept.
  void install_scout(std::size_t i, const double* v, double fv, bool update_fitness) {
    if (fv == std::numeric_limits<double>::infinity()) return;
    std::copy(v, v + dim, &x[i * dim]);
    if (update_fitness) f[i] = fv;
    trial[i] = 0;
  }

  // The onlookers' sources: a cyclic roulette over the fitness-proportional
  // probabilities, one draw of `uniform()` per visited source, until every
  // onlooker (one per source) has chosen.
  template <class Uniform>
  std::vector<std::size_t> onlookers(Uniform&& uniform) const {
    const std::size_t n = size();
    std::vector<double> prob(n);
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) total += (prob[i] = abc_fitness(f[i]));
    for (auto& q : prob) q /= total;
    std::vector<std::size_t> chosen;
    chosen.reserve(n);
    for (std::size_t s = 0; chosen.size() < n; s = (s + 1) % n)
      if (uniform() < prob[s]) chosen.push_back(s);
    return chosen;
  }
};

}  // namespace moesim::swarm
