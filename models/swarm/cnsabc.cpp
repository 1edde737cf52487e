// Chaotic and neighbourhood-search-based Artificial Bee Colony (CNSABC).
//
// W.-S. Xiao, G.-X. Li, C. Liu, L.-P. Tan, "A novel chaotic and neighborhood
// search-based artificial bee colony algorithm for solving optimization
// problems", Scientific Reports 13:20496, 2023 (doi:10.1038/s41598-023-44770-8;
// preprint doi:10.21203/rs.3.rs-2984264/v1). Its three mechanisms, as
// implemented here (the paper's full equations were not available to us; this
// follows its description, and the constants below are ours where marked):
//  1. Bernoulli chaotic map initialisation: food sources (and scouts) take
//     their coordinates from Bernoulli shift map sequences
//       z <- z / (1 - λ)            for z in (0, 1 - λ]
//       z <- (z - (1 - λ)) / λ      for z in (1 - λ, 1),   λ = 0.4,
//     x_d = lb_d + z (ub_d - lb_d); each dimension has its own sequence started
//     from a Philox draw and advanced once per new source. "Mutual exclusion":
//     a value falling into a stratum (of SN equal strata of [0,1)) already used
//     by an earlier source of this initialisation is skipped by iterating the map
//     (at most SN times), so the initial sources spread over the box.
//  2. Neighbourhood search (employed bees): with N(i) the ring i-r..i+r
//     (r = 2, ours) and nb the best source in N(i),
//       v_j = x_ij + φ (x_ij - x_kj) + ψ (nb_j - x_ij),
//     φ ~ U[-1,1), k ∈ N(i)\{i}, ψ ~ U[0, 1.5) (the 1.5 of Zhu & Kwong's GABC, 2010).
//  3. Compression factor (onlooker bees): the onlooker of source s searches
//     around the global best with a step compressed by c, decreasing linearly
//     1.0 -> 0.1 over the budget (ours):  v_j = g_j + c φ (x_sj - x_kj).
//     Greedy replacement of source s as in ABC.
// Scouts (limit 20, at most one per generation, as our ABC) restart from the
// chaotic sequences. A generation costs 2 × SN evaluations, evaluated in two
// parallel batches; greedy selections are applied in index order.
#include "models/swarm/algorithms.hpp"
#include "models/swarm/food_sources.hpp"

#include <algorithm>
#include <limits>

namespace moesim::swarm {

namespace {

class CnsAbc final : public Optimizer {
 public:
  CnsAbc(const Problem& p, const OptimizerSettings& s, const CnsAbcParams& a, HostSpace space)
      : Optimizer(p, s, space), a_(a) {}
  std::string name() const override { return "cnsabc"; }

 protected:
  void initialise() override {
    src_.resize(pop_, dim_);
    z_.resize(dim_);
    for (auto& z : z_) z = 0.05 + 0.9 * uniform();
    // Mutual exclusion over SN strata per dimension.
    std::vector<std::vector<bool>> used(dim_, std::vector<bool>(pop_, false));
    for (std::size_t i = 0; i < pop_; ++i) {
      for (std::size_t d = 0; d < dim_; ++d) {
        double z = next_chaos(d);
        for (std::size_t tries = 0; tries < pop_; ++tries) {
          const std::size_t cell = std::min(pop_ - 1, static_cast<std::size_t>(z * static_cast<double>(pop_)));
          if (!used[d][cell]) {
            used[d][cell] = true;
            break;
          }
          z = next_chaos(d);
        }
        src_.x[i * dim_ + d] = problem_.lower(d) + z * (problem_.upper(d) - problem_.lower(d));
      }
    }
    evaluate(src_.x.data(), pop_, src_.f.data());
  }

