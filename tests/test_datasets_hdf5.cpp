// datasets/: HDF5 arrays (fixtures written with the HDF5 C API), the data.*
// keys and dataset registration.
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "datasets/dataset.hpp"
#include "datasets/hdf5_arrays.hpp"
#include "test_datasets_helpers.hpp"

#include <catch2/catch_test_macros.hpp>

#include <hdf5.h>

#include <cmath>
#include <string>
#include <vector>

using namespace moesim;
using namespace moesim::test_datasets;

// ============================================================== HDF5 arrays

TEST_CASE("HDF5 arrays load with values and split", "[datasets]") {
  TempDir dir;
  const std::string path = dir / "data.h5";
  H5Fixture fx;
  fx.write(path);
  const Dataset all = read_hdf5_arrays({path, "features", "labels"});
  REQUIRE(all.size() == 10);
  REQUIRE(all.dim() == 3);
  CHECK(all.num_classes == 5);
  CHECK(all.features(4, 2) == static_cast<float>(fx.features[14]));
  CHECK(all.labels[8] == 4);
  CHECK(check_hdf5_arrays({path, "features", "labels"}).examples == 10);

  const ConfigSchema schema = data_schema();
  const Config config = Config::resolve(schema, std::nullopt, {{"data.name", "hdf5"}, {"data.path", path}});
  REQUIRE_NOTHROW(validate_dataset(config));
  const DatasetSplits s = load_dataset(config);
  CHECK(s.test.size() == 2);        // last 20% in file order
  CHECK(s.validation.size() == 1);  // 10% of 8, at least 1
  CHECK(s.train.size() == 7);
  CHECK(s.test.ids == std::vector<std::uint64_t>{8, 9});
  CHECK(s.validation.ids == std::vector<std::uint64_t>{7});
  CHECK(s.test.labels == std::vector<int>{4, 1});
  CHECK(s.test.features(1, 0) == static_cast<float>(fx.features[27]));
  CHECK(s.train.num_classes == 5);
  CHECK(s.train.clusters.empty());

  // Nested dataset paths, integer features.
  const std::string nested = dir / "nested.h5";
  fx.write(nested, {10, 3}, {10}, "group/x", "group/y");
  const Config c2 = Config::resolve(schema, std::nullopt,
                                    {{"data.name", "hdf5"}, {"data.path", nested}, {"data.features", "group/x"},
                                     {"data.labels", "/group/y"}, {"data.test_fraction", "0.5"},
                                     {"data.validation", "0"}});
  const DatasetSplits s2 = load_dataset(c2);
  CHECK(s2.test.size() == 5);
  CHECK(s2.validation.size() == 0);
  CHECK(s2.train.size() == 5);
}

TEST_CASE("HDF5 errors name the file and the dataset", "[datasets]") {
  TempDir dir;
  const std::string path = dir / "data.h5";
  H5Fixture fx;
  SECTION("missing dataset") {
    fx.write(path);
    const std::string m = message_of([&] { check_hdf5_arrays({path, "nope/x", "labels"}); });
    CHECK(contains(m, path + ": no dataset 'nope/x' (data.features)"));
    CHECK(contains(message_of([&] { read_hdf5_arrays({path, "features", "lbl"}); }), path + ": no dataset 'lbl'"));
  }
  SECTION("wrong rank") {
    fx.write(path, {30}, {10});
    for (const std::string& m : {message_of([&] { check_hdf5_arrays({path, "features", "labels"}); }),
                                 message_of([&] { read_hdf5_arrays({path, "features", "labels"}); })}) {
      CHECK(contains(m, path));
      CHECK(contains(m, "'features'"));
      CHECK(contains(m, "rank 1"));
    }
    fx.write(path, {10, 3}, {5, 2});
    CHECK(contains(message_of([&] { check_hdf5_arrays({path, "features", "labels"}); }), "'labels' (data.labels) has rank 2"));
  }
  SECTION("N mismatch") {
    fx.write(path, {10, 3}, {9});
    CHECK(contains(message_of([&] { check_hdf5_arrays({path, "features", "labels"}); }),
                   path + ": N mismatch: dataset 'features' has 10 rows but 'labels' has 9"));
  }
  SECTION("negative label") {
    fx.labels[3] = -2;
    fx.write(path);
    CHECK_NOTHROW(check_hdf5_arrays({path, "features", "labels"}));  // values are not read by the cheap check
    const std::string m = message_of([&] { read_hdf5_arrays({path, "features", "labels"}); });
    CHECK(contains(m, path + ": dataset 'labels' (data.labels) has a negative label -2 at row 3"));
  }
  SECTION("non-finite feature") {
    fx.features[5] = std::nan("");
    fx.write(path);
    CHECK(contains(message_of([&] { read_hdf5_arrays({path, "features", "labels"}); }),
                   "'features' (data.features) has a non-finite value"));
  }
  SECTION("float labels") {
    hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    h5_write(f, "features", H5T_IEEE_F32LE, H5T_NATIVE_DOUBLE, {10, 3}, fx.features.data());
    h5_write(f, "labels", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {10}, fx.features.data());
    H5Fclose(f);
    CHECK(contains(message_of([&] { check_hdf5_arrays({path, "features", "labels"}); }),
                   "'labels' (data.labels) has float elements"));
  }
  SECTION("missing file, not HDF5, and through validate_dataset") {
    const std::string missing = dir / "missing.h5";
    CHECK(contains(message_of([&] { check_hdf5_arrays({missing, "features", "labels"}); }), missing + ": cannot open"));
    const std::string text = dir / "text.h5";
    write_plain(text, {'h', 'e', 'l', 'l', 'o', '\n'});
    CHECK(contains(message_of([&] { read_hdf5_arrays({text, "features", "labels"}); }), text + ": not an HDF5 file"));
    const ConfigSchema schema = data_schema();
    fx.write(path);
    const Config c = Config::resolve(schema, std::nullopt,
                                     {{"data.name", "hdf5"}, {"data.path", path}, {"data.labels", "targets"}});
    CHECK(contains(message_of([&] { validate_dataset(c); }), path + ": no dataset 'targets' (data.labels)"));
    const Config no_path = Config::resolve(schema, std::nullopt, {{"data.name", "hdf5"}});
    CHECK(message_of<UsageError>([&] { validate_dataset(no_path); }).find("data.path") == 0);
  }
}

// ============================================================== keys and registry

TEST_CASE("data.* keys and dataset registration", "[datasets]") {
  const ConfigSchema schema = data_schema();
  for (const char* k : {"data.name", "data.path", "data.features", "data.labels", "data.test_fraction",
                        "data.validation", "data.examples", "data.dim", "data.clusters", "data.classes",
                        "data.separation", "data.noise", "data.seed"}) {
    const KeySpec* spec = schema.find(k);
    REQUIRE(spec != nullptr);
    CHECK(!spec->help.empty());
  }
  CHECK(schema.find("data.name")->type == KeyType::Choice);
  CHECK(schema.find("data.name")->choices == std::vector<std::string>{"gaussian-mixture", "fashion-mnist", "hdf5"});
  CHECK(schema.find("data.path")->type == KeyType::Path);
  CHECK(schema.find("data.validation")->default_value.empty());
  Registry registry;
  register_datasets(registry);
  const auto names = registry.list("datasets");
  CHECK(names.size() == 3);
  CHECK(names.count("gaussian-mixture") == 1);
  CHECK(names.count("fashion-mnist") == 1);
  CHECK(names.count("hdf5") == 1);
}
