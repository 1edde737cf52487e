// Plasticity rules: STDP with traces, Oja, reward-modulated STDP.
#include "models/spiking/plasticity.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace moesim::spiking {

namespace {

bool finite_positive(double x) { return std::isfinite(x) && x > 0; }

void require(bool ok, const std::string& what) {
  if (!ok) throw UsageError("spiking plasticity: " + what);
}

void check_spikes(const std::vector<std::uint32_t>& spikes, std::size_t n, const char* side) {
  for (const std::uint32_t s : spikes)
    require(s < n, std::string(side) + " spike index " + std::to_string(s) + " out of range (population of " +
                       std::to_string(n) + ")");
}

void bump(double& trace, StdpPairing pairing) {
  if (pairing == StdpPairing::kNearest)
    trace = 1.0;
  else
    trace += 1.0;
}

void decay(std::vector<double>& trace, double factor) {
  for (double& x : trace) x *= factor;
}

// The pairings of one step (traces already decayed). `out(i, f)` calls
// f(synapse, post j) for the synapses of pre i; `in(j, f)` calls
// f(synapse, pre i) for the synapses into post j; apply(synapse, dw).
template <class Out, class In, class Apply>
void pair_spikes(const StdpRule& rule, StdpTraces& tr, const std::vector<std::uint32_t>& pre_spikes,
                 const std::vector<std::uint32_t>& post_spikes, Out out, In in, Apply apply) {
  for (const std::uint32_t i : pre_spikes) {
    bump(tr.pre[i], rule.pairing);
    out(i, [&](std::size_t k, std::size_t j) { apply(k, -rule.a_minus * tr.post[j]); });
  }
  const bool triplet = rule.tau_slow_ms > 0;
  for (const std::uint32_t j : post_spikes) {
    const double factor = triplet ? rule.a_plus * tr.post_slow[j] : rule.a_plus;
    in(j, [&](std::size_t k, std::size_t i) { apply(k, factor * tr.pre[i]); });
    bump(tr.post[j], rule.pairing);
    if (triplet) bump(tr.post_slow[j], rule.pairing);
  }
}

void decay_traces(StdpTraces& tr) {
  decay(tr.pre, tr.decay_pre);
  decay(tr.post, tr.decay_post);
  decay(tr.post_slow, tr.decay_slow);
}

struct CsrAccess {
  const Projection& p;
  const SynapsesByTarget& by_target;
  template <class F>
  void out(std::size_t i, F&& f) const {
    for (std::size_t k = p.row_ptr(i); k < p.row_ptr(i + 1); ++k) f(k, p.targets(k));
  }
  template <class F>
  void in(std::size_t j, F&& f) const {
    for (std::size_t q = by_target.offsets[j]; q < by_target.offsets[j + 1]; ++q)
      f(by_target.synapse[q], by_target.source[q]);
  }
};

struct DenseAccess {
  std::size_t n_pre, n_post;
  template <class F>
  void out(std::size_t i, F&& f) const {
    for (std::size_t j = 0; j < n_post; ++j) f(j * n_pre + i, j);
  }
  template <class F>
  void in(std::size_t j, F&& f) const {
    for (std::size_t i = 0; i < n_pre; ++i) f(j * n_pre + i, i);
  }
};

void check_csr(const StdpTraces& tr, const Projection& p, const SynapsesByTarget& by_target) {
  require(tr.pre.size() == p.num_sources && tr.post.size() == p.num_targets,
          "traces sized for another projection");
  require(by_target.offsets.size() == p.num_targets + 1 && by_target.synapse.size() == p.num_synapses(),
          "target index built for another projection");
}

template <class Access, class Apply>
void run_pairs(const StdpRule& rule, StdpTraces& tr, const std::vector<std::uint32_t>& pre,
               const std::vector<std::uint32_t>& post, const Access& access, Apply apply) {
  check_spikes(pre, tr.pre.size(), "pre");
  check_spikes(post, tr.post.size(), "post");
  decay_traces(tr);
  pair_spikes(
      rule, tr, pre, post, [&](std::size_t i, auto&& f) { access.out(i, f); },
      [&](std::size_t j, auto&& f) { access.in(j, f); }, apply);
}

double clip(double w, const StdpRule& rule) { return std::min(rule.w_max, std::max(rule.w_min, w)); }

}  // namespace

