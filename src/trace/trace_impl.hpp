// Private to src/trace: the state behind TraceSink and RunWriter, shared by
// trace_sink.cpp (file lifecycle) and run_writer.cpp (run groups).
#pragma once
#include "trace/h5_util.hpp"
#include "trace/trace_sink.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace moesim {

struct TraceSink::Impl {
  std::string path, partial;
  int flush_every = 50;
  bool finished = false;
  h5::Handle file, root;
  h5::Handle runs_group;    // /runs, created with the first run
  h5::Handle spikes_group;  // /spikes, created with the first population
  std::vector<std::unique_ptr<RunWriter>> runs;
  std::vector<RunWriter::Impl*> run_impls;  // owned through `runs`

  // Throws std::logic_error if finish() has been called.
  void require_open(const char* operation) const;
  void flush();
};

struct RunWriter::Impl {
  TraceSink::Impl* sink = nullptr;
  RunInfo info;
  h5::Handle group, substrate;
  std::vector<h5::Handle> train;  // in the order of kTrainMetrics (run_writer.cpp)
  h5::Handle eval_loss, eval_accuracy, eval_mi;
  h5::Handle test_accuracy, test_loss;
  h5::Handle expert_load, specialization;
  h5::Handle as_seed, as_step, as_layer, as_token, as_expert, as_weight;  // routing/assignments
  hsize_t assignment_rows = 0;
  struct SpikePopulation {  // /spikes/<variant>.s<seed>.<population>, appended by write_spikes
    h5::Handle group, timestamps, node_ids;
    hsize_t rows = 0;
    std::uint8_t sorting = 0;
    double last_time_ms = 0;
    std::uint64_t last_id = 0;
  };
  std::map<std::string, SpikePopulation> spike_populations;  // by full population name
  long steps_done = 0;

  // Creates /runs/<variant> under `runs_group` with attrs and datasets.
  static std::unique_ptr<Impl> create(TraceSink::Impl& sink, hid_t runs_group, const RunInfo& info);
  // Closes every handle; returns an error text ("" if none).
  std::string close_all();
};

}  // namespace moesim
