// TraceSink: the only writer of HDF5 (DESIGN.md §4, schema version 1).
// The file is written to NAME.partial and renamed to NAME only by
// finish(Status::Complete); a failed or interrupted run leaves NAME.partial
// with root attr status = "failed" / "interrupted" and never touches NAME.
// Every numeric dataset carries `units` and `dims` attrs; [seed, step]
// datasets are preallocated (NaN-filled), chunked, shuffle + deflate.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace moesim {

struct RootInfo {
  std::string moesim_version, git_hash, command_line, backend, host;
  std::vector<std::int64_t> seeds;  // root attr `seed` = seeds[0]
  int threads = 0;
};

struct RunInfo {  // /runs/<variant> attrs and layout
  std::string variant, router, expert_type, substrate = "digital";
  int num_experts = 0, top_k = 0, layers = 0, num_classes = 0;
  double capacity_factor = 0;
  std::vector<std::int64_t> seeds;
  std::vector<std::int64_t> train_steps;  // steps that will be recorded (train/step)
  std::vector<std::int64_t> eval_steps;   // steps at which validation runs (eval/step)
};

// One row of train/<metric> at (seed index, step index).
struct TrainRecord {
  double loss, accuracy, aux_loss, z_loss, tokens_dropped, load_cv, routing_entropy, flops,
      energy_j, wall_time_s;
};
struct EvalRecord {
  double loss, accuracy, mutual_information_bits;
};

struct SummaryRow {
  std::string variant;
  std::int64_t seeds;
  double test_accuracy_mean, test_accuracy_ci95, final_loss, load_cv, dropped_fraction,
      mutual_information, gflops, energy_j, wall_time_s;
};

enum class TraceStatus { Complete, Interrupted, Failed };

class RunWriter;

class TraceSink {
 public:
  // Checks that `path` can be written (its directory exists and is writable)
  // and creates path + ".partial" with root attrs, status = "running"...
  // until finish(). Throws UsageError if the path cannot be written.
  // flush_every_steps = 0: only explicit flush() calls flush.
  TraceSink(const std::string& path, const RootInfo& info, int flush_every_steps = 50);
  ~TraceSink();  // if finish() was not called: status = "failed", closes, keeps .partial
  TraceSink(const TraceSink&) = delete;
  TraceSink& operator=(const TraceSink&) = delete;

  // Checks, without creating anything, that `path` (and path.partial) can be written.
  static void check_writable(const std::string& path);

  void write_config(const std::string& ini_text);  // /config string dataset

  // Creates /runs/<variant> with its attrs and preallocated datasets.
  RunWriter& add_run(const RunInfo& info);

  void write_summary(const std::vector<SummaryRow>& rows);  // /summary compound table

  // SONATA spikes: /spikes/<population>/{timestamps (ms), node_ids}, attr sorting.
  void write_spikes(const std::string& population, const std::vector<double>& timestamps_ms,
                    const std::vector<std::uint64_t>& node_ids, std::uint8_t sorting);

  void flush();
  // Sets status, closes; Complete renames NAME.partial to NAME (replacing it).
  void finish(TraceStatus status);

  const std::string& path() const;
  const std::string& partial_path() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

class RunWriter {
 public:
  // Everything below takes the seed index (0..seeds-1) and the index into
  // train_steps / eval_steps given in RunInfo.
  void write_train(int seed_index, int step_index, const TrainRecord& r);
  void write_eval(int seed_index, int eval_index, const EvalRecord& r);
  void write_test(int seed_index, double accuracy, double loss);
  // routing/expert_load [seed, step, layer, expert]: load for one layer.
  void write_expert_load(int seed_index, int step_index, int layer, const std::vector<double>& load);
  // routing/assignments/*: appends rows (parallel vectors of equal length).
  // Unlike the calls above, `seed` is the seed value (one of RunInfo::seeds)
  // and `step` the training step number, as stored in the file.
  void append_assignments(std::int64_t seed, std::int64_t step, int layer,
                          const std::vector<std::int64_t>& tokens, const std::vector<std::int64_t>& experts,
                          const std::vector<double>& weights);
  // routing/specialization [seed, layer, expert, class]: counts on the test set.
  void write_specialization(int seed_index, const std::vector<double>& counts_layer_expert_class);
  // SONATA spikes of a population inside this run: appends to
  // /spikes/<variant>.s<seed>.<population>/{timestamps (f64, ms), node_ids
  // (u64)}, creating the population (extendible datasets, attr `sorting`) on
  // its first call — even with no spikes, so a silent population still shows.
  // Later calls must give the same `sorting` and keep it across calls
  // (by_time: the new timestamps are sorted and none precedes the last one
  // written; by_id likewise for node_ids). `seed` is the seed value.
  void write_spikes(std::int64_t seed, const std::string& population,
                    const std::vector<double>& timestamps_ms, const std::vector<std::uint64_t>& node_ids,
                    std::uint8_t sorting);

  // Called once per training step: flushes every flush_every_steps calls.
  void step_done();

  // HDF5 id of /runs/<variant>/substrate (created on first use) for substrates.
  // The id is owned by the RunWriter (do not close it); it and anything the
  // substrate left open under it are closed by TraceSink::finish().
  std::int64_t substrate_group();

  // Appends one row to the extendible dataset substrate/<path> (path relative
  // to /runs/<variant>/substrate, e.g. "pheromone/tau"; missing groups are
  // created). The dataset has shape [rows, row_shape...]; on first use it is
  // created (chunked, shuffle + deflate) with attrs `units` and `dims`
  // (dim_names: the row axis first, then one name per row_shape axis).
  // values.size() must equal the product of row_shape. float64 or int64.
  void append_substrate_row(const std::string& path, const std::vector<std::size_t>& row_shape,
                            const std::vector<double>& values, const std::string& units,
                            const std::vector<std::string>& dim_names);
  void append_substrate_row(const std::string& path, const std::vector<std::size_t>& row_shape,
                            const std::vector<std::int64_t>& values, const std::string& units,
                            const std::vector<std::string>& dim_names);

  struct Impl;
  explicit RunWriter(std::unique_ptr<Impl> impl);
  ~RunWriter();

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace moesim
