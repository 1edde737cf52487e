// TraceSink / RunWriter against trace schema v1 (DESIGN.md §3-4,
// docs/trace_schema.md): everything is read back with the HDF5 C API.
#include "core/error.hpp"
#include "trace/trace_sink.hpp"

#include <hdf5.h>
#include <stdlib.h>

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

using namespace moesim;
namespace fs = std::filesystem;

namespace {

// ------------------------------------------------------------ fixtures

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "moesim_trace_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

RootInfo root_info() {
  RootInfo r;
  r.moesim_version = "0.1.0";
  r.git_hash = "abcdef123456";
  r.command_line = "moesim run --seed 7";
  r.backend = "kokkos-openmp";
  r.host = "testhost";
  r.seeds = {7, 11};
  r.threads = 3;
  return r;
}

RunInfo run_info(const std::string& variant, const std::string& router) {
  RunInfo i;
  i.variant = variant;
  i.router = router;
  i.expert_type = "ffn";
  i.num_experts = 4;
  i.top_k = 2;
  i.layers = 2;
  i.num_classes = 3;
  i.capacity_factor = 1.25;
  i.seeds = {7, 11};
  i.train_steps = {0, 10, 20, 30, 40};
  i.eval_steps = {20, 40};
  return i;
}

TrainRecord train_record(double base) {
  return {base + 0.1, base + 0.2, base + 0.3, base + 0.4, base + 0.5,
          base + 0.6, base + 0.7, base + 0.8, base + 0.9, base + 1.0};
}

// ------------------------------------------------------ HDF5 read helpers

struct H {  // RAII for reading
  hid_t id;
  herr_t (*closer)(hid_t);
  H(hid_t i, herr_t (*c)(hid_t)) : id(i), closer(c) {
    if (id < 0) throw std::runtime_error("HDF5 open failed in test");
  }
  ~H() { closer(id); }
  H(const H&) = delete;
  H& operator=(const H&) = delete;
  operator hid_t() const { return id; }
};

H open_file(const std::string& p) { return {H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose}; }
H open_obj(hid_t f, const std::string& p) { return {H5Oopen(f, p.c_str(), H5P_DEFAULT), H5Oclose}; }
H open_ds(hid_t f, const std::string& p) { return {H5Dopen2(f, p.c_str(), H5P_DEFAULT), H5Dclose}; }
H open_attr(hid_t o, const std::string& n) { return {H5Aopen(o, n.c_str(), H5P_DEFAULT), H5Aclose}; }

bool exists(hid_t f, const std::string& p) { return H5Lexists(f, p.c_str(), H5P_DEFAULT) > 0; }

bool is_vlen_utf8(hid_t type) {
  return H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0 &&
         H5Tget_cset(type) == H5T_CSET_UTF8;
}

H vlen_str() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return {t, H5Tclose};
}

std::string attr_string(hid_t obj, const std::string& name) {
  H a = open_attr(obj, name);
  H type{H5Aget_type(a), H5Tclose};
  REQUIRE(is_vlen_utf8(type));
  H space{H5Aget_space(a), H5Sclose};
  REQUIRE(H5Sget_simple_extent_type(space) == H5S_SCALAR);
  H mem = vlen_str();
  char* p = nullptr;
  REQUIRE(H5Aread(a, mem, &p) >= 0);
  std::string s = p ? p : "";
  H5free_memory(p);
  return s;
}

std::vector<std::string> attr_strings(hid_t obj, const std::string& name) {
  H a = open_attr(obj, name);
  H type{H5Aget_type(a), H5Tclose};
  REQUIRE(is_vlen_utf8(type));
  H space{H5Aget_space(a), H5Sclose};
  REQUIRE(H5Sget_simple_extent_ndims(space) == 1);
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  std::vector<char*> ptrs(n);
  H mem = vlen_str();
  REQUIRE(H5Aread(a, mem, ptrs.data()) >= 0);
  std::vector<std::string> out;
  for (char* p : ptrs) {
    out.emplace_back(p ? p : "");
    H5free_memory(p);
  }
  return out;
}

// Reads an integer attr (scalar or 1-D) and checks its file type.
std::vector<std::int64_t> attr_ints(hid_t obj, const std::string& name, hid_t expected_type) {
  H a = open_attr(obj, name);
  H type{H5Aget_type(a), H5Tclose};
  REQUIRE(H5Tequal(type, expected_type) > 0);
  H space{H5Aget_space(a), H5Sclose};
  std::vector<std::int64_t> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  REQUIRE(H5Aread(a, H5T_NATIVE_INT64, v.data()) >= 0);
  return v;
}

