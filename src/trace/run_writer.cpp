// RunWriter: /runs/<variant>/ of trace schema v1 (DESIGN.md §4,
// docs/trace_schema.md). Every dataset is created, with its final shape,
// `units` and `dims`, when the run is added; [seed, ...] datasets are
// NaN-filled, chunked, shuffle + deflate, so anything never written reads NaN.
#include "trace/trace_impl.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace moesim {

namespace {

struct TrainMetric {
  const char* name;
  const char* units;
  double TrainRecord::*field;
};

// train/<metric>: dataset name, units, TrainRecord field.
constexpr TrainMetric kTrainMetrics[] = {
    {"loss", "1", &TrainRecord::loss},
    {"accuracy", "1", &TrainRecord::accuracy},
    {"aux_loss", "1", &TrainRecord::aux_loss},
    {"z_loss", "1", &TrainRecord::z_loss},
    {"tokens_dropped", "1", &TrainRecord::tokens_dropped},
    {"load_cv", "1", &TrainRecord::load_cv},
    {"routing_entropy", "nat", &TrainRecord::routing_entropy},
    {"flops", "FLOP", &TrainRecord::flops},
    {"energy", "J", &TrainRecord::energy_j},
    {"wall_time", "s", &TrainRecord::wall_time_s},
};

constexpr hsize_t kAssignmentChunkRows = 4096;
const double kNaN = std::numeric_limits<double>::quiet_NaN();

h5::Handle float_dataset(hid_t parent, const std::string& name, std::vector<hsize_t> dims,
                         const std::string& units, std::vector<std::string> dim_names, bool chunked) {
  h5::DatasetSpec spec;
  spec.dims = std::move(dims);
  spec.file_type = H5T_IEEE_F64LE;
  spec.mem_type = H5T_NATIVE_DOUBLE;
  spec.fill = &kNaN;
  spec.chunked = chunked;
  spec.units = units;
  spec.dim_names = std::move(dim_names);
  return h5::create_dataset(parent, name, spec);
}

void step_dataset(hid_t parent, const std::string& axis, const std::vector<std::int64_t>& steps) {
  h5::DatasetSpec spec;
  spec.dims = {static_cast<hsize_t>(steps.size())};
  spec.file_type = H5T_STD_I64LE;
  spec.mem_type = H5T_NATIVE_INT64;
  spec.units = "1";
  spec.dim_names = {axis};
  h5::Handle d = h5::create_dataset(parent, "step", spec);
  if (!steps.empty()) h5::write_all(d.get(), H5T_NATIVE_INT64, steps.data(), axis + "/step");
  d.close(axis + "/step");
}

h5::Handle assignment_dataset(hid_t parent, const std::string& name, bool is_float) {
  h5::DatasetSpec spec;
  spec.dims = {0};
  spec.file_type = is_float ? H5T_IEEE_F64LE : H5T_STD_I64LE;
  spec.mem_type = is_float ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
  spec.unlimited = true;
  spec.units = "1";
  spec.dim_names = {"choice"};
  return h5::create_dataset(parent, name, spec, kAssignmentChunkRows);
}

void check_name(const std::string& kind, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    throw std::invalid_argument("trace: " + kind + " name '" + name +
                                "' is not a valid HDF5 group name (empty, '.', '..' or contains '/')");
}

void check_index(const char* what, long index, std::size_t size, const std::string& variant) {
  if (index < 0 || static_cast<std::size_t>(index) >= size)
    throw std::out_of_range("trace: run '" + variant + "': " + what + " " + std::to_string(index) +
                            " is out of range [0, " + std::to_string(size) + ")");
}

}  // namespace

