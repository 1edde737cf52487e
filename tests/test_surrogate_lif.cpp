// The surrogate-gradient LIF layer (models/spiking/surrogate_lif): the forward
// on a hand-computed trajectory, the BPTT backward against a hand-derived
// forward-mode (tangent) propagation of the same surrogate chain rule, and —
// with the Heaviside replaced by its smooth antiderivative S — the backward
// against central differences of the smooth forward.
#include "models/spiking/surrogate_lif.hpp"

#include "core/philox.hpp"
#include "core/tensor.hpp"
#include "gradcheck.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <vector>

using namespace moesim;
using namespace moesim::spiking;
using Catch::Matchers::WithinAbs;

TEST_CASE("surrogate LIF forward: hand-computed membrane and spikes", "[spiking]") {
  SurrogateLifParams p;
  p.beta = 0.5;
  p.threshold = 1.0;
  const std::vector<float> current{0.6f, 0.6f, 0.6f, 0.6f};  // T = 4, one neuron
  std::vector<float> u(4), s(4);
  const double n = surrogate_lif_forward(p, current.data(), 1, 4, u.data(), s.data());
  // u0 = 0.6; u1 = 0.3 + 0.6 = 0.9; u2 = 0.45 + 0.6 = 1.05 -> spike, v = 0.05; u3 = 0.625.
  CHECK_THAT(u[0], WithinAbs(0.6, 1e-6));
  CHECK_THAT(u[1], WithinAbs(0.9, 1e-6));
  CHECK_THAT(u[2], WithinAbs(1.05, 1e-6));
  CHECK_THAT(u[3], WithinAbs(0.625, 1e-6));
  CHECK(s == std::vector<float>{0, 0, 1, 0});
  CHECK(n == 1.0);
}

TEST_CASE("surrogate LIF backward equals a hand-derived tangent propagation", "[spiking]") {
  SurrogateLifParams p;
  p.beta = 0.8;
  p.threshold = 1.0;
  p.slope = 3.0;
  const int T = 6;
  const std::vector<float> current{0.9f, 0.5f, 0.7f, -0.2f, 1.4f, 0.3f};
  const std::vector<float> ds{0.3f, -1.0f, 0.5f, 2.0f, -0.7f, 1.1f};
  std::vector<float> u(T), s(T), dI(T);
  surrogate_lif_forward(p, current.data(), 1, T, u.data(), s.data());
  surrogate_lif_backward(p, u.data(), ds.data(), 1, T, dI.data());
  // Tangent of I_j: du_t = β dv_{t−1} + [t == j], ds_t = g_t du_t, dv_t = du_t − θ ds_t;
  // dL/dI_j = Σ_t ds[t] · ds_t.
  for (int j = 0; j < T; ++j) {
    double dv = 0.0, total = 0.0;
    for (int t = 0; t < T; ++t) {
      const double du = p.beta * dv + (t == j ? 1.0 : 0.0);
      const double g = 1.0 / ((1.0 + p.slope * std::fabs(u[t] - p.threshold)) *
                              (1.0 + p.slope * std::fabs(u[t] - p.threshold)));
      const double dst = g * du;
      dv = du - p.threshold * dst;
      total += double(ds[t]) * dst;
    }
    CAPTURE(j);
    CHECK_THAT(dI[j], WithinAbs(total, 1e-6));
  }
  // Only the last step: dL/dI_5 = ds_5 · g_5 by hand.
  const double g5 = 1.0 / std::pow(1.0 + 3.0 * std::fabs(u[5] - 1.0), 2);
  std::vector<float> last(T, 0.0f);
  last[T - 1] = 1.0f;
  surrogate_lif_backward(p, u.data(), last.data(), 1, T, dI.data());
  CHECK_THAT(dI[T - 1], WithinAbs(g5, 1e-7));
}

TEST_CASE("smooth-mode surrogate LIF: BPTT equals central differences", "[spiking]") {
  SurrogateLifParams p;
  p.beta = 0.85;
  p.threshold = 0.8;
  p.slope = 2.0;
  p.smooth = true;
  const int T = 7;
  const std::size_t nh = 5;
  const PhiloxKey key{3, 9};
  HostMatrix cur("cur", T, nh), weights("w", T, nh), analytic("a", T, nh);
  for (std::size_t i = 0; i < T * nh; ++i) {
    cur(i / nh, i % nh) = float(0.6 * Philox::normal(key, i) + 0.3);
    weights(i / nh, i % nh) = float(Philox::normal(key, 1000 + i));
  }
  std::vector<float> u(T * nh), s(T * nh);
  auto loss = [&] {
    surrogate_lif_forward(p, cur.data(), nh, T, u.data(), s.data());
    double l = 0;
    for (std::size_t i = 0; i < T * nh; ++i) l += double(weights.data()[i]) * s[i];
    return l;
  };
  loss();
  surrogate_lif_backward(p, u.data(), weights.data(), nh, T, analytic.data());
  const double err = testing::max_gradient_error(cur, analytic, loss, 1e-2, 1e-2);
  CHECK(err < 2e-2);
}
