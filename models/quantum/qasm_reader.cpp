// OpenQASM 2.0 parser: statements -> Circuit. User gates are stored as
// bodies of (gate, parameter expressions, formal qubit indices) and expanded
// at each call, so nested definitions and parameter expressions cost nothing
// at run time. Every name and count is checked where it is written (a gate
// body when it is defined, a call when it is made), so expansion cannot fail.
#include "models/quantum/qasm_reader.hpp"

#include "core/error.hpp"
#include "models/quantum/qasm_expression.hpp"
#include "models/quantum/qasm_lexer.hpp"
#include "models/quantum/qasm_stdgates.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace moesim::quantum {

namespace {

using qasm::Expr;
using qasm::ExprPtr;
using qasm::is_function;
using qasm::Tok;
using qasm::Token;

struct GateDef;

struct BodyOp {
  std::shared_ptr<const GateDef> gate;  // null for a barrier (bound when the body is parsed)
  std::vector<ExprPtr> params;
  std::vector<unsigned> qubits;   // indices into the definition's qubit arguments
};

struct GateDef {
  std::string name;
  unsigned num_params = 0, num_qubits = 0;
  const StdGate* builtin = nullptr;
  bool opaque = false;
  std::vector<BodyOp> body;
  std::string where;  // "FILE:LINE:COL" of the definition
};

// A resolved argument: one qubit/bit, or a whole register (size > 1 broadcasts).
struct Arg {
  unsigned offset = 0, size = 1;
  bool whole = false;
  std::string name;
};

class Parser {
 public:
  Circuit circuit;

  Parser() {
    for (const auto& g : core_gates()) define_builtin(g);
  }

  void parse_file(const std::string& source, const std::string& file, bool main_file) {
    Stream saved = s_;
    s_.toks = qasm::tokenize(source, file);
    s_.pos = 0;
    s_.file = file;
    if (main_file) parse_header();
    while (peek().type != Tok::End) statement();
    s_ = saved;
  }

 private:
  struct Stream {
    std::vector<Token> toks;
    std::size_t pos = 0;
    std::string file;
  } s_;
  std::map<std::string, std::shared_ptr<const GateDef>> gates_;
  std::map<std::string, Register> qregs_, cregs_;
  bool qelib1_ = false;

  // --- tokens -----------------------------------------------------------------
  const Token& peek(std::size_t ahead = 0) const {
    return s_.toks[std::min(s_.pos + ahead, s_.toks.size() - 1)];
  }
  const Token& next() {
    const Token& t = peek();
    if (s_.pos < s_.toks.size() - 1) ++s_.pos;
    return t;
  }
  [[noreturn]] void fail_at(const Token& t, const std::string& msg) const {
    qasm::fail(s_.file, t.line, t.col, msg);
  }
  std::string where(const Token& t) const {
    return s_.file + ":" + std::to_string(t.line) + ":" + std::to_string(t.col);
  }
  static std::string describe(const Token& t) {
    if (t.type == Tok::End) return "end of file";
    return "'" + t.text + "'";
  }
  bool at_symbol(const char* s) const { return peek().type == Tok::Symbol && peek().text == s; }
  const Token& expect_symbol(const char* s) {
    if (!at_symbol(s)) fail_at(peek(), std::string("expected '") + s + "', found " + describe(peek()));
    return next();
  }
  const Token& expect_ident(const char* what) {
    if (peek().type != Tok::Ident) fail_at(peek(), std::string("expected ") + what + ", found " + describe(peek()));
    return next();
  }
  unsigned expect_uint(const char* what) {
    const Token& t = peek();
    if (t.type != Tok::Int) fail_at(t, std::string("expected ") + what + " (a non-negative integer), found " + describe(t));
    next();
    errno = 0;
    const unsigned long long v = std::strtoull(t.text.c_str(), nullptr, 10);
    if (errno != 0 || v > 0xFFFFFFFFull) fail_at(t, std::string(what) + " " + t.text + " is too large");
    return static_cast<unsigned>(v);
  }

  // --- header and statements ---------------------------------------------------
  void parse_header() {
    const Token& t = peek();
    if (!(t.type == Tok::Ident && t.text == "OPENQASM"))
      fail_at(t, "expected 'OPENQASM 2.0;' as the first statement, found " + describe(t));
    next();
    const Token& v = next();
    if (!((v.type == Tok::Real || v.type == Tok::Int) && std::strtod(v.text.c_str(), nullptr) == 2.0))
      fail_at(v, "unsupported OpenQASM version " + describe(v) + " (accepted: 2.0)");
    expect_symbol(";");
  }

