// The CUDA backend: cuBLAS GEMM and custom MoE / activation kernels, compiled
// with nvcc only when MOESIM_ENABLE_CUDA=ON (then MOESIM_HAVE_CUDA=1 is defined
// for moesim_models and what links it). This header is plain C++: no CUDA or
// Kokkos types, so host code includes it without nvcc. The .cu files use CUDA
// and cuBLAS directly (DESIGN.md §5: the Kokkos here has no CUDA backend).
//
// Pointers passed to the kernels below are DEVICE pointers (DeviceBuffer::data)
// unless a parameter says "host". Matrices are row-major with a leading
// dimension (distance between rows, in floats), as in backends/gemm.hpp.
// Every kernel is enqueued on the context's stream and returns without waiting;
// DeviceBuffer::download and CudaContext::synchronize wait, and report errors
// of earlier asynchronous work as std::runtime_error.
//
// Determinism: gathers write disjoint (expert, slot) rows; combines sum one
// token's assignments in one thread block in the fixed order of the routing
// index (router order within a token), with no atomics on floats; the weight
// gradient reduces over features in a fixed tree. cuBLAS SGEMM is
// deterministic for a given GPU, shape and library version when, as here, one
// stream is used per handle (cuBLAS docs, "Results reproducibility").
#pragma once
#include "backends/gemm.hpp"
#include "backends/reference/activations.hpp"  // enum class Activation (plain C++)

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace moesim {

// ---------------------------------------------------------------- devices

// Number of CUDA devices; 0 when there is no device or no (or too old a)
// driver. Never throws.
int cuda_device_count() noexcept;

// One line for `moesim info`: "<n> device(s): <name> (sm_XY, <mem> MiB), ...;
// runtime <v>, driver <v>", or "no CUDA device (<reason>)". Never throws.
std::string cuda_device_summary() noexcept;

// A device, a stream and a cuBLAS handle bound to that stream. Throws
// std::runtime_error with a clear message if there is no such device (or no
// driver) or CUDA / cuBLAS initialisation fails. Not copyable or movable
// (kernels hold references to it).
class CudaContext {
 public:
  explicit CudaContext(int device = 0);
  ~CudaContext();
  CudaContext(const CudaContext&) = delete;
  CudaContext& operator=(const CudaContext&) = delete;

  int device() const;
  // Waits for all work enqueued on this context; throws std::runtime_error if
  // any of it failed.
  void synchronize();

  // For backends/cuda/*.cu only (defined in cuda_internal.cuh).
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// An RAII device allocation of `size()` elements of T (T = float, double, int)
// on the current CUDA device. Move-only. Transfers and zero() are synchronous
// and first wait for all work on the device (kernels enqueued on any context),
// throwing std::runtime_error if that work failed; upload returns when the
// data is on the device.
template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t count);  // zero-initialised
  explicit DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.size()) { upload(host); }
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Copies `count` host elements to the first `count` elements (count <= size(),
  // else std::invalid_argument).
  void upload(const T* host, std::size_t count);
  void upload(const std::vector<T>& host) { upload(host.data(), host.size()); }
  // Copies the first `count` elements to host memory (count <= size()).
  void download(T* host, std::size_t count) const;
  std::vector<T> download() const {
    std::vector<T> out(size_);
    download(out.data(), size_);
    return out;
  }
  void zero();

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

extern template class DeviceBuffer<float>;
extern template class DeviceBuffer<double>;
extern template class DeviceBuffer<int>;

// ------------------------------------------------------------------- GEMM

// C = alpha * op(A) * op(B) + beta * C, row-major: C is m x n (ldc >= n),
// op(A) m x k (A stored m x k with lda >= k if op_a == N, k x m with lda >= m
// if T), op(B) k x n likewise. Uses cuBLAS SGEMM (FP32, no TF32) on the
// row-major trick C^T = op(B)^T op(A)^T. Throws std::invalid_argument on bad
// leading dimensions or sizes beyond cuBLAS's int range.
void cuda_gemm(CudaContext& ctx, Op op_a, Op op_b, std::size_t m, std::size_t n, std::size_t k,
               float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta,
               float* c, std::size_t ldc);

// The same on matrix references holding device pointers; checks shapes like
// moesim::gemm (std::invalid_argument).
void cuda_gemm(CudaContext& ctx, Op op_a, Op op_b, float alpha, ConstMatRef a, ConstMatRef b, float beta,
               MatRef c);

// `batch` independent GEMMs, matrix i at a + i*stride_a (etc.): the E experts
// of an expert bank over their [capacity, d] buffers in one call.
void cuda_gemm_strided_batched(CudaContext& ctx, Op op_a, Op op_b, std::size_t m, std::size_t n,
                               std::size_t k, float alpha, const float* a, std::size_t lda,
                               std::size_t stride_a, const float* b, std::size_t ldb, std::size_t stride_b,
                               float beta, float* c, std::size_t ldc, std::size_t stride_c,
                               std::size_t batch);

// ---------------------------------------------------------- MoE dispatch

// A sparse dispatch on the device: parallel arrays of the kept assignments
// (assignment i routes token[i] to row slot[i] of expert expert[i] with combine
// weight weight[i]) and the index grouping them by token:
// order[token_begin[t] .. token_begin[t+1]) are token t's assignments, in
// their input (router) order. Expert buffers are [num_experts, capacity, d].
struct DeviceRouting {
  int num_tokens = 0;
  int num_experts = 0;
  int capacity = 0;
  std::size_t num_assignments = 0;
  DeviceBuffer<int> token, expert, slot;
  DeviceBuffer<float> weight;
  DeviceBuffer<int> token_begin;  // [num_tokens + 1]
  DeviceBuffer<int> order;        // [num_assignments]
};

// Checks host arrays of n assignments: token in [0, num_tokens), expert in
// [0, num_experts), slot in [0, capacity), and no (expert, slot) row used twice.
// Throws std::invalid_argument naming the first bad assignment. No device needed.
void check_routing(const int* token, const int* expert, const int* slot, std::size_t n, int num_tokens,
                   int num_experts, int capacity);

// The by-token index of n assignments (host): token_begin [num_tokens + 1] and
// order [n], stable within a token. No device needed. Tokens must be checked.
void routing_token_index(const int* token, std::size_t n, int num_tokens, std::vector<int>& token_begin,
                         std::vector<int>& order);

// Checks (check_routing), builds the token index and uploads everything. All
// pointers are host pointers.
DeviceRouting upload_routing(const int* token, const int* expert, const int* slot, const float* weight,
                             std::size_t n, int num_tokens, int num_experts, int capacity);

// buffers[e, s, :] = x[t, :] for every assignment (t, e, s); every other row of
// buffers is set to zero. x [num_tokens, d_model], buffers
// [num_experts, capacity, d_model], both contiguous.
void cuda_gather(CudaContext& ctx, const DeviceRouting& routing, const float* x, std::size_t d_model,
                 float* buffers);

// y[t, :] = (accumulate ? y[t, :] : 0) + sum over t's assignments a, in order,
// of weight[a] * expert_out[e_a, s_a, :]. A token without assignments gets 0
// (or keeps y with accumulate). One thread block per token, no atomics.
void cuda_combine(CudaContext& ctx, const DeviceRouting& routing, const float* expert_out,
                  std::size_t d_model, float* y, bool accumulate = false);

// Backward of cuda_combine: for every assignment a = (t, e, s):
// d_expert_out[e, s, :] = weight[a] * d_y[t, :] (other rows are left as they
// are) and d_weight[a] = <d_y[t, :], expert_out[e, s, :]> (fixed-order tree
// reduction). d_weight is a device array of num_assignments floats.
void cuda_combine_backward(CudaContext& ctx, const DeviceRouting& routing, const float* d_y,
                           const float* expert_out, std::size_t d_model, float* d_expert_out,
                           float* d_weight);

// Backward of cuda_gather: d_x[t, :] += sum over t's assignments, in order, of
// d_buffers[e, s, :] (one thread block per token, no atomics).
void cuda_gather_backward(CudaContext& ctx, const DeviceRouting& routing, const float* d_buffers,
                          std::size_t d_model, float* d_x);

// ------------------------------------------------------------ activations

// Elementwise activations with the semantics of backends/reference/activations.hpp
// (relu, exact-erf gelu, gelu_tanh, identity; swiglu on [a | b] halves).
// pre is [rows, activation_input_cols(act, out_cols)] and out [rows, out_cols],
// both contiguous. out may equal pre unless act is swiglu.
void cuda_activation_forward(CudaContext& ctx, Activation act, std::size_t rows, std::size_t out_cols,
                             const float* pre, float* out);

// d_pre = dact/dpre * d_out (swiglu: d_a = d_out * b * silu'(a), d_b = d_out * silu(a)).
// pre and d_pre are [rows, activation_input_cols(act, out_cols)], d_out
// [rows, out_cols]; d_pre may equal d_out unless act is swiglu.
void cuda_activation_backward(CudaContext& ctx, Activation act, std::size_t rows, std::size_t out_cols,
                              const float* pre, const float* d_out, float* d_pre);

}  // namespace moesim
