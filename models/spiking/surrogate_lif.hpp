// Discrete-time leaky integrate-and-fire layer trained with a surrogate
// gradient (Zenke & Ganguli 2018, SuperSpike; Neftci, Mostafa & Zenke 2019):
// forward with the Heaviside spike, backward through time (BPTT) with the
// fast-sigmoid pseudo-derivative in place of the Heaviside's.
//
// Per neuron, input current I_t, steps t = 0 … T−1, v_{−1} = 0:
//   u_t = β v_{t−1} + I_t            membrane before the spike decision
//   s_t = H(u_t − θ)                 spike (H(z) = 1 for z ≥ 0)
//   v_t = u_t − θ s_t                reset by subtraction
// Surrogate: ∂s_t/∂u_t := g(u_t − θ), g(z) = 1 / (1 + k|z|)²  (fast sigmoid,
// slope k). BPTT, with a_t = dL/du_t and dL/dv_{T−1} = 0:
//   dL/dv_t = β a_{t+1}
//   a_t = dL/dv_t · (1 − θ g_t) + dL/ds_t · g_t        (the reset path included)
//   dL/dI_t = a_t.
// `smooth` mode replaces H by S(z) = z / (1 + k|z|) + 1/k, whose derivative is
// exactly g: the same backward is then the exact gradient of a smooth forward,
// which finite differences can check (tests only; a forward in this mode does
// not spike).
//
// Layout: current, membrane and spikes are [T, N, H] (step-major). Every
// neuron is independent: one parallel loop over N·H, serial in t —
// bit-identical for any thread count.
#pragma once
#include <cstddef>

namespace moesim::spiking {

struct SurrogateLifParams {
  double beta = 0.9;       // leak factor per step, in [0, 1]
  double threshold = 1.0;  // θ > 0
  double slope = 5.0;      // k > 0 of the fast-sigmoid surrogate
  bool smooth = false;     // tests: S(z) instead of H(z) (see above)
};

inline double fast_sigmoid_grad(double z, double k) {
  const double a = 1.0 + k * (z < 0 ? -z : z);
  return 1.0 / (a * a);
}
inline double smooth_spike(double z, double k) { return z / (1.0 + k * (z < 0 ? -z : z)) + 1.0 / k; }

// current [T, N·H] -> membrane u [T, N·H] (cached for backward), spikes [T, N·H].
// Returns the number of spikes (Heaviside mode), or Σ s in smooth mode.
double surrogate_lif_forward(const SurrogateLifParams& p, const float* current, std::size_t nh,
                             int steps, float* membrane, float* spikes);

// d_spikes [T, N·H] -> d_current [T, N·H] (overwritten), from the cached membrane.
void surrogate_lif_backward(const SurrogateLifParams& p, const float* membrane,
                            const float* d_spikes, std::size_t nh, int steps, float* d_current);

}  // namespace moesim::spiking