std::unique_ptr<RunWriter::Impl> RunWriter::Impl::create(TraceSink::Impl& sink, hid_t runs_group,
                                                         const RunInfo& info) {
  check_name("variant", info.variant);
  if (info.seeds.empty())
    throw std::invalid_argument("trace: run '" + info.variant + "' has no seeds");
  if (info.num_experts < 0 || info.top_k < 0 || info.layers < 0 || info.num_classes < 0)
    throw std::invalid_argument("trace: run '" + info.variant +
                                "': num_experts, top_k, layers and num_classes must be >= 0");
  if (h5::link_exists(runs_group, info.variant))
    throw std::invalid_argument("trace: run '" + info.variant + "' was already added");

  auto impl = std::make_unique<Impl>();
  impl->sink = &sink;
  impl->info = info;
  impl->group = h5::create_group(runs_group, info.variant);
  const hid_t g = impl->group.get();
  h5::write_attr_string(g, "router", info.router);
  h5::write_attr_string(g, "expert_type", info.expert_type);
  h5::write_attr_string(g, "substrate", info.substrate);
  h5::write_attr_int32(g, "num_experts", info.num_experts);
  h5::write_attr_int32(g, "top_k", info.top_k);
  h5::write_attr_double(g, "capacity_factor", info.capacity_factor);
  h5::write_attr_int32(g, "layers", info.layers);
  h5::write_attr_int32(g, "num_classes", info.num_classes);
  h5::write_attr_int64s(g, "seeds", info.seeds);

  const hsize_t S = info.seeds.size(), T = info.train_steps.size(), E = info.eval_steps.size();
  const hsize_t L = static_cast<hsize_t>(info.layers), X = static_cast<hsize_t>(info.num_experts),
                C = static_cast<hsize_t>(info.num_classes);

  h5::Handle train = h5::create_group(g, "train");
  step_dataset(train.get(), "step", info.train_steps);
  for (const auto& m : kTrainMetrics)
    impl->train.push_back(float_dataset(train.get(), m.name, {S, T}, m.units, {"seed", "step"}, true));

  h5::Handle eval = h5::create_group(g, "eval");
  step_dataset(eval.get(), "eval", info.eval_steps);
  impl->eval_loss = float_dataset(eval.get(), "loss", {S, E}, "1", {"seed", "eval"}, true);
  impl->eval_accuracy = float_dataset(eval.get(), "accuracy", {S, E}, "1", {"seed", "eval"}, true);
  impl->eval_mi =
      float_dataset(eval.get(), "mutual_information", {S, E}, "bit", {"seed", "eval"}, true);

  h5::Handle test = h5::create_group(g, "test");
  impl->test_accuracy = float_dataset(test.get(), "accuracy", {S}, "1", {"seed"}, false);
  impl->test_loss = float_dataset(test.get(), "loss", {S}, "1", {"seed"}, false);

  h5::Handle routing = h5::create_group(g, "routing");
  impl->expert_load = float_dataset(routing.get(), "expert_load", {S, T, L, X}, "1",
                                    {"seed", "step", "layer", "expert"}, true);
  impl->specialization = float_dataset(routing.get(), "specialization", {S, L, X, C}, "1",
                                       {"seed", "layer", "expert", "class"}, true);
  h5::Handle as = h5::create_group(routing.get(), "assignments");
  impl->as_seed = assignment_dataset(as.get(), "seed", false);
  impl->as_step = assignment_dataset(as.get(), "step", false);
  impl->as_layer = assignment_dataset(as.get(), "layer", false);
  impl->as_token = assignment_dataset(as.get(), "token", false);
  impl->as_expert = assignment_dataset(as.get(), "expert", false);
  impl->as_weight = assignment_dataset(as.get(), "weight", true);

  as.close("routing/assignments");
  routing.close("routing");
  test.close("test");
  eval.close("eval");
  train.close("train");
  return impl;
}

std::string RunWriter::Impl::close_all() {
  std::string error;
  auto close = [&](h5::Handle& h) {
    if (!h.reset() && error.empty()) error = "HDF5: closing an object of run '" + info.variant + "'";
  };
  for (auto& h : train) close(h);
  for (h5::Handle* h : {&eval_loss, &eval_accuracy, &eval_mi, &test_accuracy, &test_loss,
                        &expert_load, &specialization, &as_seed, &as_step, &as_layer, &as_token,
                        &as_expert, &as_weight, &substrate, &group})
    close(*h);
  for (auto& [name, pop] : spike_populations)
    for (h5::Handle* h : {&pop.timestamps, &pop.node_ids, &pop.group}) close(*h);
  return error;
}

RunWriter::RunWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RunWriter::~RunWriter() = default;

