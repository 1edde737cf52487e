// TraceSink: file lifecycle (NAME.partial, status, rename), root attrs,
// /config, /summary and /spikes of trace schema v1 (DESIGN.md §3-4,
// docs/trace_schema.md). Run groups are in run_writer.cpp.
#include "trace/trace_impl.hpp"

#include "core/error.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iterator>
#include <stdexcept>

namespace moesim {

namespace {

constexpr std::int32_t kSchemaVersion = 1;

const char* status_name(TraceStatus s) {
  switch (s) {
    case TraceStatus::Complete: return "complete";
    case TraceStatus::Interrupted: return "interrupted";
    case TraceStatus::Failed: return "failed";
  }
  return "failed";
}

std::string iso8601_utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string parent_directory(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool is_directory(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// /summary row in memory (member order = file order).
struct SummaryMem {
  const char* variant;
  std::int64_t seeds;
  double test_accuracy_mean, test_accuracy_ci95, final_loss, load_cv, dropped_fraction,
      mutual_information, gflops, energy_j, wall_time_s;
};

struct SummaryField {
  const char* name;
  std::size_t offset;
  const char* units;
};

const SummaryField kSummaryReal[] = {
    {"test_accuracy_mean", offsetof(SummaryMem, test_accuracy_mean), "1"},
    {"test_accuracy_ci95", offsetof(SummaryMem, test_accuracy_ci95), "1"},
    {"final_loss", offsetof(SummaryMem, final_loss), "1"},
    {"load_cv", offsetof(SummaryMem, load_cv), "1"},
    {"dropped_fraction", offsetof(SummaryMem, dropped_fraction), "1"},
    {"mutual_information", offsetof(SummaryMem, mutual_information), "bit"},
    {"gflops", offsetof(SummaryMem, gflops), "GFLOP"},
    {"energy_j", offsetof(SummaryMem, energy_j), "J"},
    {"wall_time_s", offsetof(SummaryMem, wall_time_s), "s"},
};

// Compound type for /summary: memory layout (native) or packed file layout (LE).
h5::Handle summary_type(bool file) {
  h5::Handle str = h5::vlen_string_type();
  const std::size_t str_size = H5Tget_size(str.get());
  const std::size_t size = file ? str_size + 8 + 8 * std::size(kSummaryReal) : sizeof(SummaryMem);
  h5::Handle t = h5::type_handle(H5Tcreate(H5T_COMPOUND, size), "creating /summary type");
  std::size_t off = 0;
  h5::check(H5Tinsert(t.get(), "variant", file ? off : offsetof(SummaryMem, variant), str.get()),
            "/summary type: variant");
  off += str_size;
  h5::check(H5Tinsert(t.get(), "seeds", file ? off : offsetof(SummaryMem, seeds),
                      file ? H5T_STD_I64LE : H5T_NATIVE_INT64),
            "/summary type: seeds");
  off += 8;
  for (const auto& f : kSummaryReal) {
    h5::check(H5Tinsert(t.get(), f.name, file ? off : f.offset, file ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE),
              std::string("/summary type: ") + f.name);
    off += 8;
  }
  return t;
}

// Closes objects still open through `file` (e.g. datasets a substrate kept
// under substrate_group()), so that H5Fclose really closes the file before
// the rename, as H5F_CLOSE_STRONG would.
void close_leftover_objects(hid_t file) {
  const unsigned types = H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR | H5F_OBJ_LOCAL;
  const ssize_t n = H5Fget_obj_count(file, types);
  if (n <= 0) return;
  std::vector<hid_t> ids(static_cast<std::size_t>(n));
  const ssize_t got = H5Fget_obj_ids(file, types, ids.size(), ids.data());
  for (ssize_t i = 0; i < got; ++i) {
    switch (H5Iget_type(ids[i])) {
      case H5I_DATASET: H5Dclose(ids[i]); break;
      case H5I_GROUP: H5Gclose(ids[i]); break;
      case H5I_DATATYPE: H5Tclose(ids[i]); break;
      case H5I_ATTR: H5Aclose(ids[i]); break;
      default: break;
    }
  }
  H5Eclear2(H5E_DEFAULT);
}

}  // namespace

// ------------------------------------------------------------------ Impl

void TraceSink::Impl::require_open(const char* operation) const {
  if (finished)
    throw std::logic_error(std::string("trace: ") + operation + " after finish() on " + partial);
}

void TraceSink::Impl::flush() {
  require_open("flush");
  h5::Silence quiet;
  h5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flushing " + partial);
}

// -------------------------------------------------------------- TraceSink

void TraceSink::check_writable(const std::string& path) {
  if (path.empty()) throw UsageError("output path is empty");
  const std::string partial = path + ".partial";
  if (is_directory(path))
    throw UsageError("output path '" + path + "' cannot be written: it is a directory");
  if (is_directory(partial))
    throw UsageError("output path '" + path + "' cannot be written: '" + partial + "' is a directory");
  const std::string dir = parent_directory(path);
  struct stat st{};
  if (::stat(dir.c_str(), &st) != 0)
    throw UsageError("output path '" + path + "' cannot be written: directory '" + dir + "': " +
                     std::strerror(errno));
  if (!S_ISDIR(st.st_mode))
    throw UsageError("output path '" + path + "' cannot be written: '" + dir + "' is not a directory");
  std::string probe = dir + "/.moesim_write_probe_XXXXXX";
  const int fd = ::mkstemp(probe.data());
  if (fd < 0)
    throw UsageError("output path '" + path + "' cannot be written: cannot create a file in '" + dir +
                     "': " + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
  if (::access(partial.c_str(), F_OK) == 0 && ::access(partial.c_str(), W_OK) != 0)
    throw UsageError("output path '" + path + "' cannot be written: '" + partial +
                     "' exists and is not writable: " + std::strerror(errno));
}

TraceSink::TraceSink(const std::string& path, const RootInfo& info, int flush_every_steps)
    : impl_(std::make_unique<Impl>()) {
  if (flush_every_steps < 0)
    throw std::invalid_argument("trace: flush_every_steps must be >= 0 (0: only explicit flushes)");
  if (info.seeds.empty()) throw std::invalid_argument("trace: RootInfo.seeds is empty");
  check_writable(path);
  impl_->path = path;
  impl_->partial = path + ".partial";
  impl_->flush_every = flush_every_steps;

  h5::Silence quiet;
  {
    h5::Handle fapl = h5::plist_handle(H5Pcreate(H5P_FILE_ACCESS), "creating file access plist");
    // The default (weak) close degree is kept so that the file can be opened
    // again in this process; finish() closes whatever a substrate left open.
    // Lock the file, but do not fail on file systems without flock (Lustre, NFS).
    h5::check(H5Pset_file_locking(fapl.get(), true, true), "setting file locking");
    impl_->file = h5::file_handle(
        H5Fcreate(impl_->partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
        "creating '" + impl_->partial + "'");
  }
  try {
    impl_->root = h5::open_group(impl_->file.get(), "/");
    const hid_t r = impl_->root.get();
    h5::write_attr_int32(r, "schema_version", kSchemaVersion);
    h5::write_attr_string(r, "moesim_version", info.moesim_version);
    h5::write_attr_string(r, "git_hash", info.git_hash);
    h5::write_attr_string(r, "created", iso8601_utc_now());
    h5::write_attr_string(r, "command_line", info.command_line);
    h5::write_attr_int64(r, "seed", info.seeds.front());
    h5::write_attr_int64s(r, "seeds", info.seeds);
    h5::write_attr_string(r, "backend", info.backend);
    h5::write_attr_int32(r, "threads", info.threads);
    h5::write_attr_string(r, "host", info.host);
    h5::write_attr_string(r, "status", "running");
    h5::check(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), "flushing " + impl_->partial);
  } catch (...) {
    impl_->root.reset();
    impl_->file.reset();
    impl_->finished = true;
    throw;
  }
}

TraceSink::~TraceSink() {
  if (impl_ && !impl_->finished) {
    try {
      finish(TraceStatus::Failed);
    } catch (...) {
      // A destructor must not throw; finish() has closed the file regardless.
    }
  }
}

void TraceSink::write_config(const std::string& ini_text) {
  impl_->require_open("write_config");
  h5::Silence quiet;
  h5::write_string_dataset(impl_->root.get(), "config", ini_text);
}

RunWriter& TraceSink::add_run(const RunInfo& info) {
  impl_->require_open("add_run");
  h5::Silence quiet;
  if (!impl_->runs_group.valid()) impl_->runs_group = h5::create_group(impl_->root.get(), "runs");
  auto run_impl = RunWriter::Impl::create(*impl_, impl_->runs_group.get(), info);
  RunWriter::Impl* raw = run_impl.get();
  impl_->runs.push_back(std::make_unique<RunWriter>(std::move(run_impl)));
  impl_->run_impls.push_back(raw);
  return *impl_->runs.back();
}

void TraceSink::write_summary(const std::vector<SummaryRow>& rows) {
  impl_->require_open("write_summary");
  h5::Silence quiet;
  std::vector<SummaryMem> mem(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const SummaryRow& r = rows[i];
    mem[i] = {r.variant.c_str(), r.seeds, r.test_accuracy_mean, r.test_accuracy_ci95,
              r.final_loss, r.load_cv, r.dropped_fraction, r.mutual_information,
              r.gflops, r.energy_j, r.wall_time_s};
  }
  h5::Handle mem_type = summary_type(false), file_type = summary_type(true);
  const hsize_t n = rows.size();
  h5::Handle space = h5::space_handle(H5Screate_simple(1, &n, nullptr), "creating /summary space");
  h5::Handle d = h5::dataset_handle(H5Dcreate2(impl_->root.get(), "summary", file_type.get(), space.get(),
                                               H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                    "creating /summary");
  if (n > 0) h5::write_all(d.get(), mem_type.get(), mem.data(), "/summary");
  std::vector<std::string> field_units{"", "1"};
  std::string units = "seeds=1";
  for (const auto& f : kSummaryReal) {
    field_units.push_back(f.units);
    units += std::string(";") + f.name + "=" + f.units;
  }
  h5::write_units_dims(d.get(), units, {"variant"});
  h5::write_attr_strings(d.get(), "field_units", field_units);
  d.close("/summary");
}

void TraceSink::write_spikes(const std::string& population, const std::vector<double>& timestamps_ms,
                             const std::vector<std::uint64_t>& node_ids, std::uint8_t sorting) {
  impl_->require_open("write_spikes");
  if (population.empty() || population == "." || population == ".." ||
      population.find('/') != std::string::npos)
    throw std::invalid_argument("trace: spike population name '" + population + "' is not valid");
  if (timestamps_ms.size() != node_ids.size())
    throw std::invalid_argument("trace: spikes of '" + population + "': " +
                                std::to_string(timestamps_ms.size()) + " timestamps but " +
                                std::to_string(node_ids.size()) + " node ids");
  if (sorting > 2)
    throw std::invalid_argument("trace: spikes of '" + population + "': sorting " +
                                std::to_string(sorting) + " is not none=0, by_id=1 or by_time=2");
  h5::Silence quiet;
  if (!impl_->spikes_group.valid())
    impl_->spikes_group = h5::create_group(impl_->root.get(), "spikes");
  h5::Handle pop = h5::create_group(impl_->spikes_group.get(), population);

  h5::write_attr_sonata_sorting(pop.get(), sorting);  // SONATA: enum over uint8

  const hsize_t n = timestamps_ms.size();
  const bool big = n * 8 > 4096;
  h5::DatasetSpec ts;
  ts.dims = {n};
  ts.file_type = H5T_IEEE_F64LE;
  ts.mem_type = H5T_NATIVE_DOUBLE;
  ts.chunked = big;
  ts.units = "ms";
  ts.dim_names = {"spike"};
  h5::Handle dts = h5::create_dataset(pop.get(), "timestamps", ts);
  if (n > 0) h5::write_all(dts.get(), H5T_NATIVE_DOUBLE, timestamps_ms.data(), "timestamps");
  dts.close("timestamps");

  h5::DatasetSpec ids = ts;
  ids.file_type = H5T_STD_U64LE;
  ids.mem_type = H5T_NATIVE_UINT64;
  ids.units = "1";
  h5::Handle dids = h5::create_dataset(pop.get(), "node_ids", ids);
  if (n > 0) h5::write_all(dids.get(), H5T_NATIVE_UINT64, node_ids.data(), "node_ids");
  dids.close("node_ids");
  pop.close("/spikes/" + population);
}

void TraceSink::flush() { impl_->flush(); }

void TraceSink::finish(TraceStatus status) {
  impl_->require_open("finish");
  h5::Silence quiet;
  impl_->finished = true;
  std::string error;
  try {
    h5::write_attr_string(impl_->root.get(), "status", status_name(status));
  } catch (const std::exception& e) {
    error = e.what();
  }
  for (RunWriter::Impl* run : impl_->run_impls) {
    std::string e = run->close_all();
    if (error.empty()) error = e;
  }
  for (h5::Handle* h : {&impl_->spikes_group, &impl_->runs_group, &impl_->root})
    if (!h->reset() && error.empty()) error = "HDF5: closing a group of " + impl_->partial;
  close_leftover_objects(impl_->file.get());
  if (!impl_->file.reset() && error.empty()) error = "HDF5: closing " + impl_->partial;
  if (!error.empty()) {
    H5Eclear2(H5E_DEFAULT);
    throw std::runtime_error("trace: finishing '" + impl_->partial + "' as " + status_name(status) +
                             " failed (" + error + "); '" + impl_->path + "' left unchanged");
  }
  if (status == TraceStatus::Complete && std::rename(impl_->partial.c_str(), impl_->path.c_str()) != 0)
    throw std::runtime_error("trace: renaming '" + impl_->partial + "' to '" + impl_->path +
                             "': " + std::strerror(errno));
}

const std::string& TraceSink::path() const { return impl_->path; }
const std::string& TraceSink::partial_path() const { return impl_->partial; }

}  // namespace moesim
