// Hierarchical (group-then-expert) routing, after the hierarchical MoE of
// Shazeer et al., "Outrageously Large Neural Networks", ICLR 2017, appendix B.
//
// E experts in G contiguous groups of m = E/G (router.groups, must divide E).
// A group gate p(g|x) = softmax(x · W_group) [T, G] picks the top-1 group
// (ties to the lowest index); an expert gate p(e|g,x) = softmax over the m
// experts of group g of x · W_expert [T, E] picks the top-k within it
// (model.top_k <= m). Combine weight = p(g|x) · p(e|g,x) (no renormalisation).
// Capacity ceil(cf·T·k/E), vmoe order.
// aux_loss = G Σ_g f_g P_g (group level: f_g = fraction of tokens sent to g,
// P_g = mean p(g|x)) + E Σ_e f_e P_e (expert level: f_e = choices of e / (T·k)
// before capacity, P_e = mean of the joint q_e = p(g(e)|x) p(e|g(e),x)).
// z_loss = mean (lse of group logits)² + mean (lse of the chosen group's
// expert logits)². routing_entropy = entropy of the joint q over all E.
#pragma once
#include "models/baselines/linear_gate.hpp"
#include "moe/router.hpp"

#include <vector>

namespace moesim {

class HierarchicalRouter : public Router {
 public:
  struct Options {
    int groups = 2;
  };
  static Options read_options(const RouterSpec& spec);

  explicit HierarchicalRouter(const RouterSpec& spec) : HierarchicalRouter(spec, read_options(spec)) {}
  HierarchicalRouter(const RouterSpec& spec, const Options& options);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;
  ParameterList parameters() override { return {&group_gate_.weight(), &expert_gate_.weight()}; }
  double forward_flops(int tokens) const override;

  int groups() const { return groups_; }
  // Last forward: p(g|x) [T, G] and p(e|g(e),x) [T, E] (softmax within each group).
  const HostMatrix& group_probs() const { return pg_; }
  const HostMatrix& expert_probs() const { return pe_; }
  const std::vector<int>& chosen_group() const { return group_; }

 private:
  int experts_, groups_, per_group_, k_;
  double capacity_factor_;
  LinearGate group_gate_, expert_gate_;
  HostMatrix lg_, le_, pg_, pe_;
  std::vector<int> group_;                // [T]
  std::vector<std::vector<int>> chosen_;  // [T][k]
  std::vector<std::vector<int>> index_;   // [T][k]
  std::vector<double> fg_, fe_;
};

}  // namespace moesim
