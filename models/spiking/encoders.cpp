#include "models/spiking/encoders.hpp"

#include "core/tensor.hpp"

#include <cmath>

namespace moesim::spiking {

namespace {
float sign_of(float x) { return x < 0.0f ? -1.0f : 1.0f; }
}  // namespace

void poisson_encode(PhiloxKey key, std::uint64_t counter_base, const float* x, std::size_t n,
                    std::size_t d, int steps, double gain, float* out) {
  const std::size_t T = std::size_t(steps);
  Kokkos::parallel_for(
      "spiking_poisson_encode", Kokkos::RangePolicy<HostExec>(0, n * d), [=](std::size_t idx) {
        const std::size_t row = idx / d, i = idx % d;
        const double p = spike_probability(x[idx], gain);
        const float s = sign_of(x[idx]);
        for (std::size_t t = 0; t < T; ++t) {
          const std::uint64_t counter = counter_base + (row * T + t) * d + i;
          out[(t * n + row) * d + i] = Philox::uniform(key, counter) < p ? s : 0.0f;
        }
      });
}

void rate_encode(const float* x, std::size_t n, std::size_t d, int steps, double gain, float* out) {
  const std::size_t T = std::size_t(steps);
  Kokkos::parallel_for(
      "spiking_rate_encode", Kokkos::RangePolicy<HostExec>(0, n * d), [=](std::size_t idx) {
        const double p = spike_probability(x[idx], gain);
        const float s = sign_of(x[idx]);
        for (std::size_t t = 0; t < T; ++t) {
          const bool fire = std::floor(double(t + 1) * p) > std::floor(double(t) * p);
          out[t * n * d + idx] = fire ? s : 0.0f;
        }
      });
}

void encode_backward(const float* x, const float* d_sum, std::size_t n, std::size_t d, double gain,
                     float* d_x) {
  Kokkos::parallel_for(
      "spiking_encode_backward", Kokkos::RangePolicy<HostExec>(0, n * d), [=](std::size_t idx) {
        // s̄ = sign(x)·min(1, gain|x|): slope gain inside, 0 where saturated.
        const double a = gain * std::fabs(double(x[idx]));
        d_x[idx] = a < 1.0 ? float(gain * double(d_sum[idx])) : 0.0f;
      });
}

void decode(Decoding how, const float* spikes, std::size_t n, std::size_t h, int steps, float* r) {
  const std::size_t T = std::size_t(steps), nh = n * h;
  Kokkos::parallel_for("spiking_decode", Kokkos::RangePolicy<HostExec>(0, nh), [=](std::size_t j) {
    if (how == Decoding::Rate) {
      double s = 0.0;
      for (std::size_t t = 0; t < T; ++t) s += spikes[t * nh + j];
      r[j] = float(s / double(T));
      return;
    }
    double acc = 0.0, survive = 1.0;  // Σ_t w_t s_t P_t with P_t = Π_{t'<t}(1 − s_t')
    for (std::size_t t = 0; t < T; ++t) {
      const double s = spikes[t * nh + j];
      acc += survive * s * double(T - t) / double(T);
      survive *= 1.0 - s;
    }
    r[j] = float(acc);
  });
}

void decode_backward(Decoding how, const float* spikes, const float* d_r, std::size_t n,
                     std::size_t h, int steps, float* d_spikes) {
  const std::size_t T = std::size_t(steps), nh = n * h;
  Kokkos::parallel_for(
      "spiking_decode_backward", Kokkos::RangePolicy<HostExec>(0, nh), [=](std::size_t j) {
        if (how == Decoding::Rate) {
          const float g = float(double(d_r[j]) / double(T));
          for (std::size_t t = 0; t < T; ++t) d_spikes[t * nh + j] = g;
          return;
        }
        // Q_t backward from the end, P_t forward; store Q in d_spikes first.
        double q = 0.0;
        for (std::size_t t = T; t-- > 0;) {
          d_spikes[t * nh + j] = float(q);
          const double s = spikes[t * nh + j];
          q = s * double(T - t) / double(T) + (1.0 - s) * q;
        }
        double p = 1.0;
        for (std::size_t t = 0; t < T; ++t) {
          const double w = double(T - t) / double(T);
          const double qt = d_spikes[t * nh + j];
          d_spikes[t * nh + j] = float(double(d_r[j]) * p * (w - qt));
          p *= 1.0 - spikes[t * nh + j];
        }
      });
}

}  // namespace moesim::spiking
