#include "models/swarm/stigmergic/stigmergic_router.hpp"

#include "core/error.hpp"
#include "core/philox.hpp"
#include "models/baselines/router_config.hpp"
#include "models/baselines/router_losses.hpp"
#include "trace/trace_sink.hpp"

#include <cmath>
#include <limits>

namespace moesim {

namespace {
const RouterSpec& checked(const RouterSpec& spec) {
  validate_router_spec(spec, "stigmergic", /*uses_top_k=*/true);
  return spec;
}
constexpr float kNegInf = -std::numeric_limits<float>::infinity();
}  // namespace

StigmergicRouter::StigmergicRouter(const RouterSpec& spec)
    : LearnedGateRouter(checked(spec), "stigmergic"),
      params_(StigmergyParams::from_spec(spec)),
      hash_(params_.hash_bits, spec.d_model, spec.seed,
            layer_key(spec.seed, kStigmergyHashStream, spec.layer).stream),
      field_(1 << params_.hash_bits, spec.num_experts, params_) {}

double StigmergicRouter::forward_flops(int tokens) const {
  // gate + softmax, the hash projections, and ~4 flops per (token, expert) score.
  return LearnedGateRouter::forward_flops(tokens) + 2.0 * tokens * spec_.d_model * params_.hash_bits +
         4.0 * tokens * spec_.num_experts;
}

Dispatch StigmergicRouter::forward(const HostMatrix& x, const RouteContext& ctx) {
  Dispatch d;
  d.z_loss = score(x, ctx);  // logits_, probs_ = η (dropped experts: η = 0)
  const int T = tokens(), E = spec_.num_experts, k = spec_.top_k;
  hash_.hash(x, buckets_);
  last_forward_training_ = ctx.training;
  last_forward_step_ = ctx.step;

  // log s = α log τ + β log η; -inf where η = 0 (a dropped expert) — never chosen.
  HostMatrix scores("stigmergy.scores", T, E), select_p("stigmergy.select_p", T, E);
  const double a = params_.alpha, b = params_.beta;
  for (int t = 0; t < T; ++t) {
    const int bk = buckets_[t];
    double m = -std::numeric_limits<double>::infinity();
    std::vector<double> ls(E);
    for (int e = 0; e < E; ++e) {
      const double eta = probs_(t, e);
      ls[e] = eta > 0.0 ? (a == 0.0 ? 0.0 : a * std::log(field_.tau(bk, e))) +
                              (b == 0.0 ? 0.0 : b * std::log(eta))
                        : -std::numeric_limits<double>::infinity();
      scores(t, e) = eta > 0.0 ? float(ls[e]) : kNegInf;
      m = std::max(m, ls[e]);
    }
    double z = 0.0;
    for (int e = 0; e < E; ++e) z += std::isfinite(ls[e]) ? std::exp(ls[e] - m) : 0.0;
    for (int e = 0; e < E; ++e)
      select_p(t, e) = std::isfinite(ls[e]) ? float(std::exp(ls[e] - m) / z) : 0.0f;
  }

  const bool sample = ctx.training && params_.selection == StigmergyParams::Selection::Sample;
  if (!sample) {
    choices_ = select_top_k(scores, k);
  } else {
    choices_ = TokenChoices{};
    choices_.tokens = T;
    choices_.k = k;
    choices_.expert.assign(std::size_t(T) * k, -1);
    choices_.weight.assign(std::size_t(T) * k, 0.0f);
    choices_.priority.assign(T, 0.0f);
    const PhiloxKey key = layer_key(spec_.seed, kStigmergySampleStream, spec_.layer);
    std::vector<double> w(E);
    for (int t = 0; t < T; ++t) {
      for (int e = 0; e < E; ++e) w[e] = select_p(t, e);
      for (int j = 0; j < k; ++j) {
        double total = 0.0;
        for (int e = 0; e < E; ++e) total += w[e];
        if (!(total > 0.0)) break;
        const double u = Philox::uniform(key, (ctx.step * std::uint64_t(T) + t) * k + j) * total;
        double acc = 0.0;
        int pick = -1;
        for (int e = 0; e < E; ++e) {
          if (w[e] <= 0.0) continue;
          acc += w[e];
          pick = e;
          if (u < acc) break;
        }
        choices_.expert[std::size_t(t) * k + j] = pick;
        w[pick] = 0.0;
      }
    }
  }
  // Combine weights from η: renormalised over the chosen for k >= 2, raw for k = 1.
  for (int t = 0; t < T; ++t) {
    double sum = 0.0;
    for (int j = 0; j < k; ++j) {
      const int e = choices_.expert[std::size_t(t) * k + j];
      if (e >= 0) sum += probs_(t, e);
    }
    for (int j = 0; j < k; ++j) {
      const int e = choices_.expert[std::size_t(t) * k + j];
      float& w = choices_.weight[std::size_t(t) * k + j];
      w = e < 0 ? 0.0f : (k == 1 || !(sum > 0.0)) ? probs_(t, e) : float(probs_(t, e) / sum);
    }
    choices_.priority[t] = choices_.weight[std::size_t(t) * k];
  }
  const int capacity = expert_capacity(spec_.capacity_factor, T, k, E);
  assign_slots(choices_, E, capacity, SlotOrder::TokenOrder, d);
  d.aux_loss = load_balancing_loss(probs_, choices_.expert, k);
  d.routing_entropy = mean_row_entropy(select_p);
  return d;
}

void StigmergicRouter::backward(const HostMatrix& x, const Dispatch& dispatch,
                                const DispatchGrad& grad, double aux_coef, double z_coef,
                                HostMatrix& dx) {
  const auto d_w = weight_grad_matrix(dispatch, grad);
  HostMatrix d_probs("router.d_probs", d_w.extent(0), d_w.extent(1));
  const int k = spec_.top_k;
  for (int t = 0; t < choices_.tokens; ++t) {
    const int* chosen = &choices_.expert[static_cast<std::size_t>(t) * k];
    if (k > 1) {
      add_renormalized_grad(t, chosen, k, d_w, d_probs);
    } else if (chosen[0] >= 0) {
      d_probs(t, chosen[0]) += d_w(t, chosen[0]);
    }
  }
  load_balancing_loss_grad(probs_, choices_.expert, k, aux_coef, d_probs);
  backward_from_probs(x, d_probs, z_coef, dx);
}

void StigmergicRouter::observe_step(const StepFeedback& fb) {
  if (!last_forward_training_) return;  // inference never updates τ
  if (fb.tokens != choices_.tokens || !fb.token_loss)
    throw std::logic_error("stigmergic router: step feedback for " + std::to_string(fb.tokens) +
                           " tokens, the last forward routed " + std::to_string(choices_.tokens));
  const int k = choices_.k, T = choices_.tokens;
  std::vector<int> first(T);
  int on_strongest = 0;
  for (int t = 0; t < T; ++t) {
    first[t] = choices_.expert[std::size_t(t) * k];
    on_strongest += first[t] >= 0 && first[t] == field_.strongest(buckets_[t]);
  }
  metrics_.strongest_edge_fraction = T > 0 ? double(on_strongest) / T : 0.0;
  metrics_.mean_quality_nats = field_.update(buckets_, choices_.expert, k, fb.token_loss);
  metrics_.saturated_edges = field_.saturated_edges();
  metrics_.entropy_nats = field_.mean_entropy_nats();
  cluster_agreement(fb.token_clusters, fb.num_clusters, first, spec_.num_experts,
                    metrics_.cluster_agreement, metrics_.distinct_cluster_experts);
  observed_ = true;
  last_forward_training_ = false;  // one update per training forward
}

void StigmergicRouter::write_substrate(RunWriter& w, std::int64_t seed, std::int64_t step) {
  if (!observed_) return;
  const std::vector<std::string> rec{"record"};
  w.append_substrate_row("pheromone/step", {}, std::vector<std::int64_t>{step}, "1", rec);
  w.append_substrate_row("pheromone/seed", {}, std::vector<std::int64_t>{seed}, "1", rec);
  w.append_substrate_row("pheromone/layer", {}, std::vector<std::int64_t>{spec_.layer}, "1", rec);
  const HighwayMetrics& m = metrics_;
  w.append_substrate_row("pheromone/strongest_edge_fraction", {}, std::vector<double>{m.strongest_edge_fraction}, "1", rec);
  w.append_substrate_row("pheromone/saturated_edges", {}, std::vector<double>{m.saturated_edges}, "1", rec);
  w.append_substrate_row("pheromone/entropy", {}, std::vector<double>{m.entropy_nats}, "nat", rec);
  w.append_substrate_row("pheromone/cluster_agreement", {}, std::vector<double>{m.cluster_agreement}, "1", rec);
  w.append_substrate_row("pheromone/distinct_cluster_experts", {}, std::vector<double>{m.distinct_cluster_experts}, "1", rec);
  w.append_substrate_row("pheromone/mean_quality", {}, std::vector<double>{m.mean_quality_nats}, "nat", rec);
  const int every = params_.snapshot_every;
  if (every > 0 && (step == 1 || step % every == 0)) {
    const std::vector<std::string> snap{"snapshot"};
    const std::size_t B = std::size_t(field_.buckets()), E = std::size_t(field_.experts());
    std::vector<double> tau(B * E);
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t e = 0; e < E; ++e) tau[b * E + e] = field_.tau(int(b), int(e));
    w.append_substrate_row("pheromone/tau", {B, E}, tau, "1", {"snapshot", "bucket", "expert"});
    w.append_substrate_row("pheromone/snapshot_step", {}, std::vector<std::int64_t>{step}, "1", snap);
    w.append_substrate_row("pheromone/snapshot_seed", {}, std::vector<std::int64_t>{seed}, "1", snap);
    w.append_substrate_row("pheromone/snapshot_layer", {}, std::vector<std::int64_t>{spec_.layer}, "1",
                           snap);
  }
}

}  // namespace moesim
