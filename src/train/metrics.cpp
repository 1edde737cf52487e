#include "train/metrics.hpp"

#include <cmath>

namespace moesim {

double load_cv(const std::vector<double>& load) {
  if (load.empty()) return 0.0;
  double mean = 0;
  for (double v : load) mean += v;
  mean /= double(load.size());
  if (mean <= 0) return 0.0;
  double var = 0;
  for (double v : load) var += (v - mean) * (v - mean);
  var /= double(load.size());
  return std::sqrt(var) / mean;
}

double mutual_information_bits(const std::vector<double>& counts, int classes, int experts) {
  double total = 0;
  std::vector<double> pc(classes, 0.0), pe(experts, 0.0);
  for (int c = 0; c < classes; ++c)
    for (int e = 0; e < experts; ++e) {
      const double n = counts[std::size_t(c) * experts + e];
      pc[c] += n;
      pe[e] += n;
      total += n;
    }
  if (total <= 0) return 0.0;
  double mi = 0;
  for (int c = 0; c < classes; ++c)
    for (int e = 0; e < experts; ++e) {
      const double n = counts[std::size_t(c) * experts + e];
      if (n > 0) mi += n / total * std::log2(n * total / (pc[c] * pe[e]));
    }
  return mi;
}

MeanCi mean_ci95(const std::vector<double>& values) {
  MeanCi r;
  const std::size_t n = values.size();
  if (n == 0) return r;
  for (double v : values) r.mean += v;
  r.mean /= double(n);
  if (n < 2) return r;
  double var = 0;
  for (double v : values) var += (v - r.mean) * (v - r.mean);
  var /= double(n - 1);
  // Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.
  static const double t975[] = {12.706, 4.303, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
                                2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
                                2.074,  2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042, 2.042};
  const double t = n - 1 <= 30 ? t975[n - 2] : 1.960;
  r.ci95 = t * std::sqrt(var / double(n));
  return r;
}

}  // namespace moesim
