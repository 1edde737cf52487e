#include "train/trainer.hpp"

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "model/cross_entropy.hpp"
#include "train/adamw.hpp"
#include "train/batch_sampler.hpp"
#include "train/metrics.hpp"
#include "train/progress.hpp"
#include "train/swarm_router_training.hpp"

#include <chrono>
#include <cmath>
#include <numeric>

namespace moesim {

TrainSettings TrainSettings::from_config(const Config& c) {
  TrainSettings s;
  s.steps = int(c.get_int("train.steps"));
  s.batch_size = int(c.get_int("train.batch_size"));
  s.lr = c.get_real("train.lr");
  s.weight_decay = c.get_real("train.weight_decay");
  s.grad_clip = c.get_real("train.grad_clip");
  s.warmup = c.is_explicit("train.warmup") ? int(c.get_int("train.warmup")) : s.steps / 20;
  s.eval_every = c.is_explicit("train.eval_every") ? int(c.get_int("train.eval_every"))
                                                   : std::max(1, s.steps / 10);
  s.aux_coef = c.get_real("model.aux_loss_coef");
  s.z_coef = c.get_real("model.z_loss_coef");
  s.assignment_tokens = int(c.get_int("trace.assignment_tokens"));
  s.trace_level = c.get("trace.level");
  s.router_optimizer = c.get("train.router_optimizer");
  return s;
}

std::vector<std::int64_t> TrainSettings::eval_steps() const {
  std::vector<std::int64_t> out;
  for (int s = eval_every; s <= steps; s += eval_every) out.push_back(s);
  if (out.empty() || out.back() != steps) out.push_back(steps);
  return out;
}

void gather_batch(const Dataset& d, const std::vector<std::size_t>& idx, HostMatrix& x,
                  std::vector<int>& labels, std::vector<std::uint64_t>& ids) {
  const std::size_t dim = d.dim();
  labels.resize(idx.size());
  ids.resize(idx.size());
  auto src = d.features;
  auto dst = x;
  const std::size_t* ip = idx.data();
  Kokkos::parallel_for("gather_batch", Kokkos::RangePolicy<HostExec>(0, idx.size()),
                       [=](std::size_t b) {
                         for (std::size_t j = 0; j < dim; ++j) dst(b, j) = src(ip[b], j);
                       });
  for (std::size_t b = 0; b < idx.size(); ++b) {
    labels[b] = d.labels[idx[b]];
    ids[b] = d.ids.empty() ? idx[b] : d.ids[idx[b]];
  }
}

Evaluation evaluate(MoEModel& model, const Dataset& data, int batch_size) {
  Evaluation ev;
  const int layers = model.num_layers();
  const int experts = model.spec().routed_experts();
  const int classes = model.spec().num_classes;
  ev.specialization.assign(std::size_t(layers) * experts * classes, 0.0);
  const std::size_t n = data.size();
  double loss_sum = 0;
  std::size_t correct = 0;
  std::vector<int> labels;
  std::vector<std::uint64_t> ids;
  for (std::size_t begin = 0; begin < n; begin += batch_size) {
    const std::size_t end = std::min(n, begin + std::size_t(batch_size));
    std::vector<std::size_t> idx(end - begin);
    std::iota(idx.begin(), idx.end(), begin);
    HostMatrix x("eval.x", idx.size(), data.dim());
    HostMatrix logits("eval.logits", idx.size(), classes);
    gather_batch(data, idx, x, labels, ids);
    RouteContext ctx;
    ctx.training = false;
    ctx.token_ids = ids.data();
    model.forward(x, ctx, logits);
    const auto ce = cross_entropy(logits, labels, nullptr);
    loss_sum += ce.loss * double(idx.size());
    correct += std::size_t(ce.correct);
    for (int l = 0; l < layers; ++l) {
      const auto& top = model.layer(l).dispatch().top_expert;
      for (std::size_t t = 0; t < top.size(); ++t)
        if (top[t] >= 0)
          ev.specialization[(std::size_t(l) * experts + top[t]) * classes + labels[t]] += 1.0;
    }
  }
  ev.loss = loss_sum / double(n);
  ev.accuracy = double(correct) / double(n);
  // MI(class; expert) per layer, averaged over layers.
  for (int l = 0; l < layers; ++l) {
    std::vector<double> table(std::size_t(classes) * experts);
    for (int e = 0; e < experts; ++e)
      for (int c = 0; c < classes; ++c)
        table[std::size_t(c) * experts + e] =
            ev.specialization[(std::size_t(l) * experts + e) * classes + c];
    ev.mutual_information_bits += mutual_information_bits(table, classes, experts) / layers;
  }
  return ev;
}

Trainer::Trainer(const Registry& registry, const Config& variant_config, std::string variant,
                 const DatasetSplits& data, const Ledger& ledger)
    : registry_(registry),
      config_(variant_config),
      variant_(std::move(variant)),
      data_(data),
      ledger_(ledger),
      settings_(TrainSettings::from_config(variant_config)) {}

namespace {
// The routing decisions of the first `tokens` tokens of a batch, for the trace.
void trace_assignments(RunWriter& w, std::int64_t seed, std::int64_t step, int layer,
                       const Dispatch& d, const std::vector<std::uint64_t>& ids, int tokens) {
  std::vector<std::int64_t> tok, exp;
  std::vector<double> wt;
  if (d.soft) {
    // Soft MoE has no discrete choice: record each token's top expert and its
    // total combine weight.
    const int slots = d.capacity;
    for (int t = 0; t < std::min(tokens, d.num_tokens); ++t) {
      const int e = d.top_expert[t];
      if (e < 0) continue;
      double s = 0;
      for (int j = 0; j < slots; ++j) s += d.combine(t, std::size_t(e) * slots + j);
      tok.push_back(std::int64_t(ids[t]));
      exp.push_back(e);
      wt.push_back(s);
    }
  } else {
    for (const auto& a : d.assignments)
      if (a.token < tokens) {
        tok.push_back(std::int64_t(ids[a.token]));
        exp.push_back(a.expert);
        wt.push_back(a.weight);
      }
  }
  w.append_assignments(seed, step, layer, tok, exp, wt);
}
}  // namespace

SeedOutcome Trainer::run(std::uint64_t seed, int seed_index, RunWriter* writer, bool terminal) {
  const auto& train = data_.train;
  const auto& s = settings_;
  ModelSpec spec = model_spec_from_config(config_, int(train.dim()), train.num_classes, seed);
  MoEModel model(registry_, spec);
  AdamWSettings opt;
  opt.lr = s.lr;
  opt.weight_decay = s.weight_decay;
  opt.grad_clip = s.grad_clip;
  opt.warmup_steps = s.warmup;
  opt.total_steps = s.steps;
  AdamW adamw(opt);
  BatchSampler sampler(train.size(), std::size_t(s.batch_size), seed);
  auto params = model.parameters();
  // Swarm-native router training: the router parameters leave AdamW.
  std::unique_ptr<RouterSearch> router_search;
  if (s.router_optimizer != "gradient") {
    RouterOptimizerRequest request;
    request.config = &config_;
    request.seed = seed;
    for (int l = 0; l < model.num_layers(); ++l)
      for (const Parameter* p : model.layer(l).router().parameters()) request.dimension += p->size();
    router_search = std::make_unique<RouterSearch>(
        model, data_.validation, registry_.make_router_optimizer(s.router_optimizer, request), s.batch_size);
    params = router_search->gradient_parameters(params);
  }
  const auto eval_steps = s.eval_steps();
  const int layers = model.num_layers();
  const bool full = s.trace_level == "full", metrics = s.trace_level != "summary";

  HostMatrix x("batch.x", s.batch_size, train.dim());
  HostMatrix logits("batch.logits", s.batch_size, train.num_classes);
  HostMatrix d_logits("batch.d_logits", s.batch_size, train.num_classes);
  std::vector<int> labels;
  std::vector<std::uint64_t> ids;
  std::vector<int> batch_clusters;

  SeedOutcome out;
  ProgressReporter progress(variant_ + " seed " + std::to_string(seed), s.steps, terminal);
  const auto start = std::chrono::steady_clock::now();
  double dropped = 0, choices = 0, cv_sum = 0;
  std::size_t eval_index = 0;
  for (int step = 1; step <= s.steps; ++step) {
    if (interrupt_requested()) {
      out.interrupted = true;
      return out;
    }
    const auto& batch_idx = sampler.next();
    gather_batch(train, batch_idx, x, labels, ids);
    if (!train.clusters.empty()) {
      batch_clusters.resize(batch_idx.size());
      for (std::size_t b = 0; b < batch_idx.size(); ++b) batch_clusters[b] = train.clusters[batch_idx[b]];
    }
    RouteContext ctx;
    ctx.training = true;
    ctx.step = std::uint64_t(step);
    ctx.token_ids = ids.data();
    ctx.token_clusters = train.clusters.empty() ? nullptr : batch_clusters.data();
    model.zero_grad();
    model.forward(x, ctx, logits);
    const auto ce = cross_entropy(logits, labels, &d_logits);
    const double aux = model.aux_loss(), z = model.z_loss();
    const double loss = ce.loss + s.aux_coef * aux + s.z_coef * z;
    if (!std::isfinite(loss))
      throw NumericError("variant '" + variant_ + "', seed " + std::to_string(seed) + ", step " +
                         std::to_string(step) + ": training loss is " +
                         (std::isnan(loss) ? "NaN" : "infinite") +
                         " (try a smaller train.lr or larger train.grad_clip)");
    model.backward(d_logits, s.aux_coef, s.z_coef);
    adamw.step(params, step - 1);
    // Trace steps: where routing/assignments are sampled (eval steps, level full).
    const bool trace_step = writer && full && s.assignment_tokens > 0 &&
                            eval_index < eval_steps.size() && eval_steps[eval_index] == step;
    {  // routers that learn from the outcome (stigmergic) and their substrate trace
      StepFeedback fb;
      fb.step = std::uint64_t(step);
      fb.tokens = int(ce.row_loss.size());
      fb.token_loss = ce.row_loss.data();
      fb.token_clusters = ctx.token_clusters;
      fb.num_clusters = train.num_clusters;
      for (int l = 0; l < layers; ++l) {
        model.layer(l).router().observe_step(fb);
        if (writer && metrics)
          model.layer(l).router().write_substrate(*writer, std::int64_t(seed), step);
        // Expert banks' record of this step's forward (spiking experts: /spikes).
        if (trace_step) model.layer(l).write_trace(*writer, std::int64_t(seed), step, l, s.assignment_tokens);
      }
    }

    const StepCost cost = ledger_.training_step(model);
    out.flops += cost.flops;
    out.energy_j += cost.energy_j;
    double step_dropped = 0, step_cv = 0, step_entropy = 0;
    for (int l = 0; l < layers; ++l) {
      const Dispatch& d = model.layer(l).dispatch();
      step_dropped += double(d.tokens_dropped);
      choices += double(d.num_tokens) * std::max(1, d.choices);
      step_cv += load_cv(d.expert_load) / layers;
      step_entropy += d.routing_entropy / layers;
      if (writer && full) writer->write_expert_load(seed_index, step - 1, l, d.expert_load);
    }
    dropped += step_dropped;
    cv_sum += step_cv;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (writer && metrics)
      writer->write_train(seed_index, step - 1,
                          TrainRecord{ce.loss, double(ce.correct) / s.batch_size, aux, z, step_dropped,
                                      step_cv, step_entropy, cost.flops, cost.energy_j, elapsed});
    out.final_loss = ce.loss;

    if (eval_index < eval_steps.size() && eval_steps[eval_index] == step) {
      if (writer && full && s.assignment_tokens > 0)
        for (int l = 0; l < layers; ++l)
          trace_assignments(*writer, std::int64_t(seed), step, l, model.layer(l).dispatch(), ids,
                            s.assignment_tokens);
      const Evaluation ev = evaluate(model, data_.validation, s.batch_size);
      if (writer) writer->write_eval(seed_index, int(eval_index), {ev.loss, ev.accuracy, ev.mutual_information_bits});
      out.mutual_information = ev.mutual_information_bits;
      ++eval_index;
    }
    if (router_search && router_search->due(step)) router_search->round(step, seed, metrics ? writer : nullptr);
    if (writer) writer->step_done();
    progress.update(step, ce.loss, double(step) * s.batch_size / std::max(elapsed, 1e-9));
  }
  const Evaluation test = evaluate(model, data_.test, s.batch_size);
  out.test_accuracy = test.accuracy;
  out.test_loss = test.loss;
  out.mean_load_cv = cv_sum / s.steps;
  out.dropped_fraction = choices > 0 ? dropped / choices : 0.0;
  out.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (writer) {
    writer->write_test(seed_index, test.accuracy, test.loss);
    writer->write_specialization(seed_index, test.specialization);
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "test accuracy %.4f, loss %.4f, load CV %.3f", test.accuracy,
                test.loss, out.mean_load_cv);
  progress.finish(buf);
  return out;
}

}  // namespace moesim
