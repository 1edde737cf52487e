#include "models/quantum/router/collapse.hpp"

#include "core/error.hpp"
#include "models/quantum/batched_state.hpp"
#include "models/swarm/algorithms.hpp"

#include <algorithm>
#include <cmath>

namespace moesim::quantum {

int top_outcome(const double* s, std::size_t dim, int experts, bool null_expert, double* margin) {
  const int outcomes = experts + (null_expert ? 1 : 0);
  double best = -1.0, second = -1.0;
  int arg = 0;
  for (int o = 0; o < outcomes; ++o) {
    double v = 0.0;
    if (o < experts) {
      v = s[o];
    } else {
      for (std::size_t i = std::size_t(experts); i < dim; ++i) v += s[i];
    }
    if (v > best) {
      second = best;
      best = v;
      arg = o;
    } else if (v > second) {
      second = v;
    }
  }
  if (margin) *margin = best - std::max(second, 0.0);
  return arg;
}

namespace {
std::vector<double> collapse_lower(const CollapseFitnessData& d, const CollapseSettings& s) {
  (void)d;
  return {0.0, std::log2(double(s.min_shots)), 0.0};
}
std::vector<double> collapse_upper(const CollapseFitnessData& d, const CollapseSettings& s) {
  return {double(d.probs_by_layer.size()), std::log2(double(s.max_shots)), 0.5};
}
}  // namespace

CollapseProblem::CollapseProblem(const CollapseFitnessData& data, const CollapseSettings& settings,
                                 std::uint64_t seed)
    : swarm::Problem("quantum_collapse", collapse_lower(data, settings), collapse_upper(data, settings)),
      data_(data),
      settings_(settings),
      seed_(seed) {}

CollapseSchedule CollapseProblem::decode(const double* x) const {
  CollapseSchedule s;
  const int layers = int(data_.probs_by_layer.size());
  s.layer = std::clamp(int(std::floor(x[0])), 0, layers - 1);
  s.shots = std::clamp<std::int64_t>(std::llround(std::exp2(x[1])), settings_.min_shots, settings_.max_shots);
  s.threshold = std::clamp(x[2], 0.0, 0.5);
  return s;
}

double CollapseProblem::agreement(const CollapseSchedule& s, double* shots_per_token) const {
  const std::size_t T = data_.tokens, dim = data_.dim;
  const std::vector<double>& P = data_.probs_by_layer.at(std::size_t(s.layer));
  const PhiloxKey key{seed_, kBatchedSamplingStream};
  std::vector<std::int32_t> counts(dim);
  std::vector<double> freq(dim);
  std::size_t agree = 0, shots = 0;
  for (std::size_t t = 0; t < T; ++t) {
    std::fill(counts.begin(), counts.end(), 0);
    std::uint64_t used = std::uint64_t(s.shots);
    sample_register_shots(&P[t * dim], dim, key, t, 0, used, counts.data());
    double margin = 0.0;
    for (std::size_t i = 0; i < dim; ++i) freq[i] = double(counts[i]) / double(used);
    int top = top_outcome(freq.data(), dim, data_.experts, data_.null_expert, &margin);
    if (margin < s.threshold) {
      const std::uint64_t extra = std::uint64_t(data_.remeasure_factor) * used;
      sample_register_shots(&P[t * dim], dim, key, t, used, used + extra, counts.data());
      used += extra;
      for (std::size_t i = 0; i < dim; ++i) freq[i] = double(counts[i]) / double(used);
      top = top_outcome(freq.data(), dim, data_.experts, data_.null_expert);
    }
    agree += top == data_.reference_top[t];
    shots += used;
  }
  if (shots_per_token) *shots_per_token = T ? double(shots) / double(T) : 0.0;
  return T ? double(agree) / double(T) : 1.0;
}

double CollapseProblem::value(const double* x) const {
  const CollapseSchedule s = decode(x);
  double spt = 0.0;
  const double a = agreement(s, &spt);
  return (1.0 - a) + settings_.lambda * data_.error_by_layer.at(std::size_t(s.layer)) +
         settings_.mu * spt / double(settings_.max_shots);
}

CollapseSchedule CollapseScheduler::search(const CollapseFitnessData& data, std::uint64_t seed) {
  CollapseProblem problem(data, settings_, seed);
  swarm::OptimizerSettings os;
  os.population = std::size_t(settings_.population);
  os.budget = std::size_t(settings_.budget);
  os.seed = seed;
  std::unique_ptr<swarm::Optimizer> opt;
  if (settings_.optimizer == "qpso")
    opt = swarm::make_qpso(problem, os);
  else if (settings_.optimizer == "pso")
    opt = swarm::make_pso(problem, os);
  else
    throw UsageError("quantum.collapse_optimizer = '" + settings_.optimizer + "' (accepted: pso, qpso)");
  opt->run();
  schedule_ = problem.decode(opt->best_position().data());
  fitness_ = opt->best_value();
  agreement_ = problem.agreement(schedule_);
  history_ = opt->history();
  ++searches_;
  return schedule_;
}

}  // namespace moesim::quantum
