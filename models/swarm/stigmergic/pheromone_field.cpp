#include "models/swarm/stigmergic/pheromone_field.hpp"

#include "config/config.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "models/baselines/router_config.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace moesim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::int64_t int_key(const RouterSpec& spec, const std::string& key, std::int64_t fallback) {
  if (spec.config && spec.config->has(key)) return spec.config->get_int(key);
  return fallback;
}

double clamp_tau(double v, double lo, double hi) {
  if (!(v >= lo)) return lo;  // NaN too
  return v > hi ? hi : v;
}

}  // namespace

StigmergyParams StigmergyParams::from_spec(const RouterSpec& spec) {
  StigmergyParams p;
  const StigmergyParams d;
  const auto bits = int_key(spec, "stigmergy.hash_bits", d.hash_bits);
  if (bits < 1 || bits > 16)
    throw UsageError("stigmergy.hash_bits = " + std::to_string(bits) +
                     " (accepted: an integer in [1, 16]; buckets = 2^hash_bits, so 0 would leave no bucket)");
  p.hash_bits = int(bits);
  // Ranges are checked by validate() with the full message; read raw here.
  auto real = [&](const std::string& key, double fallback) {
    return spec.config && spec.config->has(key) ? spec.config->get_real(key) : fallback;
  };
  p.rho = real("stigmergy.rho", d.rho);
  p.alpha = real("stigmergy.alpha", d.alpha);
  p.beta = real("stigmergy.beta", d.beta);
  p.tau_min = real("stigmergy.tau_min", d.tau_min);
  p.tau_max = real("stigmergy.tau_max", d.tau_max);
  p.reinforcement = real("stigmergy.reinforcement", d.reinforcement);
  p.baseline_momentum = real("stigmergy.baseline_momentum", d.baseline_momentum);
  p.update = router_choice(spec, "stigmergy.update", "maxmin", {"maxmin", "antnet"}) == "antnet"
                 ? Update::AntNet
                 : Update::MaxMin;
  p.selection = router_choice(spec, "stigmergy.selection", "top_k", {"top_k", "sample"}) == "sample"
                    ? Selection::Sample
                    : Selection::TopK;
  const auto snap = int_key(spec, "stigmergy.snapshot_every", d.snapshot_every);
  if (snap < 0)
    throw UsageError("stigmergy.snapshot_every = " + std::to_string(snap) +
                     " (accepted: an integer >= 0; 0 = no snapshots)");
  p.snapshot_every = int(snap);
  p.validate();
  return p;
}

void StigmergyParams::validate() const {
  auto bad = [](const std::string& key, double v, const std::string& accepted) {
    throw UsageError(key + " = " + text(v) + " (accepted: " + accepted + ")");
  };
  if (hash_bits < 1 || hash_bits > 16)
    bad("stigmergy.hash_bits", hash_bits, "an integer in [1, 16]; buckets = 2^hash_bits");
  if (!(rho > 0.0 && rho <= 1.0)) bad("stigmergy.rho", rho, "a real number in (0, 1]");
  if (!(alpha >= 0.0 && alpha <= 100.0)) bad("stigmergy.alpha", alpha, "a real number in [0, 100]");
  if (!(beta >= 0.0 && beta <= 100.0)) bad("stigmergy.beta", beta, "a real number in [0, 100]");
  if (!(tau_min > 0.0 && tau_min <= 1e6)) bad("stigmergy.tau_min", tau_min, "a real number in (0, 1e6]");
  if (!(tau_max > tau_min && tau_max <= 1e6))
    bad("stigmergy.tau_max", tau_max,
        "a real number > stigmergy.tau_min = " + text(tau_min) + " and <= 1e6");
  if (!(reinforcement >= 0.0 && reinforcement <= 1e6))
    bad("stigmergy.reinforcement", reinforcement, "a real number in [0, 1e6]");
  if (!(baseline_momentum >= 0.0 && baseline_momentum < 1.0))
    bad("stigmergy.baseline_momentum", baseline_momentum, "a real number in [0, 1)");
}

SimHash::SimHash(int bits, int d_model, std::uint64_t seed, std::uint64_t stream)
    : bits_(bits), d_(d_model), planes_("stigmergy.hyperplanes", std::size_t(bits), std::size_t(d_model)) {
  const PhiloxKey key{seed, stream};
  for (int j = 0; j < bits; ++j)
    for (int i = 0; i < d_model; ++i)
      planes_(j, i) = Philox::normal(key, std::uint64_t(j) * std::uint64_t(d_model) + std::uint64_t(i));
}

void SimHash::hash(const HostMatrix& x, std::vector<int>& out) const {
  const std::size_t rows = x.extent(0);
  out.assign(rows, 0);
  int* o = out.data();
  auto xv = x;
  auto pv = planes_;
  const int bits = bits_, d = d_;
  // Each token's dot products are serial sums in feature order: deterministic.
  Kokkos::parallel_for("stigmergy_hash", Kokkos::RangePolicy<HostExec>(0, rows), [=](std::size_t t) {
    int b = 0;
    for (int j = 0; j < bits; ++j) {
      double s = 0.0;
      for (int i = 0; i < d; ++i) s += double(xv(t, i)) * pv(j, i);
      if (s >= 0.0) b |= 1 << j;
    }
    o[t] = b;
  });
}

PheromoneField::PheromoneField(int buckets, int experts, const StigmergyParams& params)
    : p_(params), tau_("stigmergy.tau", std::size_t(buckets), std::size_t(experts)),
      baseline_(std::size_t(buckets), kNaN) {
  p_.validate();
  const double init = p_.update == StigmergyParams::Update::AntNet
                          ? clamp_tau(1.0 / experts, p_.tau_min, p_.tau_max)
                          : p_.tau_max;
  Kokkos::deep_copy(tau_, init);
}

