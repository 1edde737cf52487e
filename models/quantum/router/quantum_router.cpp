#include "models/quantum/router/quantum_router.hpp"

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "models/baselines/router_config.hpp"
#include "models/baselines/router_losses.hpp"
#include "models/baselines/topk_assignment.hpp"
#include "models/quantum/router/noise_from_preset.hpp"
#include "trace/trace_sink.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace moesim::quantum {

namespace {
constexpr double kHalfPi = 1.57079632679489661923;

std::int64_t int_key(const RouterSpec& s, const std::string& k, std::int64_t fallback) {
  return s.config && s.config->has(k) ? s.config->get_int(k) : fallback;
}
double real_key(const RouterSpec& s, const std::string& k, double fallback) {
  return s.config && s.config->has(k) ? s.config->get_real(k) : fallback;
}
std::string str_key(const RouterSpec& s, const std::string& k, const std::string& fallback) {
  return s.config && s.config->has(k) ? s.config->get(k) : fallback;
}
void require(bool ok, const std::string& key, const std::string& value, const std::string& accepted) {
  if (!ok) throw UsageError(key + " = " + value + " (accepted: " + accepted + ")");
}
}  // namespace

QuantumRouterOptions QuantumRouterOptions::from_spec(const RouterSpec& s) {
  QuantumRouterOptions o;
  o.qubits = unsigned(int_key(s, "quantum.qubits", 0));
  o.layers = int(int_key(s, "quantum.layers", o.layers));
  const std::string mode = str_key(s, "quantum.mode", "exact");
  require(mode == "exact" || mode == "shots", "quantum.mode", mode, "exact, shots");
  o.shots_mode = mode == "shots";
  o.shots = int_key(s, "quantum.shots", o.shots);
  o.remeasure_threshold = real_key(s, "quantum.remeasure_threshold", o.remeasure_threshold);
  o.remeasure_factor = int_key(s, "quantum.remeasure_factor", o.remeasure_factor);
  const std::string unused = str_key(s, "quantum.unused_states", "null");
  require(unused == "null" || unused == "renormalize", "quantum.unused_states", unused, "null, renormalize");
  o.null_expert = unused == "null";
  o.noise = str_key(s, "quantum.noise", o.noise);
  o.max_error = real_key(s, "quantum.max_error", o.max_error);
  o.encoding_scale = real_key(s, "quantum.encoding_scale", o.encoding_scale);
  o.histogram_every = int(int_key(s, "quantum.histogram_every", o.histogram_every));
  CollapseSettings& c = o.collapse;
  c.every = int(int_key(s, "quantum.collapse_every", c.every));
  c.optimizer = str_key(s, "quantum.collapse_optimizer", c.optimizer);
  c.budget = int_key(s, "quantum.collapse_budget", c.budget);
  c.population = int_key(s, "quantum.collapse_population", c.population);
  c.lambda = real_key(s, "quantum.collapse_lambda", c.lambda);
  c.mu = real_key(s, "quantum.collapse_mu", c.mu);
  c.min_shots = int_key(s, "quantum.collapse_min_shots", c.min_shots);
  c.max_shots = int_key(s, "quantum.collapse_max_shots", c.max_shots);
  c.tokens = int(int_key(s, "quantum.collapse_tokens", c.tokens));
  return o;
}

QuantumRouter::QuantumRouter(const RouterSpec& spec) : QuantumRouter(spec, QuantumRouterOptions::from_spec(spec)) {}

