// The gates of `include "qelib1.inc";` as extended by Qiskit, plus the core
// `U` and `CX`: for each its parameter and qubit count and how it becomes
// circuit operations (matrices from gates.hpp, Qiskit's conventions, global
// phases included so that every gate equals Qiskit's to_matrix()).
#pragma once
#include "models/quantum/circuit.hpp"

#include <string>
#include <vector>

namespace moesim::quantum {

struct StdGate {
  const char* name;
  unsigned num_params;
  unsigned num_qubits;
  // Appends the gate's operations; p has num_params values, q num_qubits
  // distinct qubits in argument order.
  void (*emit)(Circuit& c, const double* p, const unsigned* q);
};

// The core gates U and CX (defined without any include).
const std::vector<StdGate>& core_gates();
// The gates of Qiskit's qelib1.inc.
const std::vector<StdGate>& qelib1_gates();

}  // namespace moesim::quantum
