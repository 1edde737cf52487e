// Swarm optimizers (issue 4): test functions, the Optimizer invariants for
// every algorithm, ring-PSO's speed on the sphere against pagmo's figures,
// determinism, MAX-MIN ant system, and the `moesim swarm` command.
#include "core/error.hpp"
#include "models/swarm/algorithms.hpp"
#include "models/swarm/mmas.hpp"
#include "models/swarm/swarm_run.hpp"
#include "models/swarm/test_functions.hpp"
#include "run_binary.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/generators/catch_generators_range.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <sstream>

using namespace moesim::swarm;
using Catch::Generators::from_range;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::WithinAbs;

namespace {

// Wraps a problem; counts evaluations and records any point outside the box.
class WatchedProblem final : public Problem {
 public:
  explicit WatchedProblem(const Problem& inner)
      : Problem(inner.name(), inner.lower_bounds(), inner.upper_bounds()), inner_(inner) {}
  double value(const double* x) const override {
    count_.fetch_add(1);
    for (std::size_t d = 0; d < dimension(); ++d)
      if (!(x[d] >= lower(d) && x[d] <= upper(d))) out_of_box_.fetch_add(1);
    return inner_.value(x);
  }
  std::size_t count() const { return count_.load(); }
  std::size_t out_of_box() const { return out_of_box_.load(); }