QuantumRouter::QuantumRouter(const RouterSpec& spec, const QuantumRouterOptions& o) : spec_(spec), opt_(o) {
  validate_router_spec(spec, "quantum", /*uses_top_k=*/true);
  experts_ = spec.num_experts;
  unsigned n = o.qubits;
  if (n == 0)
    while ((std::size_t{1} << n) < std::size_t(experts_)) ++n;
  n = std::max(n, 1u);
  require(n <= kMaxBatchedQubits, "quantum.qubits", std::to_string(n), "1 to 12");
  require((std::size_t{1} << n) >= std::size_t(experts_), "quantum.qubits", std::to_string(n),
          "2^qubits >= model.experts = " + std::to_string(experts_) + ", or 0 for the smallest such");
  require(o.layers >= 0 && o.layers <= 64, "quantum.layers", std::to_string(o.layers), "0 to 64");
  require(o.shots >= 1 && std::uint64_t(o.shots) * std::uint64_t(1 + o.remeasure_factor) < kMaxShotsPerRegister,
          "quantum.shots", std::to_string(o.shots), "1 to 2^24 / (1 + quantum.remeasure_factor)");
  require(o.remeasure_factor >= 0, "quantum.remeasure_factor", std::to_string(o.remeasure_factor), ">= 0");
  require(o.remeasure_threshold >= 0.0 && o.remeasure_threshold <= 1.0, "quantum.remeasure_threshold",
          std::to_string(o.remeasure_threshold), "a real in [0, 1]");
  require(o.max_error > 0.0 && o.max_error <= 1.0, "quantum.max_error", std::to_string(o.max_error),
          "a real in (0, 1]");
  require(o.collapse.every >= 0, "quantum.collapse_every", std::to_string(o.collapse.every), ">= 0");
  if (o.collapse.every > 0) {
    require(o.shots_mode, "quantum.collapse_every", std::to_string(o.collapse.every),
            "0 unless quantum.mode = shots (a collapse schedule chooses shots)");
    require(o.collapse.optimizer == "pso" || o.collapse.optimizer == "qpso", "quantum.collapse_optimizer",
            o.collapse.optimizer, "pso, qpso");
    require(o.collapse.min_shots >= 1 && o.collapse.min_shots < o.collapse.max_shots,
            "quantum.collapse_min_shots", std::to_string(o.collapse.min_shots),
            "1 <= quantum.collapse_min_shots < quantum.collapse_max_shots");
    require(o.collapse.population >= 2 && o.collapse.budget >= o.collapse.population,
            "quantum.collapse_budget", std::to_string(o.collapse.budget),
            ">= quantum.collapse_population >= 2");
    require(o.collapse.tokens >= 1, "quantum.collapse_tokens", std::to_string(o.collapse.tokens), ">= 1");
    collapse_ = std::make_unique<CollapseScheduler>(o.collapse);
  }
  layout_.qubits = n;
  layout_.layers = o.layers;
  dim_ = std::size_t{1} << n;

  DeviceErrorModel device;  // noiseless: zero error at every depth
  if (o.noise != "none") {
    RegisterNoise rn;
    try {
      device = device_error_model(o.noise, layout_, &rn);
    } catch (const UsageError& e) {
      throw UsageError("quantum.noise = '" + o.noise + "': " + e.what() + " (or none)");
    }
    noise_ = std::make_unique<NoisyRegisterModel>(rn, n);
  }
  manager_ = DecoherenceManager(device, n, o.layers, o.max_error);
  measure_layer_ = manager_.measurement_layer();

  const std::string pre = "router.l" + std::to_string(spec.layer) + ".quantum.";
  w_enc_ = Parameter(pre + "w_enc", std::size_t(spec.d_model), n);
  b_enc_ = Parameter(pre + "b_enc", 1, n, /*weight_decay=*/false);
  theta_ = Parameter(pre + "theta", 1, std::max<std::size_t>(1, 2 * std::size_t(n) * std::size_t(o.layers)),
                     /*weight_decay=*/false);
  // Encoding weights: angle std ≈ encoding_scale for unit-variance features.
  init_normal(w_enc_, spec.seed, 0x0E5C0000ull + std::uint64_t(spec.layer),
              o.encoding_scale / std::sqrt(double(spec.d_model)));
  // Offsets and variational angles uniform in [-π, π): a random circuit that
  // spreads the tokens over the experts from the start.
  init_uniform(b_enc_, spec.seed, 0x0E5C1000ull + std::uint64_t(spec.layer), 3.14159265358979);
  init_uniform(theta_, spec.seed, 0x0E5C2000ull + std::uint64_t(spec.layer), 3.14159265358979);
}

void QuantumRouter::set_measurement_layer(int m) {
  if (m < 0 || m > layout_.layers) throw std::invalid_argument("quantum: measurement layer out of range");
  measure_layer_ = m;
}

