// ACO_R: ant colony optimisation for continuous domains.
//
// K. Socha, M. Dorigo, "Ant colony optimization for continuous domains",
// European Journal of Operational Research 185(3):1155-1173, 2008. Defaults
// from the paper's parameter table: archive size k = 50, q = 1e-4, ξ = 0.85
// (the paper uses m = 2 ants per iteration; here m is the population setting,
// so that an iteration's ants are evaluated as one parallel batch).
//   The archive holds the k best solutions, sorted; solution of rank l (1-based)
//   has weight w_l = exp(-(l-1)^2 / (2 q^2 k^2)) / (q k sqrt(2π)).
//   Each ant picks one guiding solution l with probability w_l / Σ w, then
//   samples every dimension i from N(s_l^i, σ_l^i),
//   σ_l^i = ξ Σ_e |s_e^i - s_l^i| / (k - 1).
//   The m new solutions join the archive and the worst m are dropped.
// Samples outside the box are clamped onto it. The initial archive is k uniform
// random solutions (k evaluations, counted in the budget).
#include "models/swarm/algorithms.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace moesim::swarm {

namespace {

class Acor final : public Optimizer {
 public:
  Acor(const Problem& p, const OptimizerSettings& s, const AcorParams& a, HostSpace space)
      : Optimizer(p, s, space), a_(a) {
    if (a_.archive < 2) throw UsageError("acor: the archive size k must be at least 2");
    const double k = static_cast<double>(a_.archive);
    const double width = a_.q * k;
    w_.resize(a_.archive);
    for (std::size_t l = 0; l < a_.archive; ++l) {
      const double r = static_cast<double>(l);
      w_[l] = std::exp(-r * r / (2.0 * width * width)) / (width * std::sqrt(2.0 * 3.14159265358979323846));
    }
    const double total = std::accumulate(w_.begin(), w_.end(), 0.0);
    cum_.resize(a_.archive);
    double c = 0;
    for (std::size_t l = 0; l < a_.archive; ++l) cum_[l] = (c += w_[l] / total);
  }
  std::string name() const override { return "acor"; }

 protected:
  void initialise() override {
    const std::size_t k = a_.archive;
    std::vector<double> x(k * dim_), f(k);
    for (std::size_t i = 0; i < k; ++i) random_point(&x[i * dim_]);
    evaluate(x.data(), k, f.data());
    archive_x_ = x;
    archive_f_ = f;
    sort_archive();
  }

  void generation() override {
    const std::size_t k = a_.archive, m = pop_;
    std::vector<double> x(m * dim_), f(m);
    for (std::size_t a = 0; a < m; ++a) {
      const double r = uniform();
      std::size_t l = 0;
      while (l + 1 < k && cum_[l] <= r) ++l;
      const double* s = &archive_x_[l * dim_];
      for (std::size_t i = 0; i < dim_; ++i) {
        double spread = 0;
        for (std::size_t e = 0; e < k; ++e) spread += std::fabs(archive_x_[e * dim_ + i] - s[i]);
        const double sigma = a_.xi * spread / static_cast<double>(k - 1);
        x[a * dim_ + i] = clamp(s[i] + sigma * normal(), i);
      }
    }
    evaluate(x.data(), m, f.data());
    archive_x_.insert(archive_x_.end(), x.begin(), x.end());
    archive_f_.insert(archive_f_.end(), f.begin(), f.end());
    sort_archive();
  }

 private:
  // Sorts by value (stable: older entries first on ties) and keeps the best k.
  void sort_archive() {
    const std::size_t n = archive_f_.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return archive_f_[a] < archive_f_[b]; });
    const std::size_t keep = std::min(n, a_.archive);
    std::vector<double> nx(keep * dim_), nf(keep);
    for (std::size_t r = 0; r < keep; ++r) {
      nf[r] = archive_f_[order[r]];
      std::copy(&archive_x_[order[r] * dim_], &archive_x_[(order[r] + 1) * dim_], &nx[r * dim_]);
    }
    archive_x_.swap(nx);
    archive_f_.swap(nf);
  }

  AcorParams a_;
  std::vector<double> w_, cum_, archive_x_, archive_f_;
};

}  // namespace

std::unique_ptr<Optimizer> make_acor(const Problem& p, const OptimizerSettings& s, const AcorParams& a,
                                     HostSpace space) {
  return std::make_unique<Acor>(p, s, a, space);
}

}  // namespace moesim::swarm
