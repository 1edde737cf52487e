// The continuous swarm optimizers and their published default parameters.
// Each algorithm lives in its own file (pso.cpp, qpso.cpp, acor.cpp, abc.cpp,
// cnsabc.cpp, abc_pso.cpp), which cites its source; make_optimizer() picks one
// by its `moesim swarm --algo` name.
#pragma once
#include "models/swarm/optimizer.hpp"

#include <memory>
#include <string>
#include <vector>

namespace moesim::swarm {

// Clerc & Kennedy (2002) constriction PSO as pagmo's `pso` default (variant 5).
struct PsoParams {
  double chi = 0.7298;        // constriction coefficient
  double eta1 = 2.05;         // cognitive acceleration
  double eta2 = 2.05;         // social acceleration
  double max_vel = 0.5;       // velocity clamp as a fraction of (ub - lb)
  bool ring = true;           // lbest ring (neighbours i±1, i±2), else global best
  std::size_t ring_radius = 2;
};

// Quantum-behaved PSO (Sun, Feng & Xu 2004; Sun et al. 2012).
struct QpsoParams {
  double beta_start = 1.0;  // contraction-expansion coefficient at the start ...
  double beta_end = 0.5;    // ... decreasing linearly to this at the end of the budget
};

// ACO_R (Socha & Dorigo 2008). The population setting is the number of ants m.
struct AcorParams {
  std::size_t archive = 50;  // k
  double q = 1e-4;           // locality of the search (rank weight width q*k)
  double xi = 0.85;          // ξ: speed of convergence (pheromone evaporation analogue)
};

// Artificial Bee Colony (Karaboga 2005). Population = food sources.
struct AbcParams {
  std::size_t limit = 20;  // trials before a source is abandoned (pagmo's bee_colony default)
  // false (default): textbook ABC, a scout's new source gets its own fitness.
  // true: pagmo's bee_colony, which keeps the abandoned source's old fitness.
  bool keep_old_fitness_after_scout = false;
};

// Chaotic neighbourhood-search ABC (Xiao, Li, Liu & Tan 2023).
struct CnsAbcParams {
  std::size_t limit = 20;
  double bernoulli_lambda = 0.4;  // Bernoulli shift map parameter λ
  std::size_t neighbourhood = 2;  // ring radius of the neighbourhood search
  double social = 1.5;            // ψ ~ U(0, social) pull toward the neighbourhood best
  double compression_start = 1.0; // compression factor, decreasing linearly ...
  double compression_end = 0.1;   // ... over the budget
};

// Hybrid ABC-PSO (El-Abd 2011, ABC-SPSO).
struct AbcPsoParams {
  double chi = 0.7298, eta1 = 2.05, eta2 = 2.05, max_vel = 0.5;
};

std::unique_ptr<Optimizer> make_pso(const Problem& p, const OptimizerSettings& s, const PsoParams& a = {},
                                    HostSpace space = HostSpace());
std::unique_ptr<Optimizer> make_qpso(const Problem& p, const OptimizerSettings& s, const QpsoParams& a = {},
                                     HostSpace space = HostSpace());
std::unique_ptr<Optimizer> make_acor(const Problem& p, const OptimizerSettings& s, const AcorParams& a = {},
                                     HostSpace space = HostSpace());
std::unique_ptr<Optimizer> make_abc(const Problem& p, const OptimizerSettings& s, const AbcParams& a = {},
                                    HostSpace space = HostSpace());
std::unique_ptr<Optimizer> make_cnsabc(const Problem& p, const OptimizerSettings& s, const CnsAbcParams& a = {},
                                       HostSpace space = HostSpace());
std::unique_ptr<Optimizer> make_abc_pso(const Problem& p, const OptimizerSettings& s,
                                        const AbcPsoParams& a = {}, HostSpace space = HostSpace());

// `moesim swarm --algo` names: pso, pso-gbest, qpso, acor, abc, cnsabc, abc-pso.
const std::vector<std::string>& algorithm_names();
std::string algorithm_names_joined();
// Throws UsageError listing the accepted names for an unknown one.
std::unique_ptr<Optimizer> make_optimizer(const std::string& algo, const Problem& p, const OptimizerSettings& s,
                                          HostSpace space = HostSpace());

// ABC's objective-to-fitness map (Karaboga 2005): 1/(1+f) for f >= 0, else 1+|f|.
inline double abc_fitness(double f) { return f >= 0 ? 1.0 / (1.0 + f) : 1.0 - f; }

}  // namespace moesim::swarm