void RunWriter::write_train(int seed_index, int step_index, const TrainRecord& r) {
  impl_->sink->require_open("RunWriter::write_train");
  const auto& info = impl_->info;
  check_index("seed index", seed_index, info.seeds.size(), info.variant);
  check_index("step index", step_index, info.train_steps.size(), info.variant);
  h5::Silence quiet;
  const std::vector<hsize_t> start{static_cast<hsize_t>(seed_index), static_cast<hsize_t>(step_index)};
  for (std::size_t m = 0; m < impl_->train.size(); ++m) {
    const double v = r.*(kTrainMetrics[m].field);
    h5::write_hyperslab(impl_->train[m].get(), H5T_NATIVE_DOUBLE, start, {1, 1}, &v,
                        "runs/" + info.variant + "/train/" + kTrainMetrics[m].name);
  }
}

void RunWriter::write_eval(int seed_index, int eval_index, const EvalRecord& r) {
  impl_->sink->require_open("RunWriter::write_eval");
  const auto& info = impl_->info;
  check_index("seed index", seed_index, info.seeds.size(), info.variant);
  check_index("eval index", eval_index, info.eval_steps.size(), info.variant);
  h5::Silence quiet;
  const std::vector<hsize_t> start{static_cast<hsize_t>(seed_index), static_cast<hsize_t>(eval_index)};
  const std::string base = "runs/" + info.variant + "/eval/";
  h5::write_hyperslab(impl_->eval_loss.get(), H5T_NATIVE_DOUBLE, start, {1, 1}, &r.loss, base + "loss");
  h5::write_hyperslab(impl_->eval_accuracy.get(), H5T_NATIVE_DOUBLE, start, {1, 1}, &r.accuracy,
                      base + "accuracy");
  h5::write_hyperslab(impl_->eval_mi.get(), H5T_NATIVE_DOUBLE, start, {1, 1},
                      &r.mutual_information_bits, base + "mutual_information");
}

void RunWriter::write_test(int seed_index, double accuracy, double loss) {
  impl_->sink->require_open("RunWriter::write_test");
  const auto& info = impl_->info;
  check_index("seed index", seed_index, info.seeds.size(), info.variant);
  h5::Silence quiet;
  const std::vector<hsize_t> start{static_cast<hsize_t>(seed_index)};
  const std::string base = "runs/" + info.variant + "/test/";
  h5::write_hyperslab(impl_->test_accuracy.get(), H5T_NATIVE_DOUBLE, start, {1}, &accuracy,
                      base + "accuracy");
  h5::write_hyperslab(impl_->test_loss.get(), H5T_NATIVE_DOUBLE, start, {1}, &loss, base + "loss");
}

void RunWriter::write_expert_load(int seed_index, int step_index, int layer,
                                  const std::vector<double>& load) {
  impl_->sink->require_open("RunWriter::write_expert_load");
  const auto& info = impl_->info;
  check_index("seed index", seed_index, info.seeds.size(), info.variant);
  check_index("step index", step_index, info.train_steps.size(), info.variant);
  check_index("layer", layer, static_cast<std::size_t>(info.layers), info.variant);
  if (load.size() != static_cast<std::size_t>(info.num_experts))
    throw std::invalid_argument("trace: run '" + info.variant + "': expert load has " +
                                std::to_string(load.size()) + " entries, expected num_experts = " +
                                std::to_string(info.num_experts));
  if (load.empty()) return;
  h5::Silence quiet;
  h5::write_hyperslab(impl_->expert_load.get(), H5T_NATIVE_DOUBLE,
                      {static_cast<hsize_t>(seed_index), static_cast<hsize_t>(step_index),
                       static_cast<hsize_t>(layer), 0},
                      {1, 1, 1, load.size()}, load.data(),
                      "runs/" + info.variant + "/routing/expert_load");
}

