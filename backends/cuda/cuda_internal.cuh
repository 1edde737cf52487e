// Shared by backends/cuda/*.cu only: the context's CUDA objects, error checks
// and launch helpers. Not for host code (use cuda_backend.hpp).
#pragma once
#include "backends/cuda/cuda_backend.hpp"

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <string>

namespace moesim {

struct CudaContext::Impl {
  int device = 0;
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
};

namespace cuda_detail {

// Throws std::runtime_error("CUDA error in <what>: <name>: <description>").
void check(cudaError_t status, const char* what);
void check(cublasStatus_t status, const char* what);
// Checks the launch of the kernel just enqueued (bad configuration etc.).
void check_launch(const char* kernel);

// Makes ctx's device current for the scope; restores the previous one.
class DeviceScope {
 public:
  explicit DeviceScope(const CudaContext& ctx);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  int previous_ = -1;
};

inline cudaStream_t stream(CudaContext& ctx) { return ctx.impl().stream; }

// Threads per block for feature loops, and a grid size for grid-stride loops
// over n elements (capped: the loops stride).
inline constexpr int kThreads = 256;
inline unsigned grid_for(std::size_t n) {
  const std::size_t blocks = (n + kThreads - 1) / kThreads;
  const std::size_t cap = 65535;
  return static_cast<unsigned>(blocks == 0 ? 1 : (blocks < cap ? blocks : cap));
}

}  // namespace cuda_detail
}  // namespace moesim
