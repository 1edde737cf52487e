// MAX-MIN Ant System on a graph (T. Stützle, H. H. Hoos, "MAX-MIN Ant
// System", Future Generation Computer Systems 16(8):889-914, 2000): TSP-style
// closed tours over a symmetric distance matrix (tour edges are undirected:
// a deposit on i-j also lands on j-i), pheromone
// bounded to [τ_min, τ_max]. Used by the stigmergic router for its trail bounds.
#pragma once
#include "core/philox.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace moesim::swarm {

// Defaults from Stützle & Hoos (2000), Sec. 4 / Table: α = 1, β = 2, ρ = 0.02,
// m = n ants (0 here means "n"), p_best = 0.05; the iteration-best ant
// deposits, the global-best one every `global_best_every` iterations (the paper
// mixes both, favouring the iteration-best).
struct MmasParams {
  double alpha = 1.0;
  double beta = 2.0;
  double rho = 0.02;
  std::size_t ants = 0;
  double p_best = 0.05;
  std::size_t global_best_every = 5;
};

// τ_max = 1 / (ρ L_best),  τ_min = τ_max (1 - p_dec) / ((avg - 1) p_dec),
// p_dec = p_best^(1/n), avg = n / 2 (Stützle & Hoos 2000, Eqs. 7 and 11).
struct TrailLimits {
  double tau_min, tau_max;
};
TrailLimits mmas_trail_limits(double rho, double best_length, std::size_t n, double p_best);

class Mmas {
 public:
  // dist: n × n row-major, dist[i*n+j] > 0 for i != j. Throws UsageError on bad input.
  Mmas(std::vector<double> dist, std::size_t n, const MmasParams& params = {}, std::uint64_t seed = 1);

  // One iteration: every ant builds a tour, pheromone evaporates and the
  // chosen ant deposits 1/L on its tour's edges, then trails are clamped.
  void iterate();
  void run(std::size_t iterations);

  std::size_t size() const { return n_; }
  std::size_t iterations() const { return iteration_; }
  double best_length() const { return best_length_; }
  const std::vector<std::size_t>& best_tour() const { return best_tour_; }
  // Pheromone τ[i*n+j] and its current bounds.
  const std::vector<double>& pheromone() const { return tau_; }
  TrailLimits limits() const { return limits_; }
  double tour_length(const std::vector<std::size_t>& tour) const;

 private:
  std::vector<std::size_t> build_tour(std::size_t ant);
  void update_limits();

  std::vector<double> dist_, eta_, tau_;
  std::size_t n_;
  MmasParams p_;
  PhiloxKey key_;
  std::uint64_t counter_ = 0;
  std::size_t iteration_ = 0;
  double best_length_;
  std::vector<std::size_t> best_tour_;
  TrailLimits limits_{0, 0};
};

}  // namespace moesim::swarm