double QuantumRouter::forward_flops(int tokens) const {
  // projection + ~6·2^n per rotation (ry/rz) and 2^n per CZ on each register.
  const double rot = double(layout_.active_slots(measure_layer_));
  const double cz = double(layout_.ring().size()) * measure_layer_;
  const double sim = noise_ ? 4.0 * dim_ * dim_ : 6.0 * dim_;
  return 2.0 * tokens * spec_.d_model * layout_.qubits + tokens * (rot * sim + cz * dim_);
}

void QuantumRouter::encode(const HostMatrix& x) {
  const std::size_t T = x.extent(0), d = x.extent(1), n = layout_.qubits;
  enc_.assign(T * n, 0.0);
  for (std::size_t t = 0; t < T; ++t)
    for (std::size_t q = 0; q < n; ++q) {
      double s = b_enc_.value(0, q);
      for (std::size_t i = 0; i < d; ++i) s += double(x(t, i)) * w_enc_.value(i, q);
      enc_[t * n + q] = s;
    }
}

std::vector<double> QuantumRouter::angle_table(const std::vector<double>& enc, std::size_t T) const {
  const std::size_t S = layout_.slots(), n = layout_.qubits, V = S - n;
  std::vector<double> a(T * S);
  for (std::size_t t = 0; t < T; ++t) {
    for (std::size_t q = 0; q < n; ++q) a[t * S + q] = enc[t * n + q];
    for (std::size_t v = 0; v < V; ++v) a[t * S + n + v] = theta_.value(0, v);
  }
  return a;
}

std::vector<double> QuantumRouter::circuit_probabilities(const std::vector<double>& angles, std::size_t R, int m,
                                                         std::vector<double>* fidelity) const {
  if (noise_) return noise_->probabilities(layout_, m, angles, R, fidelity);
  if (fidelity) fidelity->assign(R, 1.0);
  BatchedSimulator<double> sim;
  auto st = sim.create(layout_.qubits, R);
  const auto table = sim.make_angles(angles, R, layout_.slots());
  sim.run(st, layout_.program(m), &table);
  return sim.probabilities_host(st);
}