double attr_double(hid_t obj, const std::string& name) {
  H a = open_attr(obj, name);
  H type{H5Aget_type(a), H5Tclose};
  REQUIRE(H5Tequal(type, H5T_IEEE_F64LE) > 0);
  double v = 0;
  REQUIRE(H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0);
  return v;
}

std::vector<hsize_t> shape(hid_t ds) {
  H space{H5Dget_space(ds), H5Sclose};
  std::vector<hsize_t> d(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, d.data(), nullptr);
  return d;
}

bool dtype_is(hid_t ds, hid_t expected) {
  H t{H5Dget_type(ds), H5Tclose};
  return H5Tequal(t, expected) > 0;
}

std::vector<double> read_doubles(hid_t f, const std::string& p) {
  H d = open_ds(f, p);
  H space{H5Dget_space(d), H5Sclose};
  std::vector<double> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  if (!v.empty()) REQUIRE(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
  return v;
}

std::vector<std::int64_t> read_ints(hid_t f, const std::string& p) {
  H d = open_ds(f, p);
  REQUIRE(dtype_is(d, H5T_STD_I64LE));
  H space{H5Dget_space(d), H5Sclose};
  std::vector<std::int64_t> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  if (!v.empty()) REQUIRE(H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
  return v;
}

void check_units_dims(hid_t f, const std::string& p, const std::string& units,
                      const std::vector<std::string>& dims) {
  INFO(p);
  H d = open_ds(f, p);
  CHECK(attr_string(d, "units") == units);
  CHECK(attr_strings(d, "dims") == dims);
  CHECK(shape(d).size() == dims.size());
}

bool chunked_shuffle_deflate(hid_t f, const std::string& p) {
  H d = open_ds(f, p);
  H dcpl{H5Dget_create_plist(d), H5Pclose};
  if (H5Pget_layout(dcpl) != H5D_CHUNKED) return false;
  bool shuffle = false, deflate = false;
  const int n = H5Pget_nfilters(dcpl);
  for (int i = 0; i < n; ++i) {
    unsigned flags = 0;
    std::size_t nelem = 0;
    const H5Z_filter_t id = H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &nelem, nullptr,
                                           0, nullptr, nullptr);
    shuffle = shuffle || id == H5Z_FILTER_SHUFFLE;
    deflate = deflate || id == H5Z_FILTER_DEFLATE;
  }
  return shuffle && deflate;
}

std::string root_status(const std::string& file) {
  H f = open_file(file);
  H root = open_obj(f, "/");
  return attr_string(root, "status");
}

// Writes the two-variant, two-seed trace used by the schema test.
void write_full_trace(const std::string& path) {
  TraceSink sink(path, root_info(), 50);
  sink.write_config("[experiment]\nvariants = switch, gshard\n");
  for (const std::string v : {"switch", "gshard"}) {
    RunWriter& run = sink.add_run(run_info(v, v));
    const double vb = v == "switch" ? 100 : 200;
    // seed 1 (11), step index 2 and 4 only; seed 0 every step but 3.
    for (int t = 0; t < 5; ++t)
      if (t != 3) run.write_train(0, t, train_record(vb + t));
    run.write_train(1, 2, train_record(vb + 50));
    run.write_eval(0, 1, {vb + 0.5, 0.75, 0.33});
    run.write_test(1, 0.875, vb + 0.25);
    run.write_expert_load(1, 3, 1, {1, 2, 3, 4});
    run.append_assignments(7, 10, 0, {0, 0, 1}, {2, 3, 1}, {0.6, 0.4, 1.0});
    run.append_assignments(11, 20, 1, {5, 6}, {0, 3}, {0.25, 0.75});
    std::vector<double> spec(2 * 4 * 3);
    for (std::size_t i = 0; i < spec.size(); ++i) spec[i] = static_cast<double>(i);
    run.write_specialization(1, spec);
    if (v == "gshard") {
      const hid_t g = static_cast<hid_t>(run.substrate_group());
      REQUIRE(g >= 0);
      REQUIRE(run.substrate_group() == g);  // created once
      const hid_t s = H5Screate(H5S_SCALAR);
      const hid_t a = H5Acreate2(g, "marker", H5T_STD_I32LE, s, H5P_DEFAULT, H5P_DEFAULT);
      const int one = 1;
      REQUIRE(H5Awrite(a, H5T_NATIVE_INT, &one) >= 0);
      H5Aclose(a);
      // A dataset the substrate leaves open: finish() must still close the file.
      const hid_t d = H5Dcreate2(g, "left_open", H5T_STD_I32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      REQUIRE(d >= 0);
      REQUIRE(H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, &one) >= 0);
      H5Sclose(s);
    }
    run.step_done();
  }
  sink.write_summary({{"switch", 2, 0.9, 0.01, 0.3, 0.2, 0.05, 0.7, 12.5, 3.5, 60.0},
                      {"gshard", 2, 0.8, 0.02, 0.4, 0.1, 0.0, 0.6, 13.5, 4.5, 61.0}});
  sink.write_spikes("switch.s7.exc", {0.5, 1.25, 2.0}, {3, 1, 4}, 2);
  sink.finish(TraceStatus::Complete);
}

}  // namespace

