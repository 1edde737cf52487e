// Bio-MoE routers (issue 6), one class, two registered names:
//
//  refractory  top-k (model.top_k) of  logit_te + log a_e  where a_e is expert
//              e's availability (bio_dynamics.hpp: Tsodyks–Markram resources ×
//              refractory factor), tokens processed one after another in batch
//              order, each token's choices depleting its experts before the
//              next token is routed. Tokens flow to rested experts with no
//              auxiliary loss (aux_loss is reported as 0 and has no gradient).
//  chemical    a cascade of bio.cascade_depth experts per token over the expert
//              graph (bio.graph = grid | ring): hop 1 is the gate's choice
//              (argmax logit, + log a_e when bio.refractory = on); each further
//              hop moves to the unvisited neighbour of the current expert with
//              the highest  p_te · (c_e + 1e-6)^α · a_e  (p = softmax gate, c the
//              chemical field, α = bio.field_alpha), stopping early when every
//              neighbour was visited. The cascade is the token's set of
//              successive expert selections, all applied to the token and
//              combined with the gate probabilities renormalised over the
//              visited experts (one hop: p itself, as Switch). bio.graph =
//              learned: a complete graph whose symmetric edge weights follow
//              the gate's co-activation (each token's top-two gate experts,
//              EMA rate bio.graph_rate, weighted degrees ≤ 1); a hop's score
//              is multiplied by the edge weight. After each
//              training step (observe_step) tokens release bio.release at their
//              first-hop expert, the field diffuses and decays (bio.substeps
//              explicit steps of bio.dt, stability-checked) and serving experts
//              consume it.
// Both: bio.hebbian = on adds, after each training step, Oja's rule on the
// gate column of every expert over the router inputs of the tokens whose
// first choice it was (rate bio.hebbian_rate): co-activation of token
// features and chosen expert, bounded (|w_e| → 1).
// Gradients reach W_g through the combine weights (and the z-loss); the field,
// the availability and the cascade path are not differentiated.
// Inference (ctx.training = false) routes with a copy of the refractory state
// (evolving within the batch, then discarded) and never changes the field.
// Trace (bio.snapshot_every): substrate/refractory/{resources [record, expert],
// mean_availability}, substrate/chemical/{total, mean_hops, field [snapshot,
// expert], graph_weight [snapshot, expert, expert] (learned)}, substrate/hebbian/weight_norm [record, expert], each group with
// step / seed / layer rows (docs/bio_moe.md).
#pragma once
#include "models/baselines/learned_gate_router.hpp"
#include "models/baselines/topk_assignment.hpp"
#include "models/bio/bio_dynamics.hpp"

namespace moesim::bio {

struct BioRouterOptions {
  bool refractory = false, chemical = false, hebbian = false;
  RefractoryParams refr{};
  ChemicalParams chem{};
  GraphKind graph = GraphKind::Grid;
  double graph_rate = 0.1;  // learned graph: EMA rate of the co-activation weights
  int cascade_depth = 2;
  double field_alpha = 1.0;
  double hebbian_rate = 1e-3;
  int snapshot_every = 25;

  // Reads bio.* from spec.config; `router` is "refractory" or "chemical".
  static BioRouterOptions from_spec(const RouterSpec& spec, const std::string& router);
};

class BioRouter : public LearnedGateRouter {
 public:
  BioRouter(const RouterSpec& spec, const BioRouterOptions& options, const std::string& name);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;
  double forward_flops(int tokens) const override;
  void observe_step(const StepFeedback& feedback) override;
  void write_substrate(RunWriter& writer, std::int64_t seed, std::int64_t step) override;

  const BioRouterOptions& options() const { return opt_; }
  RefractoryState& refractory_state() { return state_; }
  ChemicalField& field() { return field_; }
  const TokenChoices& last_choices() const { return choices_; }
  Parameter& gate_weight() { return gate_.weight(); }
  double mean_hops() const { return mean_hops_; }

 private:
  int choices_per_token() const;

  BioRouterOptions opt_;
  RefractoryState state_;
  ChemicalField field_;
  TokenChoices choices_;
  std::vector<double> first_counts_, load_, co_;
  std::vector<float> x_copy_;
  int x_rows_ = 0;
  double mean_hops_ = 0;
  bool last_training_ = false, observed_ = false;
};

}  // namespace moesim::bio
