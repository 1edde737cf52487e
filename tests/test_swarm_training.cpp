// Swarm-native router training (issue 4): router parameters leave AdamW and
// change only at swarm rounds; a round installs the best weights it evaluated
// (the incumbent kept unless beaten, so the loss never gets worse within a
// round and never across rounds of a fixed objective); a short PSO-gated run
// learns the Gaussian mixture; the trace is identical for 1 and 2 threads;
// bad keys are usage errors naming the key; the trace has units and dims.
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "datasets/dataset.hpp"
#include "h5_read.hpp"
#include "model/cross_entropy.hpp"
#include "model/moe_model.hpp"
#include "models/register_models.hpp"
#include "models/swarm/swarm_router_optimizer.hpp"
#include "router_test_util.hpp"
#include "run_binary.hpp"
#include "train/adamw.hpp"
#include "train/experiment.hpp"
#include "train/swarm_router_training.hpp"
#include "train/trainer.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

using namespace moesim;
using moesim::testing::usage_message;

namespace {

struct Builtins {
  Registry registry;
  ConfigSchema schema;
  Builtins() { register_builtins(registry, schema); }
};
const Builtins& builtins() {
  static const Builtins b;
  return b;
}

Config make_config(std::vector<std::pair<std::string, std::string>> overrides) {
  overrides.insert(overrides.begin(), {{"data.examples", "1200"}, {"data.dim", "8"}, {"model.d_model", "16"},
                                       {"model.d_ff", "16"}, {"model.experts", "4"}, {"model.top_k", "1"},
                                       {"experiment.variants", "switch"}});
  return Config::resolve(builtins().schema, std::nullopt, overrides);
}

std::vector<double> values_of(const ParameterList& ps) {
  std::vector<double> out;
  for (const Parameter* p : ps) out.insert(out.end(), p->value.data(), p->value.data() + p->size());
  return out;
}

const std::vector<std::string> kSmallRun = {
    "--set", "data.examples=1200", "--set", "data.dim=8",        "--set", "model.d_model=16",
    "--set", "model.d_ff=16",      "--set", "model.experts=4",   "--set", "model.top_k=1",
    "--set", "train.steps=60",     "--set", "train.batch_size=64", "--set", "swarm.every=10",
    "--set", "swarm.population=5", "--set", "swarm.evals_per_round=11", "--set", "swarm.fitness_examples=96"};

std::vector<std::string> small_run(const std::string& out, std::vector<std::string> extra) {
  std::vector<std::string> args{"run", "--output", out, "--set", "experiment.variants=switch,switch_pso",
                                "--set", "variant.switch_pso.router=switch", "--set",
                                "variant.switch_pso.train.router_optimizer=pso"};
  args.insert(args.end(), kSmallRun.begin(), kSmallRun.end());
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace

TEST_CASE("router parameters leave AdamW and change only at swarm rounds", "[swarm]") {
  const auto& b = builtins();
  const Config c = make_config({{"train.router_optimizer", "pso"}, {"swarm.population", "4"},
                                {"swarm.evals_per_round", "9"}, {"swarm.every", "3"},
                                {"swarm.fitness_examples", "64"}, {"swarm.init_radius", "0.5"}});
  const DatasetSplits data = load_dataset(c);
  const std::uint64_t seed = 3;
  MoEModel model(b.registry, model_spec_from_config(c, int(data.train.dim()), data.train.num_classes, seed));
  RouterOptimizerRequest req;
  req.config = &c;
  req.seed = seed;
  RouterSearch search(model, data.validation, b.registry.make_router_optimizer("pso", req), 64);

  const ParameterList all = model.parameters();
  ParameterList router;
  for (int l = 0; l < model.num_layers(); ++l)
    for (Parameter* p : model.layer(l).router().parameters()) router.push_back(p);
  REQUIRE_FALSE(router.empty());
  const ParameterList trained = search.gradient_parameters(all);
  CHECK(trained.size() == all.size() - router.size());
  for (const Parameter* p : router) CHECK(std::find(trained.begin(), trained.end(), p) == trained.end());
  for (const Parameter* p : router) CHECK(std::find(all.begin(), all.end(), p) != all.end());

  AdamWSettings as;
  as.lr = 0.01;
  as.total_steps = 12;
  AdamW adamw(as);
  const int B = 64;
  HostMatrix x("x", B, data.train.dim()), logits("logits", B, data.train.num_classes),
      d_logits("d", B, data.train.num_classes);
  std::vector<int> labels;
  std::vector<std::uint64_t> ids;
  int rounds = 0, changed_rounds = 0;
  for (int step = 1; step <= 12; ++step) {
    std::vector<std::size_t> idx(B);
    std::iota(idx.begin(), idx.end(), std::size_t(step) * B);
    gather_batch(data.train, idx, x, labels, ids);
    RouteContext ctx;
    ctx.training = true;
    ctx.step = std::uint64_t(step);
    ctx.token_ids = ids.data();
    model.zero_grad();
    model.forward(x, ctx, logits);
    cross_entropy(logits, labels, &d_logits);
    model.backward(d_logits, 0.01, 0.001);
    const auto router_before = values_of(router), others_before = values_of(trained);
    adamw.step(trained, step - 1);
    CHECK(values_of(router) == router_before);  // AdamW never touches the gate ...
    CHECK(values_of(trained) != others_before); // ... but trains the rest
    if (search.due(step)) {
      const RouterRoundResult r = search.round(step, seed, nullptr);
      ++rounds;
      CHECK(r.evaluations == 9);
      CHECK(r.best_loss <= r.incumbent_loss);
      const auto installed = values_of(router);
      if (r.improved) {
        CHECK(r.best_loss < r.incumbent_loss);
        CHECK(installed != router_before);
        ++changed_rounds;
      } else {
        CHECK(installed == router_before);
      }
      // The installed weights are the ones whose loss was recorded.
      CHECK(search.fitness(installed.data()) == r.best_loss);
      for (std::size_t i = 0; i < installed.size(); ++i) CHECK(float(installed[i]) == float(r.best[i]));
    }
  }
  CHECK(rounds == 4);
  CHECK(changed_rounds >= 1);
  CHECK(search.evaluations() == 4 * 9 + 4);  // the four re-evaluations above included
}

TEST_CASE("a round installs the best point it evaluated and keeps the incumbent on a fixed objective",
          "[swarm]") {
  for (const std::string algo : {"pso", "qpso", "abc"}) {
    CAPTURE(algo);
    swarm::RouterSwarmSettings s;
    s.algorithm = algo;
    s.population = 6;
    s.evals_per_round = 25;
    s.init_radius = 0.5;
    s.seed = 11;
    swarm::SwarmRouterOptimizer opt(s);
    // A fixed objective: the sphere around 2.0 in 12 dimensions, started at 0.
    std::vector<double> seen;
    const RouterFitness f = [&seen](const double* x) {
      double v = 0;
      for (int i = 0; i < 12; ++i) v += (x[i] - 2.0) * (x[i] - 2.0);
      seen.push_back(v);
      return v;
    };
    std::vector<double> w(12, 0.0);
    double previous = HUGE_VAL;
    for (int round = 0; round < 8; ++round) {
      seen.clear();
      const RouterRoundResult r = opt.round(w, f);
      CHECK(r.evaluations == 25);
      CHECK(seen.size() == 25);
      CHECK(r.incumbent_loss == seen.front());
      CHECK(r.best_loss == *std::min_element(seen.begin(), seen.end()));
      CHECK(r.best_loss <= previous);  // elitist: never worse round over round
      for (double v : r.best) {        // inside the round's box
        CHECK(v >= *std::min_element(w.begin(), w.end()) - 0.5);
        CHECK(v <= *std::max_element(w.begin(), w.end()) + 0.5);
      }
      previous = r.best_loss;
      w = r.best;
    }
    CHECK(previous < 0.5 * 48.0);  // moved clearly toward the optimum from f = 48
    // Started at the optimum, no candidate can beat the incumbent: it is kept exactly.
    seen.clear();
    const std::vector<double> optimum(12, 2.0);
    const RouterRoundResult kept = opt.round(optimum, f);
    CHECK_FALSE(kept.improved);
    CHECK(kept.best == optimum);
    CHECK(kept.best_loss == 0.0);
    CHECK(*std::min_element(seen.begin() + 1, seen.end()) > 0.0);
  }
}

TEST_CASE("bad swarm training keys are usage errors naming the key", "[swarm]") {
  using Catch::Matchers::ContainsSubstring;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"train.router_optimizer", "adam"}, {"swarm.population", "1"},     {"swarm.every", "0"},
      {"swarm.fitness_examples", "0"},    {"swarm.init_radius", "0"},    {"swarm.init_radius", "-1"},
      {"swarm.evals_per_round", "2"},     {"swarm.population", "abc"}};
  for (const auto& [key, value] : bad) {
    CAPTURE(key, value);
    const std::string msg = usage_message([&, k = key, v = value] {
      const Config c = make_config({{"train.router_optimizer", "pso"}, {k, v}});
      validate_experiment(builtins().registry, c);
    });
    CHECK_THAT(msg, ContainsSubstring(key));
  }
  // Cross-key: a round must hold the incumbent and a whole initial swarm.
  CHECK_THAT(usage_message([] {
               const Config c = make_config({{"train.router_optimizer", "pso"}, {"swarm.population", "10"},
                                             {"swarm.evals_per_round", "10"}});
               validate_experiment(builtins().registry, c);
             }),
             ContainsSubstring("swarm.evals_per_round"));
  // A router without parameters cannot be swarm-trained.
  CHECK_THAT(usage_message([] {
               const Config c = make_config({{"train.router_optimizer", "pso"}, {"experiment.variants", "hash"}});
               validate_experiment(builtins().registry, c);
             }),
             ContainsSubstring("train.router_optimizer"));
  // Every algorithm name of `moesim swarm` is accepted; gradient is the default.
  for (const char* algo : {"gradient", "pso", "pso-gbest", "qpso", "acor", "abc", "cnsabc", "abc-pso"}) {
    CAPTURE(algo);
    CHECK_NOTHROW(validate_experiment(builtins().registry, make_config({{"train.router_optimizer", algo}})));
  }
  CHECK(make_config({}).get("train.router_optimizer") == "gradient");
}

