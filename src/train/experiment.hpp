// `moesim run`: trains and evaluates every variant for every seed on the same
// data, initialisation and budget, prints the comparison table and writes the
// trace (DESIGN.md §3, §4).
#pragma once
#include <string>

namespace moesim {

class Config;
class ConfigSchema;
class Registry;

struct RunOptions {
  std::string output = "moesim_run.h5";  // final trace path (written as .partial first)
  std::string command_line;              // for the trace's root attrs
  int threads = 0;                       // Kokkos concurrency actually used
};

// Declares experiment.*, model.*, train.* and trace.* keys.
void declare_core_keys(ConfigSchema& schema);

// Validates cross-key constraints (top_k <= experts, ...) for every variant,
// throws UsageError. Called before any work starts.
void validate_experiment(const Registry& registry, const Config& config);

// Runs the experiment. Returns the exit code: 0, or 143 / 130 when stopped by
// SIGTERM / SIGINT. Throws UsageError / DataError / NumericError on failure
// (after marking the trace failed).
int run_experiment(const Registry& registry, const Config& config, const RunOptions& options);

}  // namespace moesim
