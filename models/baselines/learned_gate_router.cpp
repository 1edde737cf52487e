#include "models/baselines/learned_gate_router.hpp"

#include "models/baselines/router_config.hpp"
#include "models/baselines/router_losses.hpp"

namespace moesim {

void ensure_shape(HostMatrix& m, const std::string& label, std::size_t rows, std::size_t cols) {
  if (m.extent(0) != rows || m.extent(1) != cols) m = HostMatrix(label, rows, cols);
}

LearnedGateRouter::LearnedGateRouter(const RouterSpec& spec, const std::string& name)
    : spec_(spec),
      gate_("router.l" + std::to_string(spec.layer) + "." + name, spec.d_model, spec.num_experts,
            spec.seed, gate_salt(spec.layer),
            router_real(spec, "router.gate_init_std", 0.02, 0.0, 10.0)),
      dropout_(spec) {}

double LearnedGateRouter::forward_flops(int tokens) const {
  // gate GEMM plus ~4 flops per logit for the softmax (max, exp, sum, scale).
  return gate_.forward_flops(tokens) + 4.0 * tokens * spec_.num_experts;
}

double LearnedGateRouter::score(const HostMatrix& x, const RouteContext& ctx) {
  const std::size_t t = x.extent(0);
  ensure_shape(logits_, "router.logits", t, spec_.num_experts);
  ensure_shape(probs_, "router.probs", t, spec_.num_experts);
  training_ = ctx.training;
  gate_.forward(x, logits_);
  dropped_ = dropout_.apply(logits_, ctx);
  softmax_rows(logits_, probs_);
  return router_z_loss(logits_);
}

HostMatrix LearnedGateRouter::weight_grad_matrix(const Dispatch& dispatch,
                                                 const DispatchGrad& grad) const {
  HostMatrix d_w("router.d_weight", dispatch.num_tokens, dispatch.num_experts);
  for (std::size_t a = 0; a < dispatch.assignments.size() && a < grad.d_weight.size(); ++a) {
    const auto& as = dispatch.assignments[a];
    d_w(as.token, as.expert) += grad.d_weight[a];
  }
  return d_w;
}

void LearnedGateRouter::backward_from_probs(const HostMatrix& x, const HostMatrix& d_probs,
                                            double z_coef, HostMatrix& dx) {
  HostMatrix d_logits("router.d_logits", logits_.extent(0), logits_.extent(1));
  softmax_rows_backward(probs_, d_probs, d_logits);
  backward_from_logits(x, d_logits, z_coef, dx);
}

void LearnedGateRouter::backward_from_logits(const HostMatrix& x, HostMatrix& d_logits,
                                             double z_coef, HostMatrix& dx) {
  router_z_loss_grad(logits_, z_coef, d_logits);
  // Dropped experts had a constant -inf logit: no gradient reaches W_g through them.
  for (std::size_t e = 0; e < dropped_.size(); ++e)
    if (dropped_[e])
      for (std::size_t t = 0; t < d_logits.extent(0); ++t) d_logits(t, e) = 0.0f;
  gate_.backward(x, d_logits, dx);
}

void LearnedGateRouter::add_renormalized_grad(std::size_t t, const int* chosen, int count,
                                              const HostMatrix& d_w, HostMatrix& d_probs) const {
  double sum = 0.0, dot = 0.0;
  for (int j = 0; j < count; ++j)
    if (chosen[j] >= 0) {
      sum += probs_(t, chosen[j]);
      dot += double(d_w(t, chosen[j])) * probs_(t, chosen[j]);
    }
  if (!(sum > 0.0)) return;
  for (int j = 0; j < count; ++j)
    if (chosen[j] >= 0)
      d_probs(t, chosen[j]) += static_cast<float>(d_w(t, chosen[j]) / sum - dot / (sum * sum));
}

}  // namespace moesim