Dispatch QuantumRouter::forward(const HostMatrix& x, const RouteContext& ctx) {
  const int T = int(x.extent(0)), E = experts_, k = spec_.top_k;
  const std::size_t dim = dim_, O = std::size_t(E) + 1;  // outcomes: experts, null
  last_training_ = ctx.training;
  last_step_ = ctx.step;
  encode(x);
  probs_ = circuit_probabilities(angle_table(enc_, std::size_t(T)), std::size_t(T), measure_layer_, &fidelity_);

  // Exact expert probabilities p [T, E+1] (null last; 0 when renormalising).
  p_.assign(std::size_t(T) * O, 0.0);
  for (int t = 0; t < T; ++t) {
    const double* P = &probs_[std::size_t(t) * dim];
    double* p = &p_[std::size_t(t) * O];
    double rest = 0.0;
    for (std::size_t s = std::size_t(E); s < dim; ++s) rest += P[s];
    const double z = opt_.null_expert ? 1.0 : std::max(1.0 - rest, 1e-300);
    for (int e = 0; e < E; ++e) p[e] = P[e] / z;
    p[E] = opt_.null_expert ? rest : 0.0;
  }

  // Scores that choose: p itself, or the shot frequencies.
  std::vector<double> score = p_;
  shots_used_.assign(std::size_t(T), 0);
  remeasured_ = 0;
  if (opt_.shots_mode) {
    const std::int64_t S = opt_.shots;
    const PhiloxKey key = layer_key(spec_.seed, ctx.training ? kRouterShotStream : kRouterEvalShotStream, spec_.layer);
    // Training: one counter block per step; inference: one per forward call
    // (evaluation runs many batches at the same step).
    const std::uint64_t base = (ctx.training ? ctx.step : eval_calls_++) << 20;
    counts_ = sample_register_counts(probs_, dim, std::vector<std::int64_t>(std::size_t(T), S), key, base);
    for (int t = 0; t < T; ++t) {
      std::int32_t* c = &counts_[std::size_t(t) * dim];
      std::uint64_t used = std::uint64_t(S);
      auto fill = [&] {
        double* sc = &score[std::size_t(t) * O];
        double rest = 0.0, kept = 0.0;
        for (std::size_t s = std::size_t(E); s < dim; ++s) rest += c[s];
        for (int e = 0; e < E; ++e) kept += c[e];
        const double z = opt_.null_expert ? double(used) : std::max(kept, 1.0);
        for (int e = 0; e < E; ++e) sc[e] = c[e] / z;
        sc[E] = opt_.null_expert ? rest / z : 0.0;
      };
      fill();
      if (opt_.remeasure_threshold > 0.0 && opt_.remeasure_factor > 0) {
        const double* sc = &score[std::size_t(t) * O];
        double b1 = -1.0, b2 = 0.0;
        for (std::size_t o = 0; o < O; ++o) {
          if (sc[o] > b1) { b2 = std::max(b1, 0.0); b1 = sc[o]; }
          else if (sc[o] > b2) b2 = sc[o];
        }
        if (b1 - b2 < opt_.remeasure_threshold) {
          const std::uint64_t extra = std::uint64_t(opt_.remeasure_factor) * used;
          sample_register_shots(&probs_[std::size_t(t) * dim], dim, key, base + std::uint64_t(t), used,
                                used + extra, c);
          used += extra;
          ++remeasured_;
          fill();
        }
      }
      shots_used_[std::size_t(t)] = std::int64_t(used);
    }
  }

  // Top-k over experts (+ null): ties to the lowest index.
  TokenChoices ch;
  ch.tokens = T;
  ch.k = k;
  ch.expert.assign(std::size_t(T) * k, -1);
  ch.weight.assign(std::size_t(T) * k, 0.0f);
  ch.priority.assign(std::size_t(T), 0.0f);
  chosen_.assign(std::size_t(T) * k, -1);
  chosen_score_.assign(std::size_t(T) * k, 0.0);
  const int outcomes = E + (opt_.null_expert ? 1 : 0);
  std::vector<float> row(static_cast<std::size_t>(outcomes));
  std::vector<int> idx(static_cast<std::size_t>(k));
  for (int t = 0; t < T; ++t) {
    const double* sc = &score[std::size_t(t) * O];
    for (int o = 0; o < outcomes; ++o) row[std::size_t(o)] = float(sc[o]);
    const int found = row_top_k(row.data(), outcomes, std::min(k, outcomes), idx.data());
    double sum = 0.0;
    for (int j = 0; j < found; ++j) sum += sc[idx[std::size_t(j)]];
    for (int j = 0; j < found; ++j) {
      const int o = idx[std::size_t(j)];
      chosen_score_[std::size_t(t) * k + j] = sc[o];
      if (o >= E) continue;  // the null expert: residual only
      chosen_[std::size_t(t) * k + j] = o;
      ch.expert[std::size_t(t) * k + j] = o;
      ch.weight[std::size_t(t) * k + j] = float(k == 1 || !(sum > 0.0) ? sc[o] : sc[o] / sum);
    }
    ch.priority[std::size_t(t)] = float(sc[idx[0]]);
  }

  Dispatch d;
  assign_slots(ch, E, expert_capacity(spec_.capacity_factor, T, k, E), SlotOrder::TokenOrder, d);
  HostMatrix pe("quantum.expert_probs", std::size_t(T), std::size_t(E));
  for (int t = 0; t < T; ++t)
    for (int e = 0; e < E; ++e) pe(t, e) = float(p_[std::size_t(t) * O + e]);
  d.aux_loss = load_balancing_loss(pe, ch.expert, k);
  d.z_loss = 0.0;
  double h = 0.0;
  for (int t = 0; t < T; ++t)
    for (std::size_t o = 0; o < O; ++o) {
      const double v = p_[std::size_t(t) * O + o];
      if (v > 0.0) h -= v * std::log(v);
    }
  d.routing_entropy = last_entropy_ = T > 0 ? h / T : 0.0;
  return d;
}

