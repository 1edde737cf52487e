#include "models/baselines/soft_moe_router.hpp"

#include "backends/gemm.hpp"
#include "models/baselines/extra_router_util.hpp"

#include <algorithm>
#include <cmath>

namespace moesim {

using namespace extra_routing;

namespace {
constexpr double kNormEps = 1e-6;  // vmoe normalize()

// Row-wise l2 normalisation of m [R, C] into out; inv[r] = 1/sqrt(|row|² + eps).
void normalize_rows(const HostMatrix& m, HostMatrix& out, std::vector<float>& inv) {
  const std::size_t rows = m.extent(0), cols = m.extent(1);
  inv.assign(rows, 0.0f);
  float* iv = inv.data();
  auto in = m;
  auto o = out;
  Kokkos::parallel_for(
      "soft_moe_norm_rows", Kokkos::RangePolicy<HostExec>(0, rows), [=](std::size_t r) {
        double s = 0.0;
        for (std::size_t c = 0; c < cols; ++c) s += double(in(r, c)) * in(r, c);
        const double k = 1.0 / std::sqrt(s + kNormEps);
        iv[r] = static_cast<float>(k);
        for (std::size_t c = 0; c < cols; ++c) o(r, c) = static_cast<float>(in(r, c) * k);
      });
}

// Column-wise l2 normalisation (Φ columns are the slots).
void normalize_cols(const HostMatrix& m, HostMatrix& out, std::vector<float>& inv) {
  const std::size_t rows = m.extent(0), cols = m.extent(1);
  inv.assign(cols, 0.0f);
  float* iv = inv.data();
  auto in = m;
  auto o = out;
  Kokkos::parallel_for(
      "soft_moe_norm_cols", Kokkos::RangePolicy<HostExec>(0, cols), [=](std::size_t c) {
        double s = 0.0;
        for (std::size_t r = 0; r < rows; ++r) s += double(in(r, c)) * in(r, c);
        const double k = 1.0 / std::sqrt(s + kNormEps);
        iv[c] = static_cast<float>(k);
        for (std::size_t r = 0; r < rows; ++r) o(r, c) = static_cast<float>(in(r, c) * k);
      });
}
}  // namespace

SoftMoERouter::Options SoftMoERouter::read_options(const RouterSpec& spec) {
  Options o;
  const std::int64_t s = key_int(spec, "router.slots_per_expert", 0);
  require(s >= 0, "router.slots_per_expert", std::to_string(s), "0 (derive from capacity) or >= 1");
  if (s > 0) {
    o.slots_per_expert = static_cast<int>(s);
  } else {
    const double tokens = static_cast<double>(key_int(spec, "train.batch_size", spec.num_experts));
    const double derived = std::round(spec.capacity_factor * tokens / std::max(1, spec.num_experts));
    o.slots_per_expert = std::max(1, static_cast<int>(derived));
  }
  o.normalize = key_bool(spec, "router.soft_normalize", false);
  return o;
}

SoftMoERouter::SoftMoERouter(const RouterSpec& spec, const Options& options)
    : d_model_(spec.d_model),
      experts_(spec.num_experts),
      slots_(options.slots_per_expert),
      top_k_(spec.top_k),
      normalize_(options.normalize),
      phi_("soft_moe.l" + std::to_string(spec.layer) + ".phi", spec.d_model,
           std::size_t(spec.num_experts) * std::max(1, options.slots_per_expert)),
      scale_("soft_moe.l" + std::to_string(spec.layer) + ".scale", 1, 1, /*weight_decay=*/false) {
  validate_spec(spec);
  require(options.slots_per_expert >= 1, "router.slots_per_expert",
          std::to_string(options.slots_per_expert), ">= 1");
  require(spec.num_experts >= 1, "model.experts", std::to_string(spec.num_experts), ">= 1");
  // LeCun normal (vmoe's mu_init): std = 1/sqrt(fan_in).
  init_normal(phi_, spec.seed, 0x50F7000 + spec.layer, 1.0 / std::sqrt(double(std::max(1, d_model_))));
  Kokkos::deep_copy(scale_.value, 1.0f);
}

ParameterList SoftMoERouter::parameters() {
  if (normalize_) return {&phi_, &scale_};
  return {&phi_};
}

double SoftMoERouter::forward_flops(int tokens) const {
  const double slots = double(experts_) * slots_;
  double f = 2.0 * tokens * d_model_ * slots;  // logits
  f += 2.0 * 3.0 * tokens * slots;             // two softmaxes (exp, sum, scale)
  if (normalize_) f += 3.0 * (double(tokens) + slots) * d_model_ + tokens * slots;
  return f;
}

Dispatch SoftMoERouter::forward(const HostMatrix& x, const RouteContext& /*ctx*/) {
  const int T = static_cast<int>(x.extent(0));
  const int S = experts_ * slots_;
  if (xn_.extent(0) != std::size_t(T)) {
    xn_ = make_matrix("soft_moe.xn", T, d_model_);
    g_ = make_matrix("soft_moe.g", T, S);
    logits_ = make_matrix("soft_moe.logits", T, S);
  }
  if (phin_.extent(0) == 0) phin_ = make_matrix("soft_moe.phin", d_model_, S);

  if (normalize_) {
    normalize_rows(x, xn_, xinv_);
    normalize_cols(phi_.value, phin_, phiinv_);
  } else {
    Kokkos::deep_copy(xn_, x);
    Kokkos::deep_copy(phin_, phi_.value);
  }
  gemm(Backend::Blas, Op::N, Op::N, 1.0f, cmat(xn_), cmat(phin_), 0.0f, mat(g_));
  const float scale = normalize_ ? scale_.value(0, 0) : 1.0f;
  auto g = g_;
  auto lg = logits_;
  Kokkos::parallel_for(
      "soft_moe_logits", Kokkos::RangePolicy<HostExec>(0, T), [=](int t) {
        for (int c = 0; c < S; ++c) lg(t, c) = scale * g(t, c);
      });

  Dispatch d;
  d.num_tokens = T;
  d.num_experts = experts_;
  d.capacity = slots_;
  d.choices = top_k_;
  d.soft = true;
  d.dispatch = make_matrix("soft_moe.dispatch", S, T);
  d.combine = make_matrix("soft_moe.combine", T, S);
  auto disp = d.dispatch;
  auto comb = d.combine;
  // Dispatch: softmax over tokens, one slot column at a time (serial over t).
  Kokkos::parallel_for(
      "soft_moe_dispatch", Kokkos::RangePolicy<HostExec>(0, S), [=](int c) {
        if (T == 0) return;
        float m = lg(0, c);
        for (int t = 1; t < T; ++t) m = std::max(m, lg(t, c));
        double sum = 0.0;
        for (int t = 0; t < T; ++t) sum += std::exp(double(lg(t, c)) - m);
        for (int t = 0; t < T; ++t) disp(c, t) = static_cast<float>(std::exp(double(lg(t, c)) - m) / sum);
      });
  // Combine: softmax over all slots of each token.
  Kokkos::parallel_for(
      "soft_moe_combine", Kokkos::RangePolicy<HostExec>(0, T), [=](int t) {
        float m = lg(t, 0);
        for (int c = 1; c < S; ++c) m = std::max(m, lg(t, c));
        double sum = 0.0;
        for (int c = 0; c < S; ++c) sum += std::exp(double(lg(t, c)) - m);
        for (int c = 0; c < S; ++c) comb(t, c) = static_cast<float>(std::exp(double(lg(t, c)) - m) / sum);
      });

  // Diagnostics (serial, index order).
  d.expert_load.assign(experts_, 0.0);
  for (int c = 0; c < S; ++c)
    for (int t = 0; t < T; ++t) d.expert_load[c / slots_] += disp(c, t);
  d.top_expert.assign(T, -1);
  std::vector<double> pe(experts_);
  double h = 0.0;
  for (int t = 0; t < T; ++t) {
    int best = 0;
    for (int c = 1; c < S; ++c)
      if (comb(t, c) > comb(t, best)) best = c;
    d.top_expert[t] = best / slots_;
    std::fill(pe.begin(), pe.end(), 0.0);
    for (int c = 0; c < S; ++c) pe[c / slots_] += comb(t, c);
    h += entropy(pe.data(), experts_);
  }
  d.routing_entropy = T > 0 ? h / T : 0.0;
  d.z_loss = z_loss(logits_);
  d.aux_loss = 0.0;
  d.tokens_dropped = 0;
  return d;
}

void SoftMoERouter::backward(const HostMatrix& x, const Dispatch& d, const DispatchGrad& grad,
                             double /*aux_coef*/, double z_coef, HostMatrix& dx) {
  const int T = static_cast<int>(x.extent(0));
  const int S = experts_ * slots_;
  HostMatrix dl = make_matrix("soft_moe.dlogits", T, S);
  auto disp = d.dispatch;
  auto comb = d.combine;
  const bool has_dc = grad.d_combine.extent(0) == std::size_t(T) && grad.d_combine.extent(1) == std::size_t(S);
  const bool has_dd = grad.d_dispatch.extent(0) == std::size_t(S) && grad.d_dispatch.extent(1) == std::size_t(T);
  if (has_dc) {
    auto dc = grad.d_combine;
    Kokkos::parallel_for(
        "soft_moe_dcombine", Kokkos::RangePolicy<HostExec>(0, T), [=](int t) {
          double dot = 0.0;
          for (int c = 0; c < S; ++c) dot += double(comb(t, c)) * dc(t, c);
          for (int c = 0; c < S; ++c) dl(t, c) += static_cast<float>(comb(t, c) * (dc(t, c) - dot));
        });
  }
  if (has_dd) {
    auto dd = grad.d_dispatch;
    Kokkos::parallel_for(
        "soft_moe_ddispatch", Kokkos::RangePolicy<HostExec>(0, S), [=](int c) {
          double dot = 0.0;
          for (int t = 0; t < T; ++t) dot += double(disp(c, t)) * dd(c, t);
          for (int t = 0; t < T; ++t) dl(t, c) += static_cast<float>(disp(c, t) * (dd(c, t) - dot));
        });
  }
  z_loss_grad(logits_, z_coef, dl);

  if (!normalize_) {
    gemm(Backend::Blas, Op::T, Op::N, 1.0f, cmat(x), cmat(dl), 1.0f, mat(phi_.grad));
    gemm(Backend::Blas, Op::N, Op::T, 1.0f, cmat(dl), cmat(phi_.value), 1.0f, mat(dx));
    return;
  }
  // logits = scale · g, g = xn · phin.
  const float scale = scale_.value(0, 0);
  {
    std::vector<double> row(T, 0.0);
    double* rp = row.data();
    auto g = g_;
    Kokkos::parallel_for(
        "soft_moe_dscale", Kokkos::RangePolicy<HostExec>(0, T), [=](int t) {
          double s = 0.0;
          for (int c = 0; c < S; ++c) s += double(dl(t, c)) * g(t, c);
          rp[t] = s;
        });
    double ds = 0.0;
    for (int t = 0; t < T; ++t) ds += row[t];
    scale_.grad(0, 0) += static_cast<float>(ds);
  }
  HostMatrix dxn = make_matrix("soft_moe.dxn", T, d_model_);
  HostMatrix dphin = make_matrix("soft_moe.dphin", d_model_, S);
  gemm(Backend::Blas, Op::N, Op::T, scale, cmat(dl), cmat(phin_), 0.0f, mat(dxn));
  gemm(Backend::Blas, Op::T, Op::N, scale, cmat(xn_), cmat(dl), 0.0f, mat(dphin));
  // Through the normalisation: dx = r (dxn − xn (xn·dxn)).
  const int D = d_model_;
  {
    auto xn = xn_;
    const float* r = xinv_.data();
    auto out = dx;
    Kokkos::parallel_for(
        "soft_moe_dx", Kokkos::RangePolicy<HostExec>(0, T), [=](int t) {
          double dot = 0.0;
          for (int j = 0; j < D; ++j) dot += double(xn(t, j)) * dxn(t, j);
          for (int j = 0; j < D; ++j) out(t, j) += static_cast<float>(r[t] * (dxn(t, j) - xn(t, j) * dot));
        });
  }
  {
    auto pn = phin_;
    const float* r = phiinv_.data();
    auto pg = phi_.grad;
    Kokkos::parallel_for(
        "soft_moe_dphi", Kokkos::RangePolicy<HostExec>(0, S), [=](int c) {
          double dot = 0.0;
          for (int j = 0; j < D; ++j) dot += double(pn(j, c)) * dphin(j, c);
          for (int j = 0; j < D; ++j) pg(j, c) += static_cast<float>(r[c] * (dphin(j, c) - pn(j, c) * dot));
        });
  }
}

}  // namespace moesim
