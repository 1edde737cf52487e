#include "backends/gemm.hpp"

#include "core/tensor.hpp"

#include <cblas.h>

#include <stdexcept>
#include <string>

namespace moesim {

namespace {
// Fixed tile of C computed by one single-threaded BLAS call. Fixed (not derived
// from the thread count) so that each element of C sees the same summation
// order whatever the number of threads.
constexpr std::size_t kTileRows = 256;
constexpr std::size_t kTileCols = 1024;

void check_shapes(Op op_a, Op op_b, ConstMatRef a, ConstMatRef b, MatRef c) {
  const std::size_t am = op_a == Op::N ? a.rows : a.cols, ak = op_a == Op::N ? a.cols : a.rows;
  const std::size_t bk = op_b == Op::N ? b.rows : b.cols, bn = op_b == Op::N ? b.cols : b.rows;
  if (am != c.rows || bn != c.cols || ak != bk)
    throw std::invalid_argument("gemm: shape mismatch: op(A) " + std::to_string(am) + "x" +
                                std::to_string(ak) + ", op(B) " + std::to_string(bk) + "x" +
                                std::to_string(bn) + ", C " + std::to_string(c.rows) + "x" +
                                std::to_string(c.cols));
}
}  // namespace

namespace blas {

void gemm(Op op_a, Op op_b, float alpha, ConstMatRef a, ConstMatRef b, float beta, MatRef c) {
  const std::size_t m = c.rows, n = c.cols;
  if (m == 0 || n == 0) return;
  const std::size_t k = op_a == Op::N ? a.cols : a.rows;
  if (k == 0) {
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) c(i, j) = beta == 0.0f ? 0.0f : beta * c(i, j);
    return;
  }
  const std::size_t row_tiles = (m + kTileRows - 1) / kTileRows;
  const std::size_t col_tiles = (n + kTileCols - 1) / kTileCols;
  const auto ta = op_a == Op::N ? CblasNoTrans : CblasTrans;
  const auto tb = op_b == Op::N ? CblasNoTrans : CblasTrans;
  Kokkos::parallel_for(
      "blas_gemm_tiles", Kokkos::RangePolicy<HostExec>(0, row_tiles * col_tiles),
      [=](std::size_t tile) {
        const std::size_t i0 = (tile / col_tiles) * kTileRows, j0 = (tile % col_tiles) * kTileCols;
        const std::size_t mb = std::min(kTileRows, m - i0), nb = std::min(kTileCols, n - j0);
        const float* pa = op_a == Op::N ? a.data + i0 * a.ld : a.data + i0;
        const float* pb = op_b == Op::N ? b.data + j0 : b.data + j0 * b.ld;
        cblas_sgemm(CblasRowMajor, ta, tb, static_cast<int>(mb), static_cast<int>(nb),
                    static_cast<int>(k), alpha, pa, static_cast<int>(a.ld), pb,
                    static_cast<int>(b.ld), beta, c.data + i0 * c.ld + j0, static_cast<int>(c.ld));
      });
}

}  // namespace blas

void gemm(Backend backend, Op op_a, Op op_b, float alpha, ConstMatRef a, ConstMatRef b, float beta,
          MatRef c) {
  check_shapes(op_a, op_b, a, b, c);
  if (backend == Backend::Reference)
    reference::gemm(op_a, op_b, alpha, a, b, beta, c);
  else
    blas::gemm(op_a, op_b, alpha, a, b, beta, c);
}

}  // namespace moesim
