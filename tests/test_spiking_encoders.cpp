// Spike encoders and decoders (models/spiking/encoders): Poisson rates within
// binomial error of min(1, gain·|x|) and reproducible from the Philox key,
// the deterministic rate encoder's exact counts, rate and first-spike
// decoders on hand-built trains, their gradients (first spike against central
// differences of its polynomial form) and the straight-through encoder gradient.
#include "models/spiking/encoders.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>

#include <cmath>
#include <vector>

using namespace moesim;
using namespace moesim::spiking;
using Catch::Matchers::WithinAbs;

TEST_CASE("Poisson encoder: rates match min(1, gain|x|), signs follow x, draws are keyed", "[spiking]") {
  const std::vector<float> values{0.0f, 0.2f, -0.6f, 1.0f, -3.0f};
  const std::size_t d = values.size(), n = 400;
  const int T = 50;
  const double gain = 0.5;
  std::vector<float> x(n * d);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t i = 0; i < d; ++i) x[r * d + i] = values[i];
  std::vector<float> s(std::size_t(T) * n * d), s2(s.size()), s3(s.size());
  const PhiloxKey key{7, 1660};
  poisson_encode(key, 0, x.data(), n, d, T, gain, s.data());
  for (std::size_t i = 0; i < d; ++i) {
    const double p = spike_probability(values[i], gain);
    double count = 0;
    bool sign_ok = true;
    for (std::size_t t = 0; t < std::size_t(T); ++t)
      for (std::size_t r = 0; r < n; ++r) {
        const float v = s[(t * n + r) * d + i];
        count += std::fabs(v);
        if (v != 0.0f) sign_ok = sign_ok && ((v > 0) == (values[i] >= 0));
      }
    const double trials = double(n) * T, rate = count / trials;
    const double sigma = std::sqrt(std::max(p * (1 - p), 1e-12) / trials);
    CAPTURE(i, p, rate);
    CHECK(std::fabs(rate - p) <= 4.0 * sigma + 1e-12);
    CHECK(sign_ok);
  }
  poisson_encode(key, 0, x.data(), n, d, T, gain, s2.data());
  CHECK(s == s2);  // same key and counters: the same train
  poisson_encode(key, std::uint64_t(1) << 36, x.data(), n, d, T, gain, s3.data());
  CHECK(s != s3);  // another counter block: other draws
}

TEST_CASE("rate encoder: exactly floor(T p) evenly spread spikes", "[spiking]") {
  const std::vector<float> x{0.0f, 0.1f, 0.25f, -0.5f, 0.9f, 2.0f};
  const int T = 16;
  const double gain = 1.0;
  std::vector<float> s(std::size_t(T) * x.size());
  rate_encode(x.data(), 1, x.size(), T, gain, s.data());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double p = spike_probability(x[i], gain);
    int count = 0, last = -100, min_gap = 1000;
    for (int t = 0; t < T; ++t)
      if (s[std::size_t(t) * x.size() + i] != 0.0f) {
        ++count;
        min_gap = std::min(min_gap, t - last);
        last = t;
        CHECK(s[std::size_t(t) * x.size() + i] == (x[i] < 0 ? -1.0f : 1.0f));
      }
    CAPTURE(i);
    CHECK(count == int(std::floor(T * p)));
    if (p > 0 && p <= 0.5) CHECK(min_gap >= int(std::floor(1.0 / p)));
  }
}

TEST_CASE("rate and first-spike decoders on hand-built trains", "[spiking]") {
  // T = 4, one row, 3 neurons: [0,1,0,1], [0,0,0,0], [1,1,1,1].
  const int T = 4;
  const std::vector<float> trains{0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1};  // [t][h]
  std::vector<float> r(3);
  decode(Decoding::Rate, trains.data(), 1, 3, T, r.data());
  CHECK(r == std::vector<float>{0.5f, 0.0f, 1.0f});
  decode(Decoding::FirstSpike, trains.data(), 1, 3, T, r.data());
  CHECK_THAT(r[0], WithinAbs(0.75, 1e-7));  // first spike at t = 1: (4 − 1)/4
  CHECK(r[1] == 0.0f);
  CHECK(r[2] == 1.0f);
  // Rate backward: dr/T at every step.
  std::vector<float> dr{2.0f, -1.0f, 4.0f}, ds(12);
  decode_backward(Decoding::Rate, trains.data(), dr.data(), 1, 3, T, ds.data());
  for (int t = 0; t < T; ++t) CHECK(ds[std::size_t(t) * 3 + 2] == 1.0f);
}

TEST_CASE("first-spike decoder gradient matches central differences of its polynomial", "[spiking]") {
  const int T = 5;
  const std::size_t h = 3;
  std::vector<float> s{0.1f, 0.7f, 0.3f, 0.4f, 0.2f, 0.9f, 0.5f, 0.6f, 0.0f,
                       0.2f, 0.1f, 0.5f, 0.8f, 0.3f, 0.4f};  // [T][h], values in [0, 1]
  const std::vector<float> dr{1.0f, -2.0f, 0.5f};
  std::vector<float> ds(s.size()), r(h);
  decode_backward(Decoding::FirstSpike, s.data(), dr.data(), 1, h, T, ds.data());
  auto loss = [&] {
    decode(Decoding::FirstSpike, s.data(), 1, h, T, r.data());
    double l = 0;
    for (std::size_t j = 0; j < h; ++j) l += double(dr[j]) * r[j];
    return l;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const float saved = s[i];
    s[i] = saved + 1e-3f;
    const double up = loss();
    s[i] = saved - 1e-3f;
    const double down = loss();
    s[i] = saved;
    CAPTURE(i);
    CHECK_THAT(ds[i], WithinAbs((up - down) / 2e-3, 2e-4));
  }
}

TEST_CASE("encoders pass the straight-through gradient gain inside, zero when saturated", "[spiking]") {
  const std::vector<float> x{0.5f, -1.0f, 3.0f, -0.1f};
  const std::vector<float> d_sum{1.0f, 2.0f, 3.0f, -4.0f};
  std::vector<float> dx(4);
  encode_backward(x.data(), d_sum.data(), 1, 4, 0.5, dx.data());
  CHECK(dx == std::vector<float>{0.5f, 1.0f, 0.0f, -2.0f});  // 0.5·3 saturates (p = 1)
}
