// Execution of circuits on the host state-vector engine; see circuit_runner.hpp.
#include "models/quantum/circuit_runner.hpp"

#include "core/error.hpp"
#include "models/quantum/fusion.hpp"
#include "models/quantum/measurement.hpp"
#include "models/quantum/noise.hpp"
#include "models/quantum/simulator.hpp"
#include "models/quantum/state_space.hpp"

#include <algorithm>
#include <numeric>

namespace moesim::quantum {

std::string bitstring(std::uint64_t index, unsigned n) {
  std::string s(n, '0');
  for (unsigned q = 0; q < n; ++q)
    if ((index >> q) & 1u) s[n - 1 - q] = '1';
  return s;
}

std::string counts_key(const Circuit& c, const std::vector<std::uint8_t>& clbits) {
  std::string key;
  for (auto r = c.cregs.rbegin(); r != c.cregs.rend(); ++r) {
    if (!key.empty()) key += ' ';
    for (unsigned b = r->size; b-- > 0;) key += clbits[r->offset + b] ? '1' : '0';
  }
  return key;
}

std::string exact_run_blocker(const Circuit& c) {
  for (const auto& op : c.ops) {
    if (op.kind == OpKind::Reset) return "it has a reset";
    if (op.condition.active) return "it has an if() condition";
  }
  if (!c.measurements_terminal()) return "it measures a qubit that is used afterwards (mid-circuit measurement)";
  return "";
}

namespace {

template <class Real>
struct Engine {
  using Space = StateSpace<Real, Kokkos::HostSpace>;
  using Sim = StateVectorSimulator<Real, Kokkos::HostSpace>;
  using StateT = typename Space::state_type;
  Space space = Space();
  Sim sim = Sim();

  void apply(StateT& st, const Operation& op) const {
    switch (op.kind) {
      case OpKind::Gate1: sim.apply_controlled_gate(st, op.controls, op.qubits[0], op.g1); break;
      case OpKind::Gate2: sim.apply_gate2(st, op.qubits[0], op.qubits[1], op.g2); break;
      case OpKind::Diagonal: sim.apply_diagonal(st, op.qubits, op.matrix); break;
      default: break;
    }
  }

  std::vector<BasisAmplitude> exact(const Circuit& c, const RunOptions& o, std::size_t max_listed) const {
    const Circuit run = o.fuse ? fuse_gates(c) : c;
    StateT st = space.create(c.num_qubits);
    for (const auto& op : run.ops) apply(st, op);
    const std::size_t n = st.size();
    auto a = st.amps;  // host memory
    auto entry = [&](std::size_t i) {
      return BasisAmplitude{i, double(a(i).real()), double(a(i).imag())};
    };
    std::vector<BasisAmplitude> out;
    if (max_listed >= n) {
      out.reserve(n);
      for (std::size_t i = 0; i < n; ++i) out.push_back(entry(i));
      return out;
    }
    // The max_listed most probable: a bounded min-heap over one pass.
    auto worse = [](const BasisAmplitude& x, const BasisAmplitude& y) {  // heap top = least wanted
      const double px = x.probability(), py = y.probability();
      return px != py ? px > py : x.index < y.index;
    };
    for (std::size_t i = 0; i < n; ++i) {
      const BasisAmplitude e = entry(i);
      if (out.size() < max_listed) {
        out.push_back(e);
        std::push_heap(out.begin(), out.end(), worse);
      } else if (worse(e, out.front())) {
        std::pop_heap(out.begin(), out.end(), worse);
        out.back() = e;
        std::push_heap(out.begin(), out.end(), worse);
      }
    }
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.index < y.index; });
    return out;
  }

