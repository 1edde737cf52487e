#include "models/swarm/test_functions.hpp"

#include "core/error.hpp"

#include <cmath>

namespace moesim::swarm {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kE = 2.71828182845904523536;

class TestFunctionProblem final : public Problem {
 public:
  TestFunctionProblem(const TestFunctionInfo& info, std::size_t dim)
      : Problem(info.name, std::vector<double>(dim, info.lower), std::vector<double>(dim, info.upper)),
        fn_(info.fn) {}
  double value(const double* x) const override { return fn_(x, dimension()); }

 private:
  double (*fn_)(const double*, std::size_t);
};
}  // namespace

double sphere(const double* x, std::size_t dim) {
  double s = 0;
  for (std::size_t i = 0; i < dim; ++i) s += x[i] * x[i];
  return s;
}

double rastrigin(const double* x, std::size_t dim) {
  double s = 10.0 * static_cast<double>(dim);
  for (std::size_t i = 0; i < dim; ++i) s += x[i] * x[i] - 10.0 * std::cos(2.0 * kPi * x[i]);
  return s;
}

double rosenbrock(const double* x, std::size_t dim) {
  double s = 0;
  for (std::size_t i = 0; i + 1 < dim; ++i) {
    const double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
    s += 100.0 * a * a + b * b;
  }
  return s;
}

double ackley(const double* x, std::size_t dim) {
  double sq = 0, cs = 0;
  for (std::size_t i = 0; i < dim; ++i) {
    sq += x[i] * x[i];
    cs += std::cos(2.0 * kPi * x[i]);
  }
  const double n = static_cast<double>(dim);
  return -20.0 * std::exp(-0.2 * std::sqrt(sq / n)) - std::exp(cs / n) + 20.0 + kE;
}

double griewank(const double* x, std::size_t dim) {
  double s = 0, p = 1;
  for (std::size_t i = 0; i < dim; ++i) {
    s += x[i] * x[i] / 4000.0;
    p *= std::cos(x[i] / std::sqrt(static_cast<double>(i + 1)));
  }
  return 1.0 + s - p;
}

double schwefel(const double* x, std::size_t dim) {
  // 418.982887272433799807913601398 * D - sum x sin(sqrt|x|); min 0 at 420.968746...
  double s = 418.982887272433799807913601398 * static_cast<double>(dim);
  for (std::size_t i = 0; i < dim; ++i) s -= x[i] * std::sin(std::sqrt(std::fabs(x[i])));
  return s;
}

const std::vector<TestFunctionInfo>& test_functions() {
  static const std::vector<TestFunctionInfo> table = {
      {"sphere", -5.12, 5.12, 0.0, 1, sphere},
      {"rastrigin", -5.12, 5.12, 0.0, 1, rastrigin},
      {"rosenbrock", -5.0, 10.0, 1.0, 2, rosenbrock},
      {"ackley", -15.0, 30.0, 0.0, 1, ackley},
      {"griewank", -600.0, 600.0, 0.0, 1, griewank},
      {"schwefel", -500.0, 500.0, 420.968746359982025, 1, schwefel},
  };
  return table;
}

std::string test_function_names() {
  std::string s;
  for (const auto& t : test_functions()) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

std::unique_ptr<Problem> make_test_problem(const std::string& name, std::size_t dim) {
  for (const auto& t : test_functions()) {
    if (name != t.name) continue;
    if (dim < t.min_dim || dim > 100000)
      throw UsageError("swarm: --dim " + std::to_string(dim) + " is out of range for problem '" + name +
                       "' (accepted: " + std::to_string(t.min_dim) + " to 100000)");
    return std::make_unique<TestFunctionProblem>(t, dim);
  }
  throw UsageError("swarm: unknown --problem '" + name + "' (accepted: " + test_function_names() + ")");
}

}  // namespace moesim::swarm
