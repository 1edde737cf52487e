// A box-bounded, single-objective minimisation problem for the swarm
// optimizers (issue 4). The objective is batched: a population stored row-major
// as [n, D] is evaluated into n values, the rows in parallel with Kokkos on the
// host execution space the caller passes in. Each row's value depends only on
// that row, so the result does not depend on the thread count.
#pragma once
#include <Kokkos_Core.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace moesim::swarm {

using HostSpace = Kokkos::DefaultHostExecutionSpace;

class Problem {
 public:
  Problem(std::string name, std::vector<double> lower, std::vector<double> upper);
  virtual ~Problem() = default;

  const std::string& name() const { return name_; }
  std::size_t dimension() const { return lower_.size(); }
  double lower(std::size_t d) const { return lower_[d]; }
  double upper(std::size_t d) const { return upper_[d]; }
  const std::vector<double>& lower_bounds() const { return lower_; }
  const std::vector<double>& upper_bounds() const { return upper_; }

  // The objective at one point x[0..D). Must be thread-safe (pure).
  virtual double value(const double* x) const = 0;

  // x: n rows of D values (row-major); writes f[0..n). Rows run in parallel on
  // `space` (a single row is evaluated inline).
  virtual void evaluate(const HostSpace& space, const double* x, std::size_t n, double* f) const;

 private:
  std::string name_;
  std::vector<double> lower_, upper_;
};

}  // namespace moesim::swarm
