// Explicit instantiations, so that every member of the state-vector engine is
// compiled for double and float on the default host execution space (and
// Serial) even before other code uses it.
#include "models/quantum/simulator.hpp"
#include "models/quantum/state_space.hpp"

namespace moesim::quantum {
template class StateSpace<double, Kokkos::HostSpace>;
template class StateSpace<float, Kokkos::HostSpace>;
template class StateVectorSimulator<double, Kokkos::HostSpace>;
template class StateVectorSimulator<float, Kokkos::HostSpace>;
#ifdef KOKKOS_ENABLE_SERIAL
template class StateSpace<double, Kokkos::HostSpace, Kokkos::Serial>;
template class StateVectorSimulator<double, Kokkos::HostSpace, Kokkos::Serial>;
#endif
}  // namespace moesim::quantum
