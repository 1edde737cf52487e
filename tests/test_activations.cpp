// Elementwise expert kernels: the Kokkos kernels against the reference oracle
// on random data, the oracle against known values and finite differences, and
// the bias-gradient column sums (bit-equal to the serial oracle, so independent
// of the thread count).
#include "backends/kokkos/activations.hpp"
#include "backends/reference/activations.hpp"
#include "core/philox.hpp"
#include "core/tensor.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <algorithm>
#include <cmath>

using namespace moesim;

namespace {
HostMatrix random_matrix(std::size_t r, std::size_t c, std::uint64_t salt, double scale = 2.0) {
  HostMatrix m("m", r, c);
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t j = 0; j < c; ++j)
      m(i, j) = static_cast<float>(scale * Philox::normal({11, salt}, i * c + j));
  return m;
}

HostMatrix copy_of(const HostMatrix& m) {
  HostMatrix c("copy", m.extent(0), m.extent(1));
  Kokkos::deep_copy(c, m);
  return c;
}

// Worst |a - b| / (tol_abs + |b|) style comparison: returns the largest
// |a - b| - rel * |b|, which must stay below abs.
double worst_excess(const HostMatrix& a, const HostMatrix& b, double rel) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.extent(0); ++i)
    for (std::size_t j = 0; j < a.extent(1); ++j)
      worst = std::max(worst, std::abs(double(a(i, j)) - b(i, j)) - rel * std::abs(double(b(i, j))));
  return worst;
}

float ref_scalar(Activation act, float x) {
  HostMatrix pre("pre", 1, 1), out("out", 1, 1);
  pre(0, 0) = x;
  reference::activation_forward(act, cmat(pre), mat(out));
  return out(0, 0);
}
}  // namespace

TEST_CASE("reference activations match known values", "[kernels]") {
  // GELU exact: x·Φ(x); tanh form; ReLU; identity.
  CHECK(std::abs(ref_scalar(Activation::Gelu, 1.0f) - 0.8413447460685429) < 1e-6);
  CHECK(std::abs(ref_scalar(Activation::Gelu, -2.0f) - (-0.04550026389635842)) < 1e-6);
  CHECK(std::abs(ref_scalar(Activation::GeluTanh, 1.0f) - 0.8411919906082768) < 1e-6);
  CHECK(std::abs(ref_scalar(Activation::GeluTanh, -2.0f) - (-0.04540230591222276)) < 1e-6);
  CHECK(ref_scalar(Activation::Relu, -1.5f) == 0.0f);
  CHECK(ref_scalar(Activation::Relu, 2.5f) == 2.5f);
  CHECK(ref_scalar(Activation::Identity, -0.75f) == -0.75f);
  // SwiGLU: silu(a)·b on [a | b].
  HostMatrix pre("pre", 1, 2), out("out", 1, 1);
  pre(0, 0) = 1.0f;
  pre(0, 1) = 3.0f;
  reference::activation_forward(Activation::Swiglu, cmat(pre), mat(out));
  CHECK(std::abs(out(0, 0) - 3.0 * 0.7310585786300049) < 1e-6);
  CHECK(activation_name(Activation::Gelu) == "gelu");
  CHECK(activation_name(Activation::GeluTanh) == "gelu_tanh");
  CHECK(activation_input_cols(Activation::Swiglu, 7) == 14);
  CHECK(activation_input_cols(Activation::Relu, 7) == 7);
}

TEST_CASE("kokkos activation kernels match the reference oracle", "[kernels]") {
  const auto act = GENERATE(Activation::Relu, Activation::Gelu, Activation::GeluTanh,
                            Activation::Swiglu, Activation::Identity);
  const std::size_t rows = GENERATE(1, 37, 513), f = GENERATE(1, 19, 70);
  CAPTURE(activation_name(act), rows, f);
  const std::size_t in_cols = activation_input_cols(act, f);
  const HostMatrix pre = random_matrix(rows, in_cols, 1);
  const HostMatrix d_out = random_matrix(rows, f, 2);
  HostVector bias("bias", in_cols);
  for (std::size_t j = 0; j < in_cols; ++j) bias(j) = static_cast<float>(Philox::normal({11, 3}, j));

  SECTION("forward") {
    HostMatrix ref("ref", rows, f), fast("fast", rows, f);
    reference::activation_forward(act, cmat(pre), mat(ref));
    kokkos::activation_forward(HostExec(), act, pre, fast);
    CHECK(worst_excess(fast, ref, 2e-6) < 1e-6);
  }
  SECTION("fused bias + activation forward") {
    HostMatrix pre_ref = copy_of(pre), pre_fast = copy_of(pre);
    HostMatrix ref("ref", rows, f), fast("fast", rows, f);
    reference::bias_activation_forward(act, bias.data(), mat(pre_ref), mat(ref));
    kokkos::bias_activation_forward(HostExec(), act, bias, pre_fast, fast);
    CHECK(worst_excess(fast, ref, 2e-6) < 1e-6);
    // pre now holds pre + bias in both
    CHECK(worst_excess(pre_fast, pre_ref, 0.0) == 0.0);
    CHECK(pre_ref(0, in_cols - 1) == pre(0, in_cols - 1) + bias(in_cols - 1));
  }
  SECTION("backward") {
    HostMatrix ref("ref", rows, in_cols), fast("fast", rows, in_cols);
    reference::activation_backward(act, cmat(pre), cmat(d_out), mat(ref));
    kokkos::activation_backward(HostExec(), act, pre, d_out, fast);
    CHECK(worst_excess(fast, ref, 1e-5) < 1e-5);
  }
}

