// Dispatcher and Combiner kernels of a sparse MoE layer on the device:
// gather token rows into per-expert buffers, scatter expert outputs back
// weighted, and their backward passes. Same semantics as
// backends/reference/moe_kernels.cpp (the oracle the tests compare with).
//
// Determinism: a gather writes disjoint (expert, slot) rows (check_routing
// rejects a row used twice); a combine gives each token one thread block whose
// threads own features and add that token's assignments in the index's fixed
// order — no float atomics, so results do not depend on scheduling.
#include "backends/cuda/cuda_internal.cuh"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace moesim {

namespace {

using cuda_detail::check;
using cuda_detail::kThreads;

// Blocks for a one-block-per-item kernel (the kernels loop if there are more items).
unsigned item_blocks(std::size_t items) {
  const std::size_t cap = std::size_t{1} << 30;
  return static_cast<unsigned>(std::max<std::size_t>(1, std::min(items, cap)));
}

__device__ __forceinline__ std::size_t row_offset(int expert, int slot, int capacity, std::size_t d) {
  return (static_cast<std::size_t>(expert) * static_cast<std::size_t>(capacity) + static_cast<std::size_t>(slot)) * d;
}

__global__ void gather_kernel(std::size_t n, const int* __restrict__ token, const int* __restrict__ expert,
                              const int* __restrict__ slot, int capacity, const float* __restrict__ x,
                              std::size_t d, float* __restrict__ buffers) {
  for (std::size_t a = blockIdx.x; a < n; a += gridDim.x) {
    const float* src = x + static_cast<std::size_t>(token[a]) * d;
    float* dst = buffers + row_offset(expert[a], slot[a], capacity, d);
    for (std::size_t j = threadIdx.x; j < d; j += blockDim.x) dst[j] = src[j];
  }
}

// y[t, :] = (accumulate ? y[t, :] : 0) + sum_{i in token t's range} w(a_i) * rows[e, s, :],
// w = weight[a] or 1 when weight is null. One block per token.
__global__ void combine_kernel(int num_tokens, const int* __restrict__ token_begin, const int* __restrict__ order,
                               const int* __restrict__ expert, const int* __restrict__ slot,
                               const float* __restrict__ weight, int capacity, const float* __restrict__ rows,
                               std::size_t d, float* __restrict__ y, bool accumulate) {
  for (std::size_t t = blockIdx.x; t < static_cast<std::size_t>(num_tokens); t += gridDim.x) {
    const int begin = token_begin[t], end = token_begin[t + 1];
    float* out = y + t * d;
    for (std::size_t j = threadIdx.x; j < d; j += blockDim.x) {
      float acc = accumulate ? out[j] : 0.0f;
      for (int i = begin; i < end; ++i) {
        const int a = order[i];
        const float v = rows[row_offset(expert[a], slot[a], capacity, d) + j];
        acc += weight ? weight[a] * v : v;
      }
      out[j] = acc;
    }
  }
}

// One block per assignment: d_rows[e, s, :] = w * d_y[t, :]; d_weight[a] =
// <d_y[t, :], rows[e, s, :]>: each thread sums its strided features in order,
// then a fixed shared-memory tree (blockDim.x == kThreads, a power of two).
__global__ void combine_backward_kernel(std::size_t n, const int* __restrict__ token, const int* __restrict__ expert,
                                        const int* __restrict__ slot, const float* __restrict__ weight, int capacity,
                                        const float* __restrict__ d_y, const float* __restrict__ rows, std::size_t d,
                                        float* __restrict__ d_rows, float* __restrict__ d_weight) {
  __shared__ float partial[kThreads];
  for (std::size_t a = blockIdx.x; a < n; a += gridDim.x) {
    const float* dy = d_y + static_cast<std::size_t>(token[a]) * d;
    const std::size_t off = row_offset(expert[a], slot[a], capacity, d);
    const float w = weight[a];
    float dot = 0.0f;
    for (std::size_t j = threadIdx.x; j < d; j += blockDim.x) {
      const float g = dy[j];
      d_rows[off + j] = w * g;
      dot += g * rows[off + j];
    }
    partial[threadIdx.x] = dot;
    __syncthreads();
    for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
      if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
      __syncthreads();
    }
    if (threadIdx.x == 0) d_weight[a] = partial[0];
    __syncthreads();  // partial is reused by the next assignment of this block
  }
}

void check_routing_shape(const DeviceRouting& r, const char* what) {
  if (r.num_tokens < 0 || r.num_experts < 0 || r.capacity < 0 ||
      r.token_begin.size() != static_cast<std::size_t>(r.num_tokens) + 1 || r.order.size() != r.num_assignments ||
      r.token.size() != r.num_assignments || r.expert.size() != r.num_assignments ||
      r.slot.size() != r.num_assignments || r.weight.size() != r.num_assignments)
    throw std::invalid_argument(std::string(what) + ": DeviceRouting is inconsistent (build it with upload_routing)");
}

}  // namespace