// -------------------------------------------------------------- tests

TEST_CASE("trace: a two-variant, two-seed trace has the v1 schema", "[trace]") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  write_full_trace(path);
  // Nothing of the written file is left open (the substrate's dataset included).
  REQUIRE(H5Fget_obj_count(static_cast<hid_t>(H5F_OBJ_ALL), H5F_OBJ_ALL) == 0);
  REQUIRE(fs::exists(path));
  REQUIRE_FALSE(fs::exists(path + ".partial"));

  H f = open_file(path);
  H root = open_obj(f, "/");

  SECTION("root attrs") {
    CHECK(attr_ints(root, "schema_version", H5T_STD_I32LE) == std::vector<std::int64_t>{1});
    CHECK(attr_string(root, "status") == "complete");
    CHECK(attr_string(root, "moesim_version") == "0.1.0");
    CHECK(attr_string(root, "git_hash") == "abcdef123456");
    CHECK(attr_string(root, "command_line") == "moesim run --seed 7");
    CHECK(attr_string(root, "backend") == "kokkos-openmp");
    CHECK(attr_string(root, "host") == "testhost");
    CHECK(attr_ints(root, "seed", H5T_STD_I64LE) == std::vector<std::int64_t>{7});
    CHECK(attr_ints(root, "seeds", H5T_STD_I64LE) == std::vector<std::int64_t>{7, 11});
    CHECK(attr_ints(root, "threads", H5T_STD_I32LE) == std::vector<std::int64_t>{3});
    const std::string created = attr_string(root, "created");  // 2024-05-01T12:34:56Z
    REQUIRE(created.size() == 20);
    CHECK(created[4] == '-');
    CHECK(created[10] == 'T');
    CHECK(created[19] == 'Z');
  }

  SECTION("config") {
    H d = open_ds(f, "config");
    H type{H5Dget_type(d), H5Tclose};
    REQUIRE(is_vlen_utf8(type));
    H mem = vlen_str();
    char* p = nullptr;
    REQUIRE(H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) >= 0);
    CHECK(std::string(p) == "[experiment]\nvariants = switch, gshard\n");
    H5free_memory(p);
  }

  SECTION("run attrs and step axes") {
    H g = open_obj(f, "runs/gshard");
    CHECK(attr_string(g, "router") == "gshard");
    CHECK(attr_string(g, "expert_type") == "ffn");
    CHECK(attr_string(g, "substrate") == "digital");
    CHECK(attr_ints(g, "num_experts", H5T_STD_I32LE) == std::vector<std::int64_t>{4});
    CHECK(attr_ints(g, "top_k", H5T_STD_I32LE) == std::vector<std::int64_t>{2});
    CHECK(attr_ints(g, "layers", H5T_STD_I32LE) == std::vector<std::int64_t>{2});
    CHECK(attr_ints(g, "seeds", H5T_STD_I64LE) == std::vector<std::int64_t>{7, 11});
    CHECK(attr_double(g, "capacity_factor") == 1.25);
    CHECK(read_ints(f, "runs/gshard/train/step") == std::vector<std::int64_t>{0, 10, 20, 30, 40});
    CHECK(read_ints(f, "runs/gshard/eval/step") == std::vector<std::int64_t>{20, 40});
    check_units_dims(f, "runs/gshard/train/step", "1", {"step"});
    check_units_dims(f, "runs/gshard/eval/step", "1", {"eval"});
    H sub = open_obj(f, "runs/gshard/substrate");
    CHECK(attr_ints(sub, "marker", H5T_STD_I32LE) == std::vector<std::int64_t>{1});
    {
      H d = open_ds(f, "runs/gshard/substrate/left_open");
      int v = 0;
      REQUIRE(H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0);
      CHECK(v == 1);
    }
    CHECK_FALSE(exists(f, "runs/switch/substrate"));  // created only on demand
  }

  SECTION("train metrics: shape, dtype, units, dims, values, NaN fill") {
    const std::vector<std::pair<std::string, std::string>> metrics{
        {"loss", "1"},          {"accuracy", "1"},        {"aux_loss", "1"},      {"z_loss", "1"},
        {"tokens_dropped", "1"}, {"load_cv", "1"},         {"routing_entropy", "nat"},
        {"flops", "FLOP"},      {"energy", "J"},          {"wall_time", "s"}};
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      const std::string p = "runs/switch/train/" + metrics[m].first;
      INFO(p);
      H d = open_ds(f, p);
      CHECK(shape(d) == std::vector<hsize_t>{2, 5});
      CHECK(dtype_is(d, H5T_IEEE_F64LE));
      check_units_dims(f, p, metrics[m].second, {"seed", "step"});
      CHECK(chunked_shuffle_deflate(f, p));
      const auto v = read_doubles(f, p);
      const double field = 0.1 * static_cast<double>(m + 1);
      CHECK(v[0 * 5 + 4] == 100 + 4 + field);  // seed 0, step index 4
      CHECK(v[1 * 5 + 2] == 100 + 50 + field);  // seed 1, step index 2
      CHECK(std::isnan(v[0 * 5 + 3]));          // never written
      CHECK(std::isnan(v[1 * 5 + 0]));
    }
    CHECK(read_doubles(f, "runs/gshard/train/loss")[0] == 200.1);
  }

  SECTION("eval and test") {
    const auto loss = read_doubles(f, "runs/switch/eval/loss");
    REQUIRE(loss.size() == 4);
    CHECK(loss[1] == 100.5);
    CHECK(std::isnan(loss[0]));
    CHECK(std::isnan(loss[2]));
    CHECK(read_doubles(f, "runs/switch/eval/accuracy")[1] == 0.75);
    CHECK(read_doubles(f, "runs/switch/eval/mutual_information")[1] == 0.33);
    check_units_dims(f, "runs/switch/eval/loss", "1", {"seed", "eval"});
    check_units_dims(f, "runs/switch/eval/mutual_information", "bit", {"seed", "eval"});
    const auto acc = read_doubles(f, "runs/gshard/test/accuracy");
    REQUIRE(acc.size() == 2);
    CHECK(std::isnan(acc[0]));
    CHECK(acc[1] == 0.875);
    CHECK(read_doubles(f, "runs/gshard/test/loss")[1] == 200.25);
    check_units_dims(f, "runs/gshard/test/accuracy", "1", {"seed"});
    check_units_dims(f, "runs/gshard/test/loss", "1", {"seed"});
  }

  SECTION("routing") {
    const std::string el = "runs/switch/routing/expert_load";
    {
      H d = open_ds(f, el);
      CHECK(shape(d) == std::vector<hsize_t>{2, 5, 2, 4});
      CHECK(dtype_is(d, H5T_IEEE_F64LE));
    }
    check_units_dims(f, el, "1", {"seed", "step", "layer", "expert"});
    CHECK(chunked_shuffle_deflate(f, el));
    const auto load = read_doubles(f, el);
    const std::size_t base = ((1 * 5 + 3) * 2 + 1) * 4;  // [1, 3, 1, :]
    CHECK(load[base + 0] == 1);
    CHECK(load[base + 3] == 4);
    CHECK(std::isnan(load[base - 1]));
    CHECK(std::isnan(load[0]));

    const std::string as = "runs/switch/routing/assignments/";
    CHECK(read_ints(f, as + "seed") == std::vector<std::int64_t>{7, 7, 7, 11, 11});
    CHECK(read_ints(f, as + "step") == std::vector<std::int64_t>{10, 10, 10, 20, 20});
    CHECK(read_ints(f, as + "layer") == std::vector<std::int64_t>{0, 0, 0, 1, 1});
    CHECK(read_ints(f, as + "token") == std::vector<std::int64_t>{0, 0, 1, 5, 6});
    CHECK(read_ints(f, as + "expert") == std::vector<std::int64_t>{2, 3, 1, 0, 3});
    CHECK(read_doubles(f, as + "weight") == std::vector<double>{0.6, 0.4, 1.0, 0.25, 0.75});
    for (const std::string n : {"seed", "step", "layer", "token", "expert", "weight"}) {
      check_units_dims(f, as + n, "1", {"choice"});
      CHECK(chunked_shuffle_deflate(f, as + n));
      H d = open_ds(f, as + n);
      H space{H5Dget_space(d), H5Sclose};
      hsize_t cur = 0, max = 0;
      H5Sget_simple_extent_dims(space, &cur, &max);
      CHECK(max == H5S_UNLIMITED);
    }
    {
      H d = open_ds(f, as + "weight");
      CHECK(dtype_is(d, H5T_IEEE_F64LE));
    }

    const std::string sp = "runs/gshard/routing/specialization";
    {
      H d = open_ds(f, sp);
      CHECK(shape(d) == std::vector<hsize_t>{2, 2, 4, 3});
    }
    check_units_dims(f, sp, "1", {"seed", "layer", "expert", "class"});
    const auto spec = read_doubles(f, sp);
    CHECK(std::isnan(spec[0]));
    CHECK(spec[24 + 0] == 0);
    CHECK(spec[24 + (1 * 4 + 2) * 3 + 1] == 19);  // [1, 1, 2, 1]
  }

  SECTION("summary table") {
    H d = open_ds(f, "summary");
    CHECK(shape(d) == std::vector<hsize_t>{2});
    CHECK(attr_strings(d, "dims") == std::vector<std::string>{"variant"});
    CHECK_FALSE(attr_string(d, "units").empty());
    const auto field_units = attr_strings(d, "field_units");
    REQUIRE(field_units.size() == 11);
    CHECK(field_units[8] == "GFLOP");
    CHECK(field_units[9] == "J");
    CHECK(field_units[10] == "s");
    H type{H5Dget_type(d), H5Tclose};
    REQUIRE(H5Tget_class(type) == H5T_COMPOUND);
    const std::vector<std::string> names{"variant", "seeds", "test_accuracy_mean", "test_accuracy_ci95",
                                         "final_loss", "load_cv", "dropped_fraction",
                                         "mutual_information", "gflops", "energy_j", "wall_time_s"};
    REQUIRE(H5Tget_nmembers(type) == static_cast<int>(names.size()));
    for (unsigned i = 0; i < names.size(); ++i) {
      char* n = H5Tget_member_name(type, i);
      CHECK(std::string(n) == names[i]);
      H5free_memory(n);
      H mt{H5Tget_member_type(type, i), H5Tclose};
      if (i == 0) CHECK(is_vlen_utf8(mt));
      else if (i == 1) CHECK(H5Tequal(mt, H5T_STD_I64LE) > 0);
      else CHECK(H5Tequal(mt, H5T_IEEE_F64LE) > 0);
    }
    // Read back three fields through a partial compound type.
    struct Row {
      char* variant;
      std::int64_t seeds;
      double energy_j;
    };
    H mem{H5Tcreate(H5T_COMPOUND, sizeof(Row)), H5Tclose};
    H str = vlen_str();
    H5Tinsert(mem, "variant", HOFFSET(Row, variant), str);
    H5Tinsert(mem, "seeds", HOFFSET(Row, seeds), H5T_NATIVE_INT64);
    H5Tinsert(mem, "energy_j", HOFFSET(Row, energy_j), H5T_NATIVE_DOUBLE);
    Row rows[2];
    REQUIRE(H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);
    CHECK(std::string(rows[0].variant) == "switch");
    CHECK(std::string(rows[1].variant) == "gshard");
    CHECK(rows[1].seeds == 2);
    CHECK(rows[0].energy_j == 3.5);
    CHECK(rows[1].energy_j == 4.5);
    H5free_memory(rows[0].variant);
    H5free_memory(rows[1].variant);
  }

  SECTION("SONATA spikes") {
    const std::string pop = "spikes/switch.s7.exc";
    H g = open_obj(f, pop);
    H a = open_attr(g, "sorting");
    H t{H5Aget_type(a), H5Tclose};
    REQUIRE(H5Tget_class(t) == H5T_ENUM);
    H base{H5Tget_super(t), H5Tclose};
    CHECK(H5Tequal(base, H5T_STD_U8LE) > 0);
    REQUIRE(H5Tget_nmembers(t) == 3);
    const std::vector<std::string> members{"none", "by_id", "by_time"};
    for (unsigned i = 0; i < 3; ++i) {
      char* n = H5Tget_member_name(t, i);
      std::uint8_t value = 255;
      H5Tget_member_value(t, i, &value);
      CHECK(std::string(n) == members[i]);
      CHECK(value == i);
      H5free_memory(n);
    }
    std::uint8_t sorting = 0;
    REQUIRE(H5Aread(a, H5T_NATIVE_UINT8, &sorting) >= 0);
    CHECK(sorting == 2);
    {
      H d = open_ds(f, pop + "/timestamps");
      CHECK(dtype_is(d, H5T_IEEE_F64LE));
      H nd = open_ds(f, pop + "/node_ids");
      CHECK(dtype_is(nd, H5T_STD_U64LE));
      CHECK(shape(nd) == std::vector<hsize_t>{3});
    }
    check_units_dims(f, pop + "/timestamps", "ms", {"spike"});
    check_units_dims(f, pop + "/node_ids", "1", {"spike"});
    CHECK(read_doubles(f, pop + "/timestamps") == std::vector<double>{0.5, 1.25, 2.0});
    H nd = open_ds(f, pop + "/node_ids");
    std::vector<std::uint64_t> ids(3);
    REQUIRE(H5Dread(nd, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids.data()) >= 0);
    CHECK(ids == std::vector<std::uint64_t>{3, 1, 4});
  }
}

