// Minimal HDF5 C API readers for tests that check traces independently of
// the TraceSink that wrote them.
#pragma once
#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace moesim::testing {

class H5File {
 public:
  explicit H5File(const std::string& path) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    id_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id_ < 0) throw std::runtime_error("cannot open " + path);
  }
  ~H5File() { if (id_ >= 0) H5Fclose(id_); }
  H5File(const H5File&) = delete;
  H5File& operator=(const H5File&) = delete;
  hid_t id() const { return id_; }

  bool exists(const std::string& path) const {
    // Check every prefix: H5Lexists fails on a missing intermediate group.
    std::size_t pos = 0;
    while ((pos = path.find('/', pos + 1)) != std::string::npos)
      if (H5Lexists(id_, path.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
    return H5Lexists(id_, path.c_str(), H5P_DEFAULT) > 0;
  }

  std::vector<hsize_t> shape(const std::string& path) const {
    hid_t d = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
    if (d < 0) throw std::runtime_error("no dataset " + path);
    hid_t s = H5Dget_space(d);
    std::vector<hsize_t> dims(H5Sget_simple_extent_ndims(s));
    H5Sget_simple_extent_dims(s, dims.data(), nullptr);
    H5Sclose(s);
    H5Dclose(d);
    return dims;
  }

  std::vector<double> doubles(const std::string& path) const {
    hid_t d = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
    if (d < 0) throw std::runtime_error("no dataset " + path);
    hid_t s = H5Dget_space(d);
    std::vector<double> v(std::size_t(H5Sget_simple_extent_npoints(s)));
    H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Sclose(s);
    H5Dclose(d);
    return v;
  }

  // A string attribute of an object ("/" for the root).
  std::string string_attr(const std::string& object, const std::string& name) const {
    hid_t a = H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) throw std::runtime_error("no attribute " + object + "@" + name);
    hid_t t = H5Aget_type(a);
    std::string out;
    if (H5Tis_variable_str(t) > 0) {
      hid_t mt = H5Tcopy(H5T_C_S1);
      H5Tset_size(mt, H5T_VARIABLE);
      H5Tset_cset(mt, H5Tget_cset(t));  // 1.10 cannot convert UTF-8 to ASCII
      char* p = nullptr;
      if (H5Aread(a, mt, &p) < 0) throw std::runtime_error("cannot read " + object + "@" + name);
      out = p ? p : "";
      H5free_memory(p);
      H5Tclose(mt);
    } else {
      std::vector<char> buf(H5Tget_size(t) + 1, 0);
      hid_t mt = H5Tcopy(t);
      H5Aread(a, mt, buf.data());
      H5Tclose(mt);
      out = buf.data();
    }
    H5Tclose(t);
    H5Aclose(a);
    return out;
  }

  // A variable-length string array attribute (e.g. "dims"); empty if absent.
  std::vector<std::string> string_array_attr(const std::string& object, const std::string& name) const {
    std::vector<std::string> out;
    hid_t a = H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) return out;
    hid_t t = H5Aget_type(a);
    hid_t s = H5Aget_space(a);
    const auto n = std::size_t(H5Sget_simple_extent_npoints(s));
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5Tget_cset(t));
    std::vector<char*> p(n, nullptr);
    if (H5Aread(a, mt, p.data()) >= 0)
      for (auto* c : p) out.emplace_back(c ? c : "");
    H5Dvlen_reclaim(mt, s, H5P_DEFAULT, p.data());
    H5Tclose(mt);
    H5Sclose(s);
    H5Tclose(t);
    H5Aclose(a);
    return out;
  }

  double number_attr(const std::string& object, const std::string& name) const {
    hid_t a = H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) throw std::runtime_error("no attribute " + object + "@" + name);
    double v = 0;
    H5Aread(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
    return v;
  }

  // A scalar string dataset (e.g. /config).
  std::string string_dataset(const std::string& path) const {
    hid_t d = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
    if (d < 0) throw std::runtime_error("no dataset " + path);
    hid_t t = H5Dget_type(d);
    std::string out;
    if (H5Tis_variable_str(t) > 0) {
      hid_t mt = H5Tcopy(H5T_C_S1);
      H5Tset_size(mt, H5T_VARIABLE);
      H5Tset_cset(mt, H5Tget_cset(t));
      char* p = nullptr;
      if (H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) < 0)
        throw std::runtime_error("cannot read " + path);
      out = p ? p : "";
      H5free_memory(p);
      H5Tclose(mt);
    } else {
      std::vector<char> buf(H5Tget_size(t) + 1, 0);
      H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
      out = buf.data();
    }
    H5Tclose(t);
    H5Dclose(d);
    return out;
  }

 private:
  hid_t id_ = -1;
};

}  // namespace moesim::testing
