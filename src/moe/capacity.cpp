#include "moe/router.hpp"

#include <algorithm>
#include <cmath>

namespace moesim {

int expert_capacity(double capacity_factor, int tokens, int k, int experts) {
  const double c = std::ceil(capacity_factor * tokens * k / static_cast<double>(experts) - 1e-9);
  return std::max(1, static_cast<int>(c));
}

}  // namespace moesim
