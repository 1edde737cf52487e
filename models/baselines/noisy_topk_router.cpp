#include "models/baselines/noisy_topk_router.hpp"

#include "core/philox.hpp"
#include "models/baselines/router_config.hpp"
#include "models/baselines/router_losses.hpp"

#include <cmath>

namespace moesim {

NoisyTopKGates noisy_topk_gates(const HostMatrix& clean, const HostMatrix& noisy,
                                const HostMatrix& stddev, int k, bool smooth) {
  NoisyTopKGates g;
  const std::size_t tokens = noisy.extent(0), experts = noisy.extent(1);
  g.choices = select_top_k(noisy, k);
  g.gates = HostMatrix("router.gates", tokens, experts);
  for (std::size_t t = 0; t < tokens; ++t) {
    // softmax over the chosen noisy logits (the first is the largest)
    const int* ex = &g.choices.expert[t * k];
    double sum = 0.0;
    for (int j = 0; j < k; ++j)
      if (ex[j] >= 0) sum += std::exp(double(noisy(t, ex[j])) - noisy(t, ex[0]));
    for (int j = 0; j < k; ++j)
      if (ex[j] >= 0) {
        const float gate = static_cast<float>(std::exp(double(noisy(t, ex[j])) - noisy(t, ex[0])) / sum);
        g.gates(t, ex[j]) = gate;
        g.choices.weight[t * k + j] = gate;
      }
  }
  g.importance = column_sums(g.gates);
  if (smooth) {
    g.load = smooth_load(clean, noisy, stddev, k);
  } else {
    g.load.assign(experts, 0.0);
    for (std::size_t t = 0; t < tokens; ++t)
      for (std::size_t e = 0; e < experts; ++e) g.load[e] += g.gates(t, e) > 0.0f ? 1.0 : 0.0;
  }
  g.importance_cv2 = cv_squared(g.importance);
  g.load_cv2 = cv_squared(g.load);
  return g;
}

namespace {
const RouterSpec& checked(const RouterSpec& spec) {
  validate_router_spec(spec, "noisy_topk", /*uses_top_k=*/true);
  return spec;
}
double softplus(double v) { return v > 20.0 ? v : std::log1p(std::exp(v)); }
double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }
}  // namespace

NoisyTopKRouter::NoisyTopKRouter(const RouterSpec& spec)
    : LearnedGateRouter(checked(spec), "noisy_topk"),
      noise_gate_("router.l" + std::to_string(spec.layer) + ".noisy_topk.noise", spec.d_model,
                  spec.num_experts, spec.seed, noise_gate_salt(spec.layer),
                  router_real(spec, "router.noise_init_std", 0.0, 0.0, 10.0)),
      noise_epsilon_(router_real(spec, "router.noise_epsilon", 1e-2, 0.0, 10.0)),
      k_(spec.top_k) {}

double NoisyTopKRouter::forward_flops(int tokens) const {
  // both gates, softplus and noise per logit
  return LearnedGateRouter::forward_flops(tokens) + noise_gate_.forward_flops(tokens) +
         6.0 * tokens * spec_.num_experts;
}

