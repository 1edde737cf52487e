// The BLAS backend against the reference oracle, every transpose combination,
// shapes that cross the fixed tile boundaries, and thread-count independence.
#include "backends/gemm.hpp"
#include "core/philox.hpp"
#include "core/tensor.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <cmath>

using namespace moesim;

namespace {
HostMatrix random_matrix(std::size_t r, std::size_t c, std::uint64_t salt) {
  HostMatrix m("m", r, c);
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t j = 0; j < c; ++j)
      m(i, j) = static_cast<float>(Philox::normal({7, salt}, i * c + j));
  return m;
}
}  // namespace

TEST_CASE("blas gemm matches the reference oracle", "[backends][gemm]") {
  const auto op_a = GENERATE(Op::N, Op::T);
  const auto op_b = GENERATE(Op::N, Op::T);
  const std::size_t m = GENERATE(1, 37, 300), n = GENERATE(5, 1100), k = GENERATE(3, 129);
  auto a = op_a == Op::N ? random_matrix(m, k, 1) : random_matrix(k, m, 1);
  auto b = op_b == Op::N ? random_matrix(k, n, 2) : random_matrix(n, k, 2);
  auto c_ref = random_matrix(m, n, 3);
  HostMatrix c_fast("c", m, n);
  Kokkos::deep_copy(c_fast, c_ref);
  gemm(Backend::Reference, op_a, op_b, 0.5f, cmat(a), cmat(b), 2.0f, mat(c_ref));
  gemm(Backend::Blas, op_a, op_b, 0.5f, cmat(a), cmat(b), 2.0f, mat(c_fast));
  double worst = 0;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      worst = std::max(worst, std::abs(double(c_ref(i, j)) - c_fast(i, j)) / (1.0 + std::abs(c_ref(i, j))));
  CHECK(worst < 1e-5);
}

TEST_CASE("gemm rejects mismatched shapes", "[backends][gemm]") {
  HostMatrix a("a", 3, 4), b("b", 5, 6), c("c", 3, 6);
  CHECK_THROWS_AS(gemm(Backend::Blas, Op::N, Op::N, 1.f, cmat(a), cmat(b), 0.f, mat(c)),
                  std::invalid_argument);
}

TEST_CASE("blas gemm on a row block of a larger matrix", "[backends][gemm]") {
  auto a = random_matrix(10, 8, 4), b = random_matrix(8, 6, 5);
  HostMatrix c1("c1", 10, 6), c2("c2", 4, 6);
  gemm(Backend::Blas, Op::N, Op::N, 1.f, cmat(a), cmat(b), 0.f, mat(c1));
  auto a_block = row_block(a, 3, 7);
  gemm(Backend::Blas, Op::N, Op::N, 1.f, cmat(a_block), cmat(b), 0.f, mat(c2));
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 6; ++j) CHECK(c2(i, j) == c1(i + 3, j));
}
