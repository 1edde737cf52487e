// Spiking engine (issue 6): synaptic plasticity rules declared as data (a
// parameter struct each) with update functions for a CSR Projection's weights
// or a dense weight matrix.
//
// Dense matrices are row-major [n_post][n_pre] (w[j * n_pre + i] is the
// synapse from pre i to post j, so that y = W x). Spike lists hold ascending,
// distinct neuron indices of the current step. All updates are plain loops in
// a fixed order: deterministic, independent of any thread count.
//
// Pair-based STDP with traces (Song, Miller & Abbott 2000; Morrison, Diesmann
// & Gerstner 2008, "Phenomenological models of synaptic plasticity"):
//   every pre neuron i has a trace x_i, every post neuron j a trace y_j, both
//   decaying exactly each step (x <- x e^{-dt/tau_plus}, y <- y e^{-dt/tau_minus});
//   a pre spike of i:  x_i += 1 (all-to-all) or x_i = 1 (nearest spike),
//                      then w_ij -= a_minus * y_j  for its synapses;
//   a post spike of j: w_ij += a_plus * x_i [* y2_j], then y_j += 1 or y_j = 1.
//   Weights are clipped to [w_min, w_max] after each change (additive rule,
//   hard bounds). A pre spike at t1 and a post spike at t2 = t1 + d (d > 0)
//   give dw = a_plus e^{-d/tau_plus}; post at t1, pre at t2: dw = -a_minus e^{-d/tau_minus}.
//   Within a step pre spikes act before post spikes, so a simultaneous pair
//   potentiates by a_plus. Spike times are step indices times dt.
//   All-to-all sums every earlier spike of the partner; nearest uses only the
//   latest (Morrison et al.'s "nearest spike" symmetric interpretation).
//   tau_slow_ms > 0 adds Diehl & Cook's (2015) triplet factor: potentiation is
//   multiplied by a slow post trace y2_j (time constant tau_slow_ms, same
//   pairing) taken before this post spike is added; 0 turns it off.
//
// Oja's rule (Oja 1982): dw = eta * y * (x - y * w), y = w . x. Bounded
// Hebbian learning: w converges to the unit principal eigenvector of E[x x^T].
//
// Reward-modulated STDP (Izhikevich 2007; Florian 2007): the STDP changes above
// go into an eligibility trace c_ij instead of w (c decays with
// tau_eligibility_ms, exactly per step); after the step's pairings every
// weight moves by learning_rate * reward * c_ij, clipped to [w_min, w_max].
// reward = 0 leaves the weights untouched.
#pragma once
#include "models/spiking/connectivity.hpp"
#include "models/spiking/neuron_model.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace moesim::spiking {

// ---------------------------------------------------------------- STDP ----

enum class StdpPairing { kAllToAll, kNearest };

struct StdpRule {
  double a_plus = 0.01;       // potentiation per pre-before-post pair (weight units)
  double a_minus = 0.0105;    // depression per post-before-pre pair
  double tau_plus_ms = 20.0;  // pre trace time constant
  double tau_minus_ms = 20.0; // post trace time constant
  double w_min = 0.0;
  double w_max = 1.0;
  StdpPairing pairing = StdpPairing::kAllToAll;
  double tau_slow_ms = 0.0;   // > 0: triplet factor (slow post trace); 0: off
};

// The numeric fields of StdpRule (pairing is the string key "pairing":
// "all_to_all" or "nearest").
const std::vector<ParamField<StdpRule>>& stdp_rule_fields();

// Throws moesim::UsageError naming the field: negative amplitudes,
// non-positive time constants, w_min > w_max, negative tau_slow.
void validate(const StdpRule& rule);

// Per-neuron traces and their per-step decay factors.
struct StdpTraces {
  std::vector<double> pre, post, post_slow;
  double decay_pre = 0, decay_post = 0, decay_slow = 0;

  StdpTraces() = default;
  // Validates the rule and dt; all traces start at 0.
  StdpTraces(const StdpRule& rule, double dt_ms, std::size_t n_pre, std::size_t n_post);
};

// For the CSR projection: the synapses into each target (column index).
struct SynapsesByTarget {
  std::vector<std::size_t> offsets;   // num_targets + 1
  std::vector<std::size_t> synapse;   // synapse indices into the projection, by target
  std::vector<std::uint32_t> source;  // their source neurons
};
SynapsesByTarget index_by_target(const Projection& projection);

// One step of STDP: decays the traces, then applies the step's pre and post
// spikes to the weights.
void stdp_step(const StdpRule& rule, StdpTraces& traces, const std::vector<std::uint32_t>& pre_spikes,
               const std::vector<std::uint32_t>& post_spikes, Projection& projection,
               const SynapsesByTarget& by_target);
template <class T>  // float or double
void stdp_step_dense(const StdpRule& rule, StdpTraces& traces, const std::vector<std::uint32_t>& pre_spikes,
                     const std::vector<std::uint32_t>& post_spikes, T* w);

// ----------------------------------------------------------------- Oja ----

struct OjaRule {
  double eta = 0.01;  // learning rate
};

// w[i] += eta * y * (x[i] - y * w[i]) for i < d (y given).
template <class T>  // float or double
void oja_update(const OjaRule& rule, const T* x, int d, T y, T* w);
// y = w . x (summed in double, index order), then the update; returns y.
template <class T>
T oja_step(const OjaRule& rule, const T* x, int d, T* w);
// k independent output units: W row-major [k][d], row r updated with y[r].
template <class T>
void oja_update_dense(const OjaRule& rule, const T* x, int d, const T* y, int k, T* W);

// -------------------------------------------------------------- R-STDP ----

struct RstdpRule {
  StdpRule stdp;                     // pairing amplitudes, traces, weight bounds
  double tau_eligibility_ms = 1000;  // eligibility trace decay
  double learning_rate = 1.0;        // dw = learning_rate * reward * c
};

struct RstdpState {
  StdpTraces traces;
  std::vector<double> eligibility;  // one per synapse (CSR order or dense [n_post][n_pre])
  double decay_eligibility = 0;

  RstdpState() = default;
  // n_synapses: projection.num_synapses() or n_pre * n_post for a dense matrix.
  RstdpState(const RstdpRule& rule, double dt_ms, std::size_t n_pre, std::size_t n_post,
             std::size_t n_synapses);
};

// One step: decays traces and eligibility, adds the step's pairings to the
// eligibility, then w += learning_rate * reward * c (clipped) if reward != 0.
void rstdp_step(const RstdpRule& rule, RstdpState& state, const std::vector<std::uint32_t>& pre_spikes,
                const std::vector<std::uint32_t>& post_spikes, double reward, Projection& projection,
                const SynapsesByTarget& by_target);
template <class T>
void rstdp_step_dense(const RstdpRule& rule, RstdpState& state, const std::vector<std::uint32_t>& pre_spikes,
                      const std::vector<std::uint32_t>& post_spikes, double reward, T* w);

}  // namespace moesim::spiking
