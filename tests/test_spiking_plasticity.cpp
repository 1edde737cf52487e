// Plasticity rules (models/spiking/plasticity): STDP on hand-computed spike
// pairs (both orders, all-to-all vs nearest, bounds, triplet factor), CSR and
// dense versions agreeing, Oja's rule finding the principal eigenvector of a
// correlated 2-D input, reward-modulated STDP (no reward: no change; reward:
// the eligibility-weighted change).
#include "core/error.hpp"
#include "core/philox.hpp"
#include "models/spiking/connectivity.hpp"
#include "models/spiking/cuba.hpp"
#include "models/spiking/plasticity.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <vector>

using namespace moesim;
using namespace moesim::spiking;

namespace {

using Exec = Kokkos::DefaultHostExecutionSpace;
using Spikes = std::vector<std::uint32_t>;

// Runs `steps` steps of dense STDP on a 1 x 1 matrix with the given spike
// steps of the pre and post neuron; returns the weight.
double pair_run(const StdpRule& rule, double dt, double w0, const std::vector<int>& pre_steps,
                const std::vector<int>& post_steps, int steps) {
  StdpTraces tr(rule, dt, 1, 1);
  double w = w0;
  for (int n = 0; n < steps; ++n) {
    Spikes pre, post;
    for (int s : pre_steps)
      if (s == n) pre.push_back(0);
    for (int s : post_steps)
      if (s == n) post.push_back(0);
    stdp_step_dense(rule, tr, pre, post, &w);
  }
  return w;
}

bool close_rel(double a, double b, double rel) { return std::abs(a - b) <= rel * std::abs(b); }

}  // namespace

TEST_CASE("STDP on a hand-computed spike pair", "[spiking]") {
  StdpRule rule;
  rule.a_plus = 0.01;
  rule.a_minus = 0.012;
  rule.tau_plus_ms = 16.8;
  rule.tau_minus_ms = 33.7;
  rule.w_min = 0.0;
  rule.w_max = 1.0;
  const double dt = 0.1, w0 = 0.5;
  // Relative 1e-12: the trace is a product of k rounded decay factors
  // (k <= 200 ulp of error) against the closed form e^{-k dt / tau}.
  for (const int k : {1, 37, 200}) {
    const double d = k * dt;
    // pre at step 10, post at step 10 + k: dw = a_plus e^{-d/tau_plus}.
    const double ltp = pair_run(rule, dt, w0, {10}, {10 + k}, 10 + k + 5) - w0;
    CHECK(close_rel(ltp, rule.a_plus * std::exp(-d / rule.tau_plus_ms), 1e-12));
    // post at step 10, pre at step 10 + k: dw = -a_minus e^{-d/tau_minus}.
    const double ltd = pair_run(rule, dt, w0, {10 + k}, {10}, 10 + k + 5) - w0;
    CHECK(close_rel(ltd, -rule.a_minus * std::exp(-d / rule.tau_minus_ms), 1e-12));
  }
  // A simultaneous pair: pre acts first, so it potentiates by a_plus.
  CHECK(close_rel(pair_run(rule, dt, w0, {5}, {5}, 8) - w0, rule.a_plus, 1e-15));
  // Two pre spikes then a post: all-to-all sums both pairings, nearest only
  // the latest.
  const double e1 = std::exp(-150 * dt / rule.tau_plus_ms), e2 = std::exp(-100 * dt / rule.tau_plus_ms);
  CHECK(close_rel(pair_run(rule, dt, w0, {0, 50}, {150}, 160) - w0, rule.a_plus * (e1 + e2), 1e-12));
  StdpRule nearest = rule;
  nearest.pairing = StdpPairing::kNearest;
  CHECK(close_rel(pair_run(nearest, dt, w0, {0, 50}, {150}, 160) - w0, rule.a_plus * e2, 1e-12));
  // Hard bounds.
  CHECK(pair_run(rule, dt, 0.995, {0}, {1}, 3) == 1.0);
  CHECK(pair_run(rule, dt, 0.001, {1}, {0}, 3) == 0.0);
  // Triplet factor (Diehl & Cook): potentiation times the slow post trace
  // taken before the spike. The first post spike finds y2 = 0: no change;
  // post at 0, pre at 30, post at 50 (nearest): depression at 30, then
  // potentiation a_plus e^{-20 dt/tau_plus} e^{-50 dt/tau_slow} at 50.
  StdpRule triplet = nearest;
  triplet.tau_slow_ms = 40.0;
  CHECK(pair_run(triplet, dt, w0, {0}, {10}, 12) == w0);
  const double expect = -rule.a_minus * std::exp(-30 * dt / rule.tau_minus_ms) +
                        rule.a_plus * std::exp(-20 * dt / rule.tau_plus_ms) * std::exp(-50 * dt / 40.0);
  CHECK(close_rel(pair_run(triplet, dt, w0, {30}, {0, 50}, 55) - w0, expect, 1e-12));
}

