#include "models/swarm/problem.hpp"

#include "core/error.hpp"

#include <cstdint>

namespace moesim::swarm {

Problem::Problem(std::string name, std::vector<double> lower, std::vector<double> upper)
    : name_(std::move(name)), lower_(std::move(lower)), upper_(std::move(upper)) {
  if (lower_.empty()) throw UsageError("swarm problem '" + name_ + "': dimension must be at least 1");
  if (lower_.size() != upper_.size())
    throw UsageError("swarm problem '" + name_ + "': lower and upper bounds differ in length");
  for (std::size_t d = 0; d < lower_.size(); ++d)
    if (!(lower_[d] < upper_[d]))
      throw UsageError("swarm problem '" + name_ + "': lower bound not below upper bound in dimension " +
                       std::to_string(d));
}

void Problem::evaluate(const HostSpace& space, const double* x, std::size_t n, double* f) const {
  if (n == 0) return;
  const std::size_t dim = dimension();
  if (n == 1) {
    f[0] = value(x);
    return;
  }
  Kokkos::parallel_for("moesim::swarm::evaluate",
                       Kokkos::RangePolicy<HostSpace>(space, 0, static_cast<std::int64_t>(n)),
                       [&](const std::int64_t i) { f[i] = value(x + static_cast<std::size_t>(i) * dim); });
  space.fence();
}

}  // namespace moesim::swarm
