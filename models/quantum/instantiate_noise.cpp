// Explicit instantiations of the noise, measurement, dense-unitary and
// density-matrix code for double and float on the default host execution
// space, so that every template is compiled even before other code uses it.
#include "models/quantum/density_matrix.hpp"
#include "models/quantum/measurement.hpp"
#include "models/quantum/noise.hpp"
#include "models/quantum/unitary.hpp"

namespace moesim::quantum {

#define MOESIM_QUANTUM_NOISE_INSTANTIATE(Real)                                                                  \
  template class DensityMatrixSimulator<Real, Kokkos::HostSpace>;                                              \
  template std::array<cplx, 4> reduced_density_matrix(const StateSpace<Real, Kokkos::HostSpace>&,              \
                                                      const State<Real, Kokkos::HostSpace>&, unsigned);        \
  template double probability_one(const StateSpace<Real, Kokkos::HostSpace>&,                                  \
                                  const State<Real, Kokkos::HostSpace>&, unsigned);                            \
  template int measure_qubit(const StateSpace<Real, Kokkos::HostSpace>&, State<Real, Kokkos::HostSpace>&,      \
                             unsigned, double);                                                                \
  template int reset_qubit(const StateSpace<Real, Kokkos::HostSpace>&, State<Real, Kokkos::HostSpace>&,        \
                           unsigned, double);                                                                  \
  template std::size_t apply_channel_trajectory(const StateSpace<Real, Kokkos::HostSpace>&,                    \
                                                State<Real, Kokkos::HostSpace>&, unsigned, const KrausChannel&, \
                                                double);                                                       \
  template void apply_matrix(const Kokkos::DefaultHostExecutionSpace&, State<Real, Kokkos::HostSpace>&,        \
                             const std::vector<unsigned>&, const std::vector<cplx>&,                           \
                             const std::vector<unsigned>&);                                                    \
  template void apply_unitary(const StateVectorSimulator<Real, Kokkos::HostSpace>&,                            \
                              State<Real, Kokkos::HostSpace>&, const std::vector<unsigned>&,                   \
                              const std::vector<cplx>&, const std::vector<unsigned>&, double);

MOESIM_QUANTUM_NOISE_INSTANTIATE(double)
MOESIM_QUANTUM_NOISE_INSTANTIATE(float)

#undef MOESIM_QUANTUM_NOISE_INSTANTIATE

}  // namespace moesim::quantum