TEST_CASE("reference activation backward matches central differences", "[kernels]") {
  const auto act = GENERATE(Activation::Relu, Activation::Gelu, Activation::GeluTanh,
                            Activation::Swiglu, Activation::Identity);
  CAPTURE(activation_name(act));
  const std::size_t rows = 9, f = 8, in_cols = activation_input_cols(act, f);
  HostMatrix pre = random_matrix(rows, in_cols, 4);
  const HostMatrix d_out = random_matrix(rows, f, 5, 1.0);
  HostMatrix grad("grad", rows, in_cols), out("out", rows, f);
  reference::activation_backward(act, cmat(pre), cmat(d_out), mat(grad));
  // L = Σ d_out ⊙ act(pre), in double.
  auto loss = [&]() {
    reference::activation_forward(act, cmat(pre), mat(out));
    double s = 0.0;
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < f; ++j) s += double(d_out(i, j)) * out(i, j);
    return s;
  };
  const float h = 1e-2f;
  int checked = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < in_cols; ++j) {
      const float x = pre(i, j);
      if (act == Activation::Relu && std::abs(x) < 2 * h) continue;  // the kink
      pre(i, j) = x + h;
      const double lp = loss();
      pre(i, j) = x - h;
      const double lm = loss();
      pre(i, j) = x;
      const double fd = (lp - lm) / (double(x + h) - double(x - h));
      CAPTURE(i, j, x, fd, grad(i, j));
      CHECK(std::abs(fd - grad(i, j)) < 1e-3 * (1.0 + std::abs(fd)));
      ++checked;
    }
  }
  CHECK(checked > int(rows * in_cols) * 3 / 4);
}

TEST_CASE("column sums: kokkos equals the serial oracle bit for bit", "[kernels]") {
  const std::size_t rows = GENERATE(0, 1, 300), cols = GENERATE(1, 31, 33, 1030);
  CAPTURE(rows, cols);
  const HostMatrix x = random_matrix(rows, cols, 6);
  HostVector ref("ref", cols), fast("fast", cols);
  for (std::size_t j = 0; j < cols; ++j) ref(j) = fast(j) = 0.5f * float(j % 7);
  reference::add_column_sums(cmat(x), ref.data());
  kokkos::add_column_sums(HostExec(), x, fast);
  bool identical = true;
  for (std::size_t j = 0; j < cols; ++j) identical = identical && ref(j) == fast(j);
  CHECK(identical);
  double worst = 0.0;
  for (std::size_t j = 0; j < cols; ++j) {
    double s = 0.5 * double(j % 7);
    for (std::size_t i = 0; i < rows; ++i) s += x(i, j);
    worst = std::max(worst, std::abs(s - fast(j)));
  }
  CHECK(worst < 1e-4);
}

TEST_CASE("kokkos activation kernels work on row blocks of expert buffers", "[kernels]") {
  HostTensor3 buf("buf", 3, 6, 4), out("out", 3, 6, 4);
  for (std::size_t e = 0; e < 3; ++e)
    for (std::size_t i = 0; i < 6; ++i)
      for (std::size_t j = 0; j < 4; ++j) buf(e, i, j) = float(e) - float(i) + 0.25f * float(j);
  auto in_rows = Kokkos::subview(buf, 1, Kokkos::make_pair(0, 4), Kokkos::ALL());
  auto out_rows = Kokkos::subview(out, 1, Kokkos::make_pair(0, 4), Kokkos::ALL());
  kokkos::activation_forward(HostExec(), Activation::Relu, in_rows, out_rows);
  for (std::size_t e = 0; e < 3; ++e)
    for (std::size_t i = 0; i < 6; ++i)
      for (std::size_t j = 0; j < 4; ++j) {
        const float expect = (e == 1 && i < 4) ? std::max(buf(e, i, j), 0.0f) : 0.0f;
        CHECK(out(e, i, j) == expect);
      }
}

TEST_CASE("activation kernels reject mismatched shapes", "[kernels]") {
  HostMatrix pre("pre", 4, 6), out("out", 4, 6), d_pre("d", 4, 6);
  CHECK_THROWS_AS(kokkos::activation_forward(HostExec(), Activation::Swiglu, pre, out),
                  std::invalid_argument);
  CHECK_THROWS_AS(reference::activation_forward(Activation::Swiglu, cmat(pre), mat(out)),
                  std::invalid_argument);
  HostMatrix half("half", 4, 3);
  CHECK_NOTHROW(kokkos::activation_forward(HostExec(), Activation::Swiglu, pre, half));
  CHECK_THROWS_AS(kokkos::activation_backward(HostExec(), Activation::Gelu, pre, half, d_pre),
                  std::invalid_argument);
  HostVector bias("bias", 5);
  CHECK_THROWS_AS(kokkos::bias_activation_forward(HostExec(), Activation::Gelu, bias, pre, out),
                  std::invalid_argument);
  HostVector sums("sums", 5);
  CHECK_THROWS_AS(kokkos::add_column_sums(HostExec(), pre, sums), std::invalid_argument);
}

TEST_CASE("activation FLOP counts", "[kernels]") {
  CHECK(activation_flops(Activation::Relu) == 1.0);
  CHECK(activation_flops(Activation::Gelu) == 5.0);
  CHECK(activation_flops(Activation::GeluTanh) == 9.0);
  CHECK(activation_flops(Activation::Swiglu) == 4.0);
  CHECK(activation_flops(Activation::Identity) == 0.0);
}