  void statement() {
    const Token& t = peek();
    if (t.type != Tok::Ident) fail_at(t, "expected a statement, found " + describe(t));
    const std::string& k = t.text;
    if (k == "OPENQASM") fail_at(t, "'OPENQASM' may appear only once, as the first statement");
    if (k == "include") return include();
    if (k == "qreg" || k == "creg") return declare_register();
    if (k == "gate" || k == "opaque") return define_gate();
    if (k == "if") return conditional();
    quantum_op(Condition{});
  }

  void include() {
    next();
    const Token& f = peek();
    if (f.type != Tok::String) fail_at(f, "expected a file name in quotes after include, found " + describe(f));
    next();
    expect_symbol(";");
    if (f.text == "qelib1.inc") {
      if (!qelib1_)
        for (const auto& g : qelib1_gates()) define_builtin(g);
      qelib1_ = true;
      return;
    }
    namespace fs = std::filesystem;
    fs::path p(f.text);
    if (p.is_relative()) p = fs::path(s_.file).parent_path() / p;
    std::ifstream in(p);
    if (!in) fail_at(f, "cannot open included file '" + p.string() + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    parse_file(ss.str(), p.string(), false);
  }

  void declare_register() {
    const bool quantum = next().text == "qreg";
    const Token& name = expect_ident("a register name");
    expect_symbol("[");
    const Token& size_tok = peek();
    const unsigned size = expect_uint("register size");
    expect_symbol("]");
    expect_symbol(";");
    if (size == 0) fail_at(size_tok, "register '" + name.text + "' has size 0");
    if (qregs_.count(name.text) || cregs_.count(name.text))
      fail_at(name, "register '" + name.text + "' is already declared");
    unsigned& total = quantum ? circuit.num_qubits : circuit.num_clbits;
    if (std::uint64_t(total) + size > 4096)
      fail_at(size_tok, std::string("too many ") + (quantum ? "qubits" : "classical bits") + " (at most 4096)");
    Register r{name.text, total, size};
    total += size;
    (quantum ? qregs_ : cregs_)[name.text] = r;
    (quantum ? circuit.qregs : circuit.cregs).push_back(r);
  }

  void define_builtin(const StdGate& g) {
    GateDef d;
    d.name = g.name;
    d.num_params = g.num_params;
    d.num_qubits = g.num_qubits;
    d.builtin = &g;
    const std::string key = d.name;  // (the right side of = is evaluated first)
    gates_[key] = std::make_shared<const GateDef>(std::move(d));
  }

  // gate name(p0, p1) a, b { body }   |   opaque name(p0) a, b;
  void define_gate() {
    const bool opaque = next().text == "opaque";
    const Token& name = expect_ident("a gate name");
    if (name.text == "U" || name.text == "CX") fail_at(name, "cannot redefine the built-in gate '" + name.text + "'");
    auto old = gates_.find(name.text);
    if (old != gates_.end() && !old->second->builtin)
      fail_at(name, "gate '" + name.text + "' is already defined at " + old->second->where);
    std::vector<std::string> params, qargs;
    auto add_unique = [&](std::vector<std::string>& list, const Token& t) {
      if (std::find(params.begin(), params.end(), t.text) != params.end() ||
          std::find(qargs.begin(), qargs.end(), t.text) != qargs.end())
        fail_at(t, "duplicate argument name '" + t.text + "' in gate '" + name.text + "'");
      list.push_back(t.text);
    };
    if (at_symbol("(")) {
      next();
      if (!at_symbol(")")) {
        add_unique(params, expect_ident("a parameter name"));
        while (at_symbol(",")) {
          next();
          add_unique(params, expect_ident("a parameter name"));
        }
      }
      expect_symbol(")");
    }
    add_unique(qargs, expect_ident("a qubit argument name"));
    while (at_symbol(",")) {
      next();
      add_unique(qargs, expect_ident("a qubit argument name"));
    }
    GateDef d;
    d.name = name.text;
    d.num_params = static_cast<unsigned>(params.size());
    d.num_qubits = static_cast<unsigned>(qargs.size());
    d.where = where(name);
    d.opaque = opaque;
    if (opaque) {
      expect_symbol(";");
    } else {
      expect_symbol("{");
      while (!at_symbol("}")) {
        if (peek().type == Tok::End) fail_at(peek(), "missing '}' at the end of gate '" + name.text + "'");
        d.body.push_back(body_op(params, qargs));
      }
      next();
    }
    const std::string key = d.name;  // (the right side of = is evaluated first)
    gates_[key] = std::make_shared<const GateDef>(std::move(d));
  }

  BodyOp body_op(const std::vector<std::string>& params, const std::vector<std::string>& qargs) {
    const Token& g = expect_ident("a gate call");
    BodyOp op;
    const GateDef* def = nullptr;
    if (g.text != "barrier") {
      op.gate = lookup_gate(g);
      def = op.gate.get();
      op.params = call_params(params, *def, g);
    }
    std::vector<unsigned> seen;
    do {
      if (!seen.empty()) next();  // the comma
      const Token& a = expect_ident("a qubit argument");
      if (at_symbol("[")) fail_at(peek(), "gate bodies use the gate's qubit arguments by name, without indices");
      auto it = std::find(qargs.begin(), qargs.end(), a.text);
      if (it == qargs.end()) fail_at(a, "'" + a.text + "' is not a qubit argument of this gate");
      const unsigned idx = static_cast<unsigned>(it - qargs.begin());
      if (std::find(seen.begin(), seen.end(), idx) != seen.end())
        fail_at(a, "qubit '" + a.text + "' is used twice in one gate call");
      seen.push_back(idx);
    } while (at_symbol(","));
    expect_symbol(";");
    if (def && seen.size() != def->num_qubits)
      fail_at(g, "gate '" + g.text + "' takes " + std::to_string(def->num_qubits) + " qubit argument(s), got " +
                     std::to_string(seen.size()));
    op.qubits = seen;
    return op;
  }

  std::shared_ptr<const GateDef> lookup_gate(const Token& g) const {
    auto it = gates_.find(g.text);
    if (it == gates_.end()) {
      std::string hint;
      for (const auto& sg : qelib1_gates())
        if (!qelib1_ && g.text == sg.name) hint = " (it is in qelib1.inc: add include \"qelib1.inc\";)";
      fail_at(g, "unknown gate '" + g.text + "'" + hint);
    }
    if (it->second->opaque) fail_at(g, "gate '" + g.text + "' is opaque (declared without a body) and cannot be simulated");
    return it->second;
  }

  // "(e, e, …)" for a call of `def`; `formal` are the names usable inside.
  std::vector<ExprPtr> call_params(const std::vector<std::string>& formal, const GateDef& def, const Token& g) {
    std::vector<ExprPtr> out;
    if (at_symbol("(")) {
      next();
      if (!at_symbol(")")) {
        out.push_back(expression(formal));
        while (at_symbol(",")) {
          next();
          out.push_back(expression(formal));
        }
      }
      expect_symbol(")");
    }
    if (out.size() != def.num_params)
      fail_at(g, "gate '" + g.text + "' takes " + std::to_string(def.num_params) + " parameter(s), got " +
                     std::to_string(out.size()));
    return out;
  }

  // --- expressions: precedence + - < * / < unary - < ^ (right-associative) ------
  ExprPtr expression(const std::vector<std::string>& formal) {
    ExprPtr e = term(formal);
    while (at_symbol("+") || at_symbol("-")) {
      const char op = next().text[0];
      e = binary(op, e, term(formal));
    }
    return e;
  }
  ExprPtr term(const std::vector<std::string>& formal) {
    ExprPtr e = unary(formal);
    while (at_symbol("*") || at_symbol("/")) {
      const char op = next().text[0];
      e = binary(op, e, unary(formal));
    }
    return e;
  }
  ExprPtr unary(const std::vector<std::string>& formal) {
    if (at_symbol("-")) {
      next();
      auto e = std::make_shared<Expr>();
      e->type = Expr::Neg;
      e->a = unary(formal);
      return e;
    }
    if (at_symbol("+")) {
      next();
      return unary(formal);
    }
    ExprPtr base = primary(formal);
    if (at_symbol("^")) {
      next();
      return binary('^', base, unary(formal));
    }
    return base;
  }
  static ExprPtr binary(char op, ExprPtr a, ExprPtr b) {
    auto e = std::make_shared<Expr>();
    e->type = Expr::Binary;
    e->op = op;
    e->a = std::move(a);
    e->b = std::move(b);
    return e;
  }
  ExprPtr primary(const std::vector<std::string>& formal) {
    const Token& t = peek();
    auto e = std::make_shared<Expr>();
    if (t.type == Tok::Int || t.type == Tok::Real) {
      next();
      e->value = std::strtod(t.text.c_str(), nullptr);
      return e;
    }
    if (at_symbol("(")) {
      next();
      ExprPtr inner = expression(formal);
      expect_symbol(")");
      return inner;
    }
    if (t.type == Tok::Ident) {
      next();
      if (t.text == "pi") {
        e->value = gates::kPi;
        return e;
      }
      if (is_function(t.text)) {
        expect_symbol("(");
        e->type = Expr::Func;
        e->func = t.text;
        e->a = expression(formal);
        expect_symbol(")");
        return e;
      }
      auto it = std::find(formal.begin(), formal.end(), t.text);
      if (it == formal.end())
        fail_at(t, "unknown identifier '" + t.text + "' in an expression (accepted: numbers, pi, " +
                       (formal.empty() ? std::string() : "the gate's parameters, ") +
                       "sin cos tan asin acos atan exp ln sqrt)");
      e->type = Expr::Param;
      e->param = static_cast<int>(it - formal.begin());
      return e;
    }
    fail_at(t, "expected an expression, found " + describe(t));
  }

  // --- top-level operations ------------------------------------------------------
  Arg argument(bool quantum) {
    const Token& t = expect_ident(quantum ? "a qubit or qreg" : "a classical bit or creg");
    const auto& regs = quantum ? qregs_ : cregs_;
    const auto& other = quantum ? cregs_ : qregs_;
    auto it = regs.find(t.text);
    if (it == regs.end()) {
      if (other.count(t.text))
        fail_at(t, "'" + t.text + "' is a " + (quantum ? "classical" : "quantum") + " register; expected a " +
                       (quantum ? "qreg" : "creg"));
      fail_at(t, std::string("undefined ") + (quantum ? "qreg" : "creg") + " '" + t.text + "'");
    }
    Arg a;
    a.name = t.text;
    if (at_symbol("[")) {
      next();
      const Token& it_tok = peek();
      const unsigned idx = expect_uint("an index");
      expect_symbol("]");
      if (idx >= it->second.size)
        fail_at(it_tok, "index " + std::to_string(idx) + " out of range for register '" + t.text + "' of size " +
                            std::to_string(it->second.size));
      a.offset = it->second.offset + idx;
      a.size = 1;
    } else {
      a.offset = it->second.offset;
      a.size = it->second.size;
      a.whole = true;
    }
    return a;
  }

  // Common broadcast size of `args` (registers must agree; single bits repeat).
  unsigned broadcast_size(const std::vector<std::pair<Arg, Token>>& args) const {
    unsigned n = 1;
    const Arg* first = nullptr;
    for (const auto& [a, tok] : args) {
      if (!a.whole) continue;
      if (first && a.size != n)
        fail_at(tok, "register '" + a.name + "' has size " + std::to_string(a.size) + " but '" + first->name +
                         "' has size " + std::to_string(n) + " (broadcast registers must have equal sizes)");
      if (!first) first = &a, n = a.size;
    }
    return n;
  }

  void conditional() {
    next();
    expect_symbol("(");
    const Token& c = expect_ident("a creg");
    auto it = cregs_.find(c.text);
    if (it == cregs_.end())
      fail_at(c, (qregs_.count(c.text) ? "'" + c.text + "' is a qreg; if() needs a creg" : "undefined creg '" + c.text + "'"));
    if (at_symbol("[")) fail_at(peek(), "if() compares a whole creg, not one bit");
    expect_symbol("==");
    const Token& v = peek();
    const unsigned value = expect_uint("a value");
    expect_symbol(")");
    if (it->second.size < 64 && (std::uint64_t(value) >> it->second.size) != 0)
      fail_at(v, "value " + std::to_string(value) + " does not fit creg '" + c.text + "' of " +
                     std::to_string(it->second.size) + " bits");
    Condition cond;
    cond.active = true;
    cond.creg_offset = it->second.offset;
    cond.creg_size = it->second.size;
    cond.value = value;
    if (it->second.size > 64) fail_at(c, "if() supports cregs of at most 64 bits");
    const Token& op = peek();
    if (op.type == Tok::Ident && (op.text == "barrier" || op.text == "if" || op.text == "gate" ||
                                  op.text == "qreg" || op.text == "creg" || op.text == "opaque" || op.text == "include"))
      fail_at(op, "'" + op.text + "' cannot be conditioned (if() takes a gate, measure or reset)");
    quantum_op(cond);
  }

  void quantum_op(const Condition& cond) {
    const Token& t = expect_ident("a statement");
    if (t.text == "measure") return measure(cond);
    if (t.text == "reset" || t.text == "barrier") {
      std::vector<std::pair<Arg, Token>> args;
      do {
        if (!args.empty()) next();
        const Token tok = peek();
        args.emplace_back(argument(true), tok);
      } while (t.text == "barrier" && at_symbol(","));
      expect_symbol(";");
      if (t.text == "reset") {
        for (unsigned i = 0; i < args[0].first.size; ++i)
          circuit.reset(args[0].first.offset + i).condition = cond;
      } else {
        std::vector<unsigned> qs;
        for (const auto& [a, _] : args)
          for (unsigned i = 0; i < a.size; ++i) qs.push_back(a.offset + i);
        std::sort(qs.begin(), qs.end());
        qs.erase(std::unique(qs.begin(), qs.end()), qs.end());
        circuit.barrier(qs);
      }
      return;
    }
    const auto def_ptr = lookup_gate(t);
    const GateDef& def = *def_ptr;
    const std::vector<ExprPtr> exprs = call_params({}, def, t);
    std::vector<double> params;
    for (const auto& e : exprs) params.push_back(e->eval({}));
    for (double p : params)
      if (!std::isfinite(p)) fail_at(t, "a parameter of '" + t.text + "' is not finite");
    std::vector<std::pair<Arg, Token>> args;
    do {
      if (!args.empty()) next();
      const Token tok = peek();
      args.emplace_back(argument(true), tok);
    } while (at_symbol(","));
    expect_symbol(";");
    if (args.size() != def.num_qubits)
      fail_at(t, "gate '" + t.text + "' takes " + std::to_string(def.num_qubits) + " qubit argument(s), got " +
                     std::to_string(args.size()));
    const unsigned n = broadcast_size(args);
    for (unsigned i = 0; i < n; ++i) {
      std::vector<unsigned> qs;
      for (const auto& [a, tok] : args) {
        const unsigned q = a.offset + (a.whole ? i : 0);
        if (std::find(qs.begin(), qs.end(), q) != qs.end())
          fail_at(tok, "qubit " + a.name + (a.whole ? "[" + std::to_string(i) + "]" : "") +
                           " is used twice in one '" + t.text + "'");
        qs.push_back(q);
      }
      const std::size_t first = circuit.ops.size();
      expand(def, params, qs);
      for (std::size_t k = first; k < circuit.ops.size(); ++k) circuit.ops[k].condition = cond;
    }
  }

  void expand(const GateDef& def, const std::vector<double>& params, const std::vector<unsigned>& qubits) {
    if (def.builtin) {
      def.builtin->emit(circuit, params.data(), qubits.data());
      return;
    }
    for (const BodyOp& op : def.body) {
      std::vector<unsigned> qs;
      for (unsigned i : op.qubits) qs.push_back(qubits[i]);
      if (!op.gate) {
        circuit.barrier(qs);
        continue;
      }
      std::vector<double> p;
      for (const auto& e : op.params) p.push_back(e->eval(params));
      expand(*op.gate, p, qs);
    }
  }

  void measure(const Condition& cond) {
    const Token qt = peek();
    const Arg q = argument(true);
    expect_symbol("->");
    const Token ct = peek();
    const Arg c = argument(false);
    expect_symbol(";");
    if (q.size != c.size)
      fail_at(ct, "measure of " + std::to_string(q.size) + " qubit(s) into " + std::to_string(c.size) +
                      " classical bit(s) (sizes must match)");
    for (unsigned i = 0; i < q.size; ++i) circuit.measure(q.offset + i, c.offset + i).condition = cond;
  }
};

}  // namespace

Circuit parse_qasm(const std::string& source, const std::string& filename) {
  Parser p;
  p.parse_file(source, filename, true);
  return std::move(p.circuit);
}

Circuit read_qasm_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open the QASM file (missing or unreadable)");
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw DataError(path + ": read error");
  return parse_qasm(ss.str(), path);
}

std::vector<std::string> qasm_gate_names() {
  std::vector<std::string> names;
  for (const auto& g : qelib1_gates()) names.push_back(g.name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace moesim::quantum
