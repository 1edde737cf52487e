// Parameter expressions of OpenQASM 2.0 gate calls and definitions (pi,
// + - * / ^, unary minus, sin cos tan asin acos atan exp ln sqrt): a small
// tree built by the parser in qasm_reader.cpp and evaluated at each call of a
// user gate with that call's actual parameters.
#pragma once
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace moesim::quantum::qasm {

// A parameter expression; Param refers to the enclosing gate's parameters.
struct Expr {
  enum Type { Number, Param, Neg, Binary, Func } type = Number;
  double value = 0;
  int param = 0;
  char op = 0;
  std::string func;
  std::shared_ptr<const Expr> a, b;

  double eval(const std::vector<double>& params) const {
    switch (type) {
      case Number: return value;
      case Param: return params[param];
      case Neg: return -a->eval(params);
      case Binary: {
        const double x = a->eval(params), y = b->eval(params);
        switch (op) {
          case '+': return x + y;
          case '-': return x - y;
          case '*': return x * y;
          case '/': return x / y;
          default: return std::pow(x, y);
        }
      }
      case Func: {
        const double x = a->eval(params);
        if (func == "sin") return std::sin(x);
        if (func == "cos") return std::cos(x);
        if (func == "tan") return std::tan(x);
        if (func == "asin") return std::asin(x);
        if (func == "acos") return std::acos(x);
        if (func == "atan") return std::atan(x);
        if (func == "exp") return std::exp(x);
        if (func == "ln") return std::log(x);
        return std::sqrt(x);
      }
    }
    return 0;
  }
};
using ExprPtr = std::shared_ptr<const Expr>;

inline bool is_function(const std::string& s) {
  return s == "sin" || s == "cos" || s == "tan" || s == "asin" || s == "acos" || s == "atan" ||
         s == "exp" || s == "ln" || s == "sqrt";
}

}  // namespace moesim::quantum::qasm
