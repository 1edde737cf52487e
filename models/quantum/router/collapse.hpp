// Swarm-timed collapse (issue 5): a swarm optimizer (PSO or QPSO from
// models/swarm) chooses when and how the router's registers are measured —
// the measurement layer m, the shots per token S and the re-measurement
// threshold τ (tokens whose top-2 shot-frequency margin is below τ are
// measured again with remeasure_factor · S more shots).
//
// Fitness of a schedule, on a batch of tokens whose state probabilities at
// every layer 0 … m_max are precomputed (noisy when the router is):
//   f = (1 − agreement) + λ · error(m) + μ · shots_per_token / max_shots
// agreement = fraction of tokens whose top-1 shot outcome (expert, or the
// null expert) equals the top-1 of the noiseless exact distribution at the
// reference depth; error(m) from the decoherence manager. Shots are drawn
// with a fixed Philox key for every candidate (common random numbers), so the
// fitness is a pure function of the schedule and the search is deterministic
// for a seed at any thread count.
#pragma once
#include "models/swarm/problem.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace moesim::quantum {

struct CollapseSettings {
  int every = 0;  // training steps between searches (0: off)
  std::string optimizer = "pso";  // pso | qpso
  std::int64_t budget = 120;      // fitness evaluations per search
  std::int64_t population = 12;
  double lambda = 1.0;  // weight of the decoherence error
  double mu = 0.1;      // weight of the shot cost
  std::int64_t min_shots = 4, max_shots = 256;
  int tokens = 64;  // fitness batch (first tokens of the step's batch)
};

struct CollapseSchedule {
  int layer = 0;
  std::int64_t shots = 1;
  double threshold = 0.0;
};

// The data one search evaluates schedules on.
struct CollapseFitnessData {
  std::size_t tokens = 0, dim = 0;
  int experts = 0;
  bool null_expert = true;
  std::int64_t remeasure_factor = 4;
  std::vector<std::vector<double>> probs_by_layer;  // [m][tokens * dim], m = 0 … m_max
  std::vector<int> reference_top;                   // [tokens] exact top-1 outcome
  std::vector<double> error_by_layer;               // [m]
};

// Top-1 outcome of a score vector over states: the expert (state < E) or,
// in null mode, E for any unused state (their scores summed); ties to the
// lowest index. Also returns the margin between the two best outcomes.
int top_outcome(const double* state_scores, std::size_t dim, int experts, bool null_expert,
                double* margin = nullptr);

class CollapseProblem : public swarm::Problem {
 public:
  CollapseProblem(const CollapseFitnessData& data, const CollapseSettings& settings, std::uint64_t seed);
  double value(const double* x) const override;
  CollapseSchedule decode(const double* x) const;
  // Its parts, for the trace and tests.
  double agreement(const CollapseSchedule& s, double* shots_per_token = nullptr) const;

 private:
  const CollapseFitnessData& data_;
  CollapseSettings settings_;
  std::uint64_t seed_;
};

class CollapseScheduler {
 public:
  explicit CollapseScheduler(const CollapseSettings& settings) : settings_(settings) {}
  // Runs one search; returns the best schedule found.
  CollapseSchedule search(const CollapseFitnessData& data, std::uint64_t seed);

  const CollapseSettings& settings() const { return settings_; }
  const CollapseSchedule& schedule() const { return schedule_; }
  double fitness() const { return fitness_; }
  double agreement() const { return agreement_; }
  const std::vector<double>& history() const { return history_; }  // best fitness per generation
  int searches() const { return searches_; }

 private:
  CollapseSettings settings_;
  CollapseSchedule schedule_;
  double fitness_ = 0.0, agreement_ = 0.0;
  std::vector<double> history_;
  int searches_ = 0;
};

}  // namespace moesim::quantum
