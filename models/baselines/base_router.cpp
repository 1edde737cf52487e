#include "models/baselines/base_router.hpp"

#include "models/baselines/extra_router_util.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace moesim {

using namespace extra_routing;

BaseRouter::Options BaseRouter::read_options(const RouterSpec& spec) {
  Options o;
  o.sinkhorn_iters = static_cast<int>(key_int(spec, "router.sinkhorn_iters", o.sinkhorn_iters));
  o.sinkhorn_tol = key_real(spec, "router.sinkhorn_tol", o.sinkhorn_tol);
  return o;
}

BaseRouter::BaseRouter(const RouterSpec& spec, const Options& options)
    : experts_(spec.num_experts),
      capacity_factor_(spec.capacity_factor),
      opt_(options),
      gate_("base.l" + std::to_string(spec.layer), spec.d_model, spec.num_experts, spec.seed,
            0xBA5E000 + spec.layer, gate_std(spec)) {
  validate_spec(spec);
  require(options.sinkhorn_iters >= 1, "router.sinkhorn_iters", std::to_string(options.sinkhorn_iters),
          "an integer >= 1");
  require(options.sinkhorn_tol >= 0.0 && std::isfinite(options.sinkhorn_tol), "router.sinkhorn_tol",
          to_text(options.sinkhorn_tol), "a real >= 0");
}

double BaseRouter::forward_flops(int tokens) const {
  // gate + Sinkhorn (two log-sum-exp sweeps of T·E per iteration, ~4 flops each) + sigmoid
  return gate_.forward_flops(tokens) + 8.0 * tokens * experts_ * opt_.sinkhorn_iters +
         4.0 * tokens;
}

std::vector<double> BaseRouter::sinkhorn(const HostMatrix& a, int max_iters, double tol,
                                         int* iterations_used) {
  const int T = static_cast<int>(a.extent(0));
  const int E = static_cast<int>(a.extent(1));
  std::vector<double> f(T, 0.0), g(E, 0.0);  // log row / column scalings
  const double log_target = std::log(double(T) / E);
  auto lse_col = [&](int e) {
    double m = -std::numeric_limits<double>::infinity();
    for (int t = 0; t < T; ++t) m = std::max(m, double(a(t, e)) + f[t]);
    double s = 0.0;
    for (int t = 0; t < T; ++t) s += std::exp(double(a(t, e)) + f[t] - m);
    return m + std::log(s);
  };
  auto lse_row = [&](int t) {
    double m = -std::numeric_limits<double>::infinity();
    for (int e = 0; e < E; ++e) m = std::max(m, double(a(t, e)) + g[e]);
    double s = 0.0;
    for (int e = 0; e < E; ++e) s += std::exp(double(a(t, e)) + g[e] - m);
    return m + std::log(s);
  };
  int it = 0;
  if (T > 0) {
    for (int t = 0; t < T; ++t) f[t] = -lse_row(t);  // rows sum to 1
    for (it = 1; it <= max_iters; ++it) {
      for (int e = 0; e < E; ++e) g[e] = log_target - lse_col(e);  // columns to T/E
      for (int t = 0; t < T; ++t) f[t] = -lse_row(t);  // rows to 1: f_t = −log Σ_e exp(a_te + g_e)
      double err = 0.0;
      for (int e = 0; e < E; ++e) err = std::max(err, std::abs(std::exp(lse_col(e) + g[e] - log_target) - 1.0));
      if (err < tol) break;
    }
    it = std::min(it, max_iters);
  }
  if (iterations_used) *iterations_used = it;
  std::vector<double> plan(std::size_t(T) * E);
  for (int t = 0; t < T; ++t)
    for (int e = 0; e < E; ++e) plan[std::size_t(t) * E + e] = std::exp(double(a(t, e)) + f[t] + g[e]);
  return plan;
}

Dispatch BaseRouter::forward(const HostMatrix& x, const RouteContext& ctx) {
  const int T = static_cast<int>(x.extent(0));
  const int E = experts_;
  if (logits_.extent(0) != std::size_t(T)) logits_ = make_matrix("base.logits", T, E);
  gate_.forward(x, logits_);

  std::vector<int> choice(T, 0);
  if (ctx.training) {
    const std::vector<double> plan = sinkhorn(logits_, opt_.sinkhorn_iters, opt_.sinkhorn_tol, &last_iters_);
    for (int t = 0; t < T; ++t)
      for (int e = 1; e < E; ++e)
        if (plan[std::size_t(t) * E + e] > plan[std::size_t(t) * E + choice[t]]) choice[t] = e;
  } else {
    last_iters_ = 0;
    for (int t = 0; t < T; ++t)
      for (int e = 1; e < E; ++e)
        if (logits_(t, e) > logits_(t, choice[t])) choice[t] = e;
  }
  std::vector<std::vector<Choice>> choices(T);
  for (int t = 0; t < T; ++t)
    choices[t] = {{choice[t], static_cast<float>(sigmoid(logits_(t, choice[t])))}};

  Dispatch d;
  std::vector<std::vector<int>> index;
  assign_with_capacity(choices, E, expert_capacity(capacity_factor_, T, 1, E), d, index);
  d.choices = 1;
  d.aux_loss = 0.0;
  d.z_loss = z_loss(logits_);
  double h = 0.0;
  std::vector<double> p(E);
  for (int t = 0; t < T; ++t) {
    const double l = logsumexp(&logits_(t, 0), E);
    for (int e = 0; e < E; ++e) p[e] = std::exp(double(logits_(t, e)) - l);
    h += entropy(p.data(), E);
  }
  d.routing_entropy = T > 0 ? h / T : 0.0;
  return d;
}

void BaseRouter::backward(const HostMatrix& x, const Dispatch& d, const DispatchGrad& grad,
                          double /*aux_coef*/, double z_coef, HostMatrix& dx) {
  const int T = static_cast<int>(x.extent(0));
  HostMatrix dl = make_matrix("base.dlogits", T, experts_);
  for (std::size_t i = 0; i < d.assignments.size() && i < grad.d_weight.size(); ++i) {
    const Assignment& a = d.assignments[i];
    const double s = sigmoid(logits_(a.token, a.expert));
    dl(a.token, a.expert) += static_cast<float>(grad.d_weight[i] * s * (1.0 - s));
  }
  z_loss_grad(logits_, z_coef, dl);
  gate_.backward(x, dl, dx);
}

}  // namespace moesim