TEST_CASE("STDP on a CSR projection equals the dense rule on its synapses", "[spiking]") {
  const std::size_t n_pre = 60, n_post = 45;
  FixedProbabilitySpec spec{n_pre, n_post, 0.2, 0.5, 11, kSpikingStream + 40};
  Projection proj = fixed_probability_projection(Exec(), spec);
  const SynapsesByTarget by_target = index_by_target(proj);
  REQUIRE(by_target.synapse.size() == proj.num_synapses());
  std::vector<double> dense(n_pre * n_post, 0.5);
  StdpRule rule;
  rule.a_plus = 0.02;
  rule.a_minus = 0.021;
  const double dt = 0.5;
  StdpTraces t_csr(rule, dt, n_pre, n_post), t_dense(rule, dt, n_pre, n_post);
  const PhiloxKey key{3, 91};
  std::size_t events = 0;
  for (std::uint64_t n = 0; n < 2000; ++n) {
    Spikes pre, post;
    for (std::uint32_t i = 0; i < n_pre; ++i)
      if (Philox::uniform(key, n * 1000 + i) < 0.02) pre.push_back(i);
    for (std::uint32_t j = 0; j < n_post; ++j)
      if (Philox::uniform(key, n * 1000 + 500 + j) < 0.03) post.push_back(j);
    events += pre.size() + post.size();
    stdp_step(rule, t_csr, pre, post, proj, by_target);
    stdp_step_dense(rule, t_dense, pre, post, dense.data());
  }
  REQUIRE(events > 3000);
  bool same = true, moved = false;
  for (std::size_t s = 0; s < n_pre; ++s)
    for (std::size_t k = proj.row_ptr(s); k < proj.row_ptr(s + 1); ++k) {
      // Same per-synapse sequence of updates: bit-identical.
      same = same && proj.weights(k) == dense[proj.targets(k) * n_pre + s];
      moved = moved || proj.weights(k) != 0.5;
    }
  CHECK(same);
  CHECK(moved);
  // Out-of-range spikes are rejected.
  CHECK_THROWS_AS(stdp_step(rule, t_csr, Spikes{static_cast<std::uint32_t>(n_pre)}, {}, proj, by_target), UsageError);
  StdpRule bad = rule;
  bad.w_min = 2.0;
  CHECK_THROWS_AS(validate(bad), UsageError);
  bad = rule;
  bad.tau_plus_ms = 0.0;
  CHECK_THROWS_AS(StdpTraces(bad, dt, 1, 1), UsageError);
}

TEST_CASE("Oja's rule converges to the principal eigenvector of a correlated 2-D input", "[spiking]") {
  // x = L z with z ~ N(0, I) and covariance C = L L^T = [[3, 1], [1, 2]]:
  // eigenvalues (5 +- sqrt 5) / 2, principal eigenvector (1, (sqrt5 - 1) / 2)
  // normalised, the fixed point of Oja's rule (norm 1).
  const double l11 = std::sqrt(3.0), l21 = 1.0 / l11, l22 = std::sqrt(2.0 - l21 * l21);
  const double g = (std::sqrt(5.0) - 1.0) / 2.0, norm = std::sqrt(1.0 + g * g);
  const double e1 = 1.0 / norm, e2 = g / norm;
  const PhiloxKey key{17, 5};
  float w[2] = {0.2f, -0.9f};
  float W[4] = {-0.5f, 0.1f, 0.05f, 0.3f};  // two independent units (dense API)
  // eta 5e-3 to converge, then 2e-4 to settle. Near the fixed point the
  // angle to e1 fluctuates with variance ~ eta l1 l2 / (2 (l1 - l2)) = 2.2e-4
  // (std 0.015 rad, 1 - cos ~ 1.1e-4) and the norm with std ~ 0.01; the
  // bounds below are 3 standard deviations (cos > 0.999: 2.6 degrees).
  for (std::uint64_t t = 0; t < 30000; ++t) {
    const OjaRule rule{t < 10000 ? 5e-3 : 2e-4};
    const double z1 = Philox::normal(key, 2 * t), z2 = Philox::normal(key, 2 * t + 1);
    const float x[2] = {static_cast<float>(l11 * z1), static_cast<float>(l21 * z1 + l22 * z2)};
    oja_step(rule, x, 2, w);
    const float y[2] = {W[0] * x[0] + W[1] * x[1], W[2] * x[0] + W[3] * x[1]};
    oja_update_dense(rule, x, 2, y, 2, W);
  }
  const auto check = [&](const float* v) {
    const double n = std::hypot(v[0], v[1]);
    const double cosine = std::abs(v[0] * e1 + v[1] * e2) / n;
    INFO("w = (" << v[0] << ", " << v[1] << ") |w| " << n << " cos " << cosine);
    CHECK(cosine > 0.999);
    CHECK(std::abs(n - 1.0) < 0.03);
  };
  check(w);
  check(W);
  check(W + 2);
  // One update by hand: w += eta y (x - y w).
  float v[3] = {0.5f, -0.25f, 1.0f};
  const float x[3] = {1.0f, 2.0f, -1.0f};
  oja_update(OjaRule{0.1}, x, 3, 2.0f, v);
  CHECK(std::abs(v[0] - (0.5f + 0.1f * 2.0f * (1.0f - 2.0f * 0.5f))) < 1e-6f);
  CHECK(std::abs(v[1] - (-0.25f + 0.1f * 2.0f * (2.0f + 2.0f * 0.25f))) < 1e-6f);
  CHECK(std::abs(v[2] - (1.0f + 0.1f * 2.0f * (-1.0f - 2.0f))) < 1e-6f);
}