const std::vector<ParamField<StdpRule>>& stdp_rule_fields() {
  static const std::vector<ParamField<StdpRule>> fields{
      {"a_plus", &StdpRule::a_plus, "potentiation per pre-before-post pair"},
      {"a_minus", &StdpRule::a_minus, "depression per post-before-pre pair"},
      {"tau_plus_ms", &StdpRule::tau_plus_ms, "pre trace time constant"},
      {"tau_minus_ms", &StdpRule::tau_minus_ms, "post trace time constant"},
      {"w_min", &StdpRule::w_min, "lower weight bound"},
      {"w_max", &StdpRule::w_max, "upper weight bound"},
      {"tau_slow_ms", &StdpRule::tau_slow_ms, "slow post trace of the triplet factor (0: off)"},
  };
  return fields;
}

void validate(const StdpRule& r) {
  require(std::isfinite(r.a_plus) && r.a_plus >= 0, "a_plus must be >= 0");
  require(std::isfinite(r.a_minus) && r.a_minus >= 0, "a_minus must be >= 0");
  require(finite_positive(r.tau_plus_ms), "tau_plus_ms must be positive");
  require(finite_positive(r.tau_minus_ms), "tau_minus_ms must be positive");
  require(std::isfinite(r.w_min) && std::isfinite(r.w_max) && r.w_min <= r.w_max, "need w_min <= w_max");
  require(std::isfinite(r.tau_slow_ms) && r.tau_slow_ms >= 0, "tau_slow_ms must be >= 0");
}

StdpTraces::StdpTraces(const StdpRule& rule, double dt_ms, std::size_t n_pre, std::size_t n_post)
    : pre(n_pre, 0.0), post(n_post, 0.0), post_slow(rule.tau_slow_ms > 0 ? n_post : 0, 0.0) {
  validate(rule);
  require(finite_positive(dt_ms), "dt must be positive");
  decay_pre = std::exp(-dt_ms / rule.tau_plus_ms);
  decay_post = std::exp(-dt_ms / rule.tau_minus_ms);
  decay_slow = rule.tau_slow_ms > 0 ? std::exp(-dt_ms / rule.tau_slow_ms) : 0.0;
}

SynapsesByTarget index_by_target(const Projection& p) {
  SynapsesByTarget idx;
  idx.offsets.assign(p.num_targets + 1, 0);
  const std::size_t ns = p.num_synapses();
  for (std::size_t k = 0; k < ns; ++k) ++idx.offsets[p.targets(k) + 1];
  for (std::size_t j = 0; j < p.num_targets; ++j) idx.offsets[j + 1] += idx.offsets[j];
  idx.synapse.resize(ns);
  idx.source.resize(ns);
  std::vector<std::size_t> fill(idx.offsets.begin(), idx.offsets.end() - 1);
  // Sources ascending, so each target's list is in ascending source order.
  for (std::size_t s = 0; s < p.num_sources; ++s)
    for (std::size_t k = p.row_ptr(s); k < p.row_ptr(s + 1); ++k) {
      const std::size_t q = fill[p.targets(k)]++;
      idx.synapse[q] = k;
      idx.source[q] = static_cast<std::uint32_t>(s);
    }
  return idx;
}

void stdp_step(const StdpRule& rule, StdpTraces& traces, const std::vector<std::uint32_t>& pre_spikes,
               const std::vector<std::uint32_t>& post_spikes, Projection& projection,
               const SynapsesByTarget& by_target) {
  check_csr(traces, projection, by_target);
  const auto w = projection.weights;
  run_pairs(rule, traces, pre_spikes, post_spikes, CsrAccess{projection, by_target},
            [&](std::size_t k, double dw) { w(k) = clip(w(k) + dw, rule); });
}

template <class T>
void stdp_step_dense(const StdpRule& rule, StdpTraces& traces, const std::vector<std::uint32_t>& pre_spikes,
                     const std::vector<std::uint32_t>& post_spikes, T* w) {
  run_pairs(rule, traces, pre_spikes, post_spikes, DenseAccess{traces.pre.size(), traces.post.size()},
            [&](std::size_t k, double dw) { w[k] = static_cast<T>(clip(static_cast<double>(w[k]) + dw, rule)); });
}

template <class T>
void oja_update(const OjaRule& rule, const T* x, int d, T y, T* w) {
  const double yd = static_cast<double>(y);
  for (int i = 0; i < d; ++i) {
    const double wi = static_cast<double>(w[i]);
    w[i] = static_cast<T>(wi + rule.eta * yd * (static_cast<double>(x[i]) - yd * wi));
  }
}