 private:
  const Problem& inner_;
  mutable std::atomic<std::size_t> count_{0}, out_of_box_{0};
};

OptimizerSettings settings(std::size_t budget, std::uint64_t seed, std::size_t pop = 20) {
  OptimizerSettings s;
  s.budget = budget;
  s.seed = seed;
  s.population = pop;
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

TEST_CASE("swarm test functions have their known minima and values", "[swarm]") {
  for (const auto& t : test_functions()) {
    for (std::size_t dim : {2, 10, 30}) {
      const auto p = make_test_problem(t.name, dim);
      REQUIRE(p->dimension() == dim);
      REQUIRE(p->lower(0) == t.lower);
      REQUIRE(p->upper(dim - 1) == t.upper);
      std::vector<double> x(dim, t.argmin);
      INFO(t.name << " D=" << dim);
      CHECK_THAT(p->value(x.data()), WithinAbs(0.0, 1e-9 * static_cast<double>(dim)));
      // Away from the minimiser the value is clearly positive.
      std::vector<double> y(dim, t.argmin + 0.5);
      CHECK(p->value(y.data()) > 1e-3);
    }
  }
  const double a[3] = {1.0, 2.0, -2.0};
  CHECK(sphere(a, 3) == 9.0);
  CHECK_THAT(rastrigin(a, 3), WithinAbs(9.0, 1e-12));  // integer points: Σ x²
  const double z[2] = {0.0, 0.0};
  CHECK(rosenbrock(z, 2) == 1.0);
  const double r[2] = {1.0, 2.0};
  CHECK(rosenbrock(r, 2) == 100.0);  // 100 (2 - 1)² + 0
  CHECK_THAT(ackley(z, 2), WithinAbs(0.0, 1e-14));
  CHECK_THAT(griewank(r, 2), WithinAbs(1.0 + 5.0 / 4000.0 - std::cos(1.0) * std::cos(2.0 / std::sqrt(2.0)), 1e-15));
  // DESIGN.md §3 bounds.
  CHECK(make_test_problem("sphere", 3)->upper(0) == 5.12);
  CHECK(make_test_problem("rastrigin", 3)->lower(0) == -5.12);
  CHECK(make_test_problem("rosenbrock", 3)->lower(0) == -5.0);
  CHECK(make_test_problem("rosenbrock", 3)->upper(0) == 10.0);
  CHECK(make_test_problem("ackley", 3)->lower(0) == -15.0);
  CHECK(make_test_problem("ackley", 3)->upper(0) == 30.0);
  CHECK(make_test_problem("griewank", 3)->upper(0) == 600.0);
  CHECK(make_test_problem("schwefel", 3)->lower(0) == -500.0);
  CHECK_THROWS_AS(make_test_problem("sphere", 0), moesim::UsageError);
  CHECK_THROWS_AS(make_test_problem("rosenbrock", 1), moesim::UsageError);
  CHECK_THROWS_WITH(make_test_problem("bogus", 3), ContainsSubstring("rastrigin"));
}

TEST_CASE("batched evaluation equals one-by-one evaluation", "[swarm]") {
  const auto p = make_test_problem("rastrigin", 7);
  std::vector<double> x(33 * 7), f(33);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37 * static_cast<double>(i)) * 5.0;
  p->evaluate(HostSpace(), x.data(), 33, f.data());
  for (std::size_t i = 0; i < 33; ++i) CHECK(f[i] == p->value(&x[i * 7]));
}

TEST_CASE("every swarm optimizer keeps to the box, the budget and a monotone best", "[swarm]") {
  const std::string algo = GENERATE(from_range(algorithm_names()));
  const std::string prob = GENERATE(std::string("rastrigin"), std::string("schwefel"), std::string("rosenbrock"));
  const std::size_t budget = GENERATE(std::size_t{7}, std::size_t{1037}, std::size_t{6001});
  INFO(algo << " on " << prob << " budget " << budget);
  const auto inner = make_test_problem(prob, 6);
  WatchedProblem p(*inner);
  auto opt = make_optimizer(algo, p, settings(budget, 11));
  REQUIRE(opt->evaluations() == 0);
  std::size_t steps = 0;
  while (opt->step()) {
    ++steps;
    REQUIRE(opt->evaluations() <= budget);
  }
  CHECK(opt->evaluations() == budget);  // the whole budget is used, never more
  CHECK(p.count() == budget);           // the problem saw exactly that many
  CHECK(p.out_of_box() == 0);
  CHECK_FALSE(opt->step());
  CHECK(opt->evaluations() == budget);
  const auto& h = opt->history();
  REQUIRE(h.size() >= 1);
  for (std::size_t i = 1; i < h.size(); ++i) REQUIRE(h[i] <= h[i - 1]);
  CHECK(h.back() == opt->best_value());
  CHECK_THAT(p.value(opt->best_position().data()), WithinAbs(opt->best_value(), 0.0));
  for (std::size_t d = 0; d < 6; ++d) {
    CHECK(opt->best_position()[d] >= p.lower(d));
    CHECK(opt->best_position()[d] <= p.upper(d));
  }
}

TEST_CASE("every swarm optimizer reaches 1e-8 on the 10-D sphere", "[swarm]") {
  // Budgets: PSO family well above ring PSO's ~5700 evaluations (check_values.md);
  // the bee colonies change one coordinate per candidate and need more.
  const std::string algo = GENERATE(from_range(algorithm_names()));
  std::size_t budget = 30000;
  if (algo == "abc" || algo == "cnsabc") budget = 150000;
  const auto p = make_test_problem("sphere", 10);
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    auto opt = make_optimizer(algo, *p, settings(budget, seed));
    opt->run();
    INFO(algo << " seed " << seed << " best " << opt->best_value() << " reached at "
              << opt->evaluations_to_reach(1e-8));
    CHECK(opt->best_value() <= 1e-8);
  }
}

TEST_CASE("ring PSO reaches 1e-8 on the 10-D sphere as fast as pagmo's pso", "[swarm]") {
  // check_values.md: pagmo's ring PSO needs a median of 5685 evaluations
  // (Q1 5569, Q3 5885; 25 seeds). Our 25-seed median must lie in that band,
  // widened a little.
  const auto p = make_test_problem("sphere", 10);
  std::vector<double> hits;
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    auto opt = make_optimizer("pso", *p, settings(20000, seed));
    opt->run();
    const std::size_t hit = opt->evaluations_to_reach(1e-8);
    REQUIRE(hit > 0);
    hits.push_back(static_cast<double>(hit));
  }
  const double m = median(hits);
  INFO("median evaluations to 1e-8: " << m);
  CHECK(m >= 5400);
  CHECK(m <= 6050);
}

