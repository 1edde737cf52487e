// Spiking experts write their spikes into the run trace (SONATA layout,
// /spikes/<variant>.s<seed>.layer<l>.expert<e>, DESIGN.md §4): directly from a
// bank (every recorded spike is one of the bank's own spikes at the documented
// (step, token slot, simulation step), and with room for every token the count
// equals the bank's hidden-spike count), through RunWriter's appending and
// sorting checks, and from a real `moesim run` (layout, units, node ids,
// sorting, token slots within the expert's load, identical at 1 and 2 threads;
// no /spikes without spiking experts).
#include "models/bio/spiking_experts.hpp"

#include "core/philox.hpp"
#include "h5_read.hpp"
#include "sonata_read.hpp"
#include "run_binary.hpp"
#include "trace/trace_sink.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

using namespace moesim;
using namespace moesim::bio;
using namespace moesim::testing;

namespace {

void check_spike_datasets(const H5File& f, const std::string& pop) {
  REQUIRE(f.exists(pop + "/timestamps"));
  REQUIRE(f.exists(pop + "/node_ids"));
  CHECK(f.string_attr(pop + "/timestamps", "units") == "ms");
  CHECK(f.string_attr(pop + "/node_ids", "units") == "1");
  CHECK(f.string_array_attr(pop + "/timestamps", "dims") == std::vector<std::string>{"spike"});
  CHECK(f.string_array_attr(pop + "/node_ids", "dims") == std::vector<std::string>{"spike"});
  CHECK(sonata_sorting(f, pop) == "by_time=2");
}

bool sorted_by_time(const std::vector<double>& t) {
  for (std::size_t i = 1; i < t.size(); ++i)
    if (t[i] < t[i - 1]) return false;
  return true;
}

}  // namespace

TEST_CASE("spiking experts trace their own spikes at the documented (step, slot, time)", "[experts][trace]") {
  const int E = 3, D = 6, H = 10, T = 5, C = 8, N = 5;  // N: tokens recorded per expert
  ExpertSpec spec;
  spec.num_experts = E;
  spec.d_model = D;
  spec.d_ff = H;
  spec.seed = 11;
  spec.backend = Backend::Reference;
  SpikingExpertOptions opt;
  opt.steps = T;
  opt.lif.threshold = 0.5;
  SpikingExpertBank bank(spec, opt);

  const auto dir = temp_dir("spike_trace_bank");
  const std::string path = (dir / "bank.h5").string();
  RootInfo root;
  root.seeds = {7};
  root.threads = 1;
  TraceSink sink(path, root, 0);
  RunInfo info;
  info.variant = "v";
  info.num_experts = E;
  info.layers = 1;
  info.seeds = {7};
  RunWriter& w = sink.add_run(info);

  // Two traced steps; expert 1 gets no token at step 3, expert 0 more than N at step 6.
  const std::vector<std::int64_t> steps{3, 6};
  const std::vector<std::vector<int>> counts{{4, 0, 7}, {8, 2, 5}};
  std::vector<std::vector<std::vector<float>>> spikes(2);  // [traced step][expert] copy of [T, n, H]
  std::vector<double> bank_spikes(2);
  for (int s = 0; s < 2; ++s) {
    HostTensor3 in("in", E, C, D), out("out", E, C, D);
    const PhiloxKey key{3, std::uint64_t(40 + s)};
    for (int e = 0; e < E; ++e)
      for (int r = 0; r < C; ++r)
        for (int i = 0; i < D; ++i)
          in(e, r, i) = r < counts[s][e] ? float(1.5 * Philox::normal(key, std::uint64_t((e * C + r) * D + i)))
                                         : 0.0f;
    bank.forward(in, counts[s], out);
    bank_spikes[s] = bank.last_events().active_updates;
    for (int e = 0; e < E; ++e) {
      const float* p = bank.last_spikes(e);
      spikes[s].emplace_back(p, p + std::size_t(T) * counts[s][e] * H);
    }
    // Step 3 records every token (N = 8 >= all counts); step 6 at most N.
    bank.write_trace(w, 7, steps[s], {"layer0.expert", s == 0 ? C : N});
  }
  REQUIRE(bank_spikes[0] > 0);
  // Appending must keep the by_time order and the population's sorting.
  CHECK_THROWS_AS(w.write_spikes(7, "layer0.expert0", {0.0}, {0}, 2), std::invalid_argument);
  CHECK_THROWS_AS(w.write_spikes(7, "layer0.expert0", {1e9}, {0}, 0), std::invalid_argument);
  CHECK_THROWS_AS(w.write_spikes(8, "layer0.expert0", {1e9}, {0}, 2), std::invalid_argument);
  sink.finish(TraceStatus::Complete);

  H5File f(path);
  double first_step_total = 0;
  for (int e = 0; e < E; ++e) {
    CAPTURE(e);
    const std::string pop = "/spikes/v.s7.layer0.expert" + std::to_string(e);
    REQUIRE(f.exists(pop));
    check_spike_datasets(f, pop);
    const auto t = f.doubles(pop + "/timestamps");
    const auto id = read_u64(f, pop + "/node_ids");
    REQUIRE(t.size() == id.size());
    CHECK(sorted_by_time(t));
    // Every recorded spike is a spike of the bank at (step, slot k, sim step tt).
    std::vector<std::size_t> per_step(2, 0);
    bool all_match = true;
    for (std::size_t i = 0; i < t.size(); ++i) {
      REQUIRE(id[i] < std::uint64_t(H));
      for (int s = 0; s < 2; ++s) {
        const int n_rec = s == 0 ? C : N;  // the N given at that step
        const double window = double(n_rec) * T * kTraceStepMs;
        const double origin = double(steps[s] - 1) * window;
        if (t[i] < origin || t[i] >= origin + window) continue;
        const auto local = std::int64_t(std::llround((t[i] - origin) / kTraceStepMs));
        const std::int64_t k = local / T, tt = local % T;
        const int n = counts[s][e];
        const bool ok = k < std::min(n, n_rec) &&
                        spikes[s][e][(std::size_t(tt) * n + std::size_t(k)) * H + id[i]] != 0.0f;
        all_match = all_match && ok;
        ++per_step[s];
      }
    }
    CHECK(all_match);
    CHECK(per_step[0] + per_step[1] == t.size());  // every spike lies in a traced step's window
    // Expected counts straight from the bank's spike buffers.
    for (int s = 0; s < 2; ++s) {
      const int n = counts[s][e], rec = std::min(n, s == 0 ? C : N);
      std::size_t expected = 0;
      for (int tt = 0; tt < T; ++tt)
        for (int k = 0; k < rec; ++k)
          for (int j = 0; j < H; ++j) expected += spikes[s][e][(std::size_t(tt) * n + k) * H + j] != 0.0f;
      CHECK(per_step[s] == expected);
    }
    first_step_total += double(per_step[0]);
  }
  // With room for every token, the trace holds all of the bank's hidden spikes.
  CHECK(first_step_total == bank_spikes[0]);
}

