#include "backends/reference/activations.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

namespace moesim {

double activation_flops(Activation act) {
  switch (act) {
    case Activation::Relu: return 1.0;
    case Activation::Gelu: return 5.0;
    case Activation::GeluTanh: return 9.0;
    case Activation::Swiglu: return 4.0;
    case Activation::Identity: return 0.0;
  }
  return 0.0;
}

std::string activation_name(Activation act) {
  switch (act) {
    case Activation::Relu: return "relu";
    case Activation::Gelu: return "gelu";
    case Activation::GeluTanh: return "gelu_tanh";
    case Activation::Swiglu: return "swiglu";
    case Activation::Identity: return "identity";
  }
  return "?";
}

namespace reference {

namespace {
constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kInvSqrt2Pi = 0.3989422804014327;   // 1/√(2π)
constexpr double kSqrt2OverPi = 0.7978845608028654;  // √(2/π)
constexpr double kGeluCubic = 0.044715;

double sigmoid(double a) { return 1.0 / (1.0 + std::exp(-a)); }

double scalar_forward(Activation act, double x) {
  switch (act) {
    case Activation::Relu: return x > 0.0 ? x : 0.0;
    case Activation::Gelu: return 0.5 * x * (1.0 + std::erf(x / kSqrt2));
    case Activation::GeluTanh:
      return 0.5 * x * (1.0 + std::tanh(kSqrt2OverPi * (x + kGeluCubic * x * x * x)));
    case Activation::Identity: return x;
    case Activation::Swiglu: break;
  }
  throw std::logic_error("scalar_forward: swiglu is not elementwise");
}

double scalar_derivative(Activation act, double x) {
  switch (act) {
    case Activation::Relu: return x > 0.0 ? 1.0 : 0.0;
    case Activation::Gelu:
      return 0.5 * (1.0 + std::erf(x / kSqrt2)) + x * kInvSqrt2Pi * std::exp(-0.5 * x * x);
    case Activation::GeluTanh: {
      const double t = std::tanh(kSqrt2OverPi * (x + kGeluCubic * x * x * x));
      return 0.5 * (1.0 + t) +
             0.5 * x * (1.0 - t * t) * kSqrt2OverPi * (1.0 + 3.0 * kGeluCubic * x * x);
    }
    case Activation::Identity: return 1.0;
    case Activation::Swiglu: break;
  }
  throw std::logic_error("scalar_derivative: swiglu is not elementwise");
}

void check(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("activations: shape mismatch in ") + what);
}
}  // namespace

void activation_forward(Activation act, ConstMatRef pre, MatRef out) {
  check(pre.rows == out.rows && pre.cols == activation_input_cols(act, out.cols),
        "activation_forward");
  const std::size_t f = out.cols;
  for (std::size_t i = 0; i < out.rows; ++i) {
    for (std::size_t j = 0; j < f; ++j) {
      if (act == Activation::Swiglu) {
        const double a = pre(i, j), b = pre(i, f + j);
        out(i, j) = static_cast<float>(a * sigmoid(a) * b);
      } else {
        out(i, j) = static_cast<float>(scalar_forward(act, pre(i, j)));
      }
    }
  }
}

void bias_activation_forward(Activation act, const float* bias, MatRef pre, MatRef out) {
  check(pre.rows == out.rows && pre.cols == activation_input_cols(act, out.cols),
        "bias_activation_forward");
  for (std::size_t i = 0; i < pre.rows; ++i)
    for (std::size_t j = 0; j < pre.cols; ++j) pre(i, j) = pre(i, j) + bias[j];
  activation_forward(act, pre, out);
}

void activation_backward(Activation act, ConstMatRef pre, ConstMatRef d_out, MatRef d_pre) {
  check(pre.rows == d_out.rows && pre.rows == d_pre.rows && pre.cols == d_pre.cols &&
            pre.cols == activation_input_cols(act, d_out.cols),
        "activation_backward");
  const std::size_t f = d_out.cols;
  for (std::size_t i = 0; i < pre.rows; ++i) {
    for (std::size_t j = 0; j < f; ++j) {
      const double g = d_out(i, j);
      if (act == Activation::Swiglu) {
        const double a = pre(i, j), b = pre(i, f + j), s = sigmoid(a);
        d_pre(i, j) = static_cast<float>(g * b * s * (1.0 + a * (1.0 - s)));
        d_pre(i, f + j) = static_cast<float>(g * a * s);
      } else {
        d_pre(i, j) = static_cast<float>(g * scalar_derivative(act, pre(i, j)));
      }
    }
  }
}

void add_column_sums(ConstMatRef x, float* sums) {
  std::vector<double> acc(x.cols, 0.0);
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t j = 0; j < x.cols; ++j) acc[j] += x(i, j);
  for (std::size_t j = 0; j < x.cols; ++j) sums[j] = static_cast<float>(sums[j] + acc[j]);
}

}  // namespace reference
}  // namespace moesim
