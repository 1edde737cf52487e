// Quantum-behaved particle swarm optimisation (QPSO).
//
// J. Sun, B. Feng, W. Xu, "Particle swarm optimization with particles having
// quantum behavior", Proc. IEEE CEC 2004, 325-331; parameter selection from
// J. Sun, W. Fang, X. Wu, V. Palade, W. Xu, "Quantum-behaved particle swarm
// optimization: analysis of individual particle behavior and parameter
// selection", Evolutionary Computation 20(3):349-393, 2012, which recommends a
// contraction-expansion coefficient β decreasing linearly from 1.0 to 0.5 over
// the run. Per particle i and dimension d (φ, u ~ U(0,1), fresh per dimension):
//   mbest = mean of the personal bests
//   p     = φ pbest_i + (1 - φ) gbest
//   x     = p ± β |mbest - x| ln(1/u)     (each sign with probability 1/2)
// Here "over the run" is the evaluation budget: β = 1.0 - 0.5 · used/budget.
// Positions leaving the box are clamped onto it. The swarm moves synchronously:
// all new positions are evaluated as one parallel batch, then the personal and
// global bests are updated.
#include "models/swarm/algorithms.hpp"

#include <cmath>

namespace moesim::swarm {

namespace {

class Qpso final : public Optimizer {
 public:
  Qpso(const Problem& p, const OptimizerSettings& s, const QpsoParams& a, HostSpace space)
      : Optimizer(p, s, space), a_(a) {}
  std::string name() const override { return "qpso"; }

 protected:
  void initialise() override {
    x_.assign(pop_ * dim_, 0.0);
    f_.assign(pop_, 0.0);
    for (std::size_t i = 0; i < pop_; ++i) random_point(&x_[i * dim_]);
    evaluate(x_.data(), pop_, f_.data());
    pbest_x_ = x_;
    pbest_f_ = f_;
    update_gbest();
  }

  void generation() override {
    const double beta = a_.beta_start - (a_.beta_start - a_.beta_end) * progress();
    std::vector<double> mbest(dim_, 0.0);
    for (std::size_t i = 0; i < pop_; ++i)
      for (std::size_t d = 0; d < dim_; ++d) mbest[d] += pbest_x_[i * dim_ + d];
    for (auto& m : mbest) m /= static_cast<double>(pop_);
    for (std::size_t i = 0; i < pop_; ++i) {
      for (std::size_t d = 0; d < dim_; ++d) {
        const double phi = uniform();
        const double u = 1.0 - uniform();  // (0, 1]
        const double sign = uniform() < 0.5 ? -1.0 : 1.0;
        const double p = phi * pbest_x_[i * dim_ + d] + (1.0 - phi) * pbest_x_[gbest_ * dim_ + d];
        double& x = x_[i * dim_ + d];
        x = clamp(p + sign * beta * std::fabs(mbest[d] - x) * std::log(1.0 / u), d);
      }
    }
    evaluate(x_.data(), pop_, f_.data());
    for (std::size_t i = 0; i < pop_; ++i) {
      if (f_[i] < pbest_f_[i]) {
        pbest_f_[i] = f_[i];
        std::copy(&x_[i * dim_], &x_[(i + 1) * dim_], &pbest_x_[i * dim_]);
      }
    }
    update_gbest();
  }

 private:
  void update_gbest() {
    gbest_ = 0;
    for (std::size_t i = 1; i < pop_; ++i)
      if (pbest_f_[i] < pbest_f_[gbest_]) gbest_ = i;
  }

  QpsoParams a_;
  std::vector<double> x_, f_, pbest_x_, pbest_f_;
  std::size_t gbest_ = 0;
};

}  // namespace

std::unique_ptr<Optimizer> make_qpso(const Problem& p, const OptimizerSettings& s, const QpsoParams& a,
                                     HostSpace space) {
  return std::make_unique<Qpso>(p, s, a, space);
}

}  // namespace moesim::swarm
