#include "models/baselines/topany_router.hpp"

#include "backends/gemm.hpp"
#include "models/baselines/extra_router_util.hpp"

#include <algorithm>
#include <cmath>

namespace moesim {

using namespace extra_routing;

namespace {
constexpr double kEps = 1e-12;  // F.normalize
}

TopAnyRouter::Options TopAnyRouter::read_options(const RouterSpec& spec) {
  Options o;
  o.efficiency_weight = key_real(spec, "router.topany_efficiency_weight", o.efficiency_weight);
  o.diversity_weight = key_real(spec, "router.topany_diversity_weight", o.diversity_weight);
  return o;
}

TopAnyRouter::TopAnyRouter(const RouterSpec& spec, const Options& options)
    : d_model_(spec.d_model),
      experts_(spec.num_experts),
      k_(spec.top_k),
      capacity_factor_(spec.capacity_factor),
      opt_(options),
      embed_("topany.l" + std::to_string(spec.layer) + ".w_expert", spec.d_model, spec.num_experts),
      threshold_("topany.l" + std::to_string(spec.layer) + ".threshold", 1, spec.num_experts,
                 /*weight_decay=*/false) {
  validate_spec(spec);
  require(spec.top_k >= 1 && spec.top_k <= spec.num_experts, "model.top_k", std::to_string(spec.top_k),
          "1 .. model.experts");
  require(options.efficiency_weight >= 0.0 && std::isfinite(options.efficiency_weight),
          "router.topany_efficiency_weight", to_text(options.efficiency_weight), "a real >= 0");
  require(options.diversity_weight >= 0.0 && std::isfinite(options.diversity_weight),
          "router.topany_diversity_weight", to_text(options.diversity_weight), "a real >= 0");
  // DynMoE initialises the embeddings orthogonally; random normal columns are
  // nearly orthogonal when E << d_model. Thresholds start at 0 (σ = 0.5).
  init_normal(embed_, spec.seed, 0x70A0000 + spec.layer, 1.0 / std::sqrt(double(std::max(1, d_model_))));
  Kokkos::deep_copy(threshold_.value, 0.0f);
}

double TopAnyRouter::forward_flops(int tokens) const {
  const double E = experts_, d = d_model_;
  return 2.0 * tokens * d * E + 3.0 * (tokens + E) * d + tokens * (8.0 * E + E * std::log2(E + 1.0));
}

Dispatch TopAnyRouter::forward(const HostMatrix& x, const RouteContext& /*ctx*/) {
  const int T = static_cast<int>(x.extent(0));
  const int E = experts_, D = d_model_;
  if (xn_.extent(0) != std::size_t(T)) {
    xn_ = make_matrix("topany.xn", T, D);
    cos_ = make_matrix("topany.cos", T, E);
    scores_ = make_matrix("topany.scores", T, E);
  }
  if (wn_.extent(0) == 0) wn_ = make_matrix("topany.wn", D, E);
  xnorm_.assign(T, 0.0f);
  wnorm_.assign(E, 0.0f);
  {
    auto xi = x;
    auto xo = xn_;
    float* nr = xnorm_.data();
    Kokkos::parallel_for(
        "topany_xnorm", Kokkos::RangePolicy<HostExec>(0, T), [=](int t) {
          double s = 0.0;
          for (int j = 0; j < D; ++j) s += double(xi(t, j)) * xi(t, j);
          const double n = std::max(std::sqrt(s), kEps);
          nr[t] = static_cast<float>(n);
          for (int j = 0; j < D; ++j) xo(t, j) = static_cast<float>(xi(t, j) / n);
        });
    auto w = embed_.value;
    auto wo = wn_;
    for (int e = 0; e < E; ++e) {
      double s = 0.0;
      for (int j = 0; j < D; ++j) s += double(w(j, e)) * w(j, e);
      const double n = std::max(std::sqrt(s), kEps);
      wnorm_[e] = static_cast<float>(n);
      for (int j = 0; j < D; ++j) wo(j, e) = static_cast<float>(w(j, e) / n);
    }
  }
  gemm(Backend::Blas, Op::N, Op::N, 1.0f, cmat(xn_), cmat(wn_), 0.0f, mat(cos_));
  std::vector<double> thr(E);
  for (int e = 0; e < E; ++e) thr[e] = sigmoid(threshold_.value(0, e));

  active_.assign(T, {});
  w_.assign(T, {});
  fallback_.assign(T, 0);
  {
    auto c = cos_;
    auto s = scores_;
    auto* act = active_.data();
    auto* wt = w_.data();
    char* fb = fallback_.data();
    const double* th = thr.data();
    Kokkos::parallel_for(
        "topany_select", Kokkos::RangePolicy<HostExec>(0, T), [=](int t) {
          std::vector<int> a;
          for (int e = 0; e < E; ++e) {
            s(t, e) = static_cast<float>(sigmoid(c(t, e)));
            if (double(s(t, e)) > th[e]) a.push_back(e);
          }
          if (a.empty()) {
            int best = 0;
            for (int e = 1; e < E; ++e)
              if (s(t, e) > s(t, best)) best = e;
            a.push_back(best);
            fb[t] = 1;
          }
          std::stable_sort(a.begin(), a.end(), [&](int i, int j) { return s(t, i) > s(t, j); });
          double m = s(t, a[0]), sum = 0.0;
          std::vector<double> w(a.size());
          for (std::size_t r = 0; r < a.size(); ++r) sum += (w[r] = std::exp(double(s(t, a[r])) - m));
          for (auto& v : w) v /= sum;
          act[t] = std::move(a);
          wt[t] = std::move(w);
        });
  }
  std::vector<std::vector<Choice>> choices(T);
  int max_active = 0;
  long total_active = 0;
  ce_.assign(E, 0.0);
  std::vector<double> me(E, 0.0);
  double h = 0.0, eff = 0.0;
  for (int t = 0; t < T; ++t) {
    const int n = static_cast<int>(active_[t].size());
    max_active = std::max(max_active, n);
    total_active += n;
    for (int r = 0; r < n; ++r) {
      const int e = active_[t][r];
      choices[t].push_back({e, static_cast<float>(w_[t][r])});
      ce_[e] += 1.0 / T;
      me[e] += w_[t][r] / T;
      if (!fallback_[t]) eff += 1.0;
    }
    h += entropy(w_[t].data(), n);
  }
  mean_active_ = T > 0 ? double(total_active) / T : 0.0;

  Dispatch d;
  assign_with_capacity(choices, E, expert_capacity(capacity_factor_, T, k_, E), d, index_);
  d.choices = max_active;
  d.routing_entropy = T > 0 ? h / T : 0.0;
  d.z_loss = z_loss(cos_);
  double lb = 0.0;
  for (int e = 0; e < E; ++e) lb += me[e] * ce_[e];
  double aux = T > 0 ? E * lb : 0.0;
  if (T > 0) aux += opt_.efficiency_weight * eff / (double(T) * E);
  if (opt_.diversity_weight != 0.0) {
    double frob = 0.0, simple = 0.0;
    for (int i = 0; i < E; ++i) {
      for (int j = 0; j < E; ++j) {
        double cij = 0.0;
        for (int q = 0; q < D; ++q) cij += double(wn_(q, i)) * wn_(q, j);
        const double dij = cij - (i == j ? 1.0 : 0.0);
        frob += dij * dij;
      }
      simple += wnorm_[i];
    }
    aux += opt_.diversity_weight * (std::sqrt(frob) + simple / E);
  }
  d.aux_loss = aux;
  return d;
}

void TopAnyRouter::backward(const HostMatrix& x, const Dispatch& d, const DispatchGrad& grad,
                            double aux_coef, double z_coef, HostMatrix& dx) {
  const int T = static_cast<int>(x.extent(0));
  const int E = experts_, D = d_model_;
  HostMatrix dc = make_matrix("topany.dcos", T, E);
  std::vector<double> dG(E, 0.0);
  const double eff_g = (T > 0) ? aux_coef * opt_.efficiency_weight / (double(T) * E) : 0.0;
  for (int t = 0; t < T; ++t) {
    const int n = static_cast<int>(active_[t].size());
    std::vector<double> dw(n, 0.0);
    double dot = 0.0;
    for (int r = 0; r < n; ++r) {
      const int e = active_[t][r];
      const int i = index_[t][r];
      if (i >= 0 && std::size_t(i) < grad.d_weight.size()) dw[r] = grad.d_weight[i];
      dw[r] += aux_coef * E * ce_[e] / T;  // load balance: ∂(E Σ me ce)/∂w_te
      dot += w_[t][r] * dw[r];
    }
    for (int r = 0; r < n; ++r) {
      const int e = active_[t][r];
      double ds = w_[t][r] * (dw[r] - dot);  // softmax over the active set
      const double sg = sigmoid(threshold_.value(0, e));
      if (!fallback_[t]) {
        dG[e] -= sg * (1.0 - sg) * ds;  // straight-through through h_te
        ds += eff_g;                    // efficiency loss, straight-through
        dG[e] -= sg * (1.0 - sg) * eff_g;
      }
      const double s = scores_(t, e);
      dc(t, e) += static_cast<float>(ds * s * (1.0 - s));
    }
  }
  for (int e = 0; e < E; ++e) threshold_.grad(0, e) += static_cast<float>(dG[e]);
  z_loss_grad(cos_, z_coef, dc);

  HostMatrix dxn = make_matrix("topany.dxn", T, D);
  HostMatrix dwn = make_matrix("topany.dwn", D, E);
  gemm(Backend::Blas, Op::N, Op::T, 1.0f, cmat(dc), cmat(wn_), 0.0f, mat(dxn));
  gemm(Backend::Blas, Op::T, Op::N, 1.0f, cmat(xn_), cmat(dc), 0.0f, mat(dwn));
  std::vector<double> dsimple(E, 0.0);
  if (aux_coef != 0.0 && opt_.diversity_weight != 0.0) {
    // ‖C − I‖_F with C = Ŵᵀ Ŵ: dŴ = 2 Ŵ (C − I) / ‖C − I‖_F.
    std::vector<double> Dm(std::size_t(E) * E);
    double frob = 0.0;
    for (int i = 0; i < E; ++i)
      for (int j = 0; j < E; ++j) {
        double cij = 0.0;
        for (int q = 0; q < D; ++q) cij += double(wn_(q, i)) * wn_(q, j);
        Dm[std::size_t(i) * E + j] = cij - (i == j ? 1.0 : 0.0);
        frob += Dm[std::size_t(i) * E + j] * Dm[std::size_t(i) * E + j];
      }
    frob = std::sqrt(frob);
    const double c = aux_coef * opt_.diversity_weight;
    if (frob > 0.0)
      for (int q = 0; q < D; ++q)
        for (int j = 0; j < E; ++j) {
          double s = 0.0;
          for (int i = 0; i < E; ++i) s += double(wn_(q, i)) * Dm[std::size_t(i) * E + j];
          dwn(q, j) += static_cast<float>(c * 2.0 * s / frob);
        }
    for (int e = 0; e < E; ++e) dsimple[e] = c / E;  // ∂(mean ‖w_e‖)/∂w_e = ŵ_e / E
  }
  // Through the normalisations: d x = (d x̂ − x̂ (x̂·d x̂)) / ‖x‖ (when ‖x‖ > eps).
  {
    auto xn = xn_;
    const float* nr = xnorm_.data();
    auto out = dx;
    Kokkos::parallel_for(
        "topany_dx", Kokkos::RangePolicy<HostExec>(0, T), [=](int t) {
          double dot = 0.0;
          for (int j = 0; j < D; ++j) dot += double(xn(t, j)) * dxn(t, j);
          const bool clamp = nr[t] <= kEps;
          for (int j = 0; j < D; ++j)
            out(t, j) += static_cast<float>((dxn(t, j) - (clamp ? 0.0 : xn(t, j) * dot)) / nr[t]);
        });
  }
  for (int e = 0; e < E; ++e) {
    double dot = 0.0;
    for (int j = 0; j < D; ++j) dot += double(wn_(j, e)) * dwn(j, e);
    const bool clamp = wnorm_[e] <= kEps;
    for (int j = 0; j < D; ++j)
      embed_.grad(j, e) += static_cast<float>((dwn(j, e) - (clamp ? 0.0 : wn_(j, e) * dot)) / wnorm_[e] +
                                              dsimple[e] * wn_(j, e));
  }
}

}  // namespace moesim