TEST_CASE("moesim run writes spiking experts' spikes in SONATA layout, identical at 1 and 2 threads",
          "[experts][trace]") {
  const auto dir = temp_dir("spike_trace_run");
  const int E = 4, H = 12, T = 4, N = 8, layers = 2;
  std::vector<std::vector<double>> times;
  std::vector<std::vector<std::uint64_t>> ids;
  for (const char* threads : {"1", "2"}) {
    CAPTURE(threads);
    const std::string out = (dir / (std::string("s") + threads + ".h5")).string();
    const auto r = run_moesim({"run", "--output", out, "--threads", threads, "--set", "experiment.variants=topk",
                               "--set", "experiment.seeds=5", "--set", "model.expert_type=spiking", "--set",
                               "spiking.steps=4", "--set", "spiking.neurons=12", "--set", "data.examples=400",
                               "--set", "data.dim=8", "--set", "model.d_model=16", "--set", "model.d_ff=16",
                               "--set", "model.experts=4", "--set", "model.layers=2", "--set", "train.steps=6",
                               "--set", "train.batch_size=32", "--set", "train.eval_every=3", "--set",
                               "trace.assignment_tokens=8"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    H5File f(out);
    // routing/expert_load [seed, step, layer, expert]: tokens each expert received.
    const auto train_steps = f.doubles("/runs/topk/train/step");
    const auto load = f.doubles("/runs/topk/routing/expert_load");
    const std::size_t S = train_steps.size();
    REQUIRE(load.size() == S * layers * E);
    std::vector<double> all_t;
    std::vector<std::uint64_t> all_id;
    std::size_t total = 0;
    for (int l = 0; l < layers; ++l)
      for (int e = 0; e < E; ++e) {
        CAPTURE(l, e);
        const std::string pop = "/spikes/topk.s5.layer" + std::to_string(l) + ".expert" + std::to_string(e);
        REQUIRE(f.exists(pop));
        check_spike_datasets(f, pop);
        const auto t = f.doubles(pop + "/timestamps");
        const auto id = read_u64(f, pop + "/node_ids");
        REQUIRE(t.size() == id.size());
        CHECK(sorted_by_time(t));
        bool ids_ok = true, slots_ok = true, steps_ok = true;
        for (std::size_t i = 0; i < t.size(); ++i) {
          ids_ok = ids_ok && id[i] < std::uint64_t(H);
          // Recover (step, token slot) from the timestamp (docs/trace_schema.md).
          const auto local = std::int64_t(std::llround(t[i] / kTraceStepMs));
          const std::int64_t step = local / (N * T) + 1, k = (local % (N * T)) / T;
          steps_ok = steps_ok && (step == 3 || step == 6);
          std::size_t si = S;
          for (std::size_t q = 0; q < S; ++q)
            if (std::llround(train_steps[q]) == step) si = q;
          if (si == S) {
            steps_ok = false;
            continue;
          }
          const double tokens = load[(si * layers + l) * E + e];
          slots_ok = slots_ok && double(k) < std::min(tokens, double(N));
        }
        CHECK(ids_ok);
        CHECK(steps_ok);
        CHECK(slots_ok);
        total += t.size();
        all_t.insert(all_t.end(), t.begin(), t.end());
        all_id.insert(all_id.end(), id.begin(), id.end());
      }
    CHECK(total > 0);
    CHECK_FALSE(f.exists("/spikes/topk.s5.layer0.shared0"));
    times.push_back(all_t);
    ids.push_back(all_id);
  }
  CHECK(times[0] == times[1]);
  CHECK(ids[0] == ids[1]);

  // FFN experts write no spikes.
  const std::string out = (dir / "ffn.h5").string();
  const auto r = run_moesim({"run", "--output", out, "--set", "experiment.variants=topk", "--set",
                             "experiment.seeds=5", "--set", "data.examples=400", "--set", "data.dim=8",
                             "--set", "model.d_model=16", "--set", "model.d_ff=16", "--set", "model.experts=4",
                             "--set", "train.steps=4", "--set", "train.batch_size=32"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  H5File f(out);
  CHECK(f.exists("/runs/topk/routing/assignments/expert"));
  CHECK_FALSE(f.exists("/spikes"));
}
