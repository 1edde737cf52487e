// Catch2 main: Kokkos is initialised once, with its warnings off, because
// Kokkos prints an OMP_PROC_BIND hint on stdout that catch_discover_tests would
// take for test names. MOESIM_TEST_THREADS sets the thread count.
#include "core/kokkos_runtime.hpp"

#include <catch2/catch_session.hpp>

#include <cstdlib>

int main(int argc, char** argv) {
  moesim::KokkosOptions options;
  if (const char* t = std::getenv("MOESIM_TEST_THREADS")) options.num_threads = std::atoi(t);
  moesim::KokkosRuntime runtime(options);
  return Catch::Session().run(argc, argv);
}
