#include "core/kokkos_runtime.hpp"

#include <Kokkos_Core.hpp>

#include <omp.h>

#include <cstring>

#if __has_include(<cblas.h>)
#include <cblas.h>
#define MOESIM_HAVE_OPENBLAS_THREADS 1
#endif

namespace moesim {

KokkosRuntime::KokkosRuntime(const KokkosOptions& options) {
#ifdef MOESIM_HAVE_OPENBLAS_THREADS
  // BLAS calls are made from inside our own fixed-block parallel loops, so each
  // call must be single-threaded: that keeps results independent of the thread
  // count (DESIGN.md §5) and avoids oversubscription. OpenMP OpenBLAS
  // implements this with omp_set_num_threads(1), which would also shrink
  // Kokkos' thread pool: restore the OpenMP default afterwards (calls made
  // inside a parallel region stay single-threaded regardless).
  const int omp_default = omp_get_max_threads();
  openblas_set_num_threads(1);
  omp_set_num_threads(omp_default);
#endif
  if (Kokkos::is_initialized()) return;
  // Build an argv: the user's --kokkos-* options, then ours. Both 3.4 and 4.x
  // accept these spellings on the command line.
  std::vector<std::string> args{"moesim"};
  for (const auto& a : options.passthrough) args.push_back(a);
  if (options.num_threads > 0) {
#if KOKKOS_VERSION >= 30700
    args.push_back("--kokkos-num-threads=" + std::to_string(options.num_threads));
#else
    args.push_back("--kokkos-threads=" + std::to_string(options.num_threads));
#endif
  }
  if (options.disable_warnings) args.push_back("--kokkos-disable-warnings");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  Kokkos::initialize(argc, argv.data());
  owner_ = true;
}

KokkosRuntime::~KokkosRuntime() {
  if (owner_ && Kokkos::is_initialized()) Kokkos::finalize();
}

std::string kokkos_execution_space_name() { return Kokkos::DefaultHostExecutionSpace::name(); }

int kokkos_concurrency() { return Kokkos::DefaultHostExecutionSpace().concurrency(); }

std::string kokkos_version_string() {
  return std::to_string(KOKKOS_VERSION / 10000) + "." + std::to_string(KOKKOS_VERSION / 100 % 100) +
         "." + std::to_string(KOKKOS_VERSION % 100);
}

}  // namespace moesim