double PheromoneField::update(const std::vector<int>& bucket, const std::vector<int>& chosen, int k,
                              const double* loss) {
  const int B = buckets(), E = experts();
  const std::size_t T = bucket.size();
  // Per-bucket token counts and mean loss of this step (finite losses only).
  std::vector<int> n(B, 0), n_finite(B, 0);
  std::vector<double> sum(B, 0.0);
  for (std::size_t t = 0; t < T; ++t) {
    const int b = bucket[t];
    ++n[b];
    if (std::isfinite(loss[t])) {
      ++n_finite[b];
      sum[b] += loss[t];
    }
  }
  std::vector<double> mu(B);
  for (int b = 0; b < B; ++b) {
    if (std::isnan(baseline_[b]) && n_finite[b] > 0) baseline_[b] = sum[b] / n_finite[b];
    mu[b] = baseline_[b];
  }
  std::vector<double> q(T, 0.0);
  double q_sum = 0.0;
  for (std::size_t t = 0; t < T; ++t) {
    const int b = bucket[t];
    if (std::isfinite(loss[t]) && std::isfinite(mu[b])) q[t] = std::max(0.0, mu[b] - loss[t]);
    q_sum += q[t];
  }
  if (p_.update == StigmergyParams::Update::MaxMin) {
    std::vector<double> deposit(std::size_t(B) * E, 0.0);
    for (std::size_t t = 0; t < T; ++t)
      for (int j = 0; j < k; ++j) {
        const int e = chosen[t * k + j];
        if (e >= 0) deposit[std::size_t(bucket[t]) * E + e] += q[t];
      }
    for (int b = 0; b < B; ++b)
      for (int e = 0; e < E; ++e) {
        const double dep = n[b] > 0 ? p_.reinforcement * deposit[std::size_t(b) * E + e] / n[b] : 0.0;
        tau_(b, e) = clamp_tau((1.0 - p_.rho) * tau_(b, e) + dep, p_.tau_min, p_.tau_max);
      }
  } else {
    for (std::size_t t = 0; t < T; ++t) {
      const int b = bucket[t];
      if (!(q[t] > 0.0)) continue;
      const double r = std::tanh(p_.reinforcement * q[t] / std::max(mu[b], 1e-12)) / n[b];
      for (int j = 0; j < k; ++j) {
        const int e = chosen[t * k + j];
        if (e < 0) continue;
        for (int f = 0; f < E; ++f)
          tau_(b, f) = f == e ? tau_(b, f) + r * (1.0 - tau_(b, f)) : tau_(b, f) - r * tau_(b, f);
      }
    }
    for (int b = 0; b < B; ++b)
      for (int e = 0; e < E; ++e) tau_(b, e) = clamp_tau(tau_(b, e), p_.tau_min, p_.tau_max);
  }
  // Baselines move after the qualities were measured against them.
  for (int b = 0; b < B; ++b)
    if (n_finite[b] > 0)
      baseline_[b] = p_.baseline_momentum * baseline_[b] +
                     (1.0 - p_.baseline_momentum) * (sum[b] / n_finite[b]);
  return T > 0 ? q_sum / double(T) : 0.0;
}

int PheromoneField::strongest(int b) const {
  int best = 0;
  for (int e = 1; e < experts(); ++e)
    if (tau_(b, e) > tau_(b, best)) best = e;
  return best;
}

int PheromoneField::saturated_edges() const {
  int c = 0;
  for (int b = 0; b < buckets(); ++b)
    for (int e = 0; e < experts(); ++e) c += tau_(b, e) >= p_.tau_max;
  return c;
}

double PheromoneField::mean_entropy_nats() const {
  double total = 0.0;
  for (int b = 0; b < buckets(); ++b) {
    double s = 0.0;
    for (int e = 0; e < experts(); ++e) s += tau_(b, e);
    double h = 0.0;
    for (int e = 0; e < experts(); ++e) {
      const double p = tau_(b, e) / s;
      if (p > 0.0) h -= p * std::log(p);
    }
    total += h;
  }
  return total / buckets();
}

void cluster_agreement(const int* clusters, int num_clusters, const std::vector<int>& first_choice,
                       int experts, double& agreement, double& distinct) {
  agreement = distinct = kNaN;
  if (!clusters || num_clusters <= 0) return;
  std::vector<int> counts(std::size_t(num_clusters) * experts, 0), total(num_clusters, 0);
  for (std::size_t t = 0; t < first_choice.size(); ++t) {
    const int c = clusters[t], e = first_choice[t];
    if (c < 0 || c >= num_clusters) continue;
    ++total[c];
    if (e >= 0 && e < experts) ++counts[std::size_t(c) * experts + e];
  }
  int present = 0;
  double share = 0.0;
  std::vector<char> used(experts, 0);
  int distinct_count = 0;
  for (int c = 0; c < num_clusters; ++c) {
    if (total[c] == 0) continue;
    ++present;
    int best = 0;
    for (int e = 1; e < experts; ++e)
      if (counts[std::size_t(c) * experts + e] > counts[std::size_t(c) * experts + best]) best = e;
    share += double(counts[std::size_t(c) * experts + best]) / total[c];
    if (!used[best]) {
      used[best] = 1;
      ++distinct_count;
    }
  }
  if (present == 0) return;
  agreement = share / present;
  distinct = double(distinct_count) / present;
}

}  // namespace moesim
