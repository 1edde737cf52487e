// Finite-difference gradient checks of the FFN expert families, for every
// activation: wrt the input rows and every element of every parameter.
// Loss L = Σ out ⊙ G over the real rows (G fixed, random), so d_out = G.
// Central differences are double-checked: each element is estimated with
// steps h and h/2, and the second differences are checked to scale with the
// step; where either fails the loss is not smooth there (a ReLU kink) and the element is
// skipped — at most a few (10%, or 2) per tensor may be.
#include "config/config.hpp"
#include "core/philox.hpp"
#include "core/registry.hpp"
#include "models/experts/register_experts.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace moesim;

namespace {
constexpr int kE = 3, kCap = 4, kD = 4, kFF = 5;
const std::vector<int> kCounts = {3, 0, 4};

ExpertBankPtr build(const std::string& family, const std::string& activation, int rank) {
  static Registry registry;
  static ConfigSchema schema;
  static bool registered = false;
  if (!registered) {
    register_expert_families(registry, schema);
    registered = true;
  }
  const Config config = Config::resolve(
      schema, std::nullopt,
      {{"experts.activation", activation}, {"experts.rank", std::to_string(rank)}});
  ExpertSpec spec;
  spec.num_experts = kE;
  spec.d_model = kD;
  spec.d_ff = kFF;
  spec.seed = 42;
  spec.layer = 1;
  spec.backend = Backend::Blas;
  spec.config = &config;
  return registry.make_experts(family, spec);
}

void fill(HostTensor3& t, std::uint64_t salt, double scale) {
  const std::size_t n1 = t.extent(1), n2 = t.extent(2);
  for (std::size_t e = 0; e < t.extent(0); ++e)
    for (std::size_t i = 0; i < n1; ++i)
      for (std::size_t j = 0; j < n2; ++j)
        t(e, i, j) = static_cast<float>(scale * Philox::normal({5, salt}, (e * n1 + i) * n2 + j));
}

struct Tally {
  int checked = 0, skipped = 0, failed = 0;
  double worst = 0.0;
  double diff2 = 0.0, norm2 = 0.0;  // for the whole tensor's relative error
};

// Double-checked central difference at one coordinate; compares with `analytic`.
// Smooth there means: the central differences with steps h and h/2 agree, and
// the second differences scale with the step as they must for a smooth loss
// (which a kink right at x0, invisible to central differences, breaks).
template <class Loss>
void check_coordinate(float& x, double analytic, const Loss& loss, Tally& t) {
  const float x0 = x;
  const float h = 5e-3f, h2 = 2.5e-3f;
  auto at = [&](float v) {
    x = v;
    const double l = loss();
    x = x0;
    return l;
  };
  const double l0 = at(x0), lp = at(x0 + h), lm = at(x0 - h), lp2 = at(x0 + h2), lm2 = at(x0 - h2);
  const double fd1 = (lp - lm) / (double(x0 + h) - double(x0 - h));
  const double fd2 = (lp2 - lm2) / (double(x0 + h2) - double(x0 - h2));
  // Second differences / step: ≈ step·L'' where L is smooth, so halving the
  // step halves them; a kink inside the interval breaks that.
  const double dd1 = (lp - 2.0 * l0 + lm) / h, dd2 = (lp2 - 2.0 * l0 + lm2) / h2;
  const double scale = std::max({std::abs(fd1), std::abs(fd2), std::abs(analytic)});
  if (std::abs(fd1 - fd2) > 1e-2 * scale + 1e-3 || std::abs(dd1 - 2.0 * dd2) > 1e-2 * scale + 1e-3) {
    ++t.skipped;  // not smooth here (a ReLU kink)
    return;
  }
  ++t.checked;
  const double err = std::abs(analytic - fd2) / (scale + 1e-2);
  t.worst = std::max(t.worst, err);
  if (err > 1e-2) ++t.failed;
  t.diff2 += (analytic - fd2) * (analytic - fd2);
  t.norm2 += fd2 * fd2;
}

void gradient_check(const std::string& family, const std::string& activation, int rank) {
  auto bank = build(family, activation, rank);
  auto params = bank->parameters();
  // Non-zero biases, so their effect is not trivially symmetric.
  for (std::size_t p = 0; p < params.size(); ++p)
    if (!params[p]->decay) {
      auto& v = params[p]->value;
      for (std::size_t i = 0; i < v.extent(0); ++i)
        for (std::size_t j = 0; j < v.extent(1); ++j)
          v(i, j) = static_cast<float>(0.3 * Philox::normal({6, p}, i * v.extent(1) + j));
    }
  HostTensor3 in("in", kE, kCap, kD), g("g", kE, kCap, kD), out("out", kE, kCap, kD),
      d_in("d_in", kE, kCap, kD);
  fill(in, 1, 1.0);
  fill(g, 2, 1.0);
  auto loss = [&]() {
    bank->forward(in, kCounts, out);
    double s = 0.0;
    for (int e = 0; e < kE; ++e)
      for (int i = 0; i < kCounts[e]; ++i)
        for (int j = 0; j < kD; ++j) s += double(out(e, i, j)) * g(e, i, j);
    return s;
  };
  for (auto* p : params) p->zero_grad();
  loss();
  bank->backward(g, kCounts, d_in);
  std::vector<HostMatrix> grads;
  for (auto* p : params) {
    HostMatrix copy("grad", p->grad.extent(0), p->grad.extent(1));
    Kokkos::deep_copy(copy, p->grad);
    grads.push_back(copy);
  }
  HostTensor3 d_in_copy("d_in_copy", kE, kCap, kD);
  Kokkos::deep_copy(d_in_copy, d_in);

  {
    Tally t;
    for (int e = 0; e < kE; ++e)
      for (int i = 0; i < kCounts[e]; ++i)
        for (int j = 0; j < kD; ++j) check_coordinate(in(e, i, j), d_in_copy(e, i, j), loss, t);
    INFO("input: checked " << t.checked << " skipped " << t.skipped << " worst " << t.worst);
    CHECK(t.failed == 0);
    CHECK(t.skipped <= std::max(2, t.checked / 10));
    CHECK(std::sqrt(t.diff2) <= 1e-2 * std::sqrt(t.norm2));
    CHECK(t.norm2 > 0.0);
  }
  for (std::size_t p = 0; p < params.size(); ++p) {
    Tally t;
    auto& v = params[p]->value;
    for (std::size_t i = 0; i < v.extent(0); ++i)
      for (std::size_t j = 0; j < v.extent(1); ++j) check_coordinate(v(i, j), grads[p](i, j), loss, t);
    INFO(params[p]->name << ": checked " << t.checked << " skipped " << t.skipped << " worst "
                         << t.worst);
    CHECK(t.failed == 0);
    CHECK(t.skipped <= std::max(2, t.checked / 10));
    CHECK(std::sqrt(t.diff2) <= 1e-2 * std::sqrt(t.norm2));
    CHECK(t.norm2 > 0.0);
  }
}
}  // namespace

TEST_CASE("ffn experts: gradients match finite differences", "[experts][gradcheck]") {
  const std::string activation = GENERATE("relu", "gelu", "gelu_tanh", "swiglu");
  CAPTURE(activation);
  gradient_check("ffn", activation, 0);
}

TEST_CASE("lowrank_ffn experts: gradients match finite differences", "[experts][gradcheck]") {
  const std::string activation = GENERATE("relu", "gelu", "gelu_tanh", "swiglu");
  const int rank = GENERATE(1, 2);
  CAPTURE(activation, rank);
  gradient_check("lowrank_ffn", activation, rank);
}