TEST_CASE("swarm optimizers are deterministic for a seed", "[swarm]") {
  const std::string algo = GENERATE(from_range(algorithm_names()));
  const auto p = make_test_problem("ackley", 8);
  auto a = make_optimizer(algo, *p, settings(4000, 5));
  auto b = make_optimizer(algo, *p, settings(4000, 5));
  auto c = make_optimizer(algo, *p, settings(4000, 6));
  a->run();
  b->run();
  c->run();
  CHECK(a->history() == b->history());
  CHECK(a->best_position() == b->best_position());
  CHECK(a->history() != c->history());
}

TEST_CASE("ABC: textbook and pagmo scout behaviours differ only after a scout", "[swarm]") {
  const auto p = make_test_problem("rastrigin", 10);
  AbcParams textbook, pagmo;
  pagmo.keep_old_fitness_after_scout = true;
  // Within the first generations no source has reached the limit: identical runs.
  auto a = make_abc(*p, settings(20 + 40 * 4, 3), textbook);
  auto b = make_abc(*p, settings(20 + 40 * 4, 3), pagmo);
  a->run();
  b->run();
  CHECK(a->history() == b->history());
  // Over a long run scouts happen and the trajectories part.
  auto c = make_abc(*p, settings(40000, 3), textbook);
  auto d = make_abc(*p, settings(40000, 3), pagmo);
  c->run();
  d->run();
  CHECK(c->history() != d->history());
}

TEST_CASE("MAX-MIN ant system finds the optimal tour of a small TSP", "[swarm]") {
  // 8 cities at pseudo-random positions; the optimum by brute force over 7!.
  const std::size_t n = 8;
  std::vector<double> px(n), py(n);
  for (std::size_t i = 0; i < n; ++i) {
    px[i] = moesim::Philox::uniform({99, 1}, i) * 100.0;
    py[i] = moesim::Philox::uniform({99, 2}, i) * 100.0;
  }
  std::vector<double> dist(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) dist[i * n + j] = std::hypot(px[i] - px[j], py[i] - py[j]);
  std::vector<std::size_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  double optimum = 1e300;
  do {
    double L = 0;
    for (std::size_t s = 0; s < n; ++s) L += dist[perm[s] * n + perm[(s + 1) % n]];
    optimum = std::min(optimum, L);
  } while (std::next_permutation(perm.begin() + 1, perm.end()));

  Mmas colony(dist, n, MmasParams{}, 4);
  const double nn_length = colony.best_length();
  colony.run(300);
  CHECK_THAT(colony.best_length(), WithinAbs(optimum, 1e-9));
  CHECK(colony.best_length() <= nn_length);
  // The best tour is a permutation with the reported length.
  auto tour = colony.best_tour();
  CHECK_THAT(colony.tour_length(tour), WithinAbs(colony.best_length(), 1e-12));
  std::sort(tour.begin(), tour.end());
  for (std::size_t i = 0; i < n; ++i) CHECK(tour[i] == i);
  // Trails stay in [τ_min, τ_max] with the published bounds.
  const auto lim = colony.limits();
  const auto expect = mmas_trail_limits(0.02, colony.best_length(), n, 0.05);
  CHECK(lim.tau_max == expect.tau_max);
  CHECK_THAT(lim.tau_max, WithinAbs(1.0 / (0.02 * colony.best_length()), 1e-12));
  const double p_dec = std::pow(0.05, 1.0 / 8.0);
  CHECK_THAT(lim.tau_min, WithinAbs(lim.tau_max * (1 - p_dec) / (3.0 * p_dec), 1e-12));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      CHECK(colony.pheromone()[i * n + j] >= lim.tau_min - 1e-15);
      CHECK(colony.pheromone()[i * n + j] <= lim.tau_max + 1e-15);
    }
  // Determinism.
  Mmas again(dist, n, MmasParams{}, 4);
  again.run(300);
  CHECK(again.pheromone() == colony.pheromone());
  CHECK_THROWS_AS(Mmas(std::vector<double>(4, 1.0), 2), moesim::UsageError);
  MmasParams bad;
  bad.rho = 0;
  CHECK_THROWS_AS(Mmas(dist, n, bad), moesim::UsageError);
}