void QuantumRouter::backward(const HostMatrix& x, const Dispatch& d, const DispatchGrad& grad, double aux_coef,
                             double /*z_coef*/, HostMatrix& dx) {
  const int T = int(x.extent(0)), E = experts_, k = spec_.top_k;
  const std::size_t dim = dim_, O = std::size_t(E) + 1, n = layout_.qubits;
  // dL/d weight per (token, expert).
  std::vector<double> dw(std::size_t(T) * O, 0.0);
  for (std::size_t i = 0; i < d.assignments.size() && i < grad.d_weight.size(); ++i)
    dw[std::size_t(d.assignments[i].token) * O + std::size_t(d.assignments[i].expert)] += grad.d_weight[i];
  // → dL/dp (straight-through in shots mode: the exact p stands in for the frequency).
  std::vector<double> dp(std::size_t(T) * O, 0.0);
  for (int t = 0; t < T; ++t) {
    const int* c = &chosen_[std::size_t(t) * k];
    const double* pt = &p_[std::size_t(t) * O];
    if (k == 1) {
      if (c[0] >= 0) dp[std::size_t(t) * O + c[0]] += dw[std::size_t(t) * O + c[0]];
      continue;
    }
    // w_j = p_j / S, S = Σ over the chosen outcomes (null included).
    std::vector<int> outs;
    for (int j = 0; j < k; ++j) {
      const double sc = chosen_score_[std::size_t(t) * k + j];
      if (c[j] >= 0) outs.push_back(c[j]);
      else if (opt_.null_expert && sc > 0.0 && std::find(outs.begin(), outs.end(), E) == outs.end()) outs.push_back(E);
    }
    double S = 0.0, g = 0.0;
    for (int o : outs) S += pt[o];
    if (!(S > 0.0)) continue;
    for (int o : outs) g += dw[std::size_t(t) * O + o] * pt[o];
    for (int o : outs) dp[std::size_t(t) * O + o] += dw[std::size_t(t) * O + o] / S - g / (S * S);
  }
  if (aux_coef != 0.0) {
    HostMatrix pe("quantum.expert_probs", std::size_t(T), std::size_t(E)), dpe("quantum.d_pe", std::size_t(T), std::size_t(E));
    for (int t = 0; t < T; ++t)
      for (int e = 0; e < E; ++e) pe(t, e) = float(p_[std::size_t(t) * O + e]);
    std::vector<int> choices(chosen_.begin(), chosen_.end());
    load_balancing_loss_grad(pe, choices, k, aux_coef, dpe);
    for (int t = 0; t < T; ++t)
      for (int e = 0; e < E; ++e) dp[std::size_t(t) * O + e] += dpe(t, e);
  }
  // → dL/dP(state).
  std::vector<double> dP(std::size_t(T) * dim, 0.0);
  for (int t = 0; t < T; ++t) {
    const double* P = &probs_[std::size_t(t) * dim];
    const double* g = &dp[std::size_t(t) * O];
    double* out = &dP[std::size_t(t) * dim];
    if (opt_.null_expert) {
      for (std::size_t s = 0; s < dim; ++s) out[s] = s < std::size_t(E) ? g[s] : g[E];
    } else {
      double rest = 0.0;
      for (std::size_t s = std::size_t(E); s < dim; ++s) rest += P[s];
      const double z = std::max(1.0 - rest, 1e-300);
      double gp = 0.0;  // Σ_e g_e p_e
      for (int e = 0; e < E; ++e) gp += g[e] * P[e] / z;
      // p_e = P_e / z with z = 1 − Σ_unused P: dp_e/dP_e = 1/z, dp_e/dP_u = P_e/z².
      for (int e = 0; e < E; ++e) out[e] = g[e] / z;
      for (std::size_t s = std::size_t(E); s < dim; ++s) out[s] = gp / z;
    }
  }
  // Parameter shift: every active slot, ±π/2, one batched run of T·2A registers.
  const std::size_t A = layout_.active_slots(measure_layer_), S = layout_.slots();
  const std::vector<double> base = angle_table(enc_, std::size_t(T));
  const std::size_t R = std::size_t(T) * 2 * A;
  std::vector<double> shifted(R * S);
  for (std::size_t t = 0; t < std::size_t(T); ++t)
    for (std::size_t a = 0; a < A; ++a)
      for (int sgn = 0; sgn < 2; ++sgn) {
        const std::size_t r = (t * A + a) * 2 + std::size_t(sgn);
        std::copy(&base[t * S], &base[t * S] + S, &shifted[r * S]);
        shifted[r * S + a] += sgn == 0 ? kHalfPi : -kHalfPi;
      }
  const std::vector<double> Ps = circuit_probabilities(shifted, R, measure_layer_);
  std::vector<double> dtheta(std::size_t(T) * A, 0.0);  // dL/d angle per token and slot
  for (std::size_t t = 0; t < std::size_t(T); ++t)
    for (std::size_t a = 0; a < A; ++a) {
      const double* up = &Ps[((t * A + a) * 2) * dim];
      const double* dn = up + dim;
      double s = 0.0;
      for (std::size_t i = 0; i < dim; ++i) s += dP[t * dim + i] * 0.5 * (up[i] - dn[i]);
      dtheta[t * A + a] = s;
    }
  // Variational angles: summed over tokens in token order.
  for (std::size_t a = n; a < A; ++a) {
    double s = 0.0;
    for (std::size_t t = 0; t < std::size_t(T); ++t) s += dtheta[t * A + a];
    theta_.grad(0, a - n) += float(s);
  }
  // Encoding: θ = x·W + b.
  const std::size_t dm = x.extent(1);
  for (std::size_t q = 0; q < n; ++q) {
    double sb = 0.0;
    for (std::size_t t = 0; t < std::size_t(T); ++t) sb += dtheta[t * A + q];
    b_enc_.grad(0, q) += float(sb);
    for (std::size_t i = 0; i < dm; ++i) {
      double sw = 0.0;
      for (std::size_t t = 0; t < std::size_t(T); ++t) sw += double(x(t, i)) * dtheta[t * A + q];
      w_enc_.grad(i, q) += float(sw);
    }
  }
  for (std::size_t t = 0; t < std::size_t(T); ++t)
    for (std::size_t i = 0; i < dm; ++i) {
      double s = 0.0;
      for (std::size_t q = 0; q < n; ++q) s += dtheta[t * A + q] * w_enc_.value(i, q);
      dx(t, i) += float(s);
    }
}