Dispatch NoisyTopKRouter::forward(const HostMatrix& x, const RouteContext& ctx) {
  Dispatch d;
  d.z_loss = score(x, ctx);  // logits_ = clean (with expert dropout)
  const std::size_t tokens = x.extent(0), experts = spec_.num_experts;
  ensure_shape(raw_noise_, "router.raw_noise", tokens, experts);
  ensure_shape(noise_, "router.noise", tokens, experts);
  ensure_shape(stddev_, "router.stddev", tokens, experts);
  ensure_shape(noisy_, "router.noisy", tokens, experts);
  if (ctx.training) {
    noise_gate_.forward(x, raw_noise_);
    const PhiloxKey key = layer_key(spec_.seed, streams::kRouterNoise, spec_.layer);
    const std::uint64_t base = ctx.step * tokens;
    auto clean = logits_, raw = raw_noise_, n = noise_, sd = stddev_, noisy = noisy_;
    const double eps = noise_epsilon_;
    Kokkos::parallel_for(
        "noisy_topk_noise", Kokkos::RangePolicy<HostExec>(0, tokens), [=](std::size_t t) {
          for (std::size_t e = 0; e < experts; ++e) {
            n(t, e) = static_cast<float>(Philox::normal(key, (base + t) * experts + e));
            sd(t, e) = static_cast<float>(softplus(raw(t, e)) + eps);
            noisy(t, e) = clean(t, e) + n(t, e) * sd(t, e);
          }
        });
  } else {
    Kokkos::deep_copy(noisy_, logits_);
    Kokkos::deep_copy(stddev_, 0.0f);
    Kokkos::deep_copy(noise_, 0.0f);
  }
  gating_ = noisy_topk_gates(logits_, noisy_, stddev_, k_, /*smooth_load=*/ctx.training);
  const int capacity = expert_capacity(spec_.capacity_factor, static_cast<int>(tokens), k_,
                                       spec_.num_experts);
  assign_slots(gating_.choices, spec_.num_experts, capacity, SlotOrder::TokenOrder, d);
  d.aux_loss = gating_.importance_cv2 + gating_.load_cv2;
  d.routing_entropy = mean_row_entropy(gating_.gates);
  return d;
}

void NoisyTopKRouter::backward(const HostMatrix& x, const Dispatch& dispatch,
                               const DispatchGrad& grad, double aux_coef, double z_coef,
                               HostMatrix& dx) {
  const std::size_t tokens = logits_.extent(0), experts = logits_.extent(1);
  // dL/d gates: the combine weights plus aux_coef · d CV²(importance).
  auto d_gates = weight_grad_matrix(dispatch, grad);
  if (aux_coef != 0.0) {
    const auto d_imp = cv_squared_grad(gating_.importance);
    for (std::size_t t = 0; t < tokens; ++t)
      for (std::size_t e = 0; e < experts; ++e) d_gates(t, e) += static_cast<float>(aux_coef * d_imp[e]);
  }
  // Through the softmax over each token's top-k noisy logits.
  HostMatrix d_clean("router.d_clean", tokens, experts);
  HostMatrix d_noisy("router.d_noisy", tokens, experts);
  HostMatrix d_stddev("router.d_stddev", tokens, experts);
  for (std::size_t t = 0; t < tokens; ++t) {
    const int* ex = &gating_.choices.expert[t * k_];
    double dot = 0.0;
    for (int j = 0; j < k_; ++j)
      if (ex[j] >= 0) dot += double(gating_.gates(t, ex[j])) * d_gates(t, ex[j]);
    for (int j = 0; j < k_; ++j)
      if (ex[j] >= 0)
        d_noisy(t, ex[j]) += static_cast<float>(gating_.gates(t, ex[j]) * (d_gates(t, ex[j]) - dot));
  }
  // Through the smooth load estimator (training only: in eval it is a count).
  if (training_ && aux_coef != 0.0) {
    auto d_load = cv_squared_grad(gating_.load);
    for (auto& v : d_load) v *= aux_coef;
    smooth_load_grad(logits_, noisy_, stddev_, k_, d_load, d_clean, d_noisy, d_stddev);
  }
  // noisy = clean + n · σ;  σ = softplus(raw) + ε.
  HostMatrix d_raw("router.d_raw_noise", tokens, experts);
  for (std::size_t t = 0; t < tokens; ++t)
    for (std::size_t e = 0; e < experts; ++e) {
      d_clean(t, e) += d_noisy(t, e);
      if (training_) {
        const double d_sigma = double(d_stddev(t, e)) + double(d_noisy(t, e)) * noise_(t, e);
        d_raw(t, e) = static_cast<float>(d_sigma * sigmoid(raw_noise_(t, e)));
      }
    }
  backward_from_logits(x, d_clean, z_coef, dx);
  if (training_) noise_gate_.backward(x, d_raw, dx);
}

}  // namespace moesim
