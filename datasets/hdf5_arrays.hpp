// HDF5 arrays (data.name = hdf5): a file with a feature matrix and a label
// vector, read with the HDF5 C API.
//  * data.features (default "features"): float [N, d] (any stored float or
//    integer type; read as float32). Values are used as stored, not
//    normalised; NaN or Inf is an error.
//  * data.labels (default "labels"): integer [N] (any stored integer type;
//    read as int64), classes 0..C-1 with C = max + 1; negative is an error.
// Every error is a DataError naming the file and, where it applies, the
// dataset path inside it.
#pragma once
#include "datasets/dataset.hpp"

#include <cstddef>
#include <string>

namespace moesim {

struct Hdf5Spec {
  std::string path;
  std::string features = "features";
  std::string labels = "labels";
};

struct Hdf5Shape {
  std::size_t examples = 0;
  std::size_t dim = 0;
};

// Cheap checks: the file exists and is HDF5, both datasets exist with the
// right rank, type class and matching N >= 2, d >= 1. Reads no data.
Hdf5Shape check_hdf5_arrays(const Hdf5Spec& spec);

// All examples in file order; ids are the row indices. Also checks the label
// values (>= 0) and that the features are finite.
Dataset read_hdf5_arrays(const Hdf5Spec& spec);

}  // namespace moesim
