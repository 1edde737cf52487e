// Small HDF5 C API helpers for the trace writer (src/trace only): an RAII
// handle, a scoped silencer for HDF5's automatic error printing, checked calls
// that throw std::runtime_error with context, and attribute / dataset helpers.
//
// Strings: every string (attribute, dataset, compound member) is stored as a
// variable-length UTF-8 string (H5T_C_S1, H5T_VARIABLE, H5T_CSET_UTF8), which
// h5py reads as `str` for attributes. Integers are stored little-endian
// (H5T_STD_I32LE / I64LE / U64LE), reals as H5T_IEEE_F64LE.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace moesim::h5 {

// Owns one HDF5 id and closes it with the matching H5?close on destruction.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Closes now; returns false if HDF5 reported an error while closing.
  bool reset();
  // Closes now and throws std::runtime_error (with `what`) if that fails.
  void close(const std::string& what);

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

// While alive, HDF5 does not print its error stack (errors are still
// recorded and reported through the exceptions thrown by check()).
class Silence {
 public:
  Silence();
  ~Silence();
  Silence(const Silence&) = delete;
  Silence& operator=(const Silence&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
  bool saved_ = false;
};

// Throws std::runtime_error("HDF5: <what>: <innermost HDF5 message>") when
// `status` is negative; returns it otherwise.
hid_t check(hid_t status, const std::string& what);
inline herr_t check(herr_t status, const std::string& what) {
  return static_cast<herr_t>(check(static_cast<hid_t>(status), what));
}

// Typed wrappers (each checks its result).
Handle file_handle(hid_t id, const std::string& what);
Handle group_handle(hid_t id, const std::string& what);
Handle dataset_handle(hid_t id, const std::string& what);
Handle space_handle(hid_t id, const std::string& what);
Handle type_handle(hid_t id, const std::string& what);
Handle plist_handle(hid_t id, const std::string& what);
Handle attr_handle(hid_t id, const std::string& what);

// Variable-length UTF-8 string type (caller owns it).
Handle vlen_string_type();

Handle create_group(hid_t parent, const std::string& name);
Handle open_group(hid_t parent, const std::string& name);
bool link_exists(hid_t parent, const std::string& name);

// Attributes (created or, if present, overwritten in place with the same type).
void write_attr_string(hid_t obj, const std::string& name, const std::string& value);
void write_attr_strings(hid_t obj, const std::string& name, const std::vector<std::string>& values);
void write_attr_int32(hid_t obj, const std::string& name, std::int32_t value);
void write_attr_int64(hid_t obj, const std::string& name, std::int64_t value);
void write_attr_int64s(hid_t obj, const std::string& name, const std::vector<std::int64_t>& values);
void write_attr_double(hid_t obj, const std::string& name, double value);
// SONATA's population attr `sorting`: scalar enum over uint8 (none 0, by_id 1, by_time 2).
void write_attr_sonata_sorting(hid_t obj, std::uint8_t sorting);
// `units` (string) and `dims` (string array, axis names in C order).
void write_units_dims(hid_t obj, const std::string& units, const std::vector<std::string>& dims);

// A scalar variable-length UTF-8 string dataset.
void write_string_dataset(hid_t parent, const std::string& name, const std::string& value);

// Dataset layout. `chunked` datasets get shuffle + deflate (level 4); a
// dataset with a zero-sized dimension is always contiguous. `unlimited`
// makes every dimension extendible (implies chunked). `fill` (optional,
// same type as `file_type`'s native counterpart `mem_type`) is the fill value.
struct DatasetSpec {
  std::vector<hsize_t> dims;
  hid_t file_type = -1;  // e.g. H5T_IEEE_F64LE
  hid_t mem_type = -1;   // e.g. H5T_NATIVE_DOUBLE, used for the fill value
  const void* fill = nullptr;
  bool chunked = false;
  bool unlimited = false;
  std::string units = "1";
  std::vector<std::string> dim_names;  // `dims` attr; must match dims.size()
};
constexpr int kDeflateLevel = 4;
constexpr std::size_t kChunkTargetBytes = 64 * 1024;
// Chunk shape for `dims`: trailing axes kept whole while the chunk stays below
// kChunkTargetBytes, leading axes cut (to 1 if need be).
std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& dims, std::size_t element_size);

// Creates the dataset with `units` and `dims` attrs. For unlimited datasets
// `dims` are the initial (usually 0) sizes and `chunk_rows` the 1-D chunk.
Handle create_dataset(hid_t parent, const std::string& name, const DatasetSpec& spec,
                      hsize_t chunk_rows = 0);

// Writes `data` (count elements, C order) into the hyperslab start/count.
void write_hyperslab(hid_t dataset, hid_t mem_type, const std::vector<hsize_t>& start,
                     const std::vector<hsize_t>& count, const void* data, const std::string& what);
// Writes the whole dataset.
void write_all(hid_t dataset, hid_t mem_type, const void* data, const std::string& what);
// Extends a 1-D dataset from `rows` to rows + n and writes `data` (n
// elements) into the new rows.
void append_rows(hid_t dataset, hid_t mem_type, hsize_t rows, hsize_t n, const void* data,
                 const std::string& what);

}  // namespace moesim::h5
