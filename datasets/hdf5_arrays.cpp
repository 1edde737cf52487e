#include "datasets/hdf5_arrays.hpp"

#include "core/error.hpp"

#include <hdf5.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <sys/stat.h>
#include <utility>
#include <vector>

namespace moesim {

namespace {

// Silences HDF5's automatic error printing for the lifetime of the guard (the
// failures are reported as DataError instead) and restores it afterwards.
class QuietHdf5 {
 public:
  QuietHdf5() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietHdf5(const QuietHdf5&) = delete;
  QuietHdf5& operator=(const QuietHdf5&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// An HDF5 identifier closed by the given function.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle& operator=(Handle&&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

Handle open_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw DataError(path + ": cannot open HDF5 file (data.path): " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw DataError(path + ": is a directory, expected an HDF5 file (data.path)");
  const htri_t is = H5Fis_hdf5(path.c_str());
  if (is < 0) throw DataError(path + ": unreadable (HDF5 could not read its superblock)");
  if (is == 0) throw DataError(path + ": not an HDF5 file");
  Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.ok()) throw DataError(path + ": cannot open HDF5 file (corrupt or unreadable)");
  return f;
}

struct DatasetInfo {
  std::vector<hsize_t> dims;
  H5T_class_t type_class = H5T_NO_CLASS;
};

const char* class_name(H5T_class_t c) {
  switch (c) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "float";
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    case H5T_ARRAY: return "array";
    default: return "non-numeric";
  }
}

std::string dims_text(const std::vector<hsize_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

// Opens `name` in `file`; DataError if it is missing or not a dataset.
Handle open_dataset(const Handle& file, const std::string& path, const std::string& name,
                    const char* key) {
  const htri_t exists = H5Oexists_by_name(file.get(), name.c_str(), H5P_DEFAULT);
  if (exists <= 0)
    throw DataError(path + ": no dataset '" + name + "' (" + key + ")");
  Handle d(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.ok()) throw DataError(path + ": '" + name + "' (" + key + ") is not a readable dataset");
  return d;
}

DatasetInfo info(const Handle& dset, const std::string& path, const std::string& name) {
  DatasetInfo out;
  Handle space(H5Dget_space(dset.get()), H5Sclose);
  Handle type(H5Dget_type(dset.get()), H5Tclose);
  if (!space.ok() || !type.ok()) throw DataError(path + ": cannot read the shape or type of '" + name + "'");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw DataError(path + ": cannot read the shape of '" + name + "'");
  out.dims.resize(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), out.dims.data(), nullptr);
  out.type_class = H5Tget_class(type.get());
  return out;
}

// Shared by check and read: every structural check, no data read.
void check_structure(const Hdf5Spec& spec, const DatasetInfo& f, const DatasetInfo& l) {
  const std::string& p = spec.path;
  if (f.dims.size() != 2)
    throw DataError(p + ": dataset '" + spec.features + "' (data.features) has rank " +
                    std::to_string(f.dims.size()) + " " + dims_text(f.dims) + ", expected rank 2 [N, d]");
  if (f.type_class != H5T_FLOAT && f.type_class != H5T_INTEGER)
    throw DataError(p + ": dataset '" + spec.features + "' (data.features) has " +
                    class_name(f.type_class) + " elements, expected float (or integer)");
  if (l.dims.size() != 1)
    throw DataError(p + ": dataset '" + spec.labels + "' (data.labels) has rank " +
                    std::to_string(l.dims.size()) + " " + dims_text(l.dims) + ", expected rank 1 [N]");
  if (l.type_class != H5T_INTEGER)
    throw DataError(p + ": dataset '" + spec.labels + "' (data.labels) has " + class_name(l.type_class) +
                    " elements, expected integer class labels");
  if (f.dims[0] != l.dims[0])
    throw DataError(p + ": N mismatch: dataset '" + spec.features + "' has " + std::to_string(f.dims[0]) +
                    " rows but '" + spec.labels + "' has " + std::to_string(l.dims[0]) + " labels");
  if (f.dims[0] < 2)
    throw DataError(p + ": dataset '" + spec.features + "' has " + std::to_string(f.dims[0]) +
                    " example(s), at least 2 are needed (training and test)");
  if (f.dims[1] < 1)
    throw DataError(p + ": dataset '" + spec.features + "' has 0 features per example");
}

}  // namespace

namespace {

// The file and its two datasets, opened and checked (shapes, types, label
// count) as validation and reading both need them.
struct OpenArrays {
  Handle file, features, labels;
  Hdf5Shape shape;
};

OpenArrays open_checked(const Hdf5Spec& spec) {
  Handle file = open_file(spec.path);
  Handle f = open_dataset(file, spec.path, spec.features, "data.features");
  Handle l = open_dataset(file, spec.path, spec.labels, "data.labels");
  const DatasetInfo fi = info(f, spec.path, spec.features);
  const DatasetInfo li = info(l, spec.path, spec.labels);
  check_structure(spec, fi, li);
  return {std::move(file), std::move(f), std::move(l),
          {static_cast<std::size_t>(fi.dims[0]), static_cast<std::size_t>(fi.dims[1])}};
}

}  // namespace

Hdf5Shape check_hdf5_arrays(const Hdf5Spec& spec) {
  QuietHdf5 quiet;
  return open_checked(spec).shape;
}

Dataset read_hdf5_arrays(const Hdf5Spec& spec) {
  QuietHdf5 quiet;
  const OpenArrays a = open_checked(spec);
  const Handle& f = a.features;
  const Handle& l = a.labels;
  const std::size_t n = a.shape.examples, d = a.shape.dim;

  Dataset out;
  out.name = "hdf5";
  out.features = make_matrix("hdf5", n, d);
  if (H5Dread(f.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.features.data()) < 0)
    throw DataError(spec.path + ": cannot read dataset '" + spec.features +
                    "' (data.features): corrupt, truncated or not convertible to float32");
  std::vector<std::int64_t> raw(n);
  if (H5Dread(l.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0)
    throw DataError(spec.path + ": cannot read dataset '" + spec.labels +
                    "' (data.labels): corrupt, truncated or not convertible to int64");

  const float* x = out.features.data();
  for (std::size_t k = 0; k < n * d; ++k)
    if (!std::isfinite(x[k]))
      throw DataError(spec.path + ": dataset '" + spec.features + "' (data.features) has a non-finite value (" +
                      std::to_string(x[k]) + ") at row " + std::to_string(k / d) + ", column " +
                      std::to_string(k % d) + " (after conversion to float32)");
  out.labels.resize(n);
  out.ids.resize(n);
  std::int64_t max_label = -1;
  for (std::size_t i = 0; i < n; ++i) {
    if (raw[i] < 0)
      throw DataError(spec.path + ": dataset '" + spec.labels + "' (data.labels) has a negative label " +
                      std::to_string(raw[i]) + " at row " + std::to_string(i) + " (expected 0..C-1)");
    if (raw[i] >= INT_MAX)
      throw DataError(spec.path + ": dataset '" + spec.labels + "' (data.labels) has label " +
                      std::to_string(raw[i]) + " at row " + std::to_string(i) + ", too large for a class id");
    out.labels[i] = static_cast<int>(raw[i]);
    out.ids[i] = i;
    if (raw[i] > max_label) max_label = raw[i];
  }
  out.num_classes = static_cast<int>(max_label + 1);
  return out;
}

}  // namespace moesim
