// Catch2 main: Kokkos is initialised once, with its warnings off, because
// Kokkos prints an OMP_PROC_BIND hint on stdout that catch_discover_tests would
// take for test names. MOESIM_TEST_THREADS sets the thread count.
#include "core/kokkos_runtime.hpp"

#include <catch2/catch_session.hpp>

#include <cstdlib>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  moesim::KokkosOptions options;
  options.num_threads = 1;
  if (const char* t = std::getenv("MOESIM_TEST_THREADS")) options.num_threads = std::atoi(t);
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--moesim-threads=", 17) == 0)
      options.num_threads = std::atoi(argv[i] + 17);
    else
      args.push_back(argv[i]);
  }
  moesim::KokkosRuntime runtime(options);
  return Catch::Session().run(static_cast<int>(args.size()), args.data());
}