void RunWriter::append_assignments(std::int64_t seed, std::int64_t step, int layer,
                                   const std::vector<std::int64_t>& tokens,
                                   const std::vector<std::int64_t>& experts,
                                   const std::vector<double>& weights) {
  impl_->sink->require_open("RunWriter::append_assignments");
  const auto& info = impl_->info;
  const std::string ctx = "trace: run '" + info.variant + "': append_assignments: ";
  bool known_seed = false;
  for (auto s : info.seeds) known_seed = known_seed || s == seed;
  if (!known_seed)
    throw std::invalid_argument(ctx + "seed " + std::to_string(seed) +
                                " is not one of the run's seeds (it takes the seed value, not its index)");
  if (step < 0) throw std::invalid_argument(ctx + "negative step " + std::to_string(step));
  check_index("layer", layer, static_cast<std::size_t>(info.layers), info.variant);
  const std::size_t n = tokens.size();
  if (experts.size() != n || weights.size() != n)
    throw std::invalid_argument(ctx + "tokens, experts and weights differ in length (" +
                                std::to_string(n) + ", " + std::to_string(experts.size()) + ", " +
                                std::to_string(weights.size()) + ")");
  for (auto e : experts)
    if (e < 0 || e >= info.num_experts)
      throw std::invalid_argument(ctx + "expert id " + std::to_string(e) + " is out of range [0, " +
                                  std::to_string(info.num_experts) + ")");
  if (n == 0) return;
  h5::Silence quiet;
  const std::vector<std::int64_t> seeds(n, seed), steps(n, step), layers(n, layer);
  const hsize_t rows = impl_->assignment_rows;
  const std::string base = "runs/" + info.variant + "/routing/assignments/";
  h5::append_rows(impl_->as_seed.get(), H5T_NATIVE_INT64, rows, n, seeds.data(), base + "seed");
  h5::append_rows(impl_->as_step.get(), H5T_NATIVE_INT64, rows, n, steps.data(), base + "step");
  h5::append_rows(impl_->as_layer.get(), H5T_NATIVE_INT64, rows, n, layers.data(), base + "layer");
  h5::append_rows(impl_->as_token.get(), H5T_NATIVE_INT64, rows, n, tokens.data(), base + "token");
  h5::append_rows(impl_->as_expert.get(), H5T_NATIVE_INT64, rows, n, experts.data(), base + "expert");
  h5::append_rows(impl_->as_weight.get(), H5T_NATIVE_DOUBLE, rows, n, weights.data(), base + "weight");
  impl_->assignment_rows = rows + n;
}

void RunWriter::write_specialization(int seed_index, const std::vector<double>& counts) {
  impl_->sink->require_open("RunWriter::write_specialization");
  const auto& info = impl_->info;
  check_index("seed index", seed_index, info.seeds.size(), info.variant);
  const hsize_t L = static_cast<hsize_t>(info.layers), X = static_cast<hsize_t>(info.num_experts),
                C = static_cast<hsize_t>(info.num_classes);
  if (counts.size() != L * X * C)
    throw std::invalid_argument("trace: run '" + info.variant + "': specialization has " +
                                std::to_string(counts.size()) + " counts, expected layers x experts x classes = " +
                                std::to_string(L * X * C));
  if (counts.empty()) return;
  h5::Silence quiet;
  h5::write_hyperslab(impl_->specialization.get(), H5T_NATIVE_DOUBLE,
                      {static_cast<hsize_t>(seed_index), 0, 0, 0}, {1, L, X, C}, counts.data(),
                      "runs/" + info.variant + "/routing/specialization");
}