template <class T>
T oja_step(const OjaRule& rule, const T* x, int d, T* w) {
  double y = 0.0;
  for (int i = 0; i < d; ++i) y += static_cast<double>(w[i]) * static_cast<double>(x[i]);
  const T yt = static_cast<T>(y);
  oja_update(rule, x, d, yt, w);
  return yt;
}

template <class T>
void oja_update_dense(const OjaRule& rule, const T* x, int d, const T* y, int k, T* W) {
  for (int r = 0; r < k; ++r) oja_update(rule, x, d, y[r], W + static_cast<std::size_t>(r) * static_cast<std::size_t>(d));
}

RstdpState::RstdpState(const RstdpRule& rule, double dt_ms, std::size_t n_pre, std::size_t n_post,
                       std::size_t n_synapses)
    : traces(rule.stdp, dt_ms, n_pre, n_post), eligibility(n_synapses, 0.0) {
  require(finite_positive(rule.tau_eligibility_ms), "tau_eligibility_ms must be positive");
  require(std::isfinite(rule.learning_rate), "learning_rate must be finite");
  decay_eligibility = std::exp(-dt_ms / rule.tau_eligibility_ms);
}

namespace {

template <class Access, class Weight>
void rstdp_run(const RstdpRule& rule, RstdpState& st, const std::vector<std::uint32_t>& pre,
               const std::vector<std::uint32_t>& post, double reward, const Access& access, Weight weight) {
  require(std::isfinite(reward), "reward must be finite");
  decay(st.eligibility, st.decay_eligibility);
  run_pairs(rule.stdp, st.traces, pre, post, access, [&](std::size_t k, double dc) { st.eligibility[k] += dc; });
  if (reward == 0.0) return;
  const double scale = rule.learning_rate * reward;
  for (std::size_t k = 0; k < st.eligibility.size(); ++k)
    if (st.eligibility[k] != 0.0) weight(k, scale * st.eligibility[k]);
}

}  // namespace

void rstdp_step(const RstdpRule& rule, RstdpState& state, const std::vector<std::uint32_t>& pre_spikes,
                const std::vector<std::uint32_t>& post_spikes, double reward, Projection& projection,
                const SynapsesByTarget& by_target) {
  check_csr(state.traces, projection, by_target);
  require(state.eligibility.size() == projection.num_synapses(), "eligibility sized for another projection");
  const auto w = projection.weights;
  rstdp_run(rule, state, pre_spikes, post_spikes, reward, CsrAccess{projection, by_target},
            [&](std::size_t k, double dw) { w(k) = clip(w(k) + dw, rule.stdp); });
}

template <class T>
void rstdp_step_dense(const RstdpRule& rule, RstdpState& state, const std::vector<std::uint32_t>& pre_spikes,
                      const std::vector<std::uint32_t>& post_spikes, double reward, T* w) {
  const std::size_t n_pre = state.traces.pre.size(), n_post = state.traces.post.size();
  require(state.eligibility.size() == n_pre * n_post, "eligibility is not n_pre * n_post");
  rstdp_run(rule, state, pre_spikes, post_spikes, reward, DenseAccess{n_pre, n_post},
            [&](std::size_t k, double dw) { w[k] = static_cast<T>(clip(static_cast<double>(w[k]) + dw, rule.stdp)); });
}

#define MOESIM_PLASTICITY_INSTANTIATE(T)                                                                    \
  template void stdp_step_dense<T>(const StdpRule&, StdpTraces&, const std::vector<std::uint32_t>&,        \
                                   const std::vector<std::uint32_t>&, T*);                                 \
  template void oja_update<T>(const OjaRule&, const T*, int, T, T*);                                       \
  template T oja_step<T>(const OjaRule&, const T*, int, T*);                                               \
  template void oja_update_dense<T>(const OjaRule&, const T*, int, const T*, int, T*);                     \
  template void rstdp_step_dense<T>(const RstdpRule&, RstdpState&, const std::vector<std::uint32_t>&,      \
                                    const std::vector<std::uint32_t>&, double, T*);
MOESIM_PLASTICITY_INSTANTIATE(float)
MOESIM_PLASTICITY_INSTANTIATE(double)
#undef MOESIM_PLASTICITY_INSTANTIATE

}  // namespace moesim::spiking
