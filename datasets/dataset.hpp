// Datasets: every loader returns the same in-memory form, split into train,
// validation and test. Each example is one token for the MoE.
#pragma once
#include "core/tensor.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace moesim {

class Config;
class ConfigSchema;
class Registry;

struct Dataset {
  std::string name;
  HostMatrix features;               // [N, d] float32, normalised as the loader documents
  std::vector<int> labels;           // [N] classes 0..num_classes-1
  int num_classes = 0;
  std::vector<std::uint64_t> ids;    // [N] stable example ids (hash routing keys on them)
  std::vector<int> clusters;         // [N] ground-truth mixture component, empty if unknown
  int num_clusters = 0;

  std::size_t size() const { return labels.size(); }
  std::size_t dim() const { return features.extent(1); }
};

struct DatasetSplits {
  Dataset train, validation, test;
};

// Declares data.* keys (data.name, data.path, data.features, data.labels,
// data.test_fraction, data.validation and the generator's keys).
void declare_dataset_keys(ConfigSchema& schema);
// Registers dataset names for `moesim list datasets`.
void register_datasets(Registry& registry);

// Cheap checks before any work starts: files exist, are readable, headers and
// named HDF5 datasets are right. Throws DataError (exit 3) naming the file.
void validate_dataset(const Config& config);

// Loads (or generates) and splits. Throws DataError for bad files.
DatasetSplits load_dataset(const Config& config);

}  // namespace moesim