void RunWriter::write_spikes(std::int64_t seed, const std::string& population,
                             const std::vector<double>& timestamps_ms,
                             const std::vector<std::uint64_t>& node_ids, std::uint8_t sorting) {
  impl_->sink->require_open("RunWriter::write_spikes");
  const auto& info = impl_->info;
  bool known_seed = false;
  for (auto s : info.seeds) known_seed = known_seed || s == seed;
  const std::string name = info.variant + ".s" + std::to_string(seed) + "." + population;
  const std::string ctx = "trace: spikes of '" + name + "': ";
  if (!known_seed)
    throw std::invalid_argument(ctx + "seed " + std::to_string(seed) + " is not one of the run's seeds");
  check_name("spike population", population);
  const std::size_t n = timestamps_ms.size();
  if (node_ids.size() != n)
    throw std::invalid_argument(ctx + std::to_string(n) + " timestamps but " +
                                std::to_string(node_ids.size()) + " node ids");
  if (sorting > 2)
    throw std::invalid_argument(ctx + "sorting " + std::to_string(sorting) +
                                " is not none=0, by_id=1 or by_time=2");
  h5::Silence quiet;
  auto found = impl_->spike_populations.find(name);
  if (found == impl_->spike_populations.end()) {
    TraceSink::Impl& sink = *impl_->sink;
    if (!sink.spikes_group.valid()) sink.spikes_group = h5::create_group(sink.root.get(), "spikes");
    if (h5::link_exists(sink.spikes_group.get(), name))
      throw std::invalid_argument(ctx + "the population was written by another writer");
    Impl::SpikePopulation pop;
    pop.group = h5::create_group(sink.spikes_group.get(), name);
    pop.sorting = sorting;
    h5::write_attr_sonata_sorting(pop.group.get(), sorting);
    h5::DatasetSpec spec;
    spec.dims = {0};
    spec.unlimited = true;
    spec.dim_names = {"spike"};
    spec.file_type = H5T_IEEE_F64LE;
    spec.mem_type = H5T_NATIVE_DOUBLE;
    spec.units = "ms";
    pop.timestamps = h5::create_dataset(pop.group.get(), "timestamps", spec, kAssignmentChunkRows);
    spec.file_type = H5T_STD_U64LE;
    spec.mem_type = H5T_NATIVE_UINT64;
    spec.units = "1";
    pop.node_ids = h5::create_dataset(pop.group.get(), "node_ids", spec, kAssignmentChunkRows);
    found = impl_->spike_populations.emplace(name, std::move(pop)).first;
  }
  Impl::SpikePopulation& pop = found->second;
  if (sorting != pop.sorting)
    throw std::invalid_argument(ctx + "sorting " + std::to_string(sorting) + " differs from the population's " +
                                std::to_string(pop.sorting));
  // The order the attr promises must hold across appends too.
  const bool first = pop.rows == 0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool t_back = sorting == 2 && ((i > 0 && timestamps_ms[i] < timestamps_ms[i - 1]) ||
                                         (i == 0 && !first && timestamps_ms[0] < pop.last_time_ms));
    const bool id_back = sorting == 1 && ((i > 0 && node_ids[i] < node_ids[i - 1]) ||
                                          (i == 0 && !first && node_ids[0] < pop.last_id));
    if (t_back || id_back)
      throw std::invalid_argument(ctx + "spike " + std::to_string(pop.rows + i) + " breaks the sorting " +
                                  (sorting == 2 ? "by_time" : "by_id"));
  }
  if (n == 0) return;
  h5::append_rows(pop.timestamps.get(), H5T_NATIVE_DOUBLE, pop.rows, n, timestamps_ms.data(),
                  "/spikes/" + name + "/timestamps");
  h5::append_rows(pop.node_ids.get(), H5T_NATIVE_UINT64, pop.rows, n, node_ids.data(),
                  "/spikes/" + name + "/node_ids");
  pop.rows += n;
  pop.last_time_ms = timestamps_ms.back();
  pop.last_id = node_ids.back();
}

void RunWriter::step_done() {
  impl_->sink->require_open("RunWriter::step_done");
  ++impl_->steps_done;
  const int every = impl_->sink->flush_every;
  if (every > 0 && impl_->steps_done % every == 0) impl_->sink->flush();
}

std::int64_t RunWriter::substrate_group() {
  impl_->sink->require_open("RunWriter::substrate_group");
  if (!impl_->substrate.valid()) {
    h5::Silence quiet;
    impl_->substrate = h5::create_group(impl_->group.get(), "substrate");
  }
  return static_cast<std::int64_t>(impl_->substrate.get());
}

