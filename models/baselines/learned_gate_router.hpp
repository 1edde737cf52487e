// Common body of the baseline routers with a learned gate (topk, switch,
// gshard, batch_prioritized, expert_choice, dense, noisy_topk): logits =
// x · W_g with expert dropout applied, softmax probabilities, the router
// z-loss, and the backward pass from dL/d(probabilities) to W_g and dx.
// Each subclass adds only its selection rule and its loss.
#pragma once
#include "models/baselines/expert_dropout.hpp"
#include "models/baselines/linear_gate.hpp"
#include "moe/router.hpp"

#include <string>
#include <vector>

namespace moesim {

class LearnedGateRouter : public Router {
 public:
  ParameterList parameters() override { return {&gate_.weight()}; }
  double forward_flops(int tokens) const override;

  const HostMatrix& last_logits() const { return logits_; }
  const HostMatrix& last_probs() const { return probs_; }

 protected:
  // `name` prefixes the parameter names: router.l<layer>.<name>.w_gate.
  LearnedGateRouter(const RouterSpec& spec, const std::string& name);

  // logits_ = x · W_g, dropped experts set to -inf (dropped_ records them);
  // probs_ = softmax(logits_); returns the z-loss of logits_.
  double score(const HostMatrix& x, const RouteContext& ctx);

  // dL/d assignment.weight as a dense [T, E] matrix (a (token, expert) pair
  // appears at most once in a sparse dispatch).
  HostMatrix weight_grad_matrix(const Dispatch& dispatch, const DispatchGrad& grad) const;

  // Given d_probs (dL/d probs_, without the z-loss), adds z_coef · dz/dlogits
  // and propagates to W_g.grad and dx.
  void backward_from_probs(const HostMatrix& x, const HostMatrix& d_probs, double z_coef,
                           HostMatrix& dx);
  // The same from dL/d logits_ (z-loss added here too).
  void backward_from_logits(const HostMatrix& x, HostMatrix& d_logits, double z_coef,
                            HostMatrix& dx);

  // Combine weights renormalised over a token's chosen experts, w_j = p_j / S
  // with S = Σ_chosen p: adds dL/dp_i = dW_i / S − (Σ_j dW_j p_j) / S² for
  // every chosen i of token t. `chosen` has `count` expert ids (-1 skipped).
  void add_renormalized_grad(std::size_t t, const int* chosen, int count, const HostMatrix& d_w,
                             HostMatrix& d_probs) const;

  int tokens() const { return static_cast<int>(logits_.extent(0)); }

  RouterSpec spec_;
  LinearGate gate_;
  ExpertDropout dropout_;
  HostMatrix logits_;            // [T, E] of the last forward
  HostMatrix probs_;             // [T, E] softmax(logits_)
  std::vector<char> dropped_;    // [E] experts dropped at the last forward
  bool training_ = true;         // ctx.training of the last forward
};

// (Re)allocates m to [rows, cols] when its shape differs.
void ensure_shape(HostMatrix& m, const std::string& label, std::size_t rows, std::size_t cols);

}  // namespace moesim
