// Particle swarm optimisation with Clerc's constriction coefficient.
//
// Update rule (Clerc & Kennedy, "The particle swarm - explosion, stability, and
// convergence in a multidimensional complex space", IEEE TEC 6(1):58-73, 2002),
// per particle p and dimension d, r1, r2 ~ U[0,1) drawn fresh per dimension:
//   v <- χ (v + η1 r1 (pbest - x) + η2 r2 (nbest - x)),  χ = 0.7298, η1 = η2 = 2.05
//   v clamped to ±max_vel (ub - lb), max_vel = 0.5;  x <- x + v
//   leaving the box: x is put on the bound and that velocity component zeroed.
// These are the defaults of pagmo's `pso` (variant 5, lbest topology with
// neighb_param 4), whose semantics we follow (read for understanding, not
// copied): initial velocities uniform in [-vmax, vmax]; particles move one at a
// time and are evaluated at once ("asynchronous" updates), so a particle sees
// the personal bests its neighbours found earlier in the same generation; a
// personal best is replaced when the new value is <= the old one.
// Ring topology (Kennedy & Mendes 2002; pagmo's lbest): particle i's neighbours
// are i-2, i-1, i+1, i+2 (mod n), itself excluded; its neighbourhood best is the
// neighbour with the lowest personal-best value, looked up just before it moves
// (ties: the later neighbour in that order). Global best: the best personal best
// of the swarm, updated as soon as a particle improves on it.
//
// Because updates are asynchronous, PSO evaluates one particle at a time; the
// batched parallel evaluation is used for the initial swarm.
#include "models/swarm/algorithms.hpp"

#include <algorithm>

namespace moesim::swarm {

namespace {

class Pso final : public Optimizer {
 public:
  Pso(const Problem& p, const OptimizerSettings& s, const PsoParams& a, HostSpace space)
      : Optimizer(p, s, space), a_(a) {}
  std::string name() const override { return a_.ring ? "pso" : "pso-gbest"; }

 protected:
  void initialise() override {
    x_.assign(pop_ * dim_, 0.0);
    v_.assign(pop_ * dim_, 0.0);
    f_.assign(pop_, 0.0);
    vmax_.resize(dim_);
    for (std::size_t d = 0; d < dim_; ++d) vmax_[d] = a_.max_vel * (problem_.upper(d) - problem_.lower(d));
    for (std::size_t i = 0; i < pop_; ++i) random_point(&x_[i * dim_]);
    evaluate(x_.data(), pop_, f_.data());
    pbest_x_ = x_;
    pbest_f_ = f_;
    for (std::size_t i = 0; i < pop_; ++i)
      for (std::size_t d = 0; d < dim_; ++d) v_[i * dim_ + d] = uniform(-vmax_[d], vmax_[d]);
    // Global best: the best of the initial swarm (first on ties).
    gbest_ = 0;
    for (std::size_t i = 1; i < pop_; ++i)
      if (pbest_f_[i] < pbest_f_[gbest_]) gbest_ = i;
    gbest_x_.assign(pbest_x_.begin() + gbest_ * dim_, pbest_x_.begin() + (gbest_ + 1) * dim_);
    gbest_f_ = pbest_f_[gbest_];
  }

  void generation() override {
    std::vector<double> nbest(dim_);
    for (std::size_t p = 0; p < pop_ && !exhausted(); ++p) {
      if (a_.ring) {
        const std::size_t nb = best_neighbour(p);
        std::copy(&pbest_x_[nb * dim_], &pbest_x_[(nb + 1) * dim_], nbest.begin());
      } else {
        nbest = gbest_x_;
      }
      double* x = &x_[p * dim_];
      double* v = &v_[p * dim_];
      const double* pb = &pbest_x_[p * dim_];
      for (std::size_t d = 0; d < dim_; ++d) {
        const double r1 = uniform(), r2 = uniform();
        v[d] = a_.chi * (v[d] + a_.eta1 * r1 * (pb[d] - x[d]) + a_.eta2 * r2 * (nbest[d] - x[d]));
      }
      for (std::size_t d = 0; d < dim_; ++d) {
        v[d] = std::min(std::max(v[d], -vmax_[d]), vmax_[d]);
        double nx = x[d] + v[d];
        if (nx < problem_.lower(d)) {
          nx = problem_.lower(d);
          v[d] = 0.0;
        } else if (nx > problem_.upper(d)) {
          nx = problem_.upper(d);
          v[d] = 0.0;
        }
        x[d] = nx;
      }
      double f = 0;
      if (evaluate(x, 1, &f) == 0) break;
      f_[p] = f;
      if (f <= pbest_f_[p]) {
        pbest_f_[p] = f;
        std::copy(x, x + dim_, &pbest_x_[p * dim_]);
        if (f <= gbest_f_) {
          gbest_f_ = f;
          gbest_x_.assign(x, x + dim_);
        }
      }
    }
  }

 private:
  std::size_t best_neighbour(std::size_t p) const {
    const std::size_t n = pop_, r = a_.ring_radius;
    std::size_t best = (p + n - (r % n)) % n;
    auto consider = [&](std::size_t j) {
      if (pbest_f_[j] <= pbest_f_[best]) best = j;
    };
    for (std::size_t j = r; j >= 1; --j) consider((p + n - (j % n)) % n);
    for (std::size_t j = 1; j <= r; ++j) consider((p + j) % n);
    return best;
  }

  PsoParams a_;
  std::vector<double> x_, v_, f_, pbest_x_, pbest_f_, vmax_, gbest_x_;
  std::size_t gbest_ = 0;
  double gbest_f_ = 0;
};

}  // namespace

std::unique_ptr<Optimizer> make_pso(const Problem& p, const OptimizerSettings& s, const PsoParams& a,
                                    HostSpace space) {
  return std::make_unique<Pso>(p, s, a, space);
}

}  // namespace moesim::swarm