void QuantumRouter::observe_step(const StepFeedback& fb) {
  collapse_ran_ = false;
  if (!collapse_ || !last_training_ || collapse_->settings().every <= 0) return;
  if (fb.step % std::uint64_t(collapse_->settings().every) != 0) return;
  // Fitness batch: the first tokens of this step's batch, at every layer the
  // decoherence budget allows.
  const std::size_t T = std::min<std::size_t>(std::size_t(collapse_->settings().tokens), enc_.size() / layout_.qubits);
  if (T == 0) return;
  std::vector<double> enc(enc_.begin(), enc_.begin() + std::ptrdiff_t(T * layout_.qubits));
  const std::vector<double> angles = angle_table(enc, T);
  CollapseFitnessData data;
  data.tokens = T;
  data.dim = dim_;
  data.experts = experts_;
  data.null_expert = opt_.null_expert;
  data.remeasure_factor = opt_.remeasure_factor;
  const int m_max = manager_.measurement_layer();
  for (int m = 0; m <= m_max; ++m) {
    data.probs_by_layer.push_back(circuit_probabilities(angles, T, m));
    data.error_by_layer.push_back(manager_.error(m));
  }
  // Reference: the noiseless exact distribution at the deepest allowed layer.
  BatchedSimulator<double> sim;
  auto st = sim.create(layout_.qubits, T);
  const auto table = sim.make_angles(angles, T, layout_.slots());
  sim.run(st, layout_.program(m_max), &table);
  const std::vector<double> ref = sim.probabilities_host(st);
  data.reference_top.resize(T);
  for (std::size_t t = 0; t < T; ++t)
    data.reference_top[t] = top_outcome(&ref[t * dim_], dim_, experts_, opt_.null_expert);
  const std::uint64_t seed = spec_.seed ^ (kCollapseOptimizerSalt + (std::uint64_t(spec_.layer) << 40) + fb.step);
  const CollapseSchedule s = collapse_->search(data, seed);
  measure_layer_ = s.layer;
  opt_.shots = s.shots;
  opt_.remeasure_threshold = s.threshold;
  collapse_ran_ = true;
}

