// `moesim run` end to end through the real executable: the trace read back
// with the HDF5 C API against the run's configuration, bit-identical traces
// for 1 and 2 threads, every bad-input exit code of DESIGN.md §3, no
// clobbering of earlier output, and SIGTERM → "interrupted" + exit 143.
#include "h5_read.hpp"
#include "run_binary.hpp"

#include <zlib.h>

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <cmath>
#include <thread>

using namespace moesim::testing;
namespace fs = std::filesystem;

namespace {
// A small but complete experiment: 3 variants, 2 seeds, 2 layers.
std::vector<std::string> tiny(const std::string& out) {
  return {"run",
          "--output", out,
          "--set", "experiment.variants=switch,soft_moe,expert_choice",
          "--set", "experiment.seeds=1,2",
          "--set", "data.examples=1200", "--set", "data.dim=8",
          "--set", "model.d_model=16", "--set", "model.d_ff=16", "--set", "model.experts=4",
          "--set", "train.steps=20", "--set", "train.batch_size=64", "--set", "train.eval_every=10",
          "--set", "trace.assignment_tokens=8"};
}
std::vector<std::string> with(std::vector<std::string> args, const std::string& set) {
  args.push_back("--set");
  args.push_back(set);
  return args;
}
}  // namespace

TEST_CASE("run writes a complete trace that matches its configuration", "[run][trace]") {
  const auto dir = temp_dir("run_trace");
  const std::string out = (dir / "t.h5").string();
  const auto r = run_moesim(tiny(out));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".partial"));
  // The comparison table names every variant.
  for (const char* v : {"switch", "soft_moe", "expert_choice"}) CHECK(r.out.find(v) != std::string::npos);

  H5File f(out);
  CHECK(f.string_attr("/", "status") == "complete");
  CHECK(f.number_attr("/", "schema_version") == 1);
  CHECK(f.number_attr("/", "seed") == 1);
  CHECK(f.string_dataset("/config").find("experts = 4") != std::string::npos);
  for (const char* v : {"switch", "soft_moe", "expert_choice"}) {
    const std::string run = std::string("/runs/") + v;
    CHECK(f.string_attr(run, "router") == v);
    CHECK(f.number_attr(run, "num_experts") == 4);
    CHECK(f.shape(run + "/train/step") == std::vector<hsize_t>{20});
    CHECK(f.shape(run + "/train/loss") == std::vector<hsize_t>{2, 20});
    CHECK(f.shape(run + "/eval/step") == std::vector<hsize_t>{2});
    CHECK(f.doubles(run + "/eval/step") == std::vector<double>{10, 20});
    CHECK(f.shape(run + "/eval/accuracy") == std::vector<hsize_t>{2, 2});
    CHECK(f.shape(run + "/test/accuracy") == std::vector<hsize_t>{2});
    CHECK(f.shape(run + "/routing/expert_load") == std::vector<hsize_t>{2, 20, 2, 4});
    CHECK(f.shape(run + "/routing/specialization")[1] == 2);
    CHECK(f.string_attr(run + "/train/loss", "units") == "1");
    CHECK(f.string_attr(run + "/train/energy", "units") == "J");
    for (double loss : f.doubles(run + "/train/loss")) CHECK(std::isfinite(loss));
    for (double acc : f.doubles(run + "/test/accuracy")) {
      CHECK(acc >= 0.0);
      CHECK(acc <= 1.0);
    }
    // Loads after capacity never exceed the tokens of a batch times k.
    for (double load : f.doubles(run + "/routing/expert_load")) CHECK(load <= 64 * 2 + 1e-9);
    CHECK(f.shape(run + "/routing/assignments/expert")[0] > 0);
  }
  // Expert choice: every expert takes exactly its capacity, ceil(1.25·64·2/4) = 40.
  for (double load : f.doubles("/runs/expert_choice/routing/expert_load")) CHECK(load == 40.0);
  CHECK(f.shape("/summary") == std::vector<hsize_t>{3});
}

TEST_CASE("same seed gives a bit-identical trace for 1 and 2 threads", "[run][determinism]") {
  const auto dir = temp_dir("run_det");
  const std::string a = (dir / "a.h5").string(), b = (dir / "b.h5").string(), c = (dir / "c.h5").string();
  auto args_a = tiny(a), args_b = tiny(b), args_c = tiny(c);
  args_a.insert(args_a.end(), {"--threads", "1"});
  args_b.insert(args_b.end(), {"--threads", "2"});
  args_c.insert(args_c.end(), {"--threads", "2"});
  REQUIRE(run_moesim(args_a).exit_code == 0);
  REQUIRE(run_moesim(args_b).exit_code == 0);
  REQUIRE(run_moesim(args_c).exit_code == 0);
  H5File fa(a), fb(b), fc(c);
  for (const char* v : {"switch", "soft_moe", "expert_choice"})
    for (const char* ds : {"train/loss", "train/accuracy", "train/aux_loss", "train/z_loss",
                           "train/load_cv", "train/routing_entropy", "train/tokens_dropped",
                           "eval/loss", "eval/mutual_information", "test/accuracy", "test/loss",
                           "routing/expert_load", "routing/specialization",
                           "routing/assignments/weight", "routing/assignments/expert"}) {
      const std::string path = std::string("/runs/") + v + "/" + ds;
      INFO(path);
      const auto va = fa.doubles(path);
      CHECK(va == fb.doubles(path));
      CHECK(va == fc.doubles(path));
    }
}