TEST_CASE("trace: a completed run replaces an existing NAME", "[trace]") {
  TempDir dir;
  const std::string path = dir.file("out.h5");
  { std::ofstream(path) << "old contents"; }
  TraceSink sink(path, root_info());
  CHECK(sink.partial_path() == path + ".partial");
  CHECK(fs::exists(path + ".partial"));
  CHECK(root_status(path + ".partial") == "running");
  CHECK(slurp(path) == "old contents");  // untouched while running
  sink.finish(TraceStatus::Complete);
  CHECK_FALSE(fs::exists(path + ".partial"));
  CHECK(root_status(path) == "complete");
}

TEST_CASE("trace: a failed or interrupted run never touches NAME", "[trace]") {
  TempDir dir;
  const std::string path = dir.file("out.h5");
  write_full_trace(path);
  const std::string before = slurp(path);
  REQUIRE(before.size() > 1000);

  SECTION("finish(Failed)") {
    TraceSink sink(path, root_info());
    sink.add_run(run_info("switch", "switch")).write_train(0, 0, train_record(1));
    sink.finish(TraceStatus::Failed);
    CHECK(root_status(path + ".partial") == "failed");
  }
  SECTION("finish(Interrupted)") {
    TraceSink sink(path, root_info());
    sink.add_run(run_info("switch", "switch")).write_train(0, 0, train_record(1));
    sink.finish(TraceStatus::Interrupted);
    CHECK(root_status(path + ".partial") == "interrupted");
    CHECK(read_doubles(open_file(path + ".partial"), "runs/switch/train/loss")[0] == 1.1);
  }
  SECTION("destroyed without finish") {
    {
      TraceSink sink(path, root_info());
      RunWriter& run = sink.add_run(run_info("switch", "switch"));
      (void)run.substrate_group();
    }
    CHECK(root_status(path + ".partial") == "failed");
  }
  CHECK(slurp(path) == before);
  CHECK(root_status(path) == "complete");
}