void check_routing(const int* token, const int* expert, const int* slot, std::size_t n, int num_tokens,
                   int num_experts, int capacity) {
  if (num_tokens < 0 || num_experts < 0 || capacity < 0)
    throw std::invalid_argument("check_routing: negative num_tokens, num_experts or capacity");
  std::vector<unsigned char> used(static_cast<std::size_t>(num_experts) * static_cast<std::size_t>(capacity), 0);
  auto fail = [](std::size_t i, const std::string& what) {
    throw std::invalid_argument("check_routing: assignment " + std::to_string(i) + ": " + what);
  };
  auto outside = [](const char* name, int v, int limit) {
    return std::string(name) + " " + std::to_string(v) + " outside [0, " + std::to_string(limit) + ")";
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (token[i] < 0 || token[i] >= num_tokens) fail(i, outside("token", token[i], num_tokens));
    if (expert[i] < 0 || expert[i] >= num_experts) fail(i, outside("expert", expert[i], num_experts));
    if (slot[i] < 0 || slot[i] >= capacity) fail(i, outside("slot", slot[i], capacity));
    auto& u = used[static_cast<std::size_t>(expert[i]) * static_cast<std::size_t>(capacity) + slot[i]];
    if (u)
      fail(i, "row (expert " + std::to_string(expert[i]) + ", slot " + std::to_string(slot[i]) +
                  ") is already used by another assignment");
    u = 1;
  }
}

void routing_token_index(const int* token, std::size_t n, int num_tokens, std::vector<int>& token_begin,
                         std::vector<int>& order) {
  token_begin.assign(static_cast<std::size_t>(num_tokens) + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++token_begin[static_cast<std::size_t>(token[i]) + 1];
  for (int t = 0; t < num_tokens; ++t) token_begin[t + 1] += token_begin[t];
  order.resize(n);
  std::vector<int> fill(token_begin.begin(), token_begin.end() - 1);
  for (std::size_t i = 0; i < n; ++i) order[fill[token[i]]++] = static_cast<int>(i);
}

DeviceRouting upload_routing(const int* token, const int* expert, const int* slot, const float* weight,
                             std::size_t n, int num_tokens, int num_experts, int capacity) {
  if (n > static_cast<std::size_t>(INT32_MAX))
    throw std::invalid_argument("upload_routing: more than 2^31 - 1 assignments");
  check_routing(token, expert, slot, n, num_tokens, num_experts, capacity);
  std::vector<int> token_begin, order;
  routing_token_index(token, n, num_tokens, token_begin, order);
  DeviceRouting r;
  r.num_tokens = num_tokens;
  r.num_experts = num_experts;
  r.capacity = capacity;
  r.num_assignments = n;
  r.token = DeviceBuffer<int>(n);
  r.token.upload(token, n);
  r.expert = DeviceBuffer<int>(n);
  r.expert.upload(expert, n);
  r.slot = DeviceBuffer<int>(n);
  r.slot.upload(slot, n);
  r.weight = DeviceBuffer<float>(n);
  r.weight.upload(weight, n);
  r.token_begin = DeviceBuffer<int>(token_begin);
  r.order = DeviceBuffer<int>(order);
  return r;
}

void cuda_gather(CudaContext& ctx, const DeviceRouting& r, const float* x, std::size_t d_model, float* buffers) {
  check_routing_shape(r, "cuda_gather");
  cuda_detail::DeviceScope scope(ctx);
  const std::size_t buffer_floats =
      static_cast<std::size_t>(r.num_experts) * static_cast<std::size_t>(r.capacity) * d_model;
  if (buffer_floats > 0)
    check(cudaMemsetAsync(buffers, 0, buffer_floats * sizeof(float), cuda_detail::stream(ctx)), "cuda_gather (zero)");
  if (r.num_assignments == 0 || d_model == 0) return;
  gather_kernel<<<item_blocks(r.num_assignments), kThreads, 0, cuda_detail::stream(ctx)>>>(
      r.num_assignments, r.token.data(), r.expert.data(), r.slot.data(), r.capacity, x, d_model, buffers);
  cuda_detail::check_launch("gather_kernel");
}

void cuda_combine(CudaContext& ctx, const DeviceRouting& r, const float* expert_out, std::size_t d_model, float* y,
                  bool accumulate) {
  check_routing_shape(r, "cuda_combine");
  if (r.num_tokens == 0 || d_model == 0) return;
  cuda_detail::DeviceScope scope(ctx);
  combine_kernel<<<item_blocks(r.num_tokens), kThreads, 0, cuda_detail::stream(ctx)>>>(
      r.num_tokens, r.token_begin.data(), r.order.data(), r.expert.data(), r.slot.data(), r.weight.data(),
      r.capacity, expert_out, d_model, y, accumulate);
  cuda_detail::check_launch("combine_kernel");
}

void cuda_combine_backward(CudaContext& ctx, const DeviceRouting& r, const float* d_y, const float* expert_out,
                           std::size_t d_model, float* d_expert_out, float* d_weight) {
  check_routing_shape(r, "cuda_combine_backward");
  if (r.num_assignments == 0) return;
  cuda_detail::DeviceScope scope(ctx);
  combine_backward_kernel<<<item_blocks(r.num_assignments), kThreads, 0, cuda_detail::stream(ctx)>>>(
      r.num_assignments, r.token.data(), r.expert.data(), r.slot.data(), r.weight.data(), r.capacity, d_y,
      expert_out, d_model, d_expert_out, d_weight);
  cuda_detail::check_launch("combine_backward_kernel");
}

void cuda_gather_backward(CudaContext& ctx, const DeviceRouting& r, const float* d_buffers, std::size_t d_model,
                          float* d_x) {
  check_routing_shape(r, "cuda_gather_backward");
  if (r.num_tokens == 0 || d_model == 0) return;
  cuda_detail::DeviceScope scope(ctx);
  combine_kernel<<<item_blocks(r.num_tokens), kThreads, 0, cuda_detail::stream(ctx)>>>(
      r.num_tokens, r.token_begin.data(), r.order.data(), r.expert.data(), r.slot.data(), nullptr, r.capacity,
      d_buffers, d_model, d_x, /*accumulate=*/true);
  cuda_detail::check_launch("combine_kernel (gather backward)");
}

}  // namespace moesim
