// Auxiliary-loss-free load balancing (Wang, Gao, Zeng, Dai, "Auxiliary-Loss-Free
// Load Balancing Strategy for Mixture-of-Experts", arXiv:2408.15664, 2024; as
// used in DeepSeek-V3, arXiv:2412.19437 §2.1.2).
//
// Affinities s = sigmoid(x · W) [T, E]. A per-expert bias b is added only to
// select each token's top-k experts (argtopk of s + b; ties to the lowest
// index); the gate of a chosen expert is s_e / Σ_{chosen} s (normalised over
// the k chosen, dropped ones included). After every training forward
// b_e += u · sign(mean_load − load_e), load_e = tokens selecting e before
// capacity, mean_load = T·k/E, u = router.bias_update_rate (default 0.001).
// b is state, not a gradient parameter (bias()/set_bias()). No aux loss
// (aux_loss = 0). Capacity ceil(cf·T·k/E) applies in the vmoe order.
// z_loss = mean (logsumexp_e (x·W)_te)²; routing_entropy = entropy of s / Σ_e s.
#pragma once
#include "models/baselines/linear_gate.hpp"
#include "moe/router.hpp"

#include <vector>

namespace moesim {

class AuxFreeRouter : public Router {
 public:
  struct Options {
    double bias_update_rate = 0.001;
  };
  static Options read_options(const RouterSpec& spec);

  explicit AuxFreeRouter(const RouterSpec& spec) : AuxFreeRouter(spec, read_options(spec)) {}
  AuxFreeRouter(const RouterSpec& spec, const Options& options);

  Dispatch forward(const HostMatrix& x, const RouteContext& ctx) override;
  void backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                double aux_coef, double z_coef, HostMatrix& dx) override;
  ParameterList parameters() override { return {&gate_.weight()}; }
  double forward_flops(int tokens) const override;

  const std::vector<double>& bias() const { return bias_; }
  void set_bias(const std::vector<double>& b) { bias_ = b; }
  // b_e += rate · sign(mean − load_e); the rule applied after a training forward.
  static void update_bias(std::vector<double>& bias, const std::vector<double>& load, double rate);
  // Tokens selecting each expert (before capacity) in the last forward.
  const std::vector<double>& last_selection_load() const { return selection_load_; }
  LinearGate& gate() { return gate_; }

 private:
  int experts_, k_;
  double capacity_factor_;
  Options opt_;
  LinearGate gate_;
  std::vector<double> bias_;
  HostMatrix logits_;
  std::vector<std::vector<int>> chosen_;  // [T][k] experts in rank order
  std::vector<std::vector<int>> index_;   // [T][k] assignment index or -1
  std::vector<double> selection_load_;
};

}  // namespace moesim
