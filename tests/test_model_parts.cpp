// Gradients of the dense model parts (Linear, LayerNorm, cross-entropy)
// against finite differences, and the Blas path against the reference oracle.
#include "core/philox.hpp"
#include "gradcheck.hpp"
#include "model/cross_entropy.hpp"
#include "model/layer_norm.hpp"
#include "model/linear.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace moesim;
using moesim::testing::max_gradient_error;
using moesim::testing::weighted_sum;

namespace {
HostMatrix random(std::size_t r, std::size_t c, std::uint64_t salt, float scale = 1.0f) {
  HostMatrix m("m", r, c);
  for (std::size_t i = 0; i < m.size(); ++i) m(i / c, i % c) = scale * float(Philox::normal({5, salt}, i));
  return m;
}
}  // namespace

TEST_CASE("Linear backward matches finite differences", "[model]") {
  Linear lin("lin", 6, 4, 1, 1, Backend::Reference);
  auto x = random(5, 6, 1), r = random(5, 4, 2);
  HostMatrix y("y", 5, 4), dx("dx", 5, 6);
  auto loss = [&] { lin.forward(x, y); return weighted_sum(y, r); };
  loss();
  for (auto* p : lin.parameters()) p->zero_grad();
  lin.backward(x, r, &dx);
  CHECK(max_gradient_error(x, dx, loss) < 1e-3);
  for (auto* p : lin.parameters()) CHECK(max_gradient_error(p->value, p->grad, loss) < 1e-3);
}

TEST_CASE("LayerNorm backward matches finite differences", "[model]") {
  LayerNorm ln("ln", 8);
  auto x = random(4, 8, 3), r = random(4, 8, 4);
  // Non-trivial gain and bias.
  for (auto* p : ln.parameters())
    for (int j = 0; j < 8; ++j) p->value(0, j) += 0.1f * float(j);
  HostMatrix y("y", 4, 8), dx("dx", 4, 8);
  auto loss = [&] { ln.forward(x, y); return weighted_sum(y, r); };
  loss();
  for (auto* p : ln.parameters()) p->zero_grad();
  ln.backward(r, dx);
  CHECK(max_gradient_error(x, dx, loss, 1e-2) < 2e-2);
  for (auto* p : ln.parameters()) CHECK(max_gradient_error(p->value, p->grad, loss) < 1e-3);
  // Rows of the normalised output have zero mean (gain/bias aside).
  LayerNorm plain("plain", 8);
  plain.forward(x, y);
  double mean = 0;
  for (int j = 0; j < 8; ++j) mean += y(2, j);
  CHECK(std::abs(mean) < 1e-5);
}

TEST_CASE("cross-entropy: value and gradient", "[model]") {
  HostMatrix logits("l", 2, 3);
  logits(0, 0) = 1; logits(0, 1) = 2; logits(0, 2) = 3;
  logits(1, 0) = 0; logits(1, 1) = 0; logits(1, 2) = 0;
  HostMatrix d("d", 2, 3);
  const auto r = cross_entropy(logits, {2, 0}, &d);
  // Row 0: log(e + e² + e³) − 3 = 0.40760596; row 1: log 3.
  CHECK(std::abs(r.loss - (0.40760596444 + std::log(3.0)) / 2) < 1e-6);
  CHECK(r.correct == 2);  // row 1 ties → argmax 0, its label
  CHECK(std::abs(d(1, 0) - (1.0 / 3 - 1) / 2) < 1e-7);
  auto loss = [&] { return cross_entropy(logits, {2, 0}, nullptr).loss; };
  CHECK(max_gradient_error(logits, d, loss, 1e-3) < 1e-3);
}
