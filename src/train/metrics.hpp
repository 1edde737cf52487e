// Routing and summary statistics, each a pure function so it can be tested
// against hand-computed values.
#pragma once
#include <vector>

namespace moesim {

// Coefficient of variation of expert load: population std / mean (0 if mean 0).
double load_cv(const std::vector<double>& load);

// Mutual information I(class; expert) in bits from a contingency table
// counts[c * experts + e] (plug-in estimate).
double mutual_information_bits(const std::vector<double>& counts, int classes, int experts);

// Mean and 95% confidence half-width (Student t, n − 1 dof) over seeds; 0 for n = 1.
struct MeanCi {
  double mean = 0, ci95 = 0;
};
MeanCi mean_ci95(const std::vector<double>& values);

}  // namespace moesim
