#include "backends/gemm.hpp"

namespace moesim::reference {

void gemm(Op op_a, Op op_b, float alpha, ConstMatRef a, ConstMatRef b, float beta, MatRef c) {
  const std::size_t m = c.rows, n = c.cols;
  const std::size_t k = op_a == Op::N ? a.cols : a.rows;
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      double acc = 0.0;
      for (std::size_t p = 0; p < k; ++p) {
        const double av = op_a == Op::N ? a(i, p) : a(p, i);
        const double bv = op_b == Op::N ? b(p, j) : b(j, p);
        acc += av * bv;
      }
      const double old = beta == 0.0f ? 0.0 : static_cast<double>(beta) * c(i, j);
      c(i, j) = static_cast<float>(alpha * acc + old);
    }
  }
}

}  // namespace moesim::reference
