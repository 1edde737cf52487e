#include "backends/kokkos/activations.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace moesim::kokkos {

namespace {
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;
constexpr float kSqrt2OverPi = 0.79788456080286536f;
constexpr float kGeluCubic = 0.044715f;
// Columns per work item in add_column_sums: consecutive columns share cache lines.
constexpr std::size_t kColumnBlock = 32;

inline float sigmoidf(float a) { return 1.0f / (1.0f + std::exp(-a)); }

inline float act_value(Activation act, float x) {
  switch (act) {
    case Activation::Relu: return x > 0.0f ? x : 0.0f;
    case Activation::Gelu: return 0.5f * x * (1.0f + std::erf(x * kInvSqrt2));
    case Activation::GeluTanh:
      return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * (x + kGeluCubic * x * x * x)));
    default: return x;  // identity (swiglu is handled by the caller)
  }
}

inline float act_derivative(Activation act, float x) {
  switch (act) {
    case Activation::Relu: return x > 0.0f ? 1.0f : 0.0f;
    case Activation::Gelu:
      return 0.5f * (1.0f + std::erf(x * kInvSqrt2)) + x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
    case Activation::GeluTanh: {
      const float t = std::tanh(kSqrt2OverPi * (x + kGeluCubic * x * x * x));
      return 0.5f * (1.0f + t) +
             0.5f * x * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * kGeluCubic * x * x);
    }
    default: return 1.0f;
  }
}

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("kokkos activations: shape mismatch in ") + what);
}

template <class ExecSpace, class Pre, class Out>
void apply_forward(const ExecSpace& exec, Activation act, const Pre& pre, const Out& out) {
  const std::size_t f = out.extent(1);
  Kokkos::parallel_for(
      "moesim::activation_forward", Kokkos::RangePolicy<ExecSpace>(exec, 0, out.extent(0)),
      [=](std::size_t i) {
        if (act == Activation::Swiglu) {
          for (std::size_t j = 0; j < f; ++j) {
            const float a = pre(i, j);
            out(i, j) = a * sigmoidf(a) * pre(i, f + j);
          }
        } else {
          for (std::size_t j = 0; j < f; ++j) out(i, j) = act_value(act, pre(i, j));
        }
      });
}
}  // namespace

template <class ExecSpace, class MemorySpace>
void activation_forward(const ExecSpace& exec, Activation act,
                        NoDeduce<ConstMatrix<MemorySpace>> pre, NoDeduce<Matrix<MemorySpace>> out) {
  require(pre.extent(0) == out.extent(0) &&
              pre.extent(1) == activation_input_cols(act, out.extent(1)),
          "activation_forward");
  apply_forward(exec, act, pre, out);
}

template <class ExecSpace, class MemorySpace>
void bias_activation_forward(const ExecSpace& exec, Activation act,
                             NoDeduce<ConstVector<MemorySpace>> bias,
                             NoDeduce<Matrix<MemorySpace>> pre, NoDeduce<Matrix<MemorySpace>> out) {
  require(pre.extent(0) == out.extent(0) &&
              pre.extent(1) == activation_input_cols(act, out.extent(1)) &&
              bias.extent(0) == pre.extent(1),
          "bias_activation_forward");
  const std::size_t cols = pre.extent(1), f = out.extent(1);
  Kokkos::parallel_for(
      "moesim::bias_activation_forward", Kokkos::RangePolicy<ExecSpace>(exec, 0, pre.extent(0)),
      [=](std::size_t i) {
        for (std::size_t j = 0; j < cols; ++j) pre(i, j) += bias(j);
        if (act == Activation::Swiglu) {
          for (std::size_t j = 0; j < f; ++j) {
            const float a = pre(i, j);
            out(i, j) = a * sigmoidf(a) * pre(i, f + j);
          }
        } else {
          for (std::size_t j = 0; j < f; ++j) out(i, j) = act_value(act, pre(i, j));
        }
      });
}

