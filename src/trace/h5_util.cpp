// HDF5 helpers for the trace writer; see h5_util.hpp.
#include "trace/h5_util.hpp"

#include <algorithm>
#include <stdexcept>

namespace moesim::h5 {

// ---------------------------------------------------------------- handles

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    closer_ = o.closer_;
    o.id_ = -1;
  }
  return *this;
}

bool Handle::reset() {
  bool ok = true;
  if (id_ >= 0 && closer_) ok = closer_(id_) >= 0;
  id_ = -1;
  return ok;
}

void Handle::close(const std::string& what) {
  if (id_ < 0) return;
  const hid_t id = id_;
  const Closer closer = closer_;
  id_ = -1;
  if (closer) check(closer(id), "closing " + what);
}

Silence::Silence() {
  if (H5Eget_auto2(H5E_DEFAULT, &func_, &data_) >= 0) saved_ = true;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Silence::~Silence() {
  if (saved_) H5Eset_auto2(H5E_DEFAULT, func_, data_);
}

namespace {

struct ErrorText {
  std::string detail;  // most specific description
  std::string api;     // the API function that failed
};

herr_t collect_error(unsigned n, const H5E_error2_t* err, void* client) {
  auto* text = static_cast<ErrorText*>(client);
  if (n == 0 && err->desc) text->detail = err->desc;
  if (err->func_name) text->api = err->func_name;
  return 0;
}

}  // namespace

hid_t check(hid_t status, const std::string& what) {
  if (status >= 0) return status;
  ErrorText text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, &text);
  H5Eclear2(H5E_DEFAULT);
  std::string msg = "HDF5: " + what;
  if (!text.api.empty() || !text.detail.empty()) msg += " (" + text.api + ": " + text.detail + ")";
  throw std::runtime_error(msg);
}

Handle file_handle(hid_t id, const std::string& what) { return {check(id, what), H5Fclose}; }
Handle group_handle(hid_t id, const std::string& what) { return {check(id, what), H5Gclose}; }
Handle dataset_handle(hid_t id, const std::string& what) { return {check(id, what), H5Dclose}; }
Handle space_handle(hid_t id, const std::string& what) { return {check(id, what), H5Sclose}; }
Handle type_handle(hid_t id, const std::string& what) { return {check(id, what), H5Tclose}; }
Handle plist_handle(hid_t id, const std::string& what) { return {check(id, what), H5Pclose}; }
Handle attr_handle(hid_t id, const std::string& what) { return {check(id, what), H5Aclose}; }

Handle vlen_string_type() {
  Handle t = type_handle(H5Tcopy(H5T_C_S1), "copying H5T_C_S1");
  check(H5Tset_size(t.get(), H5T_VARIABLE), "setting variable string size");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "setting UTF-8 character set");
  return t;
}

Handle create_group(hid_t parent, const std::string& name) {
  return group_handle(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                      "creating group '" + name + "'");
}

Handle open_group(hid_t parent, const std::string& name) {
  return group_handle(H5Gopen2(parent, name.c_str(), H5P_DEFAULT),
                      "opening group '" + name + "'");
}

bool link_exists(hid_t parent, const std::string& name) {
  return check(static_cast<hid_t>(H5Lexists(parent, name.c_str(), H5P_DEFAULT)),
               "looking up '" + name + "'") > 0;
}

// ------------------------------------------------------------- attributes

namespace {

// Creates attribute `name` (deleting an older one of that name) and writes it.
void write_attr(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type,
                hid_t space, const void* data) {
  const std::string what = "attribute '" + name + "'";
  if (check(static_cast<hid_t>(H5Aexists(obj, name.c_str())), "looking up " + what) > 0)
    check(H5Adelete(obj, name.c_str()), "deleting old " + what);
  Handle a = attr_handle(H5Acreate2(obj, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT),
                         "creating " + what);
  check(H5Awrite(a.get(), mem_type, data), "writing " + what);
  a.close(what);
}

Handle scalar_space() { return space_handle(H5Screate(H5S_SCALAR), "creating scalar dataspace"); }

Handle vector_space(std::size_t n) {
  const hsize_t dims[1] = {static_cast<hsize_t>(n)};
  return space_handle(H5Screate_simple(1, dims, nullptr), "creating 1-D dataspace");
}

}  // namespace

void write_attr_string(hid_t obj, const std::string& name, const std::string& value) {
  Handle t = vlen_string_type();
  Handle s = scalar_space();
  const char* p = value.c_str();
  write_attr(obj, name, t.get(), t.get(), s.get(), &p);
}

void write_attr_strings(hid_t obj, const std::string& name, const std::vector<std::string>& values) {
  Handle t = vlen_string_type();
  Handle s = vector_space(values.size());
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  write_attr(obj, name, t.get(), t.get(), s.get(), ptrs.data());
}

void write_attr_int32(hid_t obj, const std::string& name, std::int32_t value) {
  Handle s = scalar_space();
  write_attr(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT32, s.get(), &value);
}

void write_attr_int64(hid_t obj, const std::string& name, std::int64_t value) {
  Handle s = scalar_space();
  write_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, s.get(), &value);
}

void write_attr_int64s(hid_t obj, const std::string& name, const std::vector<std::int64_t>& values) {
  Handle s = vector_space(values.size());
  write_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, s.get(), values.data());
}

void write_attr_double(hid_t obj, const std::string& name, double value) {
  Handle s = scalar_space();
  write_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s.get(), &value);
}