TEST_CASE("trace: a flushed, still-open .partial is readable", "[trace]") {
  TempDir dir;
  const std::string path = dir.file("live.h5");
  const std::string copy = dir.file("copy.h5");
  TraceSink sink(path, root_info(), 2);
  RunWriter& run = sink.add_run(run_info("switch", "switch"));

  SECTION("explicit flush") {
    run.write_train(1, 4, train_record(5));
    run.append_assignments(11, 40, 1, {3}, {2}, {0.5});
    sink.flush();
  }
  SECTION("step_done flushes every flush_every_steps calls") {
    run.write_train(1, 4, train_record(5));
    run.append_assignments(11, 40, 1, {3}, {2}, {0.5});
    run.step_done();
    run.step_done();
  }
  fs::copy_file(path + ".partial", copy);
  {
    H f = open_file(copy);
    H root = open_obj(f, "/");
    CHECK(attr_string(root, "status") == "running");
    const auto loss = read_doubles(f, "runs/switch/train/loss");
    REQUIRE(loss.size() == 10);
    CHECK(loss[9] == 5.1);
    CHECK(std::isnan(loss[0]));
    CHECK(read_ints(f, "runs/switch/routing/assignments/expert") == std::vector<std::int64_t>{2});
  }
  sink.finish(TraceStatus::Complete);
  CHECK(root_status(path) == "complete");
}