  void generation() override {
    const std::size_t n = pop_;
    const std::size_t scout = src_.scout(a_.limit);  // size() if none

    std::vector<double> cand(n * dim_), fc(n);
    for (std::size_t i = 0; i < n; ++i) {
      double* v = &cand[i * dim_];
      if (i == scout) {
        for (std::size_t d = 0; d < dim_; ++d)
          v[d] = problem_.lower(d) + next_chaos(d) * (problem_.upper(d) - problem_.lower(d));
        continue;
      }
      std::copy(&src_.x[i * dim_], &src_.x[(i + 1) * dim_], v);
      const std::size_t nb = neighbourhood_best(i);
      const std::size_t k = neighbour_other_than(i);
      const std::size_t j = below(dim_);
      const double phi = uniform(-1.0, 1.0), psi = uniform(0.0, a_.social);
      v[j] = clamp(v[j] + phi * (v[j] - src_.x[k * dim_ + j]) + psi * (src_.x[nb * dim_ + j] - v[j]), j);
    }
    evaluate(cand.data(), n, fc.data());
    for (std::size_t i = 0; i < n; ++i) {
      if (i == scout)
        src_.install_scout(i, &cand[i * dim_], fc[i], /*update_fitness=*/true);
      else
        src_.greedy(i, &cand[i * dim_], fc[i]);
    }

    // Onlookers with the compression factor around the global best.
    const double c = a_.compression_start - (a_.compression_start - a_.compression_end) * progress();
    std::size_t g = 0;
    for (std::size_t i = 1; i < n; ++i)
      if (src_.f[i] < src_.f[g]) g = i;
    const auto chosen = src_.onlookers([this] { return uniform(); });
    for (std::size_t t = 0; t < n; ++t) {
      const std::size_t s = chosen[t];
      double* v = &cand[t * dim_];
      std::copy(&src_.x[s * dim_], &src_.x[(s + 1) * dim_], v);
      std::size_t k = below(n - 1);
      if (k >= s) ++k;
      const std::size_t j = below(dim_);
      const double phi = uniform(-1.0, 1.0);
      v[j] = clamp(src_.x[g * dim_ + j] + c * phi * (src_.x[s * dim_ + j] - src_.x[k * dim_ + j]), j);
    }
    evaluate(cand.data(), n, fc.data());
    for (std::size_t t = 0; t < n; ++t) src_.greedy(chosen[t], &cand[t * dim_], fc[t]);
  }

 private:
  double next_chaos(std::size_t d) {
    const double lam = a_.bernoulli_lambda;
    double z = z_[d];
    z = (z <= 1.0 - lam) ? z / (1.0 - lam) : (z - (1.0 - lam)) / lam;
    // Finite-precision orbits of a piecewise-linear map collapse onto 0 or 1;
    // restart such an orbit from a fresh draw.
    if (!(z > 1e-12 && z < 1.0 - 1e-12)) z = 0.05 + 0.9 * uniform();
    return z_[d] = z;
  }

  std::size_t neighbourhood_best(std::size_t i) const {
    const std::size_t n = pop_, r = std::min(a_.neighbourhood, (n - 1) / 2 + 1);
    std::size_t best = i;
    for (std::size_t j = 1; j <= r; ++j) {
      const std::size_t a = (i + j) % n, b = (i + n - j % n) % n;
      if (src_.f[a] < src_.f[best]) best = a;
      if (src_.f[b] < src_.f[best]) best = b;
    }
    return best;
  }

  std::size_t neighbour_other_than(std::size_t i) {
    const std::size_t r = std::max<std::size_t>(1, std::min(a_.neighbourhood, (pop_ - 1) / 2));
    const std::size_t pick = below(2 * r);  // offsets -r..-1, 1..r
    const std::size_t off = pick % r + 1;
    return pick < r ? (i + pop_ - off % pop_) % pop_ : (i + off) % pop_;
  }

  CnsAbcParams a_;
  FoodSources src_;
  std::vector<double> z_;  // the Bernoulli map's state per dimension
};

}  // namespace

std::unique_ptr<Optimizer> make_cnsabc(const Problem& p, const OptimizerSettings& s, const CnsAbcParams& a,
                                       HostSpace space) {
  return std::make_unique<CnsAbc>(p, s, a, space);
}

}  // namespace moesim::swarm
