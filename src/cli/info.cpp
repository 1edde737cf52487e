// `moesim info`: build facts, one `key value` per line.
#include "cli/commands.hpp"

#include "build_info.hpp"
#include "core/kokkos_runtime.hpp"

#include <hdf5.h>

#ifdef MOESIM_HAVE_CUDA
#include "backends/cuda/cuda_backend.hpp"
#endif

#include <iostream>
#include <string>
#include <thread>

#if __has_include(<cblas.h>)
#include <cblas.h>
#define MOESIM_INFO_OPENBLAS 1
#endif

namespace moesim::cli {

namespace {

std::string hdf5_version() {
  unsigned major = 0, minor = 0, release = 0;
  if (H5get_libversion(&major, &minor, &release) < 0) return "unknown";
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

std::string blas_config() {
#ifdef MOESIM_INFO_OPENBLAS
  const char* c = openblas_get_config();
  std::string s = c ? c : "OpenBLAS";
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.pop_back();
  return s;
#else
  return "unknown";
#endif
}

}  // namespace

int info_command(const Invocation& inv) {
  po::options_description options("options", 100, 40);
  options.add_options()("help,h", "this help, e.g. moesim info --help");
  add_threads_option(options);
  const auto vm = parse_options(inv, options);
  if (vm.count("help")) {
    print_help(std::cout,
               {"moesim info [--threads N]",
                "Prints build facts, one `key value` per line: version, git_hash, build_type,\n"
                "compiler, kokkos, execution_space, concurrency, cuda, mpi, hdf5, blas, threads.",
                {"moesim info", "moesim info --threads 4", "moesim info | grep '^hdf5 '"}},
               options);
    return 0;
  }
  KokkosOptions kokkos;
  kokkos.num_threads = threads_option(vm);
  kokkos.passthrough = inv.kokkos;
  KokkosRuntime runtime(kokkos);

  auto& out = std::cout;
  out << "version " << MOESIM_VERSION_STRING << "\n"
      << "git_hash " << MOESIM_GIT_HASH << "\n"
      << "build_type " << MOESIM_BUILD_TYPE << "\n"
      << "compiler " << MOESIM_CXX_COMPILER << "\n"
      << "kokkos " << kokkos_version_string() << "\n"
      << "execution_space " << kokkos_execution_space_name() << "\n"
      << "concurrency " << kokkos_concurrency() << "\n"
#ifdef MOESIM_HAVE_CUDA
      << "cuda enabled\n"
      << "cuda_devices " << cuda_device_count() << "\n"
      << "cuda_device " << cuda_device_summary() << "\n"
#else
      << "cuda disabled\n"
#endif
#ifdef MOESIM_HAVE_MPI
      << "mpi enabled\n"
#else
      << "mpi disabled\n"
#endif
      << "hdf5 " << hdf5_version() << "\n"
      << "blas " << blas_config() << "\n"
      << "threads " << kokkos_concurrency() << "\n"
      << "hardware_threads " << std::thread::hardware_concurrency() << "\n";
  return 0;
}

}  // namespace moesim::cli
