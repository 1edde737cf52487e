// Standard test functions with DESIGN.md §3's bounds (the same in every
// dimension): sphere and rastrigin [-5.12, 5.12], rosenbrock [-5, 10], ackley
// [-15, 30], griewank [-600, 600], schwefel [-500, 500]. All have minimum 0.
#pragma once
#include "models/swarm/problem.hpp"

#include <memory>
#include <string>
#include <vector>

namespace moesim::swarm {

double sphere(const double* x, std::size_t dim);
double rastrigin(const double* x, std::size_t dim);
double rosenbrock(const double* x, std::size_t dim);
double ackley(const double* x, std::size_t dim);
double griewank(const double* x, std::size_t dim);
double schwefel(const double* x, std::size_t dim);

struct TestFunctionInfo {
  const char* name;
  double lower, upper;
  double argmin;  // the minimiser's coordinate (the same in every dimension)
  std::size_t min_dim;
  double (*fn)(const double*, std::size_t);
};
const std::vector<TestFunctionInfo>& test_functions();
std::string test_function_names();  // "sphere, rastrigin, ..."

// Throws UsageError (listing the accepted names) for an unknown name or a bad dimension.
std::unique_ptr<Problem> make_test_problem(const std::string& name, std::size_t dim);

}  // namespace moesim::swarm
