#include "models/baselines/aux_free_router.hpp"

#include "models/baselines/extra_router_util.hpp"

#include <algorithm>
#include <cmath>

namespace moesim {

using namespace extra_routing;

AuxFreeRouter::Options AuxFreeRouter::read_options(const RouterSpec& spec) {
  Options o;
  o.bias_update_rate = key_real(spec, "router.bias_update_rate", o.bias_update_rate);
  return o;
}

AuxFreeRouter::AuxFreeRouter(const RouterSpec& spec, const Options& options)
    : experts_(spec.num_experts),
      k_(spec.top_k),
      capacity_factor_(spec.capacity_factor),
      opt_(options),
      gate_("aux_free.l" + std::to_string(spec.layer), spec.d_model, spec.num_experts, spec.seed,
            0xAF00000 + spec.layer, gate_std(spec)),
      bias_(spec.num_experts, 0.0) {
  validate_spec(spec);
  require(options.bias_update_rate >= 0.0 && std::isfinite(options.bias_update_rate),
          "router.bias_update_rate", to_text(options.bias_update_rate), "a real >= 0");
  require(spec.top_k >= 1 && spec.top_k <= spec.num_experts, "model.top_k", std::to_string(spec.top_k),
          "1 .. model.experts");
}

double AuxFreeRouter::forward_flops(int tokens) const {
  return gate_.forward_flops(tokens) + tokens * (5.0 * experts_ + double(experts_) * k_ + 2.0 * k_);
}

void AuxFreeRouter::update_bias(std::vector<double>& bias, const std::vector<double>& load, double rate) {
  double total = 0.0;
  for (double l : load) total += l;
  const double mean = load.empty() ? 0.0 : total / load.size();
  for (std::size_t e = 0; e < bias.size(); ++e) {
    const double diff = mean - load[e];
    bias[e] += rate * ((diff > 0) - (diff < 0));
  }
}

Dispatch AuxFreeRouter::forward(const HostMatrix& x, const RouteContext& ctx) {
  const int T = static_cast<int>(x.extent(0));
  const int E = experts_, k = k_;
  if (logits_.extent(0) != std::size_t(T)) logits_ = make_matrix("aux_free.logits", T, E);
  gate_.forward(x, logits_);

  chosen_.assign(T, std::vector<int>(k));
  std::vector<std::vector<Choice>> choices(T, std::vector<Choice>(k));
  {
    const double* b = bias_.data();
    auto lg = logits_;
    auto* ch = chosen_.data();
    auto* cs = choices.data();
    Kokkos::parallel_for(
        "aux_free_select", Kokkos::RangePolicy<HostExec>(0, T), [=](int t) {
          std::vector<int> order(E);
          for (int e = 0; e < E; ++e) order[e] = e;
          // biased score, descending; ties to the lowest index (stable)
          std::stable_sort(order.begin(), order.end(), [&](int i, int j) {
            return sigmoid(lg(t, i)) + b[i] > sigmoid(lg(t, j)) + b[j];
          });
          double sum = 0.0;
          for (int r = 0; r < k; ++r) sum += sigmoid(lg(t, order[r]));
          for (int r = 0; r < k; ++r) {
            ch[t][r] = order[r];
            cs[t][r] = {order[r], static_cast<float>(sigmoid(lg(t, order[r])) / sum)};
          }
        });
  }
  Dispatch d;
  assign_with_capacity(choices, E, expert_capacity(capacity_factor_, T, k, E), d, index_);
  d.choices = k;
  d.aux_loss = 0.0;
  d.z_loss = z_loss(logits_);
  double h = 0.0;
  std::vector<double> p(E);
  for (int t = 0; t < T; ++t) {
    double s = 0.0;
    for (int e = 0; e < E; ++e) s += (p[e] = sigmoid(logits_(t, e)));
    for (int e = 0; e < E; ++e) p[e] /= s;
    h += entropy(p.data(), E);
  }
  d.routing_entropy = T > 0 ? h / T : 0.0;

  selection_load_.assign(E, 0.0);
  for (int t = 0; t < T; ++t)
    for (int r = 0; r < k; ++r) selection_load_[chosen_[t][r]] += 1.0;
  if (ctx.training) update_bias(bias_, selection_load_, opt_.bias_update_rate);
  return d;
}

void AuxFreeRouter::backward(const HostMatrix& x, const Dispatch& d, const DispatchGrad& grad,
                             double /*aux_coef*/, double z_coef, HostMatrix& dx) {
  const int T = static_cast<int>(x.extent(0));
  const int k = k_;
  HostMatrix dl = make_matrix("aux_free.dlogits", T, experts_);
  for (int t = 0; t < T; ++t) {
    // g_j = s_j / S over the chosen; dL/ds_j = (d_j − Σ_i d_i g_i) / S.
    double S = 0.0, dot = 0.0;
    for (int r = 0; r < k; ++r) S += sigmoid(logits_(t, chosen_[t][r]));
    std::vector<double> dw(k, 0.0);
    for (int r = 0; r < k; ++r) {
      const int i = index_[t][r];
      if (i >= 0 && std::size_t(i) < grad.d_weight.size()) dw[r] = grad.d_weight[i];
      dot += dw[r] * sigmoid(logits_(t, chosen_[t][r])) / S;
    }
    for (int r = 0; r < k; ++r) {
      const int e = chosen_[t][r];
      const double s = sigmoid(logits_(t, e));
      dl(t, e) += static_cast<float>((dw[r] - dot) / S * s * (1.0 - s));
    }
  }
  z_loss_grad(logits_, z_coef, dl);
  gate_.backward(x, dl, dx);
}

}  // namespace moesim
