// QS-MoE: the quantum router (issue 5; docs/quantum_router.md).
//
// Each token gets its own n-qubit register (2^n ≥ E). Its features are
// angle-encoded, θ = x·W_enc + b_enc (a learned projection d_model → n ry
// angles), followed by L variational layers (CZ ring, rz, ry; circuit_layout.hpp)
// shared by all tokens. Measuring the register in the computational basis
// gives a distribution over 2^n states: state e < E is expert e; the states
// e ≥ E are unused and either form a null expert (quantum.unused_states =
// null: a choice of the null expert sends the token through the residual
// only) or are dropped by renormalising over the E experts (renormalize).
//
// Modes (quantum.mode): `exact` uses the probabilities themselves; `shots`
// samples quantum.shots measurements per token (Philox, keyed by seed, layer,
// step and token), chooses the top-k experts of the shot histogram, and
// re-measures with quantum.remeasure_factor × shots more shots when the
// margin between the two largest shot frequencies is below
// quantum.remeasure_threshold. Combine weight: the expert's probability
// (exact) or its shot frequency (shots) for k = 1, renormalised over the
// chosen experts for k ≥ 2. In shots mode the gradient is straight-through:
// the backward pass uses the exact probability in place of the frequency
// (an unbiased estimate of it). quantum.noise = <qubit preset> simulates the
// device noise exactly on each token's density matrix (noisy_register.hpp).
//
// Gradients: dL/dP(state) per token → every angle by the parameter-shift
// rule, ∂P/∂θ = [P(θ + π/2) − P(θ − π/2)] / 2 (exact for gates exp(−iθσ/2),
// also under θ-independent noise channels), evaluated as one batched circuit
// of T · 2A registers; encoding angles chain to W_enc, b_enc and dx.
// aux_loss: Switch's E · Σ f_e P_e over the real experts (f from the top-1
// choice); no z-loss (0). Measurement layer: the decoherence manager's
// (decoherence.hpp), or the swarm-timed collapse schedule (collapse.hpp).
#pragma once
#include "models/quantum/router/circuit_layout.hpp"
#include "models/quantum/router/collapse.hpp"
#include "models/quantum/router/decoherence.hpp"
#include "models/quantum/router/noisy_register.hpp"
#include "moe/router.hpp"

#include <memory>
#include <string>
#include <vector>

namespace moesim::quantum {

// Philox streams (streams::kUser + 500…): shots in training and inference,
// collapse-schedule fitness and its optimizer.
inline constexpr std::uint64_t kRouterShotStream = moesim::streams::kUser + 510;
inline constexpr std::uint64_t kRouterEvalShotStream = moesim::streams::kUser + 511;
inline constexpr std::uint64_t kCollapseFitnessStream = moesim::streams::kUser + 512;
inline constexpr std::uint64_t kCollapseOptimizerSalt = 0x9C011A95ull;

struct QuantumRouterOptions {
  unsigned qubits = 0;  // 0: ceil(log2 E)
  int layers = 2;
  bool shots_mode = false;
  std::int64_t shots = 64;
  double remeasure_threshold = 0.0;
  std::int64_t remeasure_factor = 4;
  bool null_expert = true;  // unused_states = null (else renormalize)
  std::string noise = "none";
  double max_error = 1.0;
  double encoding_scale = 1.0;
  int histogram_every = 25;
  CollapseSettings collapse;

  static QuantumRouterOptions from_spec(const RouterSpec& spec);
};

class QuantumRouter : public Router {
 public:
  explicit QuantumRouter(const RouterSpec& spec);
  QuantumRouter(const RouterSpec& spec, const QuantumRouterOptions& options);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad, double aux_coef,
                double z_coef, HostMatrix& dx) override;
  ParameterList parameters() override { return {&w_enc_, &b_enc_, &theta_}; }
  double forward_flops(int tokens) const override;
  void observe_step(const StepFeedback& feedback) override;
  void write_substrate(RunWriter& writer, std::int64_t seed, std::int64_t step) override;

  const CircuitLayout& layout() const { return layout_; }
  const DecoherenceManager& decoherence() const { return manager_; }
  int measurement_layer() const { return measure_layer_; }
  void set_measurement_layer(int m);
  const QuantumRouterOptions& options() const { return opt_; }
  // Of the last forward: state probabilities [T * 2^n], expert scores
  // [T * (E+1)] (exact probabilities, null last), choices (expert per rank,
  // -1 = null or none), shots used per token.
  const std::vector<double>& last_state_probs() const { return probs_; }
  const std::vector<double>& last_expert_probs() const { return p_; }
  const std::vector<int>& last_choices() const { return chosen_; }
  const std::vector<std::int64_t>& last_shots() const { return shots_used_; }
  const std::vector<std::int32_t>& last_counts() const { return counts_; }
  const CollapseScheduler* collapse() const { return collapse_.get(); }

  // Probabilities [R * 2^n] of R registers with angle table [R * slots],
  // measured after layer m (noisy when a preset is set). fidelity (if given)
  // receives ⟨ψ|ρ|ψ⟩ per register in noisy mode, 1 otherwise.
  std::vector<double> circuit_probabilities(const std::vector<double>& angles, std::size_t registers, int m,
                                            std::vector<double>* fidelity = nullptr) const;
  // Encoding + variational angle table [T * slots] for encoding angles [T * n].
  std::vector<double> angle_table(const std::vector<double>& enc, std::size_t tokens) const;

 private:
  void encode(const HostMatrix& x);
  void route_from_scores(int T, const std::vector<double>& scores);

  RouterSpec spec_;
  QuantumRouterOptions opt_;
  CircuitLayout layout_;
  std::size_t dim_ = 0;
  int experts_ = 0;
  DecoherenceManager manager_;
  std::unique_ptr<NoisyRegisterModel> noise_;
  int measure_layer_ = 0;
  Parameter w_enc_, b_enc_, theta_;

  // last forward
  std::vector<double> enc_;       // [T * n]
  std::vector<double> probs_;     // [T * dim]
  std::vector<double> p_;         // [T * (E+1)] expert probabilities, null last
  std::vector<double> fidelity_;  // [T]
  std::vector<std::int32_t> counts_;  // [T * dim] shots mode
  std::vector<std::int64_t> shots_used_;
  std::vector<int> chosen_;       // [T * k]
  std::vector<double> chosen_score_;  // [T * k] the score that chose (p or frequency)
  bool last_training_ = false;
  std::uint64_t last_step_ = 0;
  double last_entropy_ = 0.0;
  int remeasured_ = 0;
  std::uint64_t eval_calls_ = 0;  // inference forwards in shots mode (Philox counter blocks)

  std::unique_ptr<CollapseScheduler> collapse_;
  bool collapse_ran_ = false;
};

}  // namespace moesim::quantum
