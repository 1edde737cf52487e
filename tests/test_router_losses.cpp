// Router losses against check_values.md A, B and D (1e-6), and the loss
// gradients against central finite differences in double precision.
#include "core/philox.hpp"
#include "models/baselines/noisy_topk_router.hpp"
#include "models/baselines/router_losses.hpp"
#include "models/baselines/topk_assignment.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <cmath>
#include <vector>

using namespace moesim;
using Catch::Matchers::WithinAbs;

namespace {

HostMatrix matrix(int rows, int cols, const std::vector<double>& v) {
  HostMatrix m("m", rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = static_cast<float>(v[i * cols + j]);
  return m;
}

}  // namespace

TEST_CASE("check value A: load-balancing loss and importance CV²", "[routers][losses]") {
  const auto gates = matrix(4, 3, {.5, .4, .1, .3, .3, .4, .1, .2, .7, .8, .2, 0});
  const auto top1 = select_top_k(gates, 1);  // argmax, ties → lowest index
  CHECK(top1.expert == std::vector<int>{0, 2, 2, 0});
  CHECK_THAT(load_balancing_loss(gates, top1.expert, 1), WithinAbs(1.0875, 1e-6));
  CHECK_THAT(cv_squared(column_sums(gates)), WithinAbs(0.03875, 1e-6));
}

TEST_CASE("check value B: noisy top-k gates, importance and smooth load", "[routers][losses]") {
  const auto clean = matrix(3, 3, {.9, .06, .04, .7, .18, .12, .85, .05, .1});
  const std::vector<double> noise = {-.037, .026, -.018, -.074, .045, -.015, -.067, -.059, .073};
  HostMatrix noisy("noisy", 3, 3), stddev("stddev", 3, 3);
  for (int t = 0; t < 3; ++t)
    for (int e = 0; e < 3; ++e) {
      noisy(t, e) = static_cast<float>(double(clean(t, e)) + noise[t * 3 + e]);
      stddev(t, e) = 0.1f;
    }
  const auto g = noisy_topk_gates(clean, noisy, stddev, 2, /*smooth_load=*/true);
  const std::vector<double> importance = {1.93190188, 0.71603892, 0.35205920};
  const std::vector<double> load = {3.00000000, 1.53074849, 1.33176059};
  for (int e = 0; e < 3; ++e) {
    CHECK_THAT(g.importance[e], WithinAbs(importance[e], 1e-6));
    CHECK_THAT(g.load[e], WithinAbs(load[e], 1e-6));
  }
  CHECK_THAT(g.importance_cv2, WithinAbs(0.45630077, 1e-6));
  CHECK_THAT(g.load_cv2, WithinAbs(0.14493634, 1e-6));
  // gates are a softmax over exactly k entries per token
  for (int t = 0; t < 3; ++t) {
    int nonzero = 0;
    double sum = 0;
    for (int e = 0; e < 3; ++e) {
      nonzero += g.gates(t, e) > 0;
      sum += g.gates(t, e);
    }
    CHECK(nonzero == 2);
    CHECK_THAT(sum, WithinAbs(1.0, 1e-6));
  }
}

TEST_CASE("check value D: router z-loss and load-balancing loss (switch_transformers)",
          "[routers][losses]") {
  const std::vector<double> logits = {
      -4.2124424, 3.891939,   -3.6481273, 1.8849981,  0.32625437, 2.918651,  0.84758997, -4.556842,
      -3.32062,   4.6977115,  -0.15439987, 0.44086337, 3.4467149,  4.3436565, -4.7224274, -4.264637,
      -2.224406,  -2.5318158, -1.3832569, 1.1891162,  -2.320062,  -0.44705987, 4.289819, -0.00662684,
      0.99470854, -0.6992364, 0.25503993, 4.2952085,  3.5937333,  -3.2408535, -4.298278,  4.426601,
      0.7669008,  2.6588762,  2.4505413,  4.6051874,  0.23330331, -3.0845237, 0.6262374,  -2.9865491,
      0.7595146,  -2.1099675, -4.155346,  -2.8326452, 2.3771453,  1.004138,  -3.1781673, 0.7581556};
  // [2 groups, 6 tokens, 4 experts]: the mean over all 12 tokens.
  CHECK_THAT(router_z_loss(matrix(12, 4, logits)), WithinAbs(13.7867195, 1e-6));

  const auto probs = matrix(5, 2, {0.35490513, 0.60419905, 0.4275843, 0.23061597, 0.32985854,
                                   0.43953657, 0.25099766, 0.27730572, 0.7678207, 0.71474564});
  CHECK_THAT(load_balancing_loss(probs, {0, 1, 1, 0, 0}, 1), WithinAbs(0.87410439, 1e-6));
}

TEST_CASE("CV² is population variance over mean squared", "[routers][losses]") {
  CHECK_THAT(cv_squared({1, 2, 3, 4}), WithinAbs(1.25 / 6.25, 1e-9));
  CHECK(cv_squared({5}) == 0.0);
  CHECK_THAT(cv_squared({2, 2, 2}), WithinAbs(0.0, 1e-15));
  // gradient by central differences
  std::vector<double> v = {0.3, 1.7, 2.2, 0.9};
  const auto g = cv_squared_grad(v);
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto p = v, m = v;
    p[i] += 1e-6;
    m[i] -= 1e-6;
    CHECK_THAT(g[i], WithinAbs((cv_squared(p) - cv_squared(m)) / 2e-6, 1e-6));
  }
}

