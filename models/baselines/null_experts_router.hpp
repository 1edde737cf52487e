// Null experts (AdaMoE: Zeng, Miao, Wang, Liu, Huang, "AdaMoE: Token-Adaptive
// Routing with Null Experts for Mixture-of-Experts Language Models", Findings
// of EMNLP 2024, arXiv:2406.13233).
//
// The gate scores E real + N null experts (router.null_experts, default E):
// p = softmax(x · W) over E+N, W [d_model, E+N]. Top-k over all E+N (ties to
// the lowest index); weights renormalised over the k chosen, real and null:
// w_j = p_j / Σ_{chosen} p. Null experts compute nothing: their choices are
// left out of the assignments and are not capacity drops. Capacity
// ceil(cf·T·k/E) over the E real experts, vmoe order; tokens_dropped counts
// real choices only. aux_loss = (E+N) Σ_{e<E+N} f_e P_e (Switch/GShard form over
// all E+N), f_e = choices of e / (T·k) before capacity, P_e = mean_t p_te.
// z_loss over the E+N logits; routing_entropy = entropy of p over E+N.
// mean_real_experts(): mean number of real experts per token chosen in the
// last forward (before capacity), the adaptive compute.
#pragma once
#include "models/baselines/linear_gate.hpp"
#include "moe/router.hpp"

#include <vector>

namespace moesim {

class NullExpertsRouter : public Router {
 public:
  struct Options {
    int null_experts = -1;  // -1: same as the number of real experts
  };
  static Options read_options(const RouterSpec& spec);

  explicit NullExpertsRouter(const RouterSpec& spec) : NullExpertsRouter(spec, read_options(spec)) {}
  NullExpertsRouter(const RouterSpec& spec, const Options& options);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;
  ParameterList parameters() override { return {&gate_.weight()}; }
  double forward_flops(int tokens) const override;

  int null_experts() const { return nulls_; }
  double mean_real_experts() const { return mean_real_; }
  LinearGate& gate() { return gate_; }

 private:
  int experts_, nulls_, k_;
  double capacity_factor_;
  LinearGate gate_;
  HostMatrix logits_, probs_;
  std::vector<std::vector<int>> chosen_;  // [T][k] over E+N
  std::vector<std::vector<int>> index_;   // [T][k] assignment index or -1 (null or dropped)
  std::vector<double> frac_;              // f_e over E+N
  double mean_real_ = 0.0;
};

}  // namespace moesim