template <class ExecSpace, class MemorySpace>
void activation_backward(const ExecSpace& exec, Activation act,
                         NoDeduce<ConstMatrix<MemorySpace>> pre,
                         NoDeduce<ConstMatrix<MemorySpace>> d_out,
                         NoDeduce<Matrix<MemorySpace>> d_pre) {
  require(pre.extent(0) == d_out.extent(0) && pre.extent(0) == d_pre.extent(0) &&
              pre.extent(1) == d_pre.extent(1) &&
              pre.extent(1) == activation_input_cols(act, d_out.extent(1)),
          "activation_backward");
  const std::size_t f = d_out.extent(1);
  Kokkos::parallel_for(
      "moesim::activation_backward", Kokkos::RangePolicy<ExecSpace>(exec, 0, pre.extent(0)),
      [=](std::size_t i) {
        if (act == Activation::Swiglu) {
          for (std::size_t j = 0; j < f; ++j) {
            const float a = pre(i, j), b = pre(i, f + j), g = d_out(i, j);
            const float s = sigmoidf(a);
            d_pre(i, j) = g * b * s * (1.0f + a * (1.0f - s));
            d_pre(i, f + j) = g * a * s;
          }
        } else {
          for (std::size_t j = 0; j < f; ++j) d_pre(i, j) = d_out(i, j) * act_derivative(act, pre(i, j));
        }
      });
}

template <class ExecSpace, class MemorySpace>
void add_column_sums(const ExecSpace& exec, NoDeduce<ConstMatrix<MemorySpace>> x,
                     NoDeduce<Vector<MemorySpace>> sums) {
  require(sums.extent(0) == x.extent(1), "add_column_sums");
  const std::size_t rows = x.extent(0), cols = x.extent(1);
  const std::size_t blocks = (cols + kColumnBlock - 1) / kColumnBlock;
  Kokkos::parallel_for(
      "moesim::add_column_sums", Kokkos::RangePolicy<ExecSpace>(exec, 0, blocks),
      [=](std::size_t block) {
        const std::size_t j0 = block * kColumnBlock;
        const std::size_t nb = cols - j0 < kColumnBlock ? cols - j0 : kColumnBlock;
        double acc[kColumnBlock] = {};
        for (std::size_t i = 0; i < rows; ++i)
          for (std::size_t j = 0; j < nb; ++j) acc[j] += x(i, j0 + j);
        for (std::size_t j = 0; j < nb; ++j)
          sums(j0 + j) = static_cast<float>(sums(j0 + j) + acc[j]);
      });
}

#define MOESIM_INSTANTIATE_ACTIVATIONS(EXEC, MEM)                                                 \
  template void activation_forward<EXEC, MEM>(const EXEC&, Activation,                            \
                                              NoDeduce<ConstMatrix<MEM>>, NoDeduce<Matrix<MEM>>); \
  template void bias_activation_forward<EXEC, MEM>(const EXEC&, Activation,                       \
                                                   NoDeduce<ConstVector<MEM>>,                     \
                                                   NoDeduce<Matrix<MEM>>, NoDeduce<Matrix<MEM>>);  \
  template void activation_backward<EXEC, MEM>(const EXEC&, Activation,                           \
                                               NoDeduce<ConstMatrix<MEM>>,                         \
                                               NoDeduce<ConstMatrix<MEM>>, NoDeduce<Matrix<MEM>>); \
  template void add_column_sums<EXEC, MEM>(const EXEC&, NoDeduce<ConstMatrix<MEM>>,               \
                                           NoDeduce<Vector<MEM>>);

MOESIM_INSTANTIATE_ACTIVATIONS(Kokkos::DefaultHostExecutionSpace,
                               Kokkos::DefaultHostExecutionSpace::memory_space)

#undef MOESIM_INSTANTIATE_ACTIVATIONS

}  // namespace moesim::kokkos
