#include "model/linear.hpp"

#include <cmath>

namespace moesim {

Linear::Linear(const std::string& name, int d_in, int d_out, std::uint64_t seed, std::uint64_t salt,
               Backend backend)
    : weight_(name + ".weight", d_in, d_out),
      bias_(name + ".bias", 1, d_out, /*weight_decay=*/false),
      backend_(backend) {
  init_uniform(weight_, seed, salt, 1.0 / std::sqrt(double(d_in)));
}

void Linear::forward(const HostMatrix& x, HostMatrix& y) const {
  const std::size_t cols = y.extent(1);
  auto yv = y;
  auto b = bias_.value;
  Kokkos::parallel_for("linear_bias", Kokkos::RangePolicy<HostExec>(0, y.size()),
                       [=](std::size_t i) { yv(i / cols, i % cols) = b(0, i % cols); });
  gemm(backend_, Op::N, Op::N, 1.0f, cmat(x), cmat(weight_.value), 1.0f, mat(y));
}

void Linear::backward(const HostMatrix& x, const HostMatrix& dy, HostMatrix* dx) {
  gemm(backend_, Op::T, Op::N, 1.0f, cmat(x), cmat(dy), 1.0f, mat(weight_.grad));
  add_column_sums(dy, bias_.grad);
  if (dx) gemm(backend_, Op::N, Op::T, 1.0f, cmat(dy), cmat(weight_.value), 0.0f, mat(*dx));
}

void add_column_sums(const HostMatrix& m, HostMatrix& sum) {
  const std::size_t rows = m.extent(0);
  auto mv = m;
  auto sv = sum;
  // Parallel over columns, serial over rows: the same order for any thread count.
  Kokkos::parallel_for("column_sums", Kokkos::RangePolicy<HostExec>(0, m.extent(1)),
                       [=](std::size_t j) {
                         double acc = 0.0;
                         for (std::size_t i = 0; i < rows; ++i) acc += mv(i, j);
                         sv(0, j) += static_cast<float>(acc);
                       });
}

}  // namespace moesim