TEST_CASE("reward-modulated STDP: no reward no change, reward gives the eligibility-weighted change", "[spiking]") {
  RstdpRule rule;
  rule.stdp.a_plus = 0.01;
  rule.stdp.a_minus = 0.012;
  rule.stdp.tau_plus_ms = 20.0;
  rule.stdp.tau_minus_ms = 20.0;
  rule.stdp.w_min = -1.0;
  rule.stdp.w_max = 1.0;
  rule.tau_eligibility_ms = 200.0;
  rule.learning_rate = 0.5;
  const double dt = 1.0;
  // Zero reward: random spiking changes the eligibility, never the weights.
  {
    const std::size_t n_pre = 20, n_post = 10;
    RstdpState st(rule, dt, n_pre, n_post, n_pre * n_post);
    std::vector<float> w(n_pre * n_post);
    for (std::size_t k = 0; k < w.size(); ++k) w[k] = 0.01f * static_cast<float>(k % 17);
    const std::vector<float> w0 = w;
    const PhiloxKey key{1, 2};
    for (std::uint64_t n = 0; n < 500; ++n) {
      Spikes pre, post;
      for (std::uint32_t i = 0; i < n_pre; ++i)
        if (Philox::uniform(key, n * 100 + i) < 0.05) pre.push_back(i);
      for (std::uint32_t j = 0; j < n_post; ++j)
        if (Philox::uniform(key, n * 100 + 50 + j) < 0.05) post.push_back(j);
      rstdp_step_dense(rule, st, pre, post, 0.0, w.data());
    }
    CHECK(w == w0);
    double e = 0;
    for (double c : st.eligibility) e += std::abs(c);
    CHECK(e > 0);
  }
  // Pre at step 0, post at step k, reward r at step k + m (only then):
  // c = a_plus e^{-k dt/tau_plus} e^{-m dt/tau_c}, dw = lr r c.
  // Relative 1e-12: products of <= ~300 rounded decay factors.
  for (const bool csr : {false, true}) {
    const int k = 15, m = 40;
    const double r = 2.5;
    const double c = rule.stdp.a_plus * std::exp(-k * dt / rule.stdp.tau_plus_ms) *
                     std::exp(-m * dt / rule.tau_eligibility_ms);
    const auto run = [&](double reward_value, int pre_step, int post_step) {
      double w = 0.1;
      Projection proj;
      SynapsesByTarget idx;
      if (csr) {
        proj = fixed_probability_projection(Exec(), FixedProbabilitySpec{1, 1, 1.0, 0.1, 1, kSpikingStream + 41});
        idx = index_by_target(proj);
      }
      RstdpState st(rule, dt, 1, 1, 1);
      for (int n = 0; n <= k + m + 3; ++n) {
        Spikes pre, post;
        if (n == pre_step) pre.push_back(0);
        if (n == post_step) post.push_back(0);
        const double reward = n == k + m ? reward_value : 0.0;
        if (csr)
          rstdp_step(rule, st, pre, post, reward, proj, idx);
        else
          rstdp_step_dense(rule, st, pre, post, reward, &w);
      }
      return csr ? proj.weights(0) : w;
    };
    INFO((csr ? "csr" : "dense"));
    CHECK(close_rel(run(r, 0, k) - 0.1, rule.learning_rate * r * c, 1e-12));
    CHECK(run(0.0, 0, k) == 0.1);
    // The reverse order builds negative eligibility: reward depresses.
    const double c_rev = -rule.stdp.a_minus * std::exp(-k * dt / rule.stdp.tau_minus_ms) *
                         std::exp(-m * dt / rule.tau_eligibility_ms);
    CHECK(close_rel(run(r, k, 0) - 0.1, rule.learning_rate * r * c_rev, 1e-12));
    // A negative reward (punishment) reverses the change.
    CHECK(close_rel(run(-r, 0, k) - 0.1, -rule.learning_rate * r * c, 1e-12));
  }
}
