// `moesim snn` (DESIGN.md §3): the output lines and their agreement with
// run_cuba, exit codes before any work, the SONATA spike file read back with
// the HDF5 C API, independence of --threads (fp64 and fp32), SIGTERM (exit
// 143, interrupted .partial), and CUBA's statistics over ten
// seeds against check_values.md ("Spiking: Brian2's examples/CUBA").
#include "h5_read.hpp"
#include "sonata_read.hpp"
#include "models/spiking/cuba.hpp"
#include "run_binary.hpp"

#include <catch2/catch_test_macros.hpp>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using moesim::testing::H5File;
using moesim::testing::read_u64;
using moesim::testing::sonata_sorting;
using moesim::testing::run_moesim;
namespace fs = std::filesystem;

namespace {

std::map<std::string, std::string> key_values(const std::string& out) {
  std::map<std::string, std::string> kv;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    const auto sp = line.find(' ');
    if (sp != std::string::npos) kv[line.substr(0, sp)] = line.substr(sp + 1);
  }
  return kv;
}

}  // namespace

TEST_CASE("moesim snn prints the DESIGN lines, equal to run_cuba's", "[spiking]") {
  const auto r = run_moesim({"snn", "--preset", "cuba", "--duration", "0.3", "--seed", "7"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto kv = key_values(r.out);
  for (const char* key : {"rate_hz", "isi_cv", "spikes", "synaptic_events"}) REQUIRE(kv.count(key));
  moesim::spiking::CubaConfig c;
  c.seed = 7;
  c.duration_ms = 300.0;
  const auto ref = moesim::spiking::run_cuba(Kokkos::DefaultHostExecutionSpace(), c);
  CHECK(std::stoull(kv["spikes"]) == ref.spikes);
  CHECK(std::stoull(kv["synaptic_events"]) == ref.synaptic_events);
  CHECK(std::abs(std::stod(kv["rate_hz"]) - ref.rate_hz) < 1e-8 * ref.rate_hz);
  CHECK(std::abs(std::stod(kv["isi_cv"]) - ref.isi_cv) < 1e-8);
  CHECK(std::abs(std::stod(kv["rate_hz"]) - double(ref.spikes) / 4000.0 / 0.3) < 1e-6);
  CHECK(kv["neurons"] == "4000");
  // The four contract lines come first, in order.
  CHECK(r.out.rfind("rate_hz ", 0) == 0);
  CHECK(r.out.find("isi_cv ") < r.out.find("spikes "));
  CHECK(r.out.find("spikes ") < r.out.find("synaptic_events "));
}

TEST_CASE("moesim snn rejects bad usage before any work", "[spiking]") {
  const auto unknown = run_moesim({"snn", "--preset", "nope"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("nope") != std::string::npos);
  CHECK(unknown.err.find("cuba") != std::string::npos);
  CHECK(unknown.out.empty());
  const auto missing = run_moesim({"snn"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("--preset") != std::string::npos);
  for (const char* d : {"0", "-1", "nan", "inf", "1e9", "abc", "0.00001"}) {
    const auto bad = run_moesim({"snn", "--preset", "cuba", "--duration", d});
    INFO("duration " << d << ": " << bad.err);
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("duration") != std::string::npos);
    CHECK(bad.out.empty());
  }
  const auto dir = moesim::testing::temp_dir("snn_unwritable");
  const std::string path = (dir / "no_such_dir" / "x.h5").string();
  const auto unwritable = run_moesim({"snn", "--preset", "cuba", "--output", path});
  CHECK(unwritable.exit_code == 2);
  CHECK(unwritable.err.find(path) != std::string::npos);
  CHECK(unwritable.out.empty());
  CHECK_FALSE(fs::exists(path + ".partial"));
  CHECK(run_moesim({"snn", "--preset", "cuba", "--threads", "0"}).exit_code == 2);
  const auto precision = run_moesim({"snn", "--preset", "cuba", "--precision", "fp16"});
  CHECK(precision.exit_code == 2);
  CHECK(precision.err.find("fp16") != std::string::npos);
  CHECK(precision.err.find("fp32") != std::string::npos);
  const auto help = run_moesim({"snn", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--preset") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("moesim snn writes SONATA spikes, identical on 1 and 2 threads in fp64 and fp32", "[spiking]") {
  const auto dir = moesim::testing::temp_dir("snn_sonata");
  std::vector<std::string> outs;
  std::vector<std::vector<double>> times;
  std::vector<std::vector<std::uint64_t>> ids;
  // fp64 on 1 and 2 threads, then fp32 on 1 and 2 threads.
  for (const char* run : {"fp64:1", "fp64:2", "fp32:1", "fp32:2"}) {
    const std::string precision = std::string(run).substr(0, 4), threads = std::string(run).substr(5);
    const std::string path = (dir / ("cuba_" + precision + "_t" + threads + ".h5")).string();
    const auto r = run_moesim({"snn", "--preset", "cuba", "--duration", "0.25", "--seed", "3", "--threads", threads,
                               "--precision", precision, "--output", path});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(fs::exists(path));
    CHECK_FALSE(fs::exists(path + ".partial"));
    auto kv = key_values(r.out);
    CHECK(kv["threads"] == threads);
    outs.push_back("rate_hz " + kv["rate_hz"] + " isi_cv " + kv["isi_cv"] + " spikes " + kv["spikes"] +
                   " synaptic_events " + kv["synaptic_events"]);
    H5File f(path);
    CHECK(f.string_attr("/", "status") == "complete");
    CHECK(f.exists("/config"));
    REQUIRE(f.exists("/spikes/cuba/timestamps"));
    REQUIRE(f.exists("/spikes/cuba/node_ids"));
    CHECK(f.string_attr("/spikes/cuba/timestamps", "units") == "ms");
    CHECK(sonata_sorting(f, "/spikes/cuba") == "by_time=2");
    times.push_back(f.doubles("/spikes/cuba/timestamps"));
    ids.push_back(read_u64(f, "/spikes/cuba/node_ids"));
    const auto& t = times.back();
    const auto& n = ids.back();
    REQUIRE(t.size() == n.size());
    CHECK(t.size() == std::stoull(kv["spikes"]));
    bool sorted = true, in_range = true, on_grid = true;
    for (std::size_t k = 0; k < t.size(); ++k) {
      if (k > 0) sorted = sorted && (t[k - 1] < t[k] || (t[k - 1] == t[k] && n[k - 1] < n[k]));
      in_range = in_range && n[k] < 4000 && t[k] >= 0.0 && t[k] < 250.0;
      on_grid = on_grid && std::abs(t[k] / 0.1 - std::round(t[k] / 0.1)) < 1e-6;
    }
    CHECK(sorted);
    CHECK(in_range);
    CHECK(on_grid);
  }
  CHECK(outs[0] == outs[1]);
  CHECK(times[0] == times[1]);
  CHECK(ids[0] == ids[1]);
  CHECK(outs[2] == outs[3]);
  CHECK(times[2] == times[3]);
  CHECK(ids[2] == ids[3]);
  CHECK(ids[0] != ids[2]);  // fp32 is another trajectory of the same network
  fs::remove_all(dir);
}

TEST_CASE("moesim snn --preset cuba matches check_values over ten seeds", "[spiking]") {
  // check_values.md, 11 seeds of Brian2: mean rate 5.70 Hz (5.50-6.15), ISI CV
  // 0.53 (0.51-0.55), ~22.8 k spikes, ~1.8 M synaptic events; single runs vary
  // by ±6%, so means over 10 seeds are compared within 5% and single runs
  // within wider bounds.
  double rate = 0, cv = 0, spikes = 0, events = 0;
  const int seeds = 10;
  for (int s = 1; s <= seeds; ++s) {
    const auto r = run_moesim({"snn", "--preset", "cuba", "--seed", std::to_string(s)});
    REQUIRE(r.exit_code == 0);
    auto kv = key_values(r.out);
    const double x = std::stod(kv["rate_hz"]), y = std::stod(kv["isi_cv"]);
    INFO("seed " << s << " " << r.out);
    CHECK(x > 4.8);
    CHECK(x < 6.8);
    CHECK(y > 0.45);
    CHECK(y < 0.62);
    rate += x / seeds;
    cv += y / seeds;
    spikes += std::stod(kv["spikes"]) / seeds;
    events += std::stod(kv["synaptic_events"]) / seeds;
  }
  INFO("mean rate " << rate << " cv " << cv << " spikes " << spikes << " events " << events);
  CHECK(std::abs(rate - 5.70) < 0.05 * 5.70);
  CHECK(std::abs(cv - 0.53) < 0.05 * 0.53);
  CHECK(std::abs(spikes - 22800.0) < 0.05 * 22800.0);
  CHECK(std::abs(events - 1.8e6) < 0.05 * 1.8e6);
}

TEST_CASE("SIGTERM stops moesim snn with exit 143 and an interrupted partial trace", "[spiking]") {
  const auto dir = moesim::testing::temp_dir("snn_sigterm");
  const std::string out = (dir / "out.txt").string(), err = (dir / "err.txt").string();
  // 3600 s simulated would take minutes: the signal must stop it.
  const pid_t pid = moesim::testing::spawn_moesim(
      {"snn", "--preset", "cuba", "--duration", "3600", "--threads", "1", "--output", "s.h5"}, out, err,
      dir.string());
  for (int i = 0; i < 1200 && !fs::exists(dir / "s.h5.partial"); ++i) ::usleep(50000);
  ::usleep(300000);
  ::kill(pid, SIGTERM);
  CHECK(moesim::testing::wait_exit_code(pid) == 143);
  CHECK_FALSE(fs::exists(dir / "s.h5"));
  REQUIRE(fs::exists(dir / "s.h5.partial"));
  H5File f((dir / "s.h5.partial").string());
  CHECK(f.string_attr("/", "status") == "interrupted");
  REQUIRE(f.exists("/spikes/cuba/timestamps"));
  const auto t = f.doubles("/spikes/cuba/timestamps");
  CHECK(!t.empty());
  CHECK(t.back() < 3600e3);
  fs::remove_all(dir);
}
