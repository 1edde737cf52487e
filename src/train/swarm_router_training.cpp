#include "train/swarm_router_training.hpp"

#include "core/error.hpp"
#include "model/moe_model.hpp"
#include "train/trainer.hpp"
#include "trace/trace_sink.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace moesim {

RouterSearch::RouterSearch(MoEModel& model, const Dataset& validation,
                           std::unique_ptr<RouterParameterOptimizer> optimizer, int batch_size)
    : model_(model), optimizer_(std::move(optimizer)), batch_size_(batch_size) {
  if (!optimizer_) throw UsageError("train.router_optimizer: no router optimizer given");
  schedule_ = optimizer_->schedule();
  if (schedule_.every < 1) throw UsageError("swarm.every: must be at least 1");
  for (int l = 0; l < model_.num_layers(); ++l)
    for (Parameter* p : model_.layer(l).router().parameters()) {
      router_params_.push_back(p);
      dimension_ += p->size();
    }
  if (dimension_ == 0)
    throw UsageError("train.router_optimizer: '" + optimizer_->name() + "' needs a router with parameters (router '" +
                     model_.spec().router + "' has none; accepted: gradient)");
  if (validation.size() == 0)
    throw UsageError("swarm.fitness_examples: the validation set is empty (set data.validation > 0)");
  // The fixed fitness subset: the first N validation examples.
  const std::size_t n = std::min(schedule_.fitness_examples, validation.size());
  subset_.name = validation.name + "[swarm fitness]";
  subset_.num_classes = validation.num_classes;
  subset_.num_clusters = validation.num_clusters;
  subset_.features = HostMatrix("swarm.fitness.x", n, validation.dim());
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < validation.dim(); ++j) subset_.features(i, j) = validation.features(i, j);
  subset_.labels.assign(validation.labels.begin(), validation.labels.begin() + std::ptrdiff_t(n));
  if (!validation.ids.empty()) subset_.ids.assign(validation.ids.begin(), validation.ids.begin() + std::ptrdiff_t(n));
  if (!validation.clusters.empty())
    subset_.clusters.assign(validation.clusters.begin(), validation.clusters.begin() + std::ptrdiff_t(n));
  last_installed_ = router_weights();
}

ParameterList RouterSearch::gradient_parameters(const ParameterList& all) const {
  const std::set<const Parameter*> router(router_params_.begin(), router_params_.end());
  ParameterList out;
  for (Parameter* p : all)
    if (!router.count(p)) out.push_back(p);
  return out;
}

std::vector<double> RouterSearch::router_weights() const {
  std::vector<double> w;
  w.reserve(dimension_);
  for (const Parameter* p : router_params_) {
    const float* v = p->value.data();
    w.insert(w.end(), v, v + p->size());
  }
  return w;
}

void RouterSearch::install(const std::vector<double>& w) {
  if (w.size() != dimension_) throw std::invalid_argument("RouterSearch::install: wrong dimension");
  std::size_t k = 0;
  for (Parameter* p : router_params_) {
    float* v = p->value.data();
    for (std::size_t i = 0; i < p->size(); ++i) v[i] = float(w[k++]);
  }
}

double RouterSearch::fitness(const double* x) {
  std::size_t k = 0;
  for (Parameter* p : router_params_) {
    float* v = p->value.data();
    for (std::size_t i = 0; i < p->size(); ++i) v[i] = float(x[k++]);
  }
  ++evaluations_;
  const double loss = evaluate(model_, subset_, batch_size_).loss;
  // A non-finite loss must never win a round.
  return std::isfinite(loss) ? loss : HUGE_VAL;
}

RouterRoundResult RouterSearch::round(int step, std::uint64_t seed, RunWriter* writer) {
  // The weights as float, so that every candidate is what the model can hold.
  const std::vector<double> incumbent = router_weights();
  double drift = 0;  // distance moved since the last install: 0 unless something else trained them
  for (std::size_t i = 0; i < dimension_; ++i) drift += (incumbent[i] - last_installed_[i]) * (incumbent[i] - last_installed_[i]);
  RouterRoundResult r = optimizer_->round(incumbent, [this](const double* x) { return fitness(x); });
  if (r.best.size() != dimension_) r.best = incumbent;  // defensive: a broken optimizer keeps the incumbent
  install(r.best);
  last_installed_ = router_weights();
  double update = 0;
  for (std::size_t i = 0; i < dimension_; ++i) update += (last_installed_[i] - incumbent[i]) * (last_installed_[i] - incumbent[i]);
  ++rounds_;
  if (writer) {
    const std::vector<std::string> rec{"round"};
    const std::string g = "swarm_training/";
    writer->append_substrate_row(g + "seed", {}, std::vector<std::int64_t>{std::int64_t(seed)}, "1", rec);
    writer->append_substrate_row(g + "step", {}, std::vector<std::int64_t>{step}, "1", rec);
    writer->append_substrate_row(g + "incumbent_loss", {}, std::vector<double>{r.incumbent_loss}, "nat", rec);
    writer->append_substrate_row(g + "best_loss", {}, std::vector<double>{r.best_loss}, "nat", rec);
    writer->append_substrate_row(g + "evaluations", {}, std::vector<std::int64_t>{std::int64_t(r.evaluations)},
                                 "1", rec);
    writer->append_substrate_row(g + "evaluations_total", {}, std::vector<std::int64_t>{std::int64_t(evaluations_)},
                                 "1", rec);
    writer->append_substrate_row(g + "improved", {}, std::vector<std::int64_t>{r.improved ? 1 : 0}, "1", rec);
    writer->append_substrate_row(g + "update_norm", {}, std::vector<double>{std::sqrt(update)}, "1", rec);
    writer->append_substrate_row(g + "drift_between_rounds", {}, std::vector<double>{std::sqrt(drift)}, "1", rec);
  }
  return r;
}

}  // namespace moesim