  std::map<std::string, std::uint64_t> shots(const Circuit& c, std::uint64_t shots, const RunOptions& o) const {
    std::map<std::string, std::uint64_t> counts;
    const bool noisy = o.noise != nullptr;
    if (!noisy && c.measurements_terminal()) {
      // One run, then sampling of the final state.
      const Circuit run = o.fuse ? fuse_gates(c) : c;
      StateT st = space.create(c.num_qubits);
      for (const auto& op : run.ops) apply(st, op);
      const auto idx = space.sample(st, shots, PhiloxKey{o.seed, kQasmSampleStream});
      std::map<std::uint64_t, std::uint64_t> per_index;
      for (auto i : idx) ++per_index[i];
      std::vector<std::uint8_t> bits(c.num_clbits, 0);
      for (const auto& [i, n] : per_index) {
        std::fill(bits.begin(), bits.end(), 0);
        for (const auto& op : c.ops)
          if (op.kind == OpKind::Measure) bits[op.clbit] = (i >> op.qubits[0]) & 1u;
        counts[counts_key(c, bits)] += n;
      }
      return counts;
    }
    // Trajectories. Without noise the unitary prefix is shared by all shots.
    std::size_t prefix = 0;
    if (!noisy)
      while (prefix < c.ops.size() && c.ops[prefix].is_unitary() && !c.ops[prefix].condition.active) ++prefix;
    Circuit head = c, tail = c;
    head.ops.assign(c.ops.begin(), c.ops.begin() + prefix);
    tail.ops.assign(c.ops.begin() + prefix, c.ops.end());
    if (o.fuse && !noisy) {
      head = fuse_gates(head);
      tail = fuse_gates(tail);
    }
    StateT start = space.create(c.num_qubits);
    for (const auto& op : head.ops) apply(start, op);
    StateT st = space.create(c.num_qubits);
    KrausChannel err1, err2;
    if (noisy) {
      err1 = gate_error_channel(*o.noise, 1);
      err2 = gate_error_channel(*o.noise, 2);
    }
    const PhiloxKey key{o.seed, kQasmShotStream};
    std::vector<std::uint8_t> bits(c.num_clbits);
    std::vector<unsigned> touched;  // qubits of the gate being applied (for noise)
    for (std::uint64_t s = 0; s < shots; ++s) {
      std::uint64_t draw = s << 32;
      auto uniform = [&] { return Philox::uniform(key, draw++); };
      space.copy(start, st);
      std::fill(bits.begin(), bits.end(), 0);
      touched.clear();
      for (const auto& op : tail.ops) {
        if (op.condition.active) {
          std::uint64_t v = 0;
          for (unsigned b = 0; b < op.condition.creg_size; ++b)
            v |= std::uint64_t(bits[op.condition.creg_offset + b]) << b;
          if (v != op.condition.value) continue;
        }
        switch (op.kind) {
          case OpKind::Measure: {
            int bit = measure_qubit(space, st, op.qubits[0], uniform());
            if (noisy) bit = apply_readout_error(bit, o.noise->readout_p01, o.noise->readout_p10, uniform());
            bits[op.clbit] = static_cast<std::uint8_t>(bit);
            break;
          }
          case OpKind::Reset: reset_qubit(space, st, op.qubits[0], uniform()); break;
          case OpKind::Barrier: break;
          default: {
            apply(st, op);
            if (!noisy) break;
            for (unsigned q : op.all_qubits())
              if (std::find(touched.begin(), touched.end(), q) == touched.end()) touched.push_back(q);
            if (!op.ends_gate) break;
            const KrausChannel& ch = touched.size() == 1 ? err1 : err2;
            for (unsigned q : touched) apply_channel_trajectory(space, st, q, ch, uniform());
            touched.clear();
          }
        }
      }
      ++counts[counts_key(c, bits)];
    }
    return counts;
  }
};

}  // namespace

std::vector<BasisAmplitude> run_exact(const Circuit& c, const RunOptions& o, std::size_t max_listed) {
  const std::string why = exact_run_blocker(c);
  if (!why.empty())
    throw UsageError("qasm: the circuit needs --shots: " + why +
                     " (without --shots moesim prints the exact final-state probabilities of a circuit "
                     "whose measurements are all at the end)");
  if (o.noise) throw UsageError("qasm: --noise needs --shots (noise is simulated as one trajectory per shot)");
  if (o.precision == Precision::Float) return Engine<float>().exact(c, o, max_listed);
  return Engine<double>().exact(c, o, max_listed);
}

std::map<std::string, std::uint64_t> run_shots(const Circuit& c, std::uint64_t shots, const RunOptions& o) {
  if (c.cregs.empty())
    throw UsageError("qasm: --shots counts classical registers, and the circuit declares no creg");
  if (o.precision == Precision::Float) return Engine<float>().shots(c, shots, o);
  return Engine<double>().shots(c, shots, o);
}

}  // namespace moesim::quantum