void write_units_dims(hid_t obj, const std::string& units, const std::vector<std::string>& dims) {
  write_attr_string(obj, "units", units);
  write_attr_strings(obj, "dims", dims);
}

// --------------------------------------------------------------- datasets

void write_string_dataset(hid_t parent, const std::string& name, const std::string& value) {
  Handle t = vlen_string_type();
  Handle s = scalar_space();
  Handle d = dataset_handle(
      H5Dcreate2(parent, name.c_str(), t.get(), s.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      "creating dataset '" + name + "'");
  const char* p = value.c_str();
  check(H5Dwrite(d.get(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p),
        "writing dataset '" + name + "'");
  d.close("dataset '" + name + "'");
}

std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& dims, std::size_t element_size) {
  std::vector<hsize_t> chunk(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) chunk[i] = dims[i] > 0 ? dims[i] : 1;
  const hsize_t target = std::max<hsize_t>(1, kChunkTargetBytes / std::max<std::size_t>(1, element_size));
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    hsize_t rest = 1;  // elements of the trailing axes
    for (std::size_t j = i + 1; j < chunk.size(); ++j) rest *= chunk[j];
    if (chunk[i] * rest <= target) break;
    chunk[i] = std::max<hsize_t>(1, target / rest);
  }
  return chunk;
}

Handle create_dataset(hid_t parent, const std::string& name, const DatasetSpec& spec,
                      hsize_t chunk_rows) {
  const std::string what = "dataset '" + name + "'";
  const int rank = static_cast<int>(spec.dims.size());
  if (spec.dim_names.size() != spec.dims.size())
    throw std::logic_error("trace: " + what + " has " + std::to_string(rank) + " axes but " +
                           std::to_string(spec.dim_names.size()) + " dims names");
  if (spec.unlimited && (rank != 1 || chunk_rows == 0))
    throw std::logic_error("trace: unlimited " + what + " must be 1-D with a chunk size");

  bool any_zero = false;
  for (hsize_t d : spec.dims) any_zero = any_zero || d == 0;
  const bool chunked = spec.unlimited || (spec.chunked && !any_zero);

  std::vector<hsize_t> maxdims(spec.dims);
  if (spec.unlimited) maxdims.assign(spec.dims.size(), H5S_UNLIMITED);
  Handle space = space_handle(H5Screate_simple(rank, spec.dims.data(), maxdims.data()),
                              "creating dataspace of " + what);
  Handle dcpl = plist_handle(H5Pcreate(H5P_DATASET_CREATE), "creating dcpl of " + what);
  if (spec.fill)
    check(H5Pset_fill_value(dcpl.get(), spec.mem_type, spec.fill), "setting fill value of " + what);
  if (chunked) {
    std::vector<hsize_t> chunk =
        spec.unlimited ? std::vector<hsize_t>{chunk_rows}
                       : chunk_shape(spec.dims, H5Tget_size(spec.file_type));
    check(H5Pset_chunk(dcpl.get(), rank, chunk.data()), "setting chunks of " + what);
    check(H5Pset_shuffle(dcpl.get()), "setting shuffle filter of " + what);
    check(H5Pset_deflate(dcpl.get(), kDeflateLevel), "setting deflate filter of " + what);
  }
  Handle d = dataset_handle(H5Dcreate2(parent, name.c_str(), spec.file_type, space.get(),
                                       H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                            "creating " + what);
  write_units_dims(d.get(), spec.units, spec.dim_names);
  return d;
}

void write_hyperslab(hid_t dataset, hid_t mem_type, const std::vector<hsize_t>& start,
                     const std::vector<hsize_t>& count, const void* data, const std::string& what) {
  Handle file_space = space_handle(H5Dget_space(dataset), "getting dataspace of " + what);
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr),
        "selecting hyperslab of " + what);
  Handle mem_space = space_handle(
      H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
      "creating memory dataspace for " + what);
  check(H5Dwrite(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data),
        "writing " + what);
}

void write_all(hid_t dataset, hid_t mem_type, const void* data, const std::string& what) {
  check(H5Dwrite(dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "writing " + what);
}

void write_attr_sonata_sorting(hid_t obj, std::uint8_t sorting) {
  Handle sort_type = type_handle(H5Tenum_create(H5T_STD_U8LE), "creating sorting enum");
  const std::uint8_t v_none = 0, v_id = 1, v_time = 2;
  check(H5Tenum_insert(sort_type.get(), "none", &v_none), "enum member none");
  check(H5Tenum_insert(sort_type.get(), "by_id", &v_id), "enum member by_id");
  check(H5Tenum_insert(sort_type.get(), "by_time", &v_time), "enum member by_time");
  Handle s = space_handle(H5Screate(H5S_SCALAR), "creating scalar space");
  Handle a = attr_handle(H5Acreate2(obj, "sorting", sort_type.get(), s.get(), H5P_DEFAULT, H5P_DEFAULT),
                         "creating attribute 'sorting'");
  check(H5Awrite(a.get(), sort_type.get(), &sorting), "writing attribute 'sorting'");
  a.close("attribute 'sorting'");
}

void append_rows(hid_t dataset, hid_t mem_type, hsize_t rows, hsize_t n, const void* data,
                 const std::string& what) {
  if (n == 0) return;
  const hsize_t new_size = rows + n;
  check(H5Dset_extent(dataset, &new_size), "extending " + what);
  write_hyperslab(dataset, mem_type, {rows}, {n}, data, what);
}

}  // namespace moesim::h5
