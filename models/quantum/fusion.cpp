// Greedy fusion in program order. Each qubit has at most one open block (a
// 1-qubit block, or a 2-qubit block shared with its partner); a gate joins
// the open blocks of its qubits when they fit in one pair and closes them
// otherwise. A block stays at the place in the output where it was opened:
// gates that join it later only cross operations on other qubits, with which
// they commute.
#include "models/quantum/fusion.hpp"

#include <array>
#include <optional>

namespace moesim::quantum {

namespace {

using M4 = std::array<cplx, 16>;  // row-major, local index bit(qa) + 2 bit(qb)

M4 mul(const M4& a, const M4& b) {
  M4 r{};
  for (int i = 0; i < 4; ++i)
    for (int k = 0; k < 4; ++k) {
      const cplx aik = a[4 * i + k];
      if (aik == cplx(0, 0)) continue;
      for (int j = 0; j < 4; ++j) r[4 * i + j] += aik * b[4 * k + j];
    }
  return r;
}

// 1-qubit gate on local bit `bit` (0 or 1) of a pair.
M4 embed1(const Gate1& g, int bit) {
  M4 r{};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      const int other = bit ? 0 : 1;
      if (((i >> other) & 1) != ((j >> other) & 1)) continue;
      r[4 * i + j] = g.m[2 * ((i >> bit) & 1) + ((j >> bit) & 1)];
    }
  return r;
}

// The same operator with the two local bits exchanged.
M4 swapped(const M4& m) {
  auto p = [](int k) { return ((k & 1) << 1) | (k >> 1); };
  M4 r{};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) r[4 * p(i) + p(j)] = m[4 * i + j];
  return r;
}

Gate1 mul1(const Gate1& a, const Gate1& b) {
  Gate1 r;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) r.m[2 * i + j] = a.m[2 * i] * b.m[j] + a.m[2 * i + 1] * b.m[2 + j];
  return r;
}

// A fusable operation as a matrix on one or two qubits.
struct Small {
  unsigned nq = 0;
  unsigned qa = 0, qb = 0;
  Gate1 g1{};
  M4 g2{};
};

std::optional<Small> as_small(const Operation& op) {
  if (op.condition.active) return std::nullopt;
  Small s;
  if (op.kind == OpKind::Gate1 && op.controls.empty()) {
    s.nq = 1;
    s.qa = op.qubits[0];
    s.g1 = op.g1;
  } else if (op.kind == OpKind::Gate1 && op.controls.size() == 1) {
    s.nq = 2;
    s.qa = op.controls[0];
    s.qb = op.qubits[0];
    const Gate2 c = gates::controlled(op.g1);
    std::copy(c.m, c.m + 16, s.g2.begin());
  } else if (op.kind == OpKind::Gate2) {
    s.nq = 2;
    s.qa = op.qubits[0];
    s.qb = op.qubits[1];
    std::copy(op.g2.m, op.g2.m + 16, s.g2.begin());
  } else if (op.kind == OpKind::Diagonal && op.qubits.size() == 1) {
    s.nq = 1;
    s.qa = op.qubits[0];
    s.g1 = gates::make1(op.matrix[0], 0.0, 0.0, op.matrix[1]);
  } else if (op.kind == OpKind::Diagonal && op.qubits.size() == 2) {
    s.nq = 2;
    s.qa = op.qubits[0];
    s.qb = op.qubits[1];
    for (int k = 0; k < 4; ++k) s.g2[5 * k] = op.matrix[k];
  } else {
    return std::nullopt;
  }
  return s;
}

struct Block {
  std::size_t out = 0;  // its entry in the output list
  Small m;
  std::size_t count = 0;  // gates fused into it
  bool alive = true;
};

class Fuser {
 public:
  explicit Fuser(const Circuit& c) : in_(c), open_(c.num_qubits, -1) {}

  Circuit run() {
    for (const Operation& op : in_.ops) {
      if (auto s = as_small(op)) {
        if (s->nq == 1)
          add1(op, *s);
        else
          add2(op, *s);
      } else {
        for (unsigned q : op.all_qubits()) close(q);
        out_.push_back({op, -1});
      }
    }
    Circuit c = in_;
    c.ops.clear();
    for (const auto& [op, block] : out_) {
      if (block < 0) {
        c.ops.push_back(op);
        continue;
      }
      const Block& b = blocks_[block];
      if (!b.alive) continue;
      if (b.count == 1) {
        c.ops.push_back(op);  // alone: keep the original kernel
      } else if (b.m.nq == 1) {
        c.gate1("fused", b.m.qa, b.m.g1);
      } else {
        Gate2 g;
        std::copy(b.m.g2.begin(), b.m.g2.end(), g.m);
        c.gate2("fused", b.m.qa, b.m.qb, g);
      }
    }
    return c;
  }

 private:
  void close(unsigned q) {
    const int b = open_[q];
    if (b < 0) return;
    open_[blocks_[b].m.qa] = -1;
    if (blocks_[b].m.nq == 2) open_[blocks_[b].m.qb] = -1;
  }

  int open_block(const Operation& op, const Small& s) {
    blocks_.push_back(Block{out_.size(), s, 1, true});
    const int b = static_cast<int>(blocks_.size() - 1);
    out_.push_back({op, b});
    return b;
  }

  void add1(const Operation& op, const Small& s) {
    const int b = open_[s.qa];
    if (b < 0) {
      open_[s.qa] = open_block(op, s);
      return;
    }
    Block& blk = blocks_[b];
    if (blk.m.nq == 1)
      blk.m.g1 = mul1(s.g1, blk.m.g1);
    else
      blk.m.g2 = mul(embed1(s.g1, s.qa == blk.m.qa ? 0 : 1), blk.m.g2);
    ++blk.count;
  }

  void add2(const Operation& op, const Small& s) {
    const int ba = open_[s.qa], bb = open_[s.qb];
    if (ba >= 0 && ba == bb) {  // the same pair is open: join it
      Block& blk = blocks_[ba];
      blk.m.g2 = mul(blk.m.qa == s.qa ? s.g2 : swapped(s.g2), blk.m.g2);
      ++blk.count;
      return;
    }
    // Absorb open 1-qubit blocks of the pair, close 2-qubit blocks with other partners.
    M4 pre = embed1(gates::id(), 0);
    std::size_t absorbed = 0;
    for (int side = 0; side < 2; ++side) {
      const unsigned q = side == 0 ? s.qa : s.qb;
      const int b = open_[q];
      if (b < 0) continue;
      Block& blk = blocks_[b];
      if (blk.m.nq == 1) {
        pre = mul(embed1(blk.m.g1, side), pre);
        absorbed += blk.count;
        blk.alive = false;
        open_[q] = -1;
      } else {
        close(q);
      }
    }
    Small merged = s;
    merged.g2 = mul(s.g2, pre);
    const int nb = open_block(op, merged);
    blocks_[nb].count += absorbed;
    open_[s.qa] = open_[s.qb] = nb;
  }

  const Circuit& in_;
  std::vector<int> open_;
  std::vector<Block> blocks_;
  std::vector<std::pair<Operation, int>> out_;  // op (used when alone) and its block, or -1
};

}  // namespace

Circuit fuse_gates(const Circuit& c) { return Fuser(c).run(); }

}  // namespace moesim::quantum
