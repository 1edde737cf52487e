// The one place that knows how Kokkos is initialised. Kokkos 3.4 (Debian)
// takes InitArguments, 3.7+ and 4.x take InitializationSettings; everything
// else in moesim uses API common to both.
#pragma once
#include <string>
#include <vector>

namespace moesim {

struct KokkosOptions {
  int num_threads = -1;          // -1: let Kokkos / OMP_NUM_THREADS decide
  bool disable_warnings = true;  // Kokkos prints OMP_PROC_BIND hints on stdout
  std::vector<std::string> passthrough;  // --kokkos-* arguments given by the user
};

// RAII: initialises Kokkos (unless already initialised) and finalises it.
class KokkosRuntime {
 public:
  explicit KokkosRuntime(const KokkosOptions& options = {});
  ~KokkosRuntime();
  KokkosRuntime(const KokkosRuntime&) = delete;
  KokkosRuntime& operator=(const KokkosRuntime&) = delete;

 private:
  bool owner_ = false;
};

// Name and concurrency of the default host execution space.
std::string kokkos_execution_space_name();
int kokkos_concurrency();
std::string kokkos_version_string();

}  // namespace moesim