TEST_CASE("run_swarm validates its request and prints the contract lines", "[swarm]") {
  SwarmRequest r;
  r.algo = "pso";
  r.problem = "sphere";
  r.dim = 5;
  r.evals = 1234;
  const auto res = run_swarm(r);
  CHECK(res.evals == 1234);
  std::ostringstream out;
  print_result(out, r, res);
  CHECK_THAT(out.str(), ContainsSubstring("\nevals 1234\n"));
  CHECK(out.str().rfind("best ", 0) == 0);
  r.algo = "nope";
  CHECK_THROWS_WITH(validate(r), ContainsSubstring("pso, pso-gbest, qpso, acor, abc, cnsabc, abc-pso"));
  r.algo = "abc";
  r.evals = 0;
  CHECK_THROWS_AS(validate(r), moesim::UsageError);
  r.evals = 10;
  r.pop = 1;
  CHECK_THROWS_AS(validate(r), moesim::UsageError);
}

TEST_CASE("moesim swarm prints best and evals, the same for 1 and 2 threads", "[swarm][cli]") {
  using moesim::testing::run_moesim;
  const std::string algo = GENERATE(from_range(algorithm_names()));
  INFO(algo);
  std::string outputs[2];
  for (int t = 0; t < 2; ++t) {
    const auto r = run_moesim({"swarm", "--algo", algo, "--problem", "rastrigin", "--dim", "10", "--evals",
                               "5001", "--seed", "4", "--threads", t == 0 ? "1" : "2"});
    REQUIRE(r.exit_code == 0);
    INFO(r.out << r.err);
    std::istringstream in(r.out);
    std::string line, best_line, evals_line;
    while (std::getline(in, line)) {
      if (line.rfind("best ", 0) == 0) best_line = line;
      if (line.rfind("evals ", 0) == 0) evals_line = line;
    }
    CHECK(evals_line == "evals 5001");
    REQUIRE(best_line.size() > 5);
    const std::string value = best_line.substr(5);
    std::size_t digits = 0;
    for (char ch : value.substr(0, value.find_first_of("eE")))
      if (std::isdigit(static_cast<unsigned char>(ch))) ++digits;
    CHECK(digits >= 12);
    CHECK(std::stod(value) > 0);
    outputs[t] = best_line;
  }
  CHECK(outputs[0] == outputs[1]);
}

TEST_CASE("moesim swarm exits 2 on bad input, naming the accepted values", "[swarm][cli]") {
  using moesim::testing::run_moesim;
  auto r = run_moesim({"swarm", "--algo", "bogus", "--problem", "sphere", "--dim", "3", "--evals", "100"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("abc-pso"));
  r = run_moesim({"swarm", "--algo", "pso", "--problem", "bogus", "--dim", "3", "--evals", "100"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("schwefel"));
  r = run_moesim({"swarm", "--algo", "pso", "--problem", "rosenbrock", "--dim", "1", "--evals", "100"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("--dim"));
  r = run_moesim({"swarm", "--algo", "pso", "--problem", "sphere", "--dim", "3", "--evals", "0"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("--evals"));
  r = run_moesim({"swarm", "--algo", "pso", "--problem", "sphere", "--dim", "-3", "--evals", "100"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("--dim -3"));
  r = run_moesim({"swarm", "--algo", "pso", "--problem", "sphere", "--dim", "3", "--evals", "ten"});
  CHECK(r.exit_code == 2);
  r = run_moesim({"swarm", "--algo", "pso", "--problem", "sphere", "--dim", "3"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, ContainsSubstring("--evals"));
  r = run_moesim({"swarm", "--help"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, ContainsSubstring("moesim swarm --algo pso"));
}
