// OpenQASM 2.0 reader (issue 5): text -> Circuit (circuit.hpp).
//
// Supported: the `OPENQASM 2.0;` header, `include "qelib1.inc";` (built in,
// with Qiskit's extensions; other includes are read relative to the including
// file), several qreg/creg, user `gate` definitions with parameters (nested,
// expanded at the call), `opaque` declarations (an error when applied),
// parameter expressions (numbers, pi, + - * / ^, unary minus, sin cos tan
// asin acos atan exp ln sqrt, parentheses), register broadcasting, measure,
// reset, barrier, `if(creg==n)`, // and /* */ comments. The gate set of the
// built-in qelib1.inc is qasm_gate_names().
//
// Every syntax or semantic error (unknown gate, wrong argument count, index
// out of range, undefined register, ...) throws DataError (exit 3) with the
// message "FILE:LINE:COL: what is wrong".
#pragma once
#include "models/quantum/circuit.hpp"

#include <string>
#include <vector>

namespace moesim::quantum {

// Reads and parses `path`; DataError naming the file when it cannot be read.
Circuit read_qasm_file(const std::string& path);

// Parses QASM source; `filename` is used in messages and to resolve includes.
Circuit parse_qasm(const std::string& source, const std::string& filename = "<input>");

// The gates that `include "qelib1.inc";` defines, sorted.
std::vector<std::string> qasm_gate_names();

}  // namespace moesim::quantum
