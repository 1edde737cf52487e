// Single-qubit noise channels in Kraus form, ρ → Σ_i K_i ρ K_i† with
// Σ_i K_i† K_i = I, and their application to a state vector as a quantum
// trajectory (one Kraus operator drawn per application). Formulas (docs/quantum_noise.md):
//
//  depolarizing(p):      ρ → (1−p) ρ + (p/3)(XρX + YρY + ZρZ), p ∈ [0, 1];
//                        K = {√(1−p) I, √(p/3) X, √(p/3) Y, √(p/3) Z}. Average
//                        gate infidelity 2p/3. (Qiskit's depolarizing_error(λ),
//                        ρ → (1−λ)ρ + λ I/2, is this channel with p = 3λ/4.)
//  amplitude_damping(γ): K0 = [[1,0],[0,√(1−γ)]], K1 = [[0,√γ],[0,0]];
//                        γ = 1 − e^{−t/T1} for idle time t.
//  phase_damping(λ):     K0 = [[1,0],[0,√(1−λ)]], K1 = [[0,0],[0,√λ]]
//                        (Nielsen & Chuang §8.3.6): ρ01 → √(1−λ) ρ01, populations kept.
//  thermal_relaxation(T1, T2, t): amplitude damping with γ = 1 − e^{−t/T1}
//                        followed by phase damping with √(1−λ) = e^{−t/Tφ},
//                        1/Tφ = 1/T2 − 1/(2T1): P(1) → P(1) e^{−t/T1},
//                        |ρ01| → |ρ01| e^{−t/T2}. Relaxation is to |0⟩ (zero
//                        temperature). T2 ≤ 2 T1 is required (UsageError).
//
// Out-of-range parameters are moesim::UsageError naming the parameter and value.
#pragma once
#include "core/error.hpp"
#include "models/quantum/gates.hpp"
#include "models/quantum/measurement.hpp"
#include "models/quantum/simulator.hpp"
#include "models/quantum/state_space.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace moesim::quantum {

// Philox stream for noise and measurement draws of the quantum substrate
// (+500 and +501 are shot sampling; see state_space.hpp, batched_state.hpp).
inline constexpr std::uint64_t kNoiseStream = moesim::streams::kUser + 520;

struct KrausChannel {
  std::string name;
  std::vector<Gate1> ops;  // one qubit, Σ K†K = I
};

KrausChannel depolarizing(double p);
KrausChannel amplitude_damping(double gamma);
KrausChannel phase_damping(double lambda);
KrausChannel thermal_relaxation(double t1_s, double t2_s, double duration_s);

// max-norm of Σ_i K_i† K_i − I is ≤ tol.
bool is_trace_preserving(const KrausChannel& channel, double tol);

// ‖K_i ψ‖² for every Kraus operator, from the qubit's reduced density matrix
// ρ_q (row-major 2x2, as reduced_density_matrix returns): Tr(K ρ_q K†).
std::vector<double> kraus_probabilities(const KrausChannel& channel, const std::array<cplx, 4>& rho_q);

// Σ_i K_i ⊗ conj(K_i) as a Gate2 over local index r + 2c: the superoperator
// acting on ρ_{rc} (used by the density-matrix path).
Gate2 superoperator(const KrausChannel& channel);

// Quantum trajectory step: picks Kraus operator i with probability
// ‖K_i ψ‖² / ‖ψ‖² (the first i whose cumulative probability exceeds u,
// u ∈ [0, 1)), applies K_i / ‖K_i ψ‖ to `qubit`, so the state ends with norm 1,
// and returns i. The probabilities come from one deterministic reduction, so
// the choice depends on u and the state alone, never on the thread count.
// Averaged over u, |ψ⟩⟨ψ| evolves as the channel does.
template <class Real, class MemorySpace, class ExecSpace>
std::size_t apply_channel_trajectory(const StateSpace<Real, MemorySpace, ExecSpace>& space,
                                     State<Real, MemorySpace>& st, unsigned qubit, const KrausChannel& channel,
                                     double u) {
  if (channel.ops.empty()) throw std::invalid_argument("quantum: channel '" + channel.name + "' has no Kraus operators");
  const auto p = kraus_probabilities(channel, reduced_density_matrix(space, st, qubit));
  double total = 0;
  for (double x : p) total += x;
  if (!(total > 0)) throw std::runtime_error("quantum: channel '" + channel.name + "' on a zero state");
  // First i with p_i > 0 and cumulative > u·total; the last non-zero one if
  // rounding leaves u·total above the sum.
  const double target = u * total;
  std::size_t chosen = p.size();
  double cum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!(p[i] > 0)) continue;
    chosen = i;
    cum += p[i];
    if (cum > target) break;
  }
  Gate1 k = channel.ops[chosen];
  const double scale = 1.0 / std::sqrt(p[chosen]);
  for (auto& e : k.m) e *= scale;
  StateVectorSimulator<Real, MemorySpace, ExecSpace>(space.exec()).apply_gate(st, qubit, k);
  return chosen;
}

}  // namespace moesim::quantum
