#include "models/swarm/mmas.hpp"

#include "core/error.hpp"
#include "models/swarm/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace moesim::swarm {

TrailLimits mmas_trail_limits(double rho, double best_length, std::size_t n, double p_best) {
  const double tau_max = 1.0 / (rho * best_length);
  const double p_dec = std::pow(p_best, 1.0 / static_cast<double>(n));
  const double avg = static_cast<double>(n) / 2.0;
  double tau_min = avg > 1.0 ? tau_max * (1.0 - p_dec) / ((avg - 1.0) * p_dec) : tau_max;
  tau_min = std::min(tau_min, tau_max);
  return {tau_min, tau_max};
}

Mmas::Mmas(std::vector<double> dist, std::size_t n, const MmasParams& params, std::uint64_t seed)
    : dist_(std::move(dist)), n_(n), p_(params), key_{seed, kSwarmStream + 1} {
  if (n_ < 3) throw UsageError("mmas: need at least 3 nodes");
  if (dist_.size() != n_ * n_) throw UsageError("mmas: the distance matrix must be n x n");
  if (!(p_.rho > 0 && p_.rho <= 1)) throw UsageError("mmas: rho must be in (0, 1]");
  if (p_.alpha < 0 || p_.beta < 0) throw UsageError("mmas: alpha and beta must be >= 0");
  if (!(p_.p_best > 0 && p_.p_best < 1)) throw UsageError("mmas: p_best must be in (0, 1)");
  eta_.assign(n_ * n_, 0.0);
  for (std::size_t i = 0; i < n_; ++i)
    for (std::size_t j = 0; j < n_; ++j) {
      if (i == j) continue;
      if (!(dist_[i * n_ + j] > 0) || !std::isfinite(dist_[i * n_ + j]))
        throw UsageError("mmas: distances between distinct nodes must be positive and finite");
      eta_[i * n_ + j] = 1.0 / dist_[i * n_ + j];
    }
  // Initial best: the nearest-neighbour tour from node 0; trails start at τ_max.
  std::vector<std::size_t> tour{0};
  std::vector<bool> seen(n_, false);
  seen[0] = true;
  for (std::size_t s = 1; s < n_; ++s) {
    const std::size_t cur = tour.back();
    std::size_t next = n_;
    for (std::size_t j = 0; j < n_; ++j)
      if (!seen[j] && (next == n_ || dist_[cur * n_ + j] < dist_[cur * n_ + next])) next = j;
    seen[next] = true;
    tour.push_back(next);
  }
  best_tour_ = tour;
  best_length_ = tour_length(tour);
  update_limits();
  tau_.assign(n_ * n_, limits_.tau_max);
}

double Mmas::tour_length(const std::vector<std::size_t>& tour) const {
  double L = 0;
  for (std::size_t s = 0; s < tour.size(); ++s) L += dist_[tour[s] * n_ + tour[(s + 1) % tour.size()]];
  return L;
}

void Mmas::update_limits() { limits_ = mmas_trail_limits(p_.rho, best_length_, n_, p_.p_best); }

std::vector<std::size_t> Mmas::build_tour(std::size_t ant) {
  std::vector<std::size_t> tour;
  tour.reserve(n_);
  std::vector<bool> seen(n_, false);
  std::size_t cur = static_cast<std::size_t>(Philox::below(key_, counter_++, n_));
  tour.push_back(cur);
  seen[cur] = true;
  std::vector<double> w(n_);
  for (std::size_t s = 1; s < n_; ++s) {
    double total = 0;
    for (std::size_t j = 0; j < n_; ++j) {
      w[j] = seen[j] ? 0.0
                     : std::pow(tau_[cur * n_ + j], p_.alpha) * std::pow(eta_[cur * n_ + j], p_.beta);
      total += w[j];
    }
    const double r = Philox::uniform(key_, counter_++) * total;
    std::size_t next = n_;
    double acc = 0;
    for (std::size_t j = 0; j < n_; ++j) {
      if (seen[j]) continue;
      next = j;  // the last unvisited node absorbs rounding
      acc += w[j];
      if (r < acc) break;
    }
    seen[next] = true;
    tour.push_back(next);
    cur = next;
  }
  (void)ant;
  return tour;
}

void Mmas::iterate() {
  const std::size_t m = p_.ants == 0 ? n_ : p_.ants;
  std::vector<std::size_t> iter_best;
  double iter_len = std::numeric_limits<double>::infinity();
  for (std::size_t a = 0; a < m; ++a) {
    auto tour = build_tour(a);
    const double L = tour_length(tour);
    if (L < iter_len) {
      iter_len = L;
      iter_best = std::move(tour);
    }
  }
  ++iteration_;
  if (iter_len < best_length_) {
    best_length_ = iter_len;
    best_tour_ = iter_best;
    update_limits();
  }
  const bool use_global = p_.global_best_every > 0 && iteration_ % p_.global_best_every == 0;
  const auto& dep_tour = use_global ? best_tour_ : iter_best;
  const double dep = 1.0 / (use_global ? best_length_ : iter_len);
  for (auto& t : tau_) t *= (1.0 - p_.rho);
  for (std::size_t s = 0; s < n_; ++s) {
    const std::size_t i = dep_tour[s], j = dep_tour[(s + 1) % n_];
    tau_[i * n_ + j] += dep;
    tau_[j * n_ + i] += dep;  // undirected tour edges
  }
  for (auto& t : tau_) t = std::min(std::max(t, limits_.tau_min), limits_.tau_max);
}

void Mmas::run(std::size_t iterations) {
  for (std::size_t i = 0; i < iterations; ++i) iterate();
}

}  // namespace moesim::swarm
