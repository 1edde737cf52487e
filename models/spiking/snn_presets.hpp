// Spiking network presets run by `moesim snn --preset NAME` (DESIGN.md §3).
//
// A preset is a whole network with its parameters fixed (check_values.md
// names the reference for each); the command chooses only the seed (network
// and initial state), the simulated duration and the threads.
//   cuba  Brian2's examples/CUBA: 4000 current-based LIF neurons, p = 0.02
#pragma once
#include "models/spiking/cuba.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace moesim::spiking {

struct SnnRequest {
  double duration_ms = 1000.0;
  std::uint64_t seed = 1;
  bool (*stop_requested)() = nullptr;  // polled during the run (SIGTERM)
  CubaPrecision precision = CubaPrecision::kFloat64;  // state precision (cuba.hpp)
};

// The outcome of a preset: spikes (by time), the DESIGN §3 statistics, sizes
// and timings. CUBA's result type is general enough for any single-population
// preset.
using SnnResult = CubaResult;

struct SnnPreset {
  std::string name;
  std::string description;  // one line
  std::string population;   // SONATA population name of its spikes
  double dt_ms;
  SnnResult (*run)(const SnnRequest&);  // on Kokkos' default host execution space
  std::string (*describe)(const SnnRequest&);  // the effective parameters as INI text
};

const std::vector<SnnPreset>& snn_presets();
const SnnPreset* find_snn_preset(const std::string& name);  // nullptr if unknown
std::string snn_preset_names();                              // "cuba, …"

// The CUBA configuration of the `cuba` preset for a request.
CubaConfig cuba_preset_config(const SnnRequest& request);

}  // namespace moesim::spiking
