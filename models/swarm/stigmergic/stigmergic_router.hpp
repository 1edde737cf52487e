// Stigmergic MoE router: routing by pheromone traces in shared memory, as in
// ant colony routing (Dorigo & Stützle 2004; AntNet, Di Caro & Dorigo 1998).
//
// A token's bucket b is a SimHash of its router input x (stigmergy.hash_bits
// sign random projections, fixed Philox-drawn hyperplanes). Expert e's
// desirability for token t is
//     s[t,e] = τ[b,e]^α · η[t,e]^β,   η = softmax(x · W_g)   (LinearGate)
// computed as α log τ + β log η. Selection (stigmergy.selection): `top_k`
// takes the k best (ties → lowest expert), `sample` draws k without
// replacement with probability ∝ s (Philox; inference always uses top_k).
// Combine weights are the chosen experts' η renormalised over the k chosen
// (k >= 2, Mixtral) or η itself (k = 1, Switch — a renormalised single weight
// would be 1 and the gate would get no gradient), so gradients reach W_g; τ
// is not differentiated. Capacity and dropping as the other routers
// (topk_assignment: token order). aux_loss = E·Σ f_e·P_e over η, z-loss of
// the gate logits; routing_entropy = entropy of s normalised per token.
//
// After each training step (observe_step) the pheromone field evaporates and
// is reinforced by the loss decrease the chosen experts delivered
// (pheromone_field.hpp); inference never changes τ. Highway metrics and τ
// snapshots go to /runs/<variant>/substrate/pheromone (docs/stigmergic.md).
#pragma once
#include "models/baselines/learned_gate_router.hpp"
#include "models/baselines/topk_assignment.hpp"
#include "models/swarm/stigmergic/pheromone_field.hpp"

namespace moesim {

// Philox streams (streams::kUser + offset): hyperplanes and sampling.
inline constexpr std::uint64_t kStigmergyHashStream = 1000 + 0x5710;
inline constexpr std::uint64_t kStigmergySampleStream = 1000 + 0x5711;

class StigmergicRouter : public LearnedGateRouter {
 public:
  explicit StigmergicRouter(const RouterSpec& spec);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;
  double forward_flops(int tokens) const override;

  void observe_step(const StepFeedback& feedback) override;
  void write_substrate(RunWriter& writer, std::int64_t seed, std::int64_t step) override;

  PheromoneField& field() { return field_; }
  const StigmergyParams& params() const { return params_; }
  const std::vector<int>& last_buckets() const { return buckets_; }
  const TokenChoices& last_choices() const { return choices_; }
  const HighwayMetrics& last_metrics() const { return metrics_; }
  bool has_metrics() const { return observed_; }

 private:
  StigmergyParams params_;
  SimHash hash_;
  PheromoneField field_;
  std::vector<int> buckets_;  // [T] of the last forward
  TokenChoices choices_;      // of the last forward (before capacity)
  HighwayMetrics metrics_;    // of the last observe_step
  bool observed_ = false;
  bool last_forward_training_ = false;
  std::uint64_t last_forward_step_ = 0;
};

}  // namespace moesim
