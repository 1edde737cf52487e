// Finite-difference gradient checking shared by the tests: central
// differences in float32 with a relative-error tolerance.
#pragma once
#include "core/tensor.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace moesim::testing {

// Compares analytic[i] with (f(x+h) − f(x−h)) / 2h for every element of `x`
// (perturbed in place and restored). Returns the worst error
// |a − n| / max(scale, |a| + |n|) over elements.
inline double max_gradient_error(HostMatrix x, const HostMatrix& analytic,
                                 const std::function<double()>& loss, double h = 1e-2,
                                 double scale = 1e-2) {
  double worst = 0;
  const std::size_t cols = x.extent(1);
  for (std::size_t i = 0; i < x.size(); ++i) {
    float& v = x(i / cols, i % cols);
    const float saved = v;
    v = saved + float(h);
    const double up = loss();
    v = saved - float(h);
    const double down = loss();
    v = saved;
    const double numeric = (up - down) / (2 * h);
    const double a = analytic(i / cols, i % cols);
    worst = std::max(worst, std::abs(a - numeric) / std::max(scale, std::abs(a) + std::abs(numeric)));
  }
  return worst;
}

// As above, for a loss that is only piecewise smooth (discrete routing): an
// element is skipped when `decisions()` — e.g. the routing choices recorded
// after each loss() call — differ between x+h, x and x−h. Reports how many
// elements were compared.
struct PiecewiseCheck {
  double worst = 0;
  std::size_t compared = 0, total = 0;
};
template <class Decisions>
PiecewiseCheck piecewise_gradient_error(HostMatrix x, const HostMatrix& analytic,
                                        const std::function<double()>& loss,
                                        const Decisions& decisions, double h = 1e-2,
                                        double scale = 1e-2, std::size_t max_elements = 64) {
  PiecewiseCheck r;
  const std::size_t cols = x.extent(1);
  const std::size_t stride = std::max<std::size_t>(1, x.size() / max_elements);
  loss();
  const auto base = decisions();
  for (std::size_t i = 0; i < x.size(); i += stride) {
    ++r.total;
    float& v = x(i / cols, i % cols);
    const float saved = v;
    v = saved + float(h);
    const double up = loss();
    const bool same_up = decisions() == base;
    v = saved - float(h);
    const double down = loss();
    const bool same_down = decisions() == base;
    v = saved;
    if (!same_up || !same_down) continue;
    ++r.compared;
    const double numeric = (up - down) / (2 * h);
    const double a = analytic(i / cols, i % cols);
    r.worst = std::max(r.worst, std::abs(a - numeric) / std::max(scale, std::abs(a) + std::abs(numeric)));
  }
  loss();
  return r;
}

// Σ r ⊙ m: a scalar loss whose gradient with respect to m is r.
inline double weighted_sum(const HostMatrix& m, const HostMatrix& r) {
  double s = 0;
  for (std::size_t i = 0; i < m.extent(0); ++i)
    for (std::size_t j = 0; j < m.extent(1); ++j) s += double(m(i, j)) * r(i, j);
  return s;
}

}  // namespace moesim::testing
