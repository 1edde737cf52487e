#include "model/layer_norm.hpp"

#include "model/linear.hpp"

#include <cmath>

namespace moesim {

LayerNorm::LayerNorm(const std::string& name, int d, float eps)
    : gain_(name + ".gain", 1, d, false), bias_(name + ".bias", 1, d, false), eps_(eps) {
  Kokkos::deep_copy(gain_.value, 1.0f);
}

void LayerNorm::forward(const HostMatrix& x, HostMatrix& y) {
  const std::size_t rows = x.extent(0), d = x.extent(1);
  if (x_hat_.extent(0) != rows || x_hat_.extent(1) != d) {
    x_hat_ = HostMatrix("ln.x_hat", rows, d);
    inv_std_ = HostVector("ln.inv_std", rows);
  }
  auto xv = x;
  auto yv = y;
  auto xh = x_hat_;
  auto is = inv_std_;
  auto g = gain_.value;
  auto b = bias_.value;
  const float eps = eps_;
  Kokkos::parallel_for("layer_norm", Kokkos::RangePolicy<HostExec>(0, rows), [=](std::size_t i) {
    double mean = 0.0;
    for (std::size_t j = 0; j < d; ++j) mean += xv(i, j);
    mean /= double(d);
    double var = 0.0;
    for (std::size_t j = 0; j < d; ++j) var += (xv(i, j) - mean) * (xv(i, j) - mean);
    var /= double(d);
    const double inv = 1.0 / std::sqrt(var + eps);
    is(i) = static_cast<float>(inv);
    for (std::size_t j = 0; j < d; ++j) {
      xh(i, j) = static_cast<float>((xv(i, j) - mean) * inv);
      yv(i, j) = xh(i, j) * g(0, j) + b(0, j);
    }
  });
}

void LayerNorm::backward(const HostMatrix& dy, HostMatrix& dx) {
  const std::size_t rows = dy.extent(0), d = dy.extent(1);
  // Parameter gradients: column sums in a fixed order.
  HostMatrix dyxh("ln.dy_xhat", rows, d);
  auto dyv = dy;
  auto xh = x_hat_;
  Kokkos::parallel_for("ln_dy_xhat", Kokkos::RangePolicy<HostExec>(0, rows * d),
                       [=](std::size_t k) { dyxh(k / d, k % d) = dyv(k / d, k % d) * xh(k / d, k % d); });
  add_column_sums(dyxh, gain_.grad);
  add_column_sums(dy, bias_.grad);
  auto g = gain_.value;
  auto is = inv_std_;
  auto dxv = dx;
  Kokkos::parallel_for("ln_backward", Kokkos::RangePolicy<HostExec>(0, rows), [=](std::size_t i) {
    // dx = inv_std · (g·dy − mean(g·dy) − x̂ · mean(g·dy · x̂))
    double m1 = 0.0, m2 = 0.0;
    for (std::size_t j = 0; j < d; ++j) {
      const double gdy = double(g(0, j)) * dyv(i, j);
      m1 += gdy;
      m2 += gdy * xh(i, j);
    }
    m1 /= double(d);
    m2 /= double(d);
    for (std::size_t j = 0; j < d; ++j) {
      const double gdy = double(g(0, j)) * dyv(i, j);
      dxv(i, j) += static_cast<float>(is(i) * (gdy - m1 - xh(i, j) * m2));
    }
  });
}

}  // namespace moesim
