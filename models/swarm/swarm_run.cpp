#include "models/swarm/swarm_run.hpp"

#include "core/error.hpp"
#include "models/swarm/test_functions.hpp"

#include <iomanip>

namespace moesim::swarm {

const std::vector<std::string>& algorithm_names() {
  static const std::vector<std::string> names = {"pso", "pso-gbest", "qpso", "acor", "abc", "cnsabc", "abc-pso"};
  return names;
}

std::string algorithm_names_joined() {
  std::string s;
  for (const auto& n : algorithm_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& algo, const Problem& p, const OptimizerSettings& s,
                                          HostSpace space) {
  if (algo == "pso") return make_pso(p, s, PsoParams{}, space);
  if (algo == "pso-gbest") {
    PsoParams a;
    a.ring = false;
    return make_pso(p, s, a, space);
  }
  if (algo == "qpso") return make_qpso(p, s, QpsoParams{}, space);
  if (algo == "acor") return make_acor(p, s, AcorParams{}, space);
  if (algo == "abc") return make_abc(p, s, AbcParams{}, space);
  if (algo == "cnsabc") return make_cnsabc(p, s, CnsAbcParams{}, space);
  if (algo == "abc-pso") return make_abc_pso(p, s, AbcPsoParams{}, space);
  throw UsageError("swarm: unknown --algo '" + algo + "' (accepted: " + algorithm_names_joined() + ")");
}

void validate(const SwarmRequest& r) {
  bool known = false;
  for (const auto& n : algorithm_names()) known = known || n == r.algo;
  if (!known) throw UsageError("swarm: unknown --algo '" + r.algo + "' (accepted: " + algorithm_names_joined() + ")");
  make_test_problem(r.problem, r.dim);  // throws for an unknown problem or a bad --dim
  if (r.pop < 2 || r.pop > 1000000)
    throw UsageError("swarm: --pop " + std::to_string(r.pop) + " is out of range (accepted: 2 to 1000000)");
  if (r.evals < 1 || r.evals > 1000000000000ull)
    throw UsageError("swarm: --evals " + std::to_string(r.evals) + " is out of range (accepted: 1 to 1e12)");
  if (r.abc_scout != "textbook" && r.abc_scout != "pagmo")
    throw UsageError("swarm: unknown --abc-scout '" + r.abc_scout + "' (accepted: textbook, pagmo)");
  if (r.abc_scout == "pagmo" && r.algo != "abc")
    throw UsageError("swarm: --abc-scout applies to --algo abc only (got --algo " + r.algo + ")");
  if (!(r.target >= 0))
    throw UsageError("swarm: --target must be a non-negative number");
}

SwarmResult run_swarm(const SwarmRequest& r, HostSpace space) {
  validate(r);
  const auto problem = make_test_problem(r.problem, r.dim);
  OptimizerSettings s;
  s.population = r.pop;
  s.budget = r.evals;
  s.seed = r.seed;
  std::unique_ptr<Optimizer> opt;
  if (r.algo == "abc") {
    AbcParams a;
    a.keep_old_fitness_after_scout = r.abc_scout == "pagmo";
    opt = make_abc(*problem, s, a, space);
  } else {
    opt = make_optimizer(r.algo, *problem, s, space);
  }
  opt->run();
  SwarmResult out;
  out.best = opt->best_value();
  out.evals = opt->evaluations();
  out.steps = opt->history().size();
  out.best_position = opt->best_position();
  if (r.target > 0) out.target_evals = opt->evaluations_to_reach(r.target);
  return out;
}

void print_result(std::ostream& out, const SwarmRequest& r, const SwarmResult& res) {
  const auto old = out.precision();
  out << std::setprecision(17) << "best " << res.best << "\n"
      << "evals " << res.evals << "\n"
      << "algo " << r.algo << "\n"
      << "problem " << r.problem << "\n"
      << "dim " << r.dim << "\n"
      << "pop " << r.pop << "\n"
      << "seed " << r.seed << "\n"
      << "steps " << res.steps << "\n";
  if (r.target > 0) out << "target_evals " << res.target_evals << "\n";
  out.precision(old);
}

}  // namespace moesim::swarm