TEST_CASE("trace: check_writable rejects paths that cannot be written", "[trace]") {
  TempDir dir;
  CHECK_THROWS_AS(TraceSink::check_writable(dir.file("missing/x.h5")), UsageError);
  CHECK_THROWS_AS(TraceSink::check_writable("/etc/hostname/x.h5"), UsageError);
  CHECK_THROWS_AS(TraceSink::check_writable(dir.path.string()), UsageError);  // a directory
  CHECK_THROWS_AS(TraceSink::check_writable(""), UsageError);
  fs::create_directory(dir.file("d.h5.partial"));
  CHECK_THROWS_AS(TraceSink::check_writable(dir.file("d.h5")), UsageError);
  try {
    TraceSink::check_writable(dir.file("missing/x.h5"));
    FAIL("no exception");
  } catch (const UsageError& e) {
    CHECK(std::string(e.what()).find(dir.file("missing/x.h5")) != std::string::npos);
  }
  // A writable path passes and nothing is left behind.
  const auto count = [&] { return std::distance(fs::directory_iterator(dir.path), {}); };
  const auto n = count();
  CHECK_NOTHROW(TraceSink::check_writable(dir.file("ok.h5")));
  CHECK(count() == n);
  // The constructor checks before creating anything.
  CHECK_THROWS_AS(TraceSink(dir.file("missing/x.h5"), root_info()), UsageError);
  CHECK_FALSE(fs::exists(dir.file("missing")));
  CHECK(count() == n);
}

