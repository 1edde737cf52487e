// Trains and evaluates one variant for one seed: AdamW, evaluation on the
// validation set every train.eval_every steps, the test set once at the end,
// every metric of DESIGN.md §4 written through the RunWriter.
#pragma once
#include "core/registry.hpp"
#include "datasets/dataset.hpp"
#include "model/moe_model.hpp"
#include "train/ledger.hpp"
#include "trace/trace_sink.hpp"

#include <string>
#include <vector>

namespace moesim {

class Config;

struct TrainSettings {
  int steps = 400, batch_size = 256, eval_every = 40, warmup = 20;
  double lr = 3e-3, weight_decay = 0.01, grad_clip = 1.0;
  double aux_coef = 0.01, z_coef = 0.001;
  int assignment_tokens = 64;
  std::string trace_level = "full";
  std::string router_optimizer = "gradient";  // or a registered swarm algorithm

  static TrainSettings from_config(const Config& c);
  std::vector<std::int64_t> eval_steps() const;  // 1-based steps at which validation runs
};

struct SeedOutcome {
  bool interrupted = false;
  double test_accuracy = 0, test_loss = 0, final_loss = 0, mean_load_cv = 0;
  double dropped_fraction = 0, mutual_information = 0;
  double flops = 0, energy_j = 0, wall_time_s = 0;
};

// Evaluation of a model on a dataset, in batches, in inference mode.
struct Evaluation {
  double loss = 0, accuracy = 0, mutual_information_bits = 0;
  std::vector<double> specialization;  // [layer, expert, class] counts of top experts
};
Evaluation evaluate(MoEModel& model, const Dataset& data, int batch_size);

class Trainer {
 public:
  Trainer(const Registry& registry, const Config& variant_config, std::string variant,
          const DatasetSplits& data, const Ledger& ledger);
  // writer may be null (no trace). Throws NumericError on NaN / Inf.
  SeedOutcome run(std::uint64_t seed, int seed_index, RunWriter* writer, bool terminal);

  const TrainSettings& settings() const { return settings_; }

 private:
  const Registry& registry_;
  const Config& config_;
  std::string variant_;
  const DatasetSplits& data_;
  const Ledger& ledger_;
  TrainSettings settings_;
};

// Copies rows `idx` of a dataset into x / labels / ids.
void gather_batch(const Dataset& d, const std::vector<std::size_t>& idx, HostMatrix& x,
                  std::vector<int>& labels, std::vector<std::uint64_t>& ids);

}  // namespace moesim