TEST_CASE("z-loss and load-balancing gradients match finite differences", "[routers][losses]") {
  const int T = 5, E = 4;
  HostMatrix logits("l", T, E);
  for (int t = 0; t < T; ++t)
    for (int e = 0; e < E; ++e) logits(t, e) = static_cast<float>(2 * Philox::normal({3, 9}, t * E + e));
  HostMatrix d("d", T, E);
  router_z_loss_grad(logits, 1.0, d);
  const double h = 1e-2;  // float logits: a wide step, the loss is smooth
  for (int t = 0; t < T; ++t)
    for (int e = 0; e < E; ++e) {
      const float keep = logits(t, e);
      logits(t, e) = keep + float(h);
      const double up = router_z_loss(logits);
      logits(t, e) = keep - float(h);
      const double down = router_z_loss(logits);
      logits(t, e) = keep;
      CHECK_THAT(d(t, e), WithinAbs((up - down) / (2 * h), 2e-3));
    }
  // load balancing: linear in probs, gradient E · f_e / T for every token
  HostMatrix probs("p", T, E), dp("dp", T, E);
  softmax_rows(logits, probs);
  const std::vector<int> choice = {1, 1, 3, 0, 1};
  load_balancing_loss_grad(probs, choice, 1, 2.0, dp);
  for (int t = 0; t < T; ++t) {
    CHECK_THAT(dp(t, 1), WithinAbs(2.0 * E * (3.0 / T) / T, 1e-6));
    CHECK_THAT(dp(t, 2), WithinAbs(0.0, 1e-12));
  }
}

TEST_CASE("smooth load gradient matches finite differences", "[routers][losses]") {
  const int T = 6, E = 5, k = 2;
  HostMatrix clean("c", T, E), noisy("n", T, E), sd("s", T, E), noise("z", T, E);
  for (int t = 0; t < T; ++t)
    for (int e = 0; e < E; ++e) {
      clean(t, e) = static_cast<float>(Philox::normal({5, 1}, t * E + e));
      noise(t, e) = static_cast<float>(Philox::normal({5, 2}, t * E + e));
      sd(t, e) = static_cast<float>(0.5 + Philox::uniform({5, 3}, t * E + e));
    }
  auto refresh = [&] {
    for (int t = 0; t < T; ++t)
      for (int e = 0; e < E; ++e) noisy(t, e) = clean(t, e) + noise(t, e) * sd(t, e);
  };
  refresh();
  // L = Σ_e w_e load_e with fixed weights; noisy is recomputed from clean and σ.
  const std::vector<double> w = {0.3, -1.1, 0.7, 0.2, -0.4};
  auto loss = [&] {
    refresh();
    const auto load = smooth_load(clean, noisy, sd, k);
    double s = 0;
    for (int e = 0; e < E; ++e) s += w[e] * load[e];
    return s;
  };
  HostMatrix dc("dc", T, E), dn("dn", T, E), ds("ds", T, E);
  smooth_load_grad(clean, noisy, sd, k, w, dc, dn, ds);
  const double h = 1e-3;
  int checked = 0;
  for (int t = 0; t < T; ++t)
    for (int e = 0; e < E; ++e) {
      // chain noisy = clean + noise·σ into clean and σ
      const double an_c = dc(t, e) + dn(t, e);
      const double an_s = ds(t, e) + double(dn(t, e)) * noise(t, e);
      for (int which = 0; which < 2; ++which) {
        HostMatrix& m = which == 0 ? clean : sd;
        const float keep = m(t, e);
        m(t, e) = keep + float(h);
        const double up = loss();
        m(t, e) = keep - float(h);
        const double down = loss();
        m(t, e) = keep;
        refresh();
        const double fd = (up - down) / (2 * h);
        const double an = which == 0 ? an_c : an_s;
        CHECK_THAT(an, WithinAbs(fd, 5e-3 + 1e-2 * std::abs(fd)));
        ++checked;
      }
    }
  CHECK(checked == 2 * T * E);
}
