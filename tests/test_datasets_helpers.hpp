// Helpers shared by tests/test_datasets*.cpp: temporary directories, fixture
// writers and exception-message checks.
#pragma once
#include "config/config.hpp"
#include "core/error.hpp"
#include "datasets/dataset.hpp"

#include <catch2/catch_test_macros.hpp>

#include <hdf5.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace moesim::test_datasets {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "moesim_datasets_XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    REQUIRE(p != nullptr);
    path = p;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

inline void write_plain(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(f.good());
}

// The message of the E that f throws (the test fails if f throws nothing).
template <class E = DataError, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  FAIL("expected exception was not thrown");
  return {};
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

inline ConfigSchema data_schema() {
  ConfigSchema schema;
  declare_dataset_keys(schema);
  return schema;
}

// ---- HDF5 fixtures ----------------------------------------------------------

inline void h5_write(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
              const std::vector<hsize_t>& dims, const void* data) {
  hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t d = H5Dcreate2(loc, name.c_str(), file_type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(d >= 0);
  REQUIRE(H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
  H5Dclose(d);
  H5Pclose(lcpl);
  H5Sclose(space);
}

struct H5Fixture {
  std::vector<double> features;  // [10, 3], stored as float64
  std::vector<std::int32_t> labels;
  H5Fixture() {
    for (int i = 0; i < 30; ++i) features.push_back(0.25 * i - 1.0);
    labels = {0, 1, 2, 1, 0, 2, 1, 0, 4, 1};  // max 4 -> 5 classes
  }
  // Writes the file; callers may tamper with the members first.
  void write(const std::string& path, std::vector<hsize_t> fdims = {10, 3}, std::vector<hsize_t> ldims = {10},
             const std::string& fname = "features", const std::string& lname = "labels") const {
    hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(f >= 0);
    h5_write(f, fname, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, fdims, features.data());
    h5_write(f, lname, H5T_STD_I32LE, H5T_NATIVE_INT32, ldims, labels.data());
    H5Fclose(f);
  }
};

}  // namespace moesim::test_datasets
