// Gate fusion (issue 5): neighbouring 1- and 2-qubit gates become one dense
// 4x4 block on a qubit pair (or one 2x2 on a lone qubit), so that a run of
// small gates costs one sweep over the state instead of several — the same
// idea as qsim's basic fuser. Measurements, resets, barriers, conditioned
// operations and gates on three or more qubits are kept as they are and end
// the blocks on their qubits. The fused circuit equals the original as an
// operator (up to rounding), including every global phase.
#pragma once
#include "models/quantum/circuit.hpp"

namespace moesim::quantum {

// Returns `c` with its gates fused. An operation that ends up alone in its
// block is kept unchanged (a controlled or diagonal gate keeps its cheaper kernel).
Circuit fuse_gates(const Circuit& c);

}  // namespace moesim::quantum
