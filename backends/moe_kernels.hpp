// Dispatcher and Combiner kernels: gather token rows into per-expert buffers
// and scatter expert outputs back, weighted. backends/reference has the plain
// serial loops (the oracle); backends/kokkos the parallel versions, templated
// on nothing but taking the execution space instance explicitly.
//
// Determinism: gathers write disjoint (expert, slot) rows; the combine sums a
// token's contributions in the fixed order of `by_token` (assignments grouped
// by token, in router order), never with atomics, so results do not depend on
// the thread count.
#pragma once
#include "core/tensor.hpp"
#include "moe/dispatch.hpp"

#include <vector>

namespace moesim {

// Assignments grouped by token: indices into the assignment list.
struct TokenIndex {
  std::vector<int> offsets;  // [T + 1]
  std::vector<int> order;    // [assignments], order[offsets[t]..offsets[t+1]) belong to token t
};
TokenIndex index_by_token(const std::vector<Assignment>& assignments, int tokens);

// Rows per expert actually used: 1 + largest slot assigned (0 if none).
std::vector<int> expert_counts(const std::vector<Assignment>& assignments, int experts);

namespace reference {
// buffers[e, slot, :] = x[token, :] for every assignment.
void gather(const std::vector<Assignment>& a, const HostMatrix& x, HostTensor3& buffers);
// y[t, :] = Σ_{a of t} w_a · out[e_a, slot_a, :]   (overwrites y).
void combine(const std::vector<Assignment>& a, const TokenIndex& by_token, const HostTensor3& out,
             HostMatrix& y);
// d_out[e, slot, :] = w · dy[token, :];  d_weight[a] = <dy[token], out[e, slot]>.
void combine_backward(const std::vector<Assignment>& a, const HostMatrix& dy, const HostTensor3& out,
                      HostTensor3& d_out, std::vector<float>& d_weight);
// dx[t, :] += Σ_{a of t} d_in[e_a, slot_a, :].
void gather_backward(const std::vector<Assignment>& a, const TokenIndex& by_token,
                     const HostTensor3& d_in, HostMatrix& dx);
}  // namespace reference

namespace kokkos {
void gather(const HostExec& exec, const std::vector<Assignment>& a, const HostMatrix& x,
            HostTensor3& buffers);
void combine(const HostExec& exec, const std::vector<Assignment>& a, const TokenIndex& by_token,
             const HostTensor3& out, HostMatrix& y);
void combine_backward(const HostExec& exec, const std::vector<Assignment>& a, const HostMatrix& dy,
                      const HostTensor3& out, HostTensor3& d_out, std::vector<float>& d_weight);
void gather_backward(const HostExec& exec, const std::vector<Assignment>& a,
                     const TokenIndex& by_token, const HostTensor3& d_in, HostMatrix& dx);
}  // namespace kokkos

}  // namespace moesim
