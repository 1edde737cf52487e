// Hybrid ABC-PSO: the ABC-SPSO scheme of M. El-Abd, "A hybrid ABC-SPSO
// algorithm for continuous function optimization", Proc. IEEE Symposium on
// Swarm Intelligence (SIS) 2011, 1-6: every generation runs one PSO step over
// the swarm, then applies ABC's employed-bee search to the particles' personal
// bests (each personal best acts as a food source), so that the personal bests
// keep improving even when the particles have stalled.
//   PSO step (synchronous, global best; Clerc & Kennedy 2002 constriction with
//   χ = 0.7298, η1 = η2 = 2.05, velocities clamped to ±0.5 (ub - lb), the box
//   handled as in our PSO: on the bound, velocity component zeroed):
//     v <- χ (v + η1 r1 (pbest - x) + η2 r2 (gbest - x)),  x <- x + v
//   ABC step on the personal bests (Karaboga 2005): for each particle i,
//     v = pbest_i except component j: v_j = pbest_ij + φ (pbest_ij - pbest_kj),
//     φ ~ U[-1,1), k ≠ i; v replaces pbest_i if better.
// (El-Abd builds on SPSO 2007; we use the constriction gbest PSO of pso.cpp's
// update rule.) A generation costs 2 × pop evaluations, two parallel batches.
#include "models/swarm/algorithms.hpp"

#include <algorithm>
#include <limits>

namespace moesim::swarm {

namespace {

class AbcPso final : public Optimizer {
 public:
  AbcPso(const Problem& p, const OptimizerSettings& s, const AbcPsoParams& a, HostSpace space)
      : Optimizer(p, s, space), a_(a) {}
  std::string name() const override { return "abc-pso"; }

 protected:
  void initialise() override {
    x_.assign(pop_ * dim_, 0.0);
    v_.assign(pop_ * dim_, 0.0);
    f_.assign(pop_, 0.0);
    vmax_.resize(dim_);
    for (std::size_t d = 0; d < dim_; ++d) vmax_[d] = a_.max_vel * (problem_.upper(d) - problem_.lower(d));
    for (std::size_t i = 0; i < pop_; ++i) random_point(&x_[i * dim_]);
    evaluate(x_.data(), pop_, f_.data());
    for (std::size_t i = 0; i < pop_; ++i)
      for (std::size_t d = 0; d < dim_; ++d) v_[i * dim_ + d] = uniform(-vmax_[d], vmax_[d]);
    pbest_x_ = x_;
    pbest_f_ = f_;
  }

  void generation() override {
    // PSO step.
    const std::size_t g = gbest();
    const std::vector<double> gx(&pbest_x_[g * dim_], &pbest_x_[(g + 1) * dim_]);
    for (std::size_t p = 0; p < pop_; ++p) {
      double* x = &x_[p * dim_];
      double* v = &v_[p * dim_];
      for (std::size_t d = 0; d < dim_; ++d) {
        const double r1 = uniform(), r2 = uniform();
        v[d] = a_.chi * (v[d] + a_.eta1 * r1 * (pbest_x_[p * dim_ + d] - x[d]) + a_.eta2 * r2 * (gx[d] - x[d]));
        v[d] = std::min(std::max(v[d], -vmax_[d]), vmax_[d]);
        double nx = x[d] + v[d];
        if (nx < problem_.lower(d) || nx > problem_.upper(d)) {
          nx = clamp(nx, d);
          v[d] = 0.0;
        }
        x[d] = nx;
      }
    }
    evaluate(x_.data(), pop_, f_.data());
    for (std::size_t p = 0; p < pop_; ++p) {
      if (f_[p] <= pbest_f_[p] && f_[p] < std::numeric_limits<double>::infinity()) {
        pbest_f_[p] = f_[p];
        std::copy(&x_[p * dim_], &x_[(p + 1) * dim_], &pbest_x_[p * dim_]);
      }
    }
    // ABC employed-bee step on the personal bests.
    std::vector<double> cand(pop_ * dim_), fc(pop_);
    for (std::size_t i = 0; i < pop_; ++i) {
      double* c = &cand[i * dim_];
      std::copy(&pbest_x_[i * dim_], &pbest_x_[(i + 1) * dim_], c);
      const std::size_t j = below(dim_);
      std::size_t k = below(pop_ - 1);
      if (k >= i) ++k;
      const double phi = uniform(-1.0, 1.0);
      c[j] = clamp(c[j] + phi * (c[j] - pbest_x_[k * dim_ + j]), j);
    }
    evaluate(cand.data(), pop_, fc.data());
    for (std::size_t i = 0; i < pop_; ++i) {
      if (fc[i] < pbest_f_[i]) {
        pbest_f_[i] = fc[i];
        std::copy(&cand[i * dim_], &cand[(i + 1) * dim_], &pbest_x_[i * dim_]);
      }
    }
  }

 private:
  std::size_t gbest() const {
    std::size_t g = 0;
    for (std::size_t i = 1; i < pop_; ++i)
      if (pbest_f_[i] < pbest_f_[g]) g = i;
    return g;
  }

  AbcPsoParams a_;
  std::vector<double> x_, v_, f_, pbest_x_, pbest_f_, vmax_;
};

}  // namespace

std::unique_ptr<Optimizer> make_abc_pso(const Problem& p, const OptimizerSettings& s, const AbcPsoParams& a,
                                        HostSpace space) {
  return std::make_unique<AbcPso>(p, s, a, space);
}

}  // namespace moesim::swarm
