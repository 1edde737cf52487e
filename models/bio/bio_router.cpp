#include "models/bio/bio_router.hpp"

#include "config/config.hpp"
#include "core/error.hpp"
#include "models/baselines/router_config.hpp"
#include "trace/trace_sink.hpp"

#include <cmath>
#include <limits>

namespace moesim::bio {

namespace {
constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr double kFieldFloor = 1e-6;

double real_key(const RouterSpec& s, const std::string& k, double fallback) {
  return s.config && s.config->has(k) ? s.config->get_real(k) : fallback;
}
std::int64_t int_key(const RouterSpec& s, const std::string& k, std::int64_t fallback) {
  return s.config && s.config->has(k) ? s.config->get_int(k) : fallback;
}
bool on_key(const RouterSpec& s, const std::string& k, bool fallback) {
  return router_choice(s, k, fallback ? "on" : "off", {"on", "off"}) == "on";
}
[[noreturn]] void bad(const std::string& key, const std::string& value, const std::string& accepted) {
  throw UsageError(key + " = " + value + " (accepted: " + accepted + ")");
}
const RouterSpec& checked(const RouterSpec& spec, const std::string& name) {
  validate_router_spec(spec, name, /*uses_top_k=*/name == "refractory");
  return spec;
}
}  // namespace

BioRouterOptions BioRouterOptions::from_spec(const RouterSpec& s, const std::string& router) {
  BioRouterOptions o;
  o.chemical = router == "chemical";
  o.refractory = router == "refractory" || on_key(s, "bio.refractory", false);
  o.hebbian = on_key(s, "bio.hebbian", false);
  o.refr.use = real_key(s, "bio.refractory_use", o.refr.use);
  if (!(o.refr.use > 0.0 && o.refr.use <= 1.0)) bad("bio.refractory_use", std::to_string(o.refr.use), "a real number in (0, 1]");
  o.refr.tau_rec = real_key(s, "bio.refractory_tau_rec", o.refr.tau_rec);
  if (!(o.refr.tau_rec > 0.0)) bad("bio.refractory_tau_rec", std::to_string(o.refr.tau_rec), "a real number > 0 (tokens)");
  o.refr.period = int(int_key(s, "bio.refractory_period", o.refr.period));
  if (o.refr.period < 0) bad("bio.refractory_period", std::to_string(o.refr.period), "an integer >= 0 (tokens)");
  o.refr.floor = real_key(s, "bio.refractory_floor", o.refr.floor);
  if (!(o.refr.floor > 0.0 && o.refr.floor <= 1.0)) bad("bio.refractory_floor", std::to_string(o.refr.floor), "a real number in (0, 1]");
  const std::string graph = router_choice(s, "bio.graph", "grid", {"grid", "ring", "learned"});
  o.graph = graph == "ring" ? GraphKind::Ring : graph == "learned" ? GraphKind::Learned : GraphKind::Grid;
  o.graph_rate = real_key(s, "bio.graph_rate", o.graph_rate);
  if (!(o.graph_rate >= 0.0 && o.graph_rate <= 1.0)) bad("bio.graph_rate", std::to_string(o.graph_rate), "a real number in [0, 1]");
  o.cascade_depth = int(int_key(s, "bio.cascade_depth", o.cascade_depth));
  if (o.chemical && (o.cascade_depth < 1 || o.cascade_depth > s.num_experts))
    bad("bio.cascade_depth", std::to_string(o.cascade_depth),
        "an integer in [1, model.experts = " + std::to_string(s.num_experts) + "]");
  o.field_alpha = real_key(s, "bio.field_alpha", o.field_alpha);
  if (!(o.field_alpha >= 0.0)) bad("bio.field_alpha", std::to_string(o.field_alpha), "a real number >= 0");
  o.chem.diffusion = real_key(s, "bio.diffusion", o.chem.diffusion);
  o.chem.decay = real_key(s, "bio.decay", o.chem.decay);
  o.chem.dt = real_key(s, "bio.dt", o.chem.dt);
  o.chem.substeps = int(int_key(s, "bio.substeps", o.chem.substeps));
  o.chem.release = real_key(s, "bio.release", o.chem.release);
  o.chem.consumption = real_key(s, "bio.consumption", o.chem.consumption);
  o.hebbian_rate = real_key(s, "bio.hebbian_rate", o.hebbian_rate);
  if (!(o.hebbian_rate >= 0.0 && o.hebbian_rate <= 1.0)) bad("bio.hebbian_rate", std::to_string(o.hebbian_rate), "a real number in [0, 1]");
  o.snapshot_every = int(int_key(s, "bio.snapshot_every", o.snapshot_every));
  if (o.snapshot_every < 0) bad("bio.snapshot_every", std::to_string(o.snapshot_every), "an integer >= 0 (0 = none)");
  return o;
}

BioRouter::BioRouter(const RouterSpec& spec, const BioRouterOptions& options, const std::string& name)
    : LearnedGateRouter(checked(spec, name), name), opt_(options),
      state_(spec.num_experts, options.refr) {
  if (opt_.chemical) field_ = ChemicalField(ExpertGraph::make(opt_.graph, spec.num_experts), opt_.chem);
}

int BioRouter::choices_per_token() const { return opt_.chemical ? opt_.cascade_depth : spec_.top_k; }

double BioRouter::forward_flops(int tokens) const {
  return LearnedGateRouter::forward_flops(tokens) + 6.0 * tokens * spec_.num_experts;
}

Dispatch BioRouter::forward(const HostMatrix& x, const RouteContext& ctx) {
  Dispatch d;
  d.z_loss = score(x, ctx);
  const int T = tokens(), E = spec_.num_experts, k = choices_per_token();
  RefractoryState scratch;
  RefractoryState* st = nullptr;
  if (opt_.refractory) {
    if (ctx.training) {
      st = &state_;
    } else {
      scratch = state_;
      st = &scratch;
    }
  }
  choices_ = TokenChoices{};
  choices_.tokens = T;
  choices_.k = k;
  choices_.expert.assign(std::size_t(T) * k, -1);
  choices_.weight.assign(std::size_t(T) * k, 0.0f);
  choices_.priority.assign(T, 0.0f);
  const std::vector<double>* field = opt_.chemical ? &field_.concentration() : nullptr;
  std::vector<double> s(E), log_avail(E, 0.0);
  std::vector<char> used(E);
  double hops = 0.0;
  for (int t = 0; t < T; ++t) {
    int* chosen = &choices_.expert[std::size_t(t) * k];
    for (int e = 0; e < E; ++e) log_avail[e] = st ? std::log(st->availability(e)) : 0.0;
    for (int e = 0; e < E; ++e) {
      const double l = logits_(t, e);
      s[e] = std::isfinite(l) ? l + log_avail[e] : kNegInf;
    }
    std::fill(used.begin(), used.end(), 0);
    const int first_hops = opt_.chemical ? 1 : k;
    for (int j = 0; j < first_hops; ++j) {  // top-k by adjusted score, ties → lowest
      int best = -1;
      for (int e = 0; e < E; ++e)
        if (!used[e] && s[e] > kNegInf && (best < 0 || s[e] > s[best])) best = e;
      if (best < 0) break;
      chosen[j] = best;
      used[best] = 1;
    }
    if (opt_.chemical && chosen[0] >= 0) {
      int cur = chosen[0];
      for (int j = 1; j < k; ++j) {
        int best = -1;
        double best_score = kNegInf;
        const ExpertGraph& g = field_.graph();
        for (int e : g.neighbours[cur]) {
          if (used[e] || !(probs_(t, e) > 0.0f) || !(g.w(cur, e) > 0.0)) continue;
          const double sc = std::log(double(probs_(t, e))) +
                            opt_.field_alpha * std::log((*field)[e] + kFieldFloor) + log_avail[e] +
                            std::log(g.w(cur, e));
          if (best < 0 || sc > best_score) {
            best = e;
            best_score = sc;
          }
        }
        if (best < 0) break;
        chosen[j] = best;
        used[best] = 1;
        cur = best;
      }
    }
    double sum = 0.0;
    int count = 0;
    for (int j = 0; j < k; ++j)
      if (chosen[j] >= 0) {
        sum += probs_(t, chosen[j]);
        ++count;
      }
    hops += count;
    for (int j = 0; j < k; ++j) {
      const int e = chosen[j];
      if (e < 0) continue;
      choices_.weight[std::size_t(t) * k + j] =
          (k == 1 || !(sum > 0.0)) ? probs_(t, e) : float(probs_(t, e) / sum);
    }
    choices_.priority[t] = choices_.weight[std::size_t(t) * k];
    if (st) st->token(chosen, k);
  }
  mean_hops_ = T > 0 ? hops / T : 0.0;
  const int capacity = expert_capacity(spec_.capacity_factor, T, k, E);
  assign_slots(choices_, E, capacity, SlotOrder::TokenOrder, d);
  d.aux_loss = 0.0;  // balance comes from the substrate state, not from a loss
  d.routing_entropy = mean_row_entropy(probs_);
  last_training_ = ctx.training;
  if (ctx.training) {
    first_counts_.assign(E, 0.0);
    for (int t = 0; t < T; ++t) {
      const int e = choices_.expert[std::size_t(t) * k];
      if (e >= 0) first_counts_[e] += 1.0;
    }
    load_ = d.expert_load;
    if (opt_.chemical && opt_.graph == GraphKind::Learned) {  // co-activation: the gate's top two
      co_.assign(std::size_t(E) * E, 0.0);
      std::vector<int> two(2);
      for (int t = 0; t < T; ++t) {
        if (row_top_k(&probs_(t, 0), E, 2, two.data()) < 2) continue;
        co_[std::size_t(two[0]) * E + two[1]] += 1.0;
        co_[std::size_t(two[1]) * E + two[0]] += 1.0;
      }
    }
    if (opt_.hebbian) {
      const std::size_t D = x.extent(1);
      x_copy_.resize(std::size_t(T) * D);
      for (int t = 0; t < T; ++t)
        for (std::size_t i = 0; i < D; ++i) x_copy_[std::size_t(t) * D + i] = x(t, i);
      x_rows_ = T;
    }
  }
  return d;
}

void BioRouter::backward(const HostMatrix& x, const Dispatch& dispatch, const DispatchGrad& grad,
                         double /*aux_coef*/, double z_coef, HostMatrix& dx) {
  const auto d_w = weight_grad_matrix(dispatch, grad);
  HostMatrix d_probs("router.d_probs", d_w.extent(0), d_w.extent(1));
  const int k = choices_.k;
  for (int t = 0; t < choices_.tokens; ++t) {
    const int* chosen = &choices_.expert[std::size_t(t) * k];
    if (k > 1)
      add_renormalized_grad(t, chosen, k, d_w, d_probs);
    else if (chosen[0] >= 0)
      d_probs(t, chosen[0]) += d_w(t, chosen[0]);
  }
  backward_from_probs(x, d_probs, z_coef, dx);
}

void BioRouter::observe_step(const StepFeedback& /*feedback*/) {
  if (!last_training_) return;
  const int E = spec_.num_experts, T = choices_.tokens, k = choices_.k;
  if (opt_.chemical) {
    field_.update(first_counts_, load_, T);
    if (opt_.graph == GraphKind::Learned) field_.graph().learn(co_, opt_.graph_rate);
  }
  if (opt_.hebbian && x_rows_ == T) {
    const int D = spec_.d_model;
    auto& w = gate_.weight().value;  // [d_model, E]
    std::vector<float> rows;
    std::vector<double> col(D);
    for (int e = 0; e < E; ++e) {
      rows.clear();
      int n = 0;
      for (int t = 0; t < T; ++t)
        if (choices_.expert[std::size_t(t) * k] == e) {
          rows.insert(rows.end(), x_copy_.begin() + std::size_t(t) * D, x_copy_.begin() + std::size_t(t + 1) * D);
          ++n;
        }
      if (n == 0) continue;
      for (int i = 0; i < D; ++i) col[i] = w(i, e);
      oja_update(col, rows.data(), n, D, opt_.hebbian_rate);
      for (int i = 0; i < D; ++i) w(i, e) = float(col[i]);
    }
  }
  observed_ = true;
  last_training_ = false;
}

void BioRouter::write_substrate(RunWriter& w, std::int64_t seed, std::int64_t step) {
  if (!observed_) return;
  const std::vector<std::string> rec{"record"}, rec_e{"record", "expert"};
  const std::size_t E = std::size_t(spec_.num_experts);
  auto header = [&](const std::string& group) {
    w.append_substrate_row(group + "/step", {}, std::vector<std::int64_t>{step}, "1", rec);
    w.append_substrate_row(group + "/seed", {}, std::vector<std::int64_t>{seed}, "1", rec);
    w.append_substrate_row(group + "/layer", {}, std::vector<std::int64_t>{spec_.layer}, "1", rec);
  };
  if (opt_.refractory) {
    header("refractory");
    std::vector<double> x(E);
    double avail = 0.0;
    for (std::size_t e = 0; e < E; ++e) {
      x[e] = state_.resources(int(e));
      avail += state_.availability(int(e)) / double(E);
    }
    w.append_substrate_row("refractory/resources", {E}, x, "1", rec_e);
    w.append_substrate_row("refractory/mean_availability", {}, std::vector<double>{avail}, "1", rec);
  }
  if (opt_.chemical) {
    header("chemical");
    w.append_substrate_row("chemical/total", {}, std::vector<double>{field_.total()}, "1", rec);
    w.append_substrate_row("chemical/mean_hops", {}, std::vector<double>{mean_hops_}, "1", rec);
    const int every = opt_.snapshot_every;
    if (every > 0 && (step == 1 || step % every == 0)) {
      const std::vector<std::string> snap{"snapshot"};
      w.append_substrate_row("chemical/field", {E}, field_.concentration(), "1", {"snapshot", "expert"});
      if (opt_.graph == GraphKind::Learned)
        w.append_substrate_row("chemical/graph_weight", {E, E}, field_.graph().weight, "1",
                               {"snapshot", "expert", "expert"});
      w.append_substrate_row("chemical/snapshot_step", {}, std::vector<std::int64_t>{step}, "1", snap);
      w.append_substrate_row("chemical/snapshot_seed", {}, std::vector<std::int64_t>{seed}, "1", snap);
      w.append_substrate_row("chemical/snapshot_layer", {}, std::vector<std::int64_t>{spec_.layer}, "1", snap);
    }
  }
  if (opt_.hebbian) {
    header("hebbian");
    const auto& g = gate_.weight().value;
    std::vector<double> norm(E);
    for (std::size_t e = 0; e < E; ++e) {
      double s = 0.0;
      for (std::size_t i = 0; i < g.extent(0); ++i) s += double(g(i, e)) * g(i, e);
      norm[e] = std::sqrt(s);
    }
    w.append_substrate_row("hebbian/weight_norm", {E}, norm, "1", rec_e);
  }
}

}  // namespace moesim::bio
