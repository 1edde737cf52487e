// Readers for the SONATA spike layout (DESIGN.md §4: /spikes/<population>/
// timestamps, node_ids, attr sorting) that also check its types: node_ids
// unsigned 64-bit, sorting an enum over uint8. Shared by the `moesim snn` and
// the spiking-expert trace tests.
#pragma once
#include "h5_read.hpp"

#include <catch2/catch_test_macros.hpp>
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace moesim::testing {

// A 1-D dataset that must be stored as unsigned 64-bit integers.
inline std::vector<std::uint64_t> read_u64(const H5File& f, const std::string& path) {
  hid_t d = H5Dopen2(f.id(), path.c_str(), H5P_DEFAULT);
  REQUIRE(d >= 0);
  hid_t t = H5Dget_type(d);
  CHECK(H5Tget_class(t) == H5T_INTEGER);
  CHECK(H5Tget_size(t) == 8);
  CHECK(H5Tget_sign(t) == H5T_SGN_NONE);
  H5Tclose(t);
  hid_t s = H5Dget_space(d);
  std::vector<std::uint64_t> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(s)));
  if (!v.empty()) H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Sclose(s);
  H5Dclose(d);
  return v;
}

// The group's `sorting` attr as "<member name>=<value>" (e.g. "by_time=2"),
// after checking it is an enum over uint8, so a test sees both the name and
// the numeric code in one comparison.
inline std::string sonata_sorting(const H5File& f, const std::string& group) {
  hid_t a = H5Aopen_by_name(f.id(), group.c_str(), "sorting", H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(a >= 0);
  hid_t t = H5Aget_type(a);
  CHECK(H5Tget_class(t) == H5T_ENUM);
  hid_t base = H5Tget_super(t);
  CHECK(H5Tget_size(base) == 1);
  CHECK(H5Tget_sign(base) == H5T_SGN_NONE);
  H5Tclose(base);
  std::uint8_t value = 255;
  H5Aread(a, t, &value);
  char name[32] = {0};
  H5Tenum_nameof(t, &value, name, sizeof name);
  H5Tclose(t);
  H5Aclose(a);
  return std::string(name) + "=" + std::to_string(int(value));
}

}  // namespace moesim::testing