void QuantumRouter::write_substrate(RunWriter& w, std::int64_t seed, std::int64_t step) {
  if (probs_.empty()) return;
  const std::vector<std::string> rec{"record"};
  const std::size_t T = probs_.size() / dim_;
  w.append_substrate_row("quantum/step", {}, std::vector<std::int64_t>{step}, "1", rec);
  w.append_substrate_row("quantum/seed", {}, std::vector<std::int64_t>{seed}, "1", rec);
  w.append_substrate_row("quantum/layer", {}, std::vector<std::int64_t>{spec_.layer}, "1", rec);
  w.append_substrate_row("quantum/measurement_layer", {}, std::vector<std::int64_t>{measure_layer_}, "1", rec);
  double shots = 0.0, fid = 0.0;
  for (auto s : shots_used_) shots += double(s);
  for (double f : fidelity_) fid += f;
  w.append_substrate_row("quantum/shots_per_token", {}, std::vector<double>{T ? shots / T : 0.0}, "1", rec);
  w.append_substrate_row("quantum/remeasured_fraction", {}, std::vector<double>{T ? double(remeasured_) / T : 0.0},
                         "1", rec);
  w.append_substrate_row("quantum/fidelity", {}, std::vector<double>{T ? fid / T : 1.0}, "1", rec);
  w.append_substrate_row("quantum/routing_entropy", {}, std::vector<double>{last_entropy_}, "nat", rec);
  w.append_substrate_row("quantum/decoherence_error", {},
                         std::vector<double>{manager_.error(measure_layer_)}, "1", rec);
  const int every = opt_.histogram_every;
  if (every > 0 && (step == 1 || step % every == 0)) {
    // Measured outcomes summed over the batch: shot counts, or in exact mode
    // the expected counts (Σ_t P_t(state)).
    std::vector<double> hist(dim_, 0.0);
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t s = 0; s < dim_; ++s)
        hist[s] += opt_.shots_mode && !counts_.empty() ? double(counts_[t * dim_ + s]) : probs_[t * dim_ + s];
    const std::vector<std::string> snap{"snapshot"};
    w.append_substrate_row("quantum/histogram", {dim_}, hist, "1", {"snapshot", "basis_state"});
    w.append_substrate_row("quantum/histogram_step", {}, std::vector<std::int64_t>{step}, "1", snap);
    w.append_substrate_row("quantum/histogram_seed", {}, std::vector<std::int64_t>{seed}, "1", snap);
    w.append_substrate_row("quantum/histogram_layer", {}, std::vector<std::int64_t>{spec_.layer}, "1", snap);
  }
  if (collapse_ran_ && collapse_) {
    const std::vector<std::string> c{"search"};
    const CollapseSchedule& s = collapse_->schedule();
    w.append_substrate_row("quantum/collapse/step", {}, std::vector<std::int64_t>{step}, "1", c);
    w.append_substrate_row("quantum/collapse/seed", {}, std::vector<std::int64_t>{seed}, "1", c);
    w.append_substrate_row("quantum/collapse/layer", {}, std::vector<std::int64_t>{spec_.layer}, "1", c);
    w.append_substrate_row("quantum/collapse/measurement_layer", {}, std::vector<std::int64_t>{s.layer}, "1", c);
    w.append_substrate_row("quantum/collapse/shots", {}, std::vector<std::int64_t>{s.shots}, "1", c);
    w.append_substrate_row("quantum/collapse/threshold", {}, std::vector<double>{s.threshold}, "1", c);
    w.append_substrate_row("quantum/collapse/fitness", {}, std::vector<double>{collapse_->fitness()}, "1", c);
    w.append_substrate_row("quantum/collapse/agreement", {}, std::vector<double>{collapse_->agreement()}, "1", c);
    const auto& h = collapse_->history();
    w.append_substrate_row("quantum/collapse/fitness_history", {h.size()}, h, "1", {"search", "generation"});
  }
  if (step == 1) {
    // The decoherence manager's estimate by depth, once per run and layer.
    const auto& e = manager_.error_by_layer();
    w.append_substrate_row("quantum/decoherence/error_by_layer", {e.size()}, e, "1", {"record", "measurement_layer"});
    w.append_substrate_row("quantum/decoherence/layer", {}, std::vector<std::int64_t>{spec_.layer}, "1", rec);
    w.append_substrate_row("quantum/decoherence/seed", {}, std::vector<std::int64_t>{seed}, "1", rec);
    w.append_substrate_row("quantum/decoherence/chosen_layer", {},
                           std::vector<std::int64_t>{manager_.measurement_layer()}, "1", rec);
  }
}

}  // namespace moesim::quantum
