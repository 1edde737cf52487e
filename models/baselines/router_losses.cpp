#include "models/baselines/router_losses.hpp"

#include "models/baselines/topk_assignment.hpp"

#include <cmath>
#include <limits>

namespace moesim {

namespace {

// f_e as counts of choices per expert.
std::vector<double> choice_counts(const std::vector<int>& choices, int experts) {
  std::vector<double> counts(experts, 0.0);
  for (int e : choices)
    if (e >= 0 && e < experts) counts[e] += 1.0;
  return counts;
}

// tensor2tensor's cv_squared guards a zero mean with this epsilon.
constexpr double kCvEpsilon = 1e-10;

// The thresholds of one token: the k-th and (k+1)-th largest noisy logits and
// whether each expert is in the top k. −inf when there are fewer finite logits.
struct TokenThresholds {
  double kth = -std::numeric_limits<double>::infinity();
  double kth_plus_1 = -std::numeric_limits<double>::infinity();
  int kth_index = -1, kth_plus_1_index = -1;
};

TokenThresholds token_thresholds(const HostMatrix& noisy, std::size_t t, int k,
                                 std::vector<int>& order, std::vector<char>& in_top) {
  const int experts = static_cast<int>(noisy.extent(1));
  const int found = row_top_k(&noisy(t, 0), experts, k + 1, order.data());
  TokenThresholds th;
  std::fill(in_top.begin(), in_top.end(), 0);
  for (int j = 0; j < std::min(found, k); ++j) in_top[order[j]] = 1;
  if (found >= k) {
    th.kth_index = order[k - 1];
    th.kth = noisy(t, th.kth_index);
  }
  if (found >= k + 1) {
    th.kth_plus_1_index = order[k];
    th.kth_plus_1 = noisy(t, th.kth_plus_1_index);
  }
  return th;
}

}  // namespace

double load_balancing_loss(const HostMatrix& probs, const std::vector<int>& choices, int k) {
  const std::size_t tokens = probs.extent(0);
  const int experts = static_cast<int>(probs.extent(1));
  if (tokens == 0) return 0.0;
  const auto counts = choice_counts(choices, experts);
  const auto p_sum = column_sums(probs);
  double loss = 0.0;
  for (int e = 0; e < experts; ++e)
    loss += (counts[e] / tokens) * (p_sum[e] / tokens);
  return experts * loss;
}

void load_balancing_loss_grad(const HostMatrix& probs, const std::vector<int>& choices, int k,
                              double coef, HostMatrix& d_probs) {
  const std::size_t tokens = probs.extent(0);
  const int experts = static_cast<int>(probs.extent(1));
  if (tokens == 0 || coef == 0.0) return;
  const auto counts = choice_counts(choices, experts);
  for (std::size_t t = 0; t < tokens; ++t)
    for (int e = 0; e < experts; ++e)
      d_probs(t, e) += static_cast<float>(coef * experts * (counts[e] / tokens) / tokens);
}

double cv_squared(const std::vector<double>& v) {
  const std::size_t n = v.size();
  if (n < 2) return 0.0;
  double mean = 0.0;
  for (double x : v) mean += x;
  mean /= n;
  double var = 0.0;
  for (double x : v) var += (x - mean) * (x - mean);
  var /= n;
  return var / (mean * mean + kCvEpsilon);
}

std::vector<double> cv_squared_grad(const std::vector<double>& v) {
  const std::size_t n = v.size();
  std::vector<double> g(n, 0.0);
  if (n < 2) return g;
  double mean = 0.0;
  for (double x : v) mean += x;
  mean /= n;
  double var = 0.0;
  for (double x : v) var += (x - mean) * (x - mean);
  var /= n;
  const double denom = mean * mean + kCvEpsilon;
  // d var / d v_i = 2 (v_i − mean) / n (the mean's own derivative cancels);
  // d mean² / d v_i = 2 mean / n.
  for (std::size_t i = 0; i < n; ++i)
    g[i] = 2.0 * (v[i] - mean) / n / denom - var * (2.0 * mean / n) / (denom * denom);
  return g;
}

std::vector<double> column_sums(const HostMatrix& m) {
  std::vector<double> s(m.extent(1), 0.0);
  for (std::size_t t = 0; t < m.extent(0); ++t)
    for (std::size_t e = 0; e < m.extent(1); ++e) s[e] += m(t, e);
  return s;
}

namespace {
// logsumexp of one row, −inf entries skipped; −inf if all are.
double row_logsumexp(const HostMatrix& logits, std::size_t t) {
  double m = -std::numeric_limits<double>::infinity();
  for (std::size_t e = 0; e < logits.extent(1); ++e) m = std::max(m, double(logits(t, e)));
  if (!std::isfinite(m)) return m;
  double s = 0.0;
  for (std::size_t e = 0; e < logits.extent(1); ++e) s += std::exp(double(logits(t, e)) - m);
  return m + std::log(s);
}
}  // namespace

double router_z_loss(const HostMatrix& logits) {
  const std::size_t tokens = logits.extent(0);
  if (tokens == 0) return 0.0;
  double sum = 0.0;
  for (std::size_t t = 0; t < tokens; ++t) {
    const double lse = row_logsumexp(logits, t);
    if (std::isfinite(lse)) sum += lse * lse;
  }
  return sum / tokens;
}

void router_z_loss_grad(const HostMatrix& logits, double coef, HostMatrix& d_logits) {
  const std::size_t tokens = logits.extent(0);
  if (tokens == 0 || coef == 0.0) return;
  auto in = logits;
  auto out = d_logits;
  // Rows are independent: parallel over tokens changes no result.
  Kokkos::parallel_for(
      "router_z_loss_grad", Kokkos::RangePolicy<HostExec>(0, tokens), [=](std::size_t t) {
        const double lse = row_logsumexp(in, t);
        if (!std::isfinite(lse)) return;
        for (std::size_t e = 0; e < in.extent(1); ++e) {
          const double p = std::exp(double(in(t, e)) - lse);
          out(t, e) += static_cast<float>(coef * 2.0 * lse * p / tokens);
        }
      });
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }
double normal_pdf(double z) {
  constexpr double kInvSqrt2Pi = 0.3989422804014327;  // 1 / sqrt(2π)
  return kInvSqrt2Pi * std::exp(-0.5 * z * z);
}

std::vector<double> smooth_load(const HostMatrix& clean, const HostMatrix& noisy,
                                const HostMatrix& stddev, int k) {
  const std::size_t tokens = clean.extent(0);
  const int experts = static_cast<int>(clean.extent(1));
  std::vector<double> load(experts, 0.0);
  if (k >= experts) {  // every expert always chosen (t2t falls back to counts)
    for (int e = 0; e < experts; ++e) load[e] = static_cast<double>(tokens);
    return load;
  }
  std::vector<int> order(experts);
  std::vector<char> in_top(experts);
  for (std::size_t t = 0; t < tokens; ++t) {
    const auto th = token_thresholds(noisy, t, k, order, in_top);
    for (int e = 0; e < experts; ++e) {
      const double theta = in_top[e] ? th.kth_plus_1 : th.kth;
      const double z = (double(clean(t, e)) - theta) / stddev(t, e);
      load[e] += std::isnan(z) ? 0.0 : normal_cdf(z);
    }
  }
  return load;
}

void smooth_load_grad(const HostMatrix& clean, const HostMatrix& noisy, const HostMatrix& stddev,
                      int k, const std::vector<double>& d_load, HostMatrix& d_clean,
                      HostMatrix& d_noisy, HostMatrix& d_stddev) {
  const std::size_t tokens = clean.extent(0);
  const int experts = static_cast<int>(clean.extent(1));
  if (k >= experts) return;  // the load is a constant count
  std::vector<int> order(experts);
  std::vector<char> in_top(experts);
  // Serial over tokens: d_noisy of a threshold logit collects terms from
  // several experts of the same token, in expert order.
  for (std::size_t t = 0; t < tokens; ++t) {
    const auto th = token_thresholds(noisy, t, k, order, in_top);
    for (int e = 0; e < experts; ++e) {
      const double theta = in_top[e] ? th.kth_plus_1 : th.kth;
      const int theta_index = in_top[e] ? th.kth_plus_1_index : th.kth_index;
      const double sigma = stddev(t, e);
      const double z = (double(clean(t, e)) - theta) / sigma;
      if (!std::isfinite(z)) continue;  // masked expert or missing threshold: flat
      const double dphi = d_load[e] * normal_pdf(z) / sigma;  // d load / d (clean − θ)
      d_clean(t, e) += static_cast<float>(dphi);
      d_noisy(t, theta_index) -= static_cast<float>(dphi);
      d_stddev(t, e) -= static_cast<float>(dphi * z);
    }
  }
}

}  // namespace moesim
