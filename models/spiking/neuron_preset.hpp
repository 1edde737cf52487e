// Spiking engine (issue 6): neuron and synapse parameter sets loaded from
// devices/presets/neuron_<name>.ini (each citing its source in [source]).
//
// File layout (every number is checked; unknown sections or keys are errors):
//   [source]      citation = ... (required; more keys free)
//   [simulation]  dt_ms = ...   (required)
//   [neuron] or [neuron.<population>] (one or more), each with
//                 model = lif_exp | conductance_lif | adaptive_lif
//                 and every parameter key of that model's table
//                 (lif_exp_fields(), conductance_lif_fields(), adaptive_lif_fields());
//   [synapse], [network], [input]   optional, free numeric keys whose names
//                 carry their unit (we_mV, connection_probability, n_exc, ...);
//   [stdp]        optional: pairing = all_to_all | nearest and every key of
//                 stdp_rule_fields().
// Errors: moesim::DataError naming the file (and line), section and key for a
// missing, malformed or out-of-range value; moesim::UsageError for an unknown
// preset name (listing the available ones) or population.
#pragma once
#include "models/spiking/adaptive_lif.hpp"
#include "models/spiking/conductance_lif.hpp"
#include "models/spiking/neuron_model.hpp"
#include "models/spiking/plasticity.hpp"

#include <map>
#include <string>
#include <vector>

namespace moesim::spiking {

enum class NeuronModelKind { kLifExp, kConductanceLif, kAdaptiveLif };

// "lif_exp", "conductance_lif", "adaptive_lif".
const char* neuron_model_name(NeuronModelKind kind);

struct NeuronPopulationPreset {
  std::string name;  // "" for [neuron], "exc" for [neuron.exc]
  NeuronModelKind model = NeuronModelKind::kLifExp;
  LifExpParams lif_exp;               // set when model == kLifExp
  ConductanceLifParams conductance;   // set for kConductanceLif and kAdaptiveLif (its base)
  AdaptiveLifParams adaptive;         // set when model == kAdaptiveLif
};

struct NeuronPreset {
  std::string name;    // bare preset name (file stem without "neuron_")
  std::string path;    // the file read
  std::string source;  // [source] citation
  double dt_ms = 0.1;
  std::vector<NeuronPopulationPreset> populations;  // in file order
  // [synapse], [network], [input]: section -> key -> value.
  std::map<std::string, std::map<std::string, double>> values;
  bool has_stdp = false;
  StdpRule stdp;

  // The population of that name; "" selects the only one. UsageError listing
  // the populations otherwise.
  const NeuronPopulationPreset& population(const std::string& name = "") const;
  // A value of [synapse] / [network] / [input]; DataError naming the file,
  // section and key when it is absent.
  double value(const std::string& section, const std::string& key) const;
};

// Names of the neuron presets in `dir` (files neuron_<name>.ini), sorted.
std::vector<std::string> neuron_preset_names(const std::string& dir);

// `name_or_path` is a file if it contains '/' or ends in ".ini"; otherwise the
// preset <dir>/neuron_<name>.ini, dir = presets_directory(fallback_dirs).
NeuronPreset load_neuron_preset(const std::string& name_or_path,
                                const std::vector<std::string>& fallback_dirs = {});

}  // namespace moesim::spiking