TEST_CASE("bad configuration exits 2 naming the key, before any output", "[run][errors]") {
  const auto dir = temp_dir("run_bad");
  const std::string out = (dir / "bad.h5").string();
  struct Case { std::string set, expect; };
  for (const auto& c : std::vector<Case>{{"model.router=nonesuch", "model.router"},
                                          {"model.top_k=9", "model.top_k"},
                                          {"model.experts=0", "model.experts"},
                                          {"model.capacity_factor=0", "model.capacity_factor"},
                                          {"model.bogus_key=1", "model.bogus_key"},
                                          {"train.steps=ten", "train.steps"}}) {
    INFO(c.set);
    const auto r = run_moesim(with({"run", "--output", out}, c.set));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.expect) != std::string::npos);
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(out + ".partial"));
  }
  // A router's own cross-key rule is checked before any work too.
  const auto groups = run_moesim({"run", "--output", out, "--set", "experiment.variants=hierarchical",
                                  "--set", "router.groups=3"});
  CHECK(groups.exit_code == 2);
  CHECK(groups.err.find("router.groups") != std::string::npos);
  CHECK_FALSE(fs::exists(out + ".partial"));
  // An unknown router lists the accepted ones.
  CHECK(run_moesim({"run", "--output", out, "--set", "model.router=nonesuch"}).err.find("switch") !=
        std::string::npos);
  // Unwritable output path: found before any work.
  const auto r = run_moesim({"run", "--output", "/nonexistent_dir_moesim/x.h5"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("/nonexistent_dir_moesim") != std::string::npos);
}

TEST_CASE("bad data files exit 3 naming the file", "[run][errors]") {
  const auto dir = temp_dir("run_data");
  const std::string out = (dir / "d.h5").string();
  auto fm = [&](const std::string& path) {
    return run_moesim({"run", "--output", out, "--set", "data.name=fashion-mnist", "--set",
                       "data.path=" + path});
  };
  auto missing = fm((dir / "no_such_dir").string());
  CHECK(missing.exit_code == 3);
  CHECK(missing.err.find("no_such_dir") != std::string::npos);

  // Wrong magic number and truncated pixel data in otherwise complete sets.
  auto write_gz = [](const fs::path& p, const std::vector<unsigned char>& bytes) {
    gzFile g = gzopen(p.string().c_str(), "wb");
    gzwrite(g, bytes.data(), unsigned(bytes.size()));
    gzclose(g);
  };
  auto be32 = [](std::vector<unsigned char>& v, unsigned x) {
    for (int s = 24; s >= 0; s -= 8) v.push_back((x >> s) & 0xff);
  };
  auto make_set = [&](const fs::path& d, unsigned image_magic, std::size_t pixels) {
    fs::create_directories(d);
    for (const char* split : {"train", "t10k"}) {
      std::vector<unsigned char> img, lab;
      be32(img, image_magic); be32(img, 4); be32(img, 28); be32(img, 28);
      img.resize(img.size() + pixels, 7);
      be32(lab, 2049); be32(lab, 4);
      lab.insert(lab.end(), {0, 1, 2, 3});
      write_gz(d / (std::string(split) + "-images-idx3-ubyte.gz"), img);
      write_gz(d / (std::string(split) + "-labels-idx1-ubyte.gz"), lab);
    }
  };
  make_set(dir / "magic", 1234, 4 * 784);
  auto magic = fm((dir / "magic").string());
  CHECK(magic.exit_code == 3);
  CHECK(magic.err.find("images-idx3-ubyte") != std::string::npos);
  make_set(dir / "trunc", 2051, 1000);
  auto trunc = fm((dir / "trunc").string());
  CHECK(trunc.exit_code == 3);
  CHECK(trunc.err.find("images-idx3-ubyte") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("NaN in training exits 1 naming variant and step, and never clobbers", "[run][errors]") {
  const auto dir = temp_dir("run_nan");
  const std::string out = (dir / "keep.h5").string();
  { std::ofstream(out) << "earlier result"; }
  auto args = tiny(out);
  args.insert(args.end(), {"--set", "train.lr=1e30", "--set", "train.grad_clip=0", "--set",
                           "experiment.variants=switch"});
  const auto r = run_moesim(args);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("switch") != std::string::npos);
  CHECK(r.err.find("step") != std::string::npos);
  CHECK(slurp(out) == "earlier result");
  REQUIRE(fs::exists(out + ".partial"));
  CHECK(H5File(out + ".partial").string_attr("/", "status") == "failed");
}

TEST_CASE("a successful run replaces an older trace", "[run]") {
  const auto dir = temp_dir("run_replace");
  const std::string out = (dir / "t.h5").string();
  { std::ofstream(out) << "old"; }
  REQUIRE(run_moesim(with(tiny(out), "experiment.variants=hash")).exit_code == 0);
  CHECK(H5File(out).string_attr("/", "status") == "complete");
}

TEST_CASE("SIGTERM stops at a step boundary: interrupted trace, exit 143", "[run][signals]") {
  const auto dir = temp_dir("run_term");
  const std::string out = (dir / "t.h5").string();
  { std::ofstream(out) << "old"; }
  auto args = with(with(tiny(out), "train.steps=100000"), "experiment.variants=switch");
  const pid_t pid = spawn_moesim(args, (dir / "o").string(), (dir / "e").string());
  // Wait until training has started (the .partial exists), then signal.
  for (int i = 0; i < 600 && !fs::exists(out + ".partial"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(pid, SIGTERM);
  CHECK(wait_exit_code(pid) == 143);
  CHECK(slurp(out) == "old");
  REQUIRE(fs::exists(out + ".partial"));
  CHECK(H5File(out + ".partial").string_attr("/", "status") == "interrupted");
}
