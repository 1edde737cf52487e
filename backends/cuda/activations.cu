// Activations forward and backward on the device, elementwise, with the
// semantics of backends/reference/activations.hpp (PyTorch's): relu (derivative
// 0 at 0), gelu with the exact erf, gelu_tanh, identity, and swiglu on a
// pre-activation of 2f columns [a | b] giving silu(a) * b.
#include "backends/cuda/cuda_internal.cuh"

#include <stdexcept>
#include <string>

namespace moesim {

namespace {

constexpr float kInvSqrt2 = 0.70710678118654752f;    // 1/sqrt(2)
constexpr float kInvSqrt2Pi = 0.39894228040143268f;  // 1/sqrt(2 pi)
constexpr float kSqrt2OverPi = 0.79788456080286536f; // sqrt(2/pi)
constexpr float kGeluCubic = 0.044715f;

__device__ __forceinline__ float sigmoid(float a) { return 1.0f / (1.0f + expf(-a)); }

template <Activation A>
__device__ __forceinline__ float act_forward(float x) {
  if constexpr (A == Activation::Relu) return x > 0.0f ? x : 0.0f;
  else if constexpr (A == Activation::Gelu) return 0.5f * x * (1.0f + erff(x * kInvSqrt2));
  else if constexpr (A == Activation::GeluTanh)
    return 0.5f * x * (1.0f + tanhf(kSqrt2OverPi * (x + kGeluCubic * x * x * x)));
  else return x;  // Identity
}

template <Activation A>
__device__ __forceinline__ float act_derivative(float x) {
  if constexpr (A == Activation::Relu) return x > 0.0f ? 1.0f : 0.0f;
  else if constexpr (A == Activation::Gelu)
    return 0.5f * (1.0f + erff(x * kInvSqrt2)) + x * kInvSqrt2Pi * expf(-0.5f * x * x);
  else if constexpr (A == Activation::GeluTanh) {
    const float t = tanhf(kSqrt2OverPi * (x + kGeluCubic * x * x * x));
    return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * kGeluCubic * x * x);
  } else return 1.0f;  // Identity
}

template <Activation A>
__global__ void elementwise_forward(std::size_t n, const float* pre, float* out) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    out[i] = act_forward<A>(pre[i]);
}

template <Activation A>
__global__ void elementwise_backward(std::size_t n, const float* pre, const float* d_out, float* d_pre) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    d_pre[i] = d_out[i] * act_derivative<A>(pre[i]);
}

// pre [rows, 2f] = [a | b]; out [rows, f].
__global__ void swiglu_forward(std::size_t rows, std::size_t f, const float* __restrict__ pre,
                               float* __restrict__ out) {
  const std::size_t n = rows * f;
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const std::size_t r = i / f, j = i % f;
    const float a = pre[r * 2 * f + j], b = pre[r * 2 * f + f + j];
    out[i] = a * sigmoid(a) * b;
  }
}

__global__ void swiglu_backward(std::size_t rows, std::size_t f, const float* __restrict__ pre,
                                const float* __restrict__ d_out, float* __restrict__ d_pre) {
  const std::size_t n = rows * f;
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const std::size_t r = i / f, j = i % f;
    const float a = pre[r * 2 * f + j], b = pre[r * 2 * f + f + j], g = d_out[i], s = sigmoid(a);
    d_pre[r * 2 * f + j] = g * b * s * (1.0f + a * (1.0f - s));
    d_pre[r * 2 * f + f + j] = g * a * s;
  }
}

template <Activation A>
void launch_forward(CudaContext& ctx, std::size_t n, const float* pre, float* out) {
  elementwise_forward<A><<<cuda_detail::grid_for(n), cuda_detail::kThreads, 0, cuda_detail::stream(ctx)>>>(n, pre, out);
  cuda_detail::check_launch("elementwise_forward");
}

template <Activation A>
void launch_backward(CudaContext& ctx, std::size_t n, const float* pre, const float* d_out, float* d_pre) {
  elementwise_backward<A>
      <<<cuda_detail::grid_for(n), cuda_detail::kThreads, 0, cuda_detail::stream(ctx)>>>(n, pre, d_out, d_pre);
  cuda_detail::check_launch("elementwise_backward");
}

}  // namespace

void cuda_activation_forward(CudaContext& ctx, Activation act, std::size_t rows, std::size_t out_cols,
                             const float* pre, float* out) {
  const std::size_t n = rows * out_cols;
  if (n == 0) return;
  if (act == Activation::Swiglu && pre == out)
    throw std::invalid_argument("cuda_activation_forward: swiglu cannot run in place");
  cuda_detail::DeviceScope scope(ctx);
  switch (act) {
    case Activation::Relu: return launch_forward<Activation::Relu>(ctx, n, pre, out);
    case Activation::Gelu: return launch_forward<Activation::Gelu>(ctx, n, pre, out);
    case Activation::GeluTanh: return launch_forward<Activation::GeluTanh>(ctx, n, pre, out);
    case Activation::Identity: return launch_forward<Activation::Identity>(ctx, n, pre, out);
    case Activation::Swiglu:
      swiglu_forward<<<cuda_detail::grid_for(n), cuda_detail::kThreads, 0, cuda_detail::stream(ctx)>>>(rows, out_cols,
                                                                                                       pre, out);
      return cuda_detail::check_launch("swiglu_forward");
  }
  throw std::invalid_argument("cuda_activation_forward: unknown activation " + std::to_string(static_cast<int>(act)));
}

void cuda_activation_backward(CudaContext& ctx, Activation act, std::size_t rows, std::size_t out_cols,
                              const float* pre, const float* d_out, float* d_pre) {
  const std::size_t n = rows * out_cols;
  if (n == 0) return;
  if (act == Activation::Swiglu && (d_pre == d_out || d_pre == pre))
    throw std::invalid_argument("cuda_activation_backward: swiglu cannot run in place");
  cuda_detail::DeviceScope scope(ctx);
  switch (act) {
    case Activation::Relu: return launch_backward<Activation::Relu>(ctx, n, pre, d_out, d_pre);
    case Activation::Gelu: return launch_backward<Activation::Gelu>(ctx, n, pre, d_out, d_pre);
    case Activation::GeluTanh: return launch_backward<Activation::GeluTanh>(ctx, n, pre, d_out, d_pre);
    case Activation::Identity: return launch_backward<Activation::Identity>(ctx, n, pre, d_out, d_pre);
    case Activation::Swiglu:
      swiglu_backward<<<cuda_detail::grid_for(n), cuda_detail::kThreads, 0, cuda_detail::stream(ctx)>>>(
          rows, out_cols, pre, d_out, d_pre);
      return cuda_detail::check_launch("swiglu_backward");
  }
  throw std::invalid_argument("cuda_activation_backward: unknown activation " +
                              std::to_string(static_cast<int>(act)));
}

}  // namespace moesim