TEST_CASE("moesim run traces swarm router training with units and dims and learns the mixture",
          "[swarm][trace]") {
  using namespace moesim::testing;
  const auto dir = temp_dir("swarm_training_trace");
  const std::string out = (dir / "s.h5").string();
  const auto r = run_moesim(small_run(out, {}));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  H5File f(out);
  const std::string g = "/runs/switch_pso/substrate/swarm_training";
  const hsize_t rounds = 6;  // steps 10, 20, ..., 60
  const std::vector<std::pair<std::string, std::string>> sets = {
      {"seed", "1"},          {"step", "1"},        {"incumbent_loss", "nat"},    {"best_loss", "nat"},
      {"evaluations", "1"},   {"evaluations_total", "1"}, {"improved", "1"}, {"update_norm", "1"},
      {"drift_between_rounds", "1"}};
  for (const auto& [name, units] : sets) {
    CAPTURE(name);
    REQUIRE(f.exists(g + "/" + name));
    CHECK(f.shape(g + "/" + name) == std::vector<hsize_t>{rounds});
    CHECK(f.string_attr(g + "/" + name, "units") == units);
  }
  CHECK_FALSE(f.exists("/runs/switch/substrate/swarm_training"));
  const auto step = f.doubles(g + "/step");
  CHECK(step == std::vector<double>{10, 20, 30, 40, 50, 60});
  const auto inc = f.doubles(g + "/incumbent_loss"), best = f.doubles(g + "/best_loss");
  const auto evals = f.doubles(g + "/evaluations"), total = f.doubles(g + "/evaluations_total");
  const auto drift = f.doubles(g + "/drift_between_rounds"), update = f.doubles(g + "/update_norm");
  const auto improved = f.doubles(g + "/improved");
  double improvements = 0;
  for (hsize_t i = 0; i < rounds; ++i) {
    CAPTURE(i);
    CHECK(best[i] <= inc[i]);
    CHECK(evals[i] == 11);
    CHECK(total[i] == 11.0 * double(i + 1));
    CHECK(drift[i] == 0.0);  // nothing but the swarm moved the gate between rounds
    CHECK((improved[i] == 1.0) == (update[i] > 0.0));
    CHECK((improved[i] == 1.0) == (best[i] < inc[i]));
    improvements += improved[i];
  }
  CHECK(improvements >= 1);
  // Clearly above chance (4 classes: 0.25) on validation and test.
  const auto acc = f.doubles("/runs/switch_pso/eval/accuracy");
  REQUIRE_FALSE(acc.empty());
  CHECK(acc.back() > 0.5);
  CHECK(f.doubles("/runs/switch_pso/test/accuracy").front() > 0.45);
}