namespace {
// Opens (creating on first use, with units and dims) the extendible dataset
// `path` under `root` of shape [rows, row_shape...], extends it by one row and
// writes `data` there.
void append_row(hid_t root, const std::string& path, const std::vector<std::size_t>& row_shape,
                const void* data, std::size_t count, hid_t file_type, hid_t mem_type,
                const std::string& units, const std::vector<std::string>& dim_names,
                const std::string& what) {
  std::size_t expected = 1;
  for (auto n : row_shape) expected *= n;
  if (count != expected)
    throw std::invalid_argument("trace: " + what + ": row has " + std::to_string(count) +
                                " values, its shape needs " + std::to_string(expected));
  if (dim_names.size() != row_shape.size() + 1)
    throw std::invalid_argument("trace: " + what + ": needs " + std::to_string(row_shape.size() + 1) +
                                " dims names (the row axis first)");
  std::size_t pos = 0;
  while (pos < path.size()) {  // validate and create the intermediate groups
    const std::size_t next = path.find('/', pos);
    const std::string part = path.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    check_name("substrate path component", part);
    if (next == std::string::npos) break;
    const std::string prefix = path.substr(0, next);
    if (!h5::link_exists(root, prefix)) h5::create_group(root, prefix).close(what);
    pos = next + 1;
  }
  const int rank = static_cast<int>(row_shape.size()) + 1;
  std::vector<hsize_t> row(rank, 1);
  for (std::size_t i = 0; i < row_shape.size(); ++i) row[i + 1] = static_cast<hsize_t>(row_shape[i]);
  h5::Handle d;
  hsize_t rows = 0;
  if (!h5::link_exists(root, path)) {
    std::vector<hsize_t> dims(row), maxdims(row), chunk(row);
    dims[0] = 0;
    maxdims[0] = H5S_UNLIMITED;
    // Chunks of whole rows, about 4 KiB (small, since every append rewrites
    // the last chunk through the deflate filter).
    const std::size_t row_bytes = std::max<std::size_t>(1, expected) * H5Tget_size(file_type);
    chunk[0] = std::max<hsize_t>(1, 4096 / row_bytes);
    for (std::size_t i = 1; i < chunk.size(); ++i) chunk[i] = std::max<hsize_t>(1, chunk[i]);
    h5::Handle space = h5::space_handle(H5Screate_simple(rank, dims.data(), maxdims.data()),
                                        "creating dataspace of " + what);
    h5::Handle dcpl = h5::plist_handle(H5Pcreate(H5P_DATASET_CREATE), "creating dcpl of " + what);
    h5::check(H5Pset_chunk(dcpl.get(), rank, chunk.data()), "setting chunks of " + what);
    h5::check(H5Pset_shuffle(dcpl.get()), "setting shuffle filter of " + what);
    h5::check(H5Pset_deflate(dcpl.get(), h5::kDeflateLevel), "setting deflate filter of " + what);
    d = h5::dataset_handle(H5Dcreate2(root, path.c_str(), file_type, space.get(), H5P_DEFAULT,
                                      dcpl.get(), H5P_DEFAULT),
                           "creating " + what);
    h5::write_units_dims(d.get(), units, dim_names);
  } else {
    d = h5::dataset_handle(H5Dopen2(root, path.c_str(), H5P_DEFAULT), "opening " + what);
    h5::Handle space = h5::space_handle(H5Dget_space(d.get()), "getting dataspace of " + what);
    if (H5Sget_simple_extent_ndims(space.get()) != rank)
      throw std::invalid_argument("trace: " + what + " exists with a different rank");
    std::vector<hsize_t> cur(rank);
    H5Sget_simple_extent_dims(space.get(), cur.data(), nullptr);
    for (int i = 1; i < rank; ++i)
      if (cur[i] != row[i])
        throw std::invalid_argument("trace: " + what + " exists with a different row shape");
    rows = cur[0];
  }
  std::vector<hsize_t> size(row);
  size[0] = rows + 1;
  h5::check(H5Dset_extent(d.get(), size.data()), "extending " + what);
  std::vector<hsize_t> start(rank, 0);
  start[0] = rows;
  h5::write_hyperslab(d.get(), mem_type, start, row, data, what);
  d.close(what);
}
}  // namespace

void RunWriter::append_substrate_row(const std::string& path, const std::vector<std::size_t>& row_shape,
                                     const std::vector<double>& values, const std::string& units,
                                     const std::vector<std::string>& dim_names) {
  const hid_t root = static_cast<hid_t>(substrate_group());
  h5::Silence quiet;
  append_row(root, path, row_shape, values.data(), values.size(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
             units, dim_names, "runs/" + impl_->info.variant + "/substrate/" + path);
}

void RunWriter::append_substrate_row(const std::string& path, const std::vector<std::size_t>& row_shape,
                                     const std::vector<std::int64_t>& values, const std::string& units,
                                     const std::vector<std::string>& dim_names) {
  const hid_t root = static_cast<hid_t>(substrate_group());
  h5::Silence quiet;
  append_row(root, path, row_shape, values.data(), values.size(), H5T_STD_I64LE, H5T_NATIVE_INT64,
             units, dim_names, "runs/" + impl_->info.variant + "/substrate/" + path);
}

}  // namespace moesim
