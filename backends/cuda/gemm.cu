// GEMM on cuBLAS. cuBLAS is column-major; a row-major m x n matrix with leading
// dimension ld is, read column-major, its n x m transpose with the same ld. So
// row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: call SGEMM
// with the operands swapped (B first), the same op flags, and sizes (n, m, k).
#include "backends/cuda/cuda_internal.cuh"

#include <climits>
#include <stdexcept>

namespace moesim {

namespace {

using cuda_detail::check;

cublasOperation_t cublas_op(Op op) { return op == Op::N ? CUBLAS_OP_N : CUBLAS_OP_T; }

int as_int(std::size_t v, const char* what) {
  if (v > static_cast<std::size_t>(INT_MAX))
    throw std::invalid_argument(std::string("cuda_gemm: ") + what + " = " + std::to_string(v) +
                                " exceeds cuBLAS's int range");
  return static_cast<int>(v);
}

long long as_stride(std::size_t v, const char* what) {
  if (v > static_cast<std::size_t>(LLONG_MAX))
    throw std::invalid_argument(std::string("cuda_gemm_strided_batched: ") + what + " too large");
  return static_cast<long long>(v);
}

// Leading dimension check for a row-major matrix whose stored rows have `cols`
// columns; returns the value for cuBLAS (at least 1, as cuBLAS requires).
int checked_ld(std::size_t ld, std::size_t cols, const char* what) {
  if (ld < cols)
    throw std::invalid_argument(std::string("cuda_gemm: ") + what + " = " + std::to_string(ld) +
                                " is smaller than the row length " + std::to_string(cols));
  return as_int(ld == 0 ? 1 : ld, what);
}

struct GemmArgs {
  int m, n, k, lda, ldb, ldc;
};

GemmArgs check_args(Op op_a, Op op_b, std::size_t m, std::size_t n, std::size_t k, std::size_t lda,
                    std::size_t ldb, std::size_t ldc) {
  GemmArgs g{};
  g.m = as_int(m, "m");
  g.n = as_int(n, "n");
  g.k = as_int(k, "k");
  // Stored shapes: A is m x k (N) or k x m (T); B is k x n (N) or n x k (T).
  g.lda = checked_ld(lda, op_a == Op::N ? k : m, "lda");
  g.ldb = checked_ld(ldb, op_b == Op::N ? n : k, "ldb");
  g.ldc = checked_ld(ldc, n, "ldc");
  return g;
}

}  // namespace

void cuda_gemm(CudaContext& ctx, Op op_a, Op op_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
               const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
               std::size_t ldc) {
  const GemmArgs g = check_args(op_a, op_b, m, n, k, lda, ldb, ldc);
  if (m == 0 || n == 0) return;
  cuda_detail::DeviceScope scope(ctx);
  // k == 0 is fine for cuBLAS: C = beta * C.
  check(cublasSgemm(ctx.impl().cublas, cublas_op(op_b), cublas_op(op_a), g.n, g.m, g.k, &alpha, b, g.ldb, a,
                    g.lda, &beta, c, g.ldc),
        "cublasSgemm");
}

void cuda_gemm(CudaContext& ctx, Op op_a, Op op_b, float alpha, ConstMatRef a, ConstMatRef b, float beta,
               MatRef c) {
  const std::size_t m = op_a == Op::N ? a.rows : a.cols;
  const std::size_t k = op_a == Op::N ? a.cols : a.rows;
  const std::size_t kb = op_b == Op::N ? b.rows : b.cols;
  const std::size_t n = op_b == Op::N ? b.cols : b.rows;
  if (k != kb || c.rows != m || c.cols != n)
    throw std::invalid_argument("cuda_gemm: shapes do not match: op(A) " + std::to_string(m) + "x" +
                                std::to_string(k) + ", op(B) " + std::to_string(kb) + "x" + std::to_string(n) +
                                ", C " + std::to_string(c.rows) + "x" + std::to_string(c.cols));
  cuda_gemm(ctx, op_a, op_b, m, n, k, alpha, a.data, a.ld, b.data, b.ld, beta, c.data, c.ld);
}

void cuda_gemm_strided_batched(CudaContext& ctx, Op op_a, Op op_b, std::size_t m, std::size_t n, std::size_t k,
                               float alpha, const float* a, std::size_t lda, std::size_t stride_a, const float* b,
                               std::size_t ldb, std::size_t stride_b, float beta, float* c, std::size_t ldc,
                               std::size_t stride_c, std::size_t batch) {
  const GemmArgs g = check_args(op_a, op_b, m, n, k, lda, ldb, ldc);
  const int count = as_int(batch, "batch");
  if (m == 0 || n == 0 || batch == 0) return;
  if (batch > 1 && stride_c < (m - 1) * ldc + n)
    throw std::invalid_argument("cuda_gemm_strided_batched: stride_c smaller than one C matrix (outputs overlap)");
  cuda_detail::DeviceScope scope(ctx);
  check(cublasSgemmStridedBatched(ctx.impl().cublas, cublas_op(op_b), cublas_op(op_a), g.n, g.m, g.k, &alpha, b,
                                  g.ldb, as_stride(stride_b, "stride_b"), a, g.lda, as_stride(stride_a, "stride_a"),
                                  &beta, c, g.ldc, as_stride(stride_c, "stride_c"), count),
        "cublasSgemmStridedBatched");
}

}  // namespace moesim
