#include "models/baselines/null_experts_router.hpp"

#include "models/baselines/extra_router_util.hpp"

#include <algorithm>
#include <cmath>

namespace moesim {

using namespace extra_routing;

NullExpertsRouter::Options NullExpertsRouter::read_options(const RouterSpec& spec) {
  Options o;
  o.null_experts = static_cast<int>(key_int(spec, "router.null_experts", -1));
  return o;
}

namespace {
int resolve_nulls(const RouterSpec& spec, const NullExpertsRouter::Options& o) {
  require(o.null_experts >= -1, "router.null_experts", std::to_string(o.null_experts),
          "-1 (= model.experts) or an integer >= 0");
  return o.null_experts < 0 ? spec.num_experts : o.null_experts;
}
}  // namespace

NullExpertsRouter::NullExpertsRouter(const RouterSpec& spec, const Options& options)
    : experts_(spec.num_experts),
      nulls_(resolve_nulls(spec, options)),
      k_(spec.top_k),
      capacity_factor_(spec.capacity_factor),
      gate_("null_experts.l" + std::to_string(spec.layer), spec.d_model, spec.num_experts + nulls_,
            spec.seed, 0x4E0000 + spec.layer, gate_std(spec)) {
  validate_spec(spec);
  require(spec.top_k >= 1 && spec.top_k <= spec.num_experts + nulls_, "model.top_k",
          std::to_string(spec.top_k), "1 .. model.experts + router.null_experts");
}

double NullExpertsRouter::forward_flops(int tokens) const {
  const double n = experts_ + nulls_;
  return gate_.forward_flops(tokens) + tokens * (4.0 * n + n * k_ + 2.0 * k_);
}

Dispatch NullExpertsRouter::forward(const HostMatrix& x, const RouteContext& /*ctx*/) {
  const int T = static_cast<int>(x.extent(0));
  const int E = experts_, N = experts_ + nulls_, k = k_;
  if (logits_.extent(0) != std::size_t(T)) {
    logits_ = make_matrix("null_experts.logits", T, N);
    probs_ = make_matrix("null_experts.probs", T, N);
  }
  gate_.forward(x, logits_);
  softmax_rows(logits_, probs_);

  chosen_.assign(T, std::vector<int>(k));
  std::vector<std::vector<Choice>> real(T);
  std::vector<float> wsum(T);
  {
    auto p = probs_;
    auto* ch = chosen_.data();
    Kokkos::parallel_for(
        "null_experts_select", Kokkos::RangePolicy<HostExec>(0, T), [=](int t) {
          std::vector<int> order(N);
          for (int e = 0; e < N; ++e) order[e] = e;
          std::stable_sort(order.begin(), order.end(), [&](int i, int j) { return p(t, i) > p(t, j); });
          for (int r = 0; r < k; ++r) ch[t][r] = order[r];
        });
  }
  // Real choices keep their rank order; null ones vanish.
  std::vector<std::vector<int>> rank_of_real(T);
  long real_count = 0;
  frac_.assign(N, 0.0);
  for (int t = 0; t < T; ++t) {
    double s = 0.0;
    for (int r = 0; r < k; ++r) s += probs_(t, chosen_[t][r]);
    for (int r = 0; r < k; ++r) {
      const int e = chosen_[t][r];
      frac_[e] += 1.0 / (double(T) * k);
      if (e < E) {
        real[t].push_back({e, static_cast<float>(probs_(t, e) / s)});
        rank_of_real[t].push_back(r);
        ++real_count;
      }
    }
  }
  mean_real_ = T > 0 ? double(real_count) / T : 0.0;

  Dispatch d;
  std::vector<std::vector<int>> idx;
  assign_with_capacity(real, E, expert_capacity(capacity_factor_, T, k, E), d, idx);
  index_.assign(T, std::vector<int>(k, -1));
  for (int t = 0; t < T; ++t)
    for (std::size_t j = 0; j < idx[t].size(); ++j) index_[t][rank_of_real[t][j]] = idx[t][j];
  d.choices = k;

  std::vector<double> P(N, 0.0);
  double h = 0.0;
  std::vector<double> row(N);
  for (int t = 0; t < T; ++t) {
    for (int e = 0; e < N; ++e) {
      row[e] = probs_(t, e);
      P[e] += row[e] / T;
    }
    h += entropy(row.data(), N);
  }
  double aux = 0.0;
  for (int e = 0; e < N; ++e) aux += frac_[e] * P[e];
  d.aux_loss = T > 0 ? N * aux : 0.0;
  d.routing_entropy = T > 0 ? h / T : 0.0;
  d.z_loss = z_loss(logits_);
  return d;
}

void NullExpertsRouter::backward(const HostMatrix& x, const Dispatch& d, const DispatchGrad& grad,
                                 double aux_coef, double z_coef, HostMatrix& dx) {
  const int T = static_cast<int>(x.extent(0));
  const int N = experts_ + nulls_, k = k_;
  HostMatrix dp = make_matrix("null_experts.dprobs", T, N);
  HostMatrix dl = make_matrix("null_experts.dlogits", T, N);
  for (int t = 0; t < T; ++t) {
    // w_j = p_j / S over the chosen; dL/dp_j = (d_j − Σ_i d_i w_i) / S.
    double S = 0.0, dot = 0.0;
    for (int r = 0; r < k; ++r) S += probs_(t, chosen_[t][r]);
    std::vector<double> dw(k, 0.0);
    for (int r = 0; r < k; ++r) {
      const int i = index_[t][r];
      if (i >= 0 && std::size_t(i) < grad.d_weight.size()) dw[r] = grad.d_weight[i];
      dot += dw[r] * probs_(t, chosen_[t][r]) / S;
    }
    for (int r = 0; r < k; ++r) dp(t, chosen_[t][r]) += static_cast<float>((dw[r] - dot) / S);
    if (aux_coef != 0.0)
      for (int e = 0; e < N; ++e) dp(t, e) += static_cast<float>(aux_coef * N * frac_[e] / T);
  }
  softmax_rows_backward(probs_, dp, dl);
  z_loss_grad(logits_, z_coef, dl);
  gate_.backward(x, dl, dx);
}

}  // namespace moesim