TEST_CASE("swarm router training gives identical traces for 1 and 2 threads", "[swarm][trace]") {
  using namespace moesim::testing;
  const auto dir = temp_dir("swarm_training_threads");
  std::vector<std::vector<double>> best, inc, eval_loss, update;
  for (const char* threads : {"1", "2"}) {
    const std::string out = (dir / (std::string("t") + threads + ".h5")).string();
    const auto r = run_moesim(small_run(out, {"--threads", threads, "--set", "experiment.variants=switch_pso",
                                              "--set", "train.steps=30", "--set", "experiment.seeds=1,2"}));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    H5File f(out);
    const std::string g = "/runs/switch_pso/substrate/swarm_training";
    best.push_back(f.doubles(g + "/best_loss"));
    inc.push_back(f.doubles(g + "/incumbent_loss"));
    update.push_back(f.doubles(g + "/update_norm"));
    eval_loss.push_back(f.doubles("/runs/switch_pso/eval/loss"));
  }
  CHECK(best[0].size() == 6);  // 3 rounds x 2 seeds
  CHECK(best[0] == best[1]);
  CHECK(inc[0] == inc[1]);
  CHECK(update[0] == update[1]);
  CHECK(eval_loss[0] == eval_loss[1]);
  CHECK(best[0][0] != best[0][3]);  // the two seeds really differ
}