TEST_CASE("trace: misuse is reported, not written", "[trace]") {
  TempDir dir;
  TraceSink sink(dir.file("m.h5"), root_info());
  RunWriter& run = sink.add_run(run_info("switch", "switch"));
  CHECK_THROWS_AS(sink.add_run(run_info("switch", "switch")), std::invalid_argument);
  CHECK_THROWS_AS(sink.add_run(run_info("a/b", "switch")), std::invalid_argument);
  CHECK_THROWS_AS(run.write_train(2, 0, train_record(0)), std::out_of_range);
  CHECK_THROWS_AS(run.write_train(0, 5, train_record(0)), std::out_of_range);
  CHECK_THROWS_AS(run.write_eval(0, 2, {0, 0, 0}), std::out_of_range);
  CHECK_THROWS_AS(run.write_expert_load(0, 0, 2, {1, 2, 3, 4}), std::out_of_range);
  CHECK_THROWS_AS(run.write_expert_load(0, 0, 0, {1, 2, 3}), std::invalid_argument);
  CHECK_THROWS_AS(run.append_assignments(0, 0, 0, {1}, {1}, {1.0}), std::invalid_argument);  // seed index
  CHECK_THROWS_AS(run.append_assignments(7, 0, 0, {1, 2}, {1}, {1.0}), std::invalid_argument);
  CHECK_THROWS_AS(run.append_assignments(7, 0, 0, {1}, {4}, {1.0}), std::invalid_argument);
  CHECK_THROWS_AS(run.write_specialization(0, std::vector<double>(5)), std::invalid_argument);
  CHECK_THROWS_AS(sink.write_spikes("p", {1.0}, {}, 0), std::invalid_argument);
  CHECK_THROWS_AS(sink.write_spikes("p", {1.0}, {1}, 3), std::invalid_argument);
  sink.write_config("a");
  CHECK_THROWS_AS(sink.write_config("b"), std::runtime_error);  // HDF5 error, with context
  sink.finish(TraceStatus::Complete);
  CHECK_THROWS_AS(run.write_train(0, 0, train_record(0)), std::logic_error);
  CHECK_THROWS_AS(sink.flush(), std::logic_error);
  CHECK_THROWS_AS(sink.finish(TraceStatus::Complete), std::logic_error);
  CHECK(root_status(dir.file("m.h5")) == "complete");
}
