// Encoders of token features into spike trains over a window of T steps, and
// decoders of spike trains back into real values (issue 6, Bio-MoE).
//
// Layout: spike trains are [T, N, D] (step-major: step t of all N rows is a
// contiguous [N, D] block, so per-step synaptic input is one GEMM).
//
// Signed spikes: a feature x_i is encoded with probability (or rate)
// p_i = min(1, gain · |x_i|) per step and the spike carries sign(x_i) (+1 / -1).
// This is an ON/OFF channel pair with tied weights (an OFF spike through a
// weight w acts as an ON spike through -w), so the synaptic matrix keeps the
// feature width D.
//  * Poisson: s[t,n,i] = sign(x_i) · [u < p_i], u ~ U[0,1) from Philox keyed by
//    (key, counter_base + (n·T + t)·D + i): independent of thread count and of
//    the batch's other rows.
//  * Rate (deterministic, regular): a phase accumulator; step t spikes iff
//    floor((t+1)·p) > floor(t·p), so the train carries exactly floor(T·p)
//    spikes, evenly spread.
// Gradients: the spike train is not differentiable in x; both encoders pass
// the gradient of its expectation (straight-through estimator):
//   dL/dx_i = Σ_t dL/ds[t,·,i] · gain · [gain·|x_i| < 1].
//
// Decoders of spikes s[T, N, H] into r[N, H]:
//  * rate: r = (1/T) Σ_t s_t;
//  * first spike: r = (T − t_f) / T with t_f the step of the first spike
//    (0 when the neuron never fires), written as the polynomial
//    r = Σ_t w_t s_t Π_{t'<t} (1 − s_t'), w_t = (T − t)/T, so that it has a
//    derivative in s (used with the surrogate gradient):
//      dr/ds_t = P_t (w_t − Q_t),  P_t = Π_{t'<t}(1 − s_t'),
//      Q_t = s_{t+1} w_{t+1} + (1 − s_{t+1}) Q_{t+1},  Q_{T−1} = 0.
#pragma once
#include "core/philox.hpp"

#include <cstddef>
#include <cstdint>

namespace moesim::spiking {

enum class Encoding { Current, Poisson, Rate };
enum class Decoding { Rate, FirstSpike };

// Spike probability per step of feature value x: min(1, gain · |x|).
inline double spike_probability(float x, double gain) {
  const double p = gain * (x < 0 ? -double(x) : double(x));
  return p < 1.0 ? p : 1.0;
}

// x [N, D] row-major -> out [T, N, D] of -1 / 0 / +1.
void poisson_encode(PhiloxKey key, std::uint64_t counter_base, const float* x, std::size_t n,
                    std::size_t d, int steps, double gain, float* out);
void rate_encode(const float* x, std::size_t n, std::size_t d, int steps, double gain, float* out);

// Straight-through gradient of either encoder: d_x[N, D] (overwritten) from
// d_sum[N, D] = Σ_t dL/ds_t.
void encode_backward(const float* x, const float* d_sum, std::size_t n, std::size_t d, double gain,
                     float* d_x);

// spikes [T, N, H] -> r [N, H] (overwritten).
void decode(Decoding how, const float* spikes, std::size_t n, std::size_t h, int steps, float* r);
// d_r [N, H] -> d_spikes [T, N, H] (overwritten), at the spikes of the forward.
void decode_backward(Decoding how, const float* spikes, const float* d_r, std::size_t n,
                     std::size_t h, int steps, float* d_spikes);

}  // namespace moesim::spiking
