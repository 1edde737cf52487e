#include "models/baselines/hierarchical_router.hpp"

#include "models/baselines/extra_router_util.hpp"

#include <algorithm>
#include <cmath>

namespace moesim {

using namespace extra_routing;

HierarchicalRouter::Options HierarchicalRouter::read_options(const RouterSpec& spec) {
  Options o;
  o.groups = static_cast<int>(key_int(spec, "router.groups", o.groups));
  return o;
}

namespace {
int checked_groups(const RouterSpec& spec, int groups) {
  validate_spec(spec);
  require(groups >= 1 && spec.num_experts % std::max(1, groups) == 0, "router.groups",
          std::to_string(groups), "a divisor of model.experts = " + std::to_string(spec.num_experts));
  require(spec.top_k >= 1 && spec.top_k <= spec.num_experts / groups, "model.top_k",
          std::to_string(spec.top_k),
          "1 .. model.experts / router.groups = " + std::to_string(spec.num_experts / groups));
  return groups;
}
}  // namespace

HierarchicalRouter::HierarchicalRouter(const RouterSpec& spec, const Options& options)
    : experts_(spec.num_experts),
      groups_(checked_groups(spec, options.groups)),
      per_group_(spec.num_experts / groups_),
      k_(spec.top_k),
      capacity_factor_(spec.capacity_factor),
      group_gate_("hierarchical.l" + std::to_string(spec.layer) + ".group", spec.d_model, groups_,
                  spec.seed, 0x41E0000 + 2 * spec.layer, gate_std(spec)),
      expert_gate_("hierarchical.l" + std::to_string(spec.layer) + ".expert", spec.d_model,
                   spec.num_experts, spec.seed, 0x41E0000 + 2 * spec.layer + 1, gate_std(spec)) {}

double HierarchicalRouter::forward_flops(int tokens) const {
  return group_gate_.forward_flops(tokens) + expert_gate_.forward_flops(tokens) +
         tokens * (4.0 * groups_ + 4.0 * experts_ + double(per_group_) * k_);
}

Dispatch HierarchicalRouter::forward(const HostMatrix& x, const RouteContext& /*ctx*/) {
  const int T = static_cast<int>(x.extent(0));
  const int E = experts_, G = groups_, m = per_group_, k = k_;
  if (lg_.extent(0) != std::size_t(T)) {
    lg_ = make_matrix("hierarchical.group_logits", T, G);
    pg_ = make_matrix("hierarchical.group_probs", T, G);
    le_ = make_matrix("hierarchical.expert_logits", T, E);
    pe_ = make_matrix("hierarchical.expert_probs", T, E);
  }
  group_gate_.forward(x, lg_);
  expert_gate_.forward(x, le_);
  softmax_rows(lg_, pg_);
  group_.assign(T, 0);
  chosen_.assign(T, std::vector<int>(k));
  {
    auto le = le_;
    auto pe = pe_;
    auto pg = pg_;
    int* gr = group_.data();
    auto* ch = chosen_.data();
    Kokkos::parallel_for(
        "hierarchical_select", Kokkos::RangePolicy<HostExec>(0, T), [=](int t) {
          for (int g = 0; g < G; ++g) {  // softmax within every group
            const double l = logsumexp(&le(t, g * m), m);
            for (int j = 0; j < m; ++j) pe(t, g * m + j) = static_cast<float>(std::exp(le(t, g * m + j) - l));
          }
          int best = 0;
          for (int g = 1; g < G; ++g)
            if (pg(t, g) > pg(t, best)) best = g;
          gr[t] = best;
          std::vector<int> order(m);
          for (int j = 0; j < m; ++j) order[j] = best * m + j;
          std::stable_sort(order.begin(), order.end(), [&](int i, int j) { return pe(t, i) > pe(t, j); });
          for (int r = 0; r < k; ++r) ch[t][r] = order[r];
        });
  }
  std::vector<std::vector<Choice>> choices(T, std::vector<Choice>(k));
  fg_.assign(G, 0.0);
  fe_.assign(E, 0.0);
  for (int t = 0; t < T; ++t) {
    fg_[group_[t]] += 1.0 / T;
    for (int r = 0; r < k; ++r) {
      const int e = chosen_[t][r];
      choices[t][r] = {e, pg_(t, group_[t]) * pe_(t, e)};
      fe_[e] += 1.0 / (double(T) * k);
    }
  }
  Dispatch d;
  assign_with_capacity(choices, E, expert_capacity(capacity_factor_, T, k, E), d, index_);
  d.choices = k;

  std::vector<double> Pg(G, 0.0), Pe(E, 0.0), q(E);
  double h = 0.0;
  for (int t = 0; t < T; ++t) {
    for (int g = 0; g < G; ++g) Pg[g] += double(pg_(t, g)) / T;
    for (int e = 0; e < E; ++e) {
      q[e] = double(pg_(t, e / m)) * pe_(t, e);
      Pe[e] += q[e] / T;
    }
    h += entropy(q.data(), E);
  }
  double ag = 0.0, ae = 0.0;
  for (int g = 0; g < G; ++g) ag += fg_[g] * Pg[g];
  for (int e = 0; e < E; ++e) ae += fe_[e] * Pe[e];
  d.aux_loss = T > 0 ? G * ag + E * ae : 0.0;
  d.routing_entropy = T > 0 ? h / T : 0.0;
  std::vector<int> begin(T);
  for (int t = 0; t < T; ++t) begin[t] = group_[t] * m;
  d.z_loss = z_loss(lg_) + z_loss_rows(le_, begin, m);
  return d;
}

void HierarchicalRouter::backward(const HostMatrix& x, const Dispatch& d, const DispatchGrad& grad,
                                  double aux_coef, double z_coef, HostMatrix& dx) {
  const int T = static_cast<int>(x.extent(0));
  const int E = experts_, G = groups_, m = per_group_, k = k_;
  HostMatrix dpg = make_matrix("hierarchical.dpg", T, G);
  HostMatrix dpe = make_matrix("hierarchical.dpe", T, E);
  for (int t = 0; t < T; ++t) {
    const int g = group_[t];
    for (int r = 0; r < k; ++r) {
      const int i = index_[t][r];
      if (i < 0 || std::size_t(i) >= grad.d_weight.size()) continue;
      const int e = chosen_[t][r];
      dpg(t, g) += static_cast<float>(grad.d_weight[i] * pe_(t, e));
      dpe(t, e) += static_cast<float>(grad.d_weight[i] * pg_(t, g));
    }
    if (aux_coef != 0.0 && T > 0) {
      for (int gg = 0; gg < G; ++gg) dpg(t, gg) += static_cast<float>(aux_coef * G * fg_[gg] / T);
      for (int e = 0; e < E; ++e) {
        const double dq = aux_coef * E * fe_[e] / T;  // ∂(E Σ f_e P_e)/∂q_te
        dpg(t, e / m) += static_cast<float>(dq * pe_(t, e));
        dpe(t, e) += static_cast<float>(dq * pg_(t, e / m));
      }
    }
  }
  HostMatrix dlg = make_matrix("hierarchical.dlg", T, G);
  HostMatrix dle = make_matrix("hierarchical.dle", T, E);
  softmax_rows_backward(pg_, dpg, dlg);
  {
    auto pe = pe_;
    Kokkos::parallel_for(
        "hierarchical_softmax_back", Kokkos::RangePolicy<HostExec>(0, T), [=](int t) {
          for (int g = 0; g < G; ++g) {
            double dot = 0.0;
            for (int j = 0; j < m; ++j) dot += double(pe(t, g * m + j)) * dpe(t, g * m + j);
            for (int j = 0; j < m; ++j)
              dle(t, g * m + j) = static_cast<float>(pe(t, g * m + j) * (dpe(t, g * m + j) - dot));
          }
        });
  }
  z_loss_grad(lg_, z_coef, dlg);
  std::vector<int> begin(T);
  for (int t = 0; t < T; ++t) begin[t] = group_[t] * m;
  z_loss_rows_grad(le_, begin, m, z_coef, dle);
  group_gate_.backward(x, dlg, dx);
  expert_gate_.backward(x, dle, dx);
}

}  // namespace moesim
