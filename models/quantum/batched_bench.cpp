#include "models/quantum/batched_bench.hpp"

#include "backends/gemm.hpp"
#include "bench/bench.hpp"
#include "bench/bench_report.hpp"
#include "core/error.hpp"
#include "core/kokkos_runtime.hpp"
#include "core/philox.hpp"
#include "models/quantum/batched_state.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <string>

namespace moesim {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
// CPU time of the process (s): on a shared machine the wall time includes
// the time other processes held the core; CPU time does not.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}
struct Rate {
  double wall = 0, cpu = 0;  // flop/s by wall time and by CPU time
};

// Best single-thread sgemm rate (flop/s) of three 2048³ products. BLAS runs
// single-threaded (KokkosRuntime sets it so), called here outside any
// parallel region.
Rate sgemm_one_core_flops() {
  const std::size_t n = 2048;
  HostMatrix a("bench.sgemm_a", n, n), b("bench.sgemm_b", n, n), c("bench.sgemm_c", n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      a(i, j) = float(Philox::uniform({7, 1}, i * n + j) - 0.5);
      b(i, j) = float(Philox::uniform({7, 2}, i * n + j) - 0.5);
    }
  gemm(Backend::Blas, Op::N, Op::N, 1.0f, cmat(a), cmat(b), 0.0f, mat(c));  // warm-up
  double best = 1e300, best_cpu = 1e300;
  for (int r = 0; r < 3; ++r) {
    const auto t = Clock::now();
    const double c0 = cpu_now();
    gemm(Backend::Blas, Op::N, Op::N, 1.0f, cmat(a), cmat(b), 0.0f, mat(c));
    best_cpu = std::min(best_cpu, cpu_now() - c0);
    best = std::min(best, since(t));
  }
  const double flops = 2.0 * double(n) * n * n;
  return {flops / best, flops / best_cpu};
}

template <class Real>
BenchReport time_gate(unsigned n, std::size_t batch, const std::string& gate, const Rate& sgemm, int threads) {
  using Sim = quantum::BatchedSimulator<Real>;
  Sim sim;
  auto st = sim.create(n, batch);
  // ry reads one per-register angle per qubit (as the router's encoding).
  std::vector<double> angles(batch * n);
  for (std::size_t i = 0; i < angles.size(); ++i) angles[i] = 6.283 * Philox::uniform({9, 3}, i);
  const auto table = sim.make_angles(angles, batch, n);
  // 64 gates cycling over the targets: one program run applies them to a
  // cache-resident block of registers.
  const int gates = 64;
  quantum::BatchedProgram prog;
  const quantum::Gate1 u = quantum::gates::u3(0.7, 0.3, -1.1);
  for (int g = 0; g < gates; ++g) {
    quantum::BatchedOp op;
    op.q0 = unsigned(g) % n;
    if (gate == "dense") {
      op.kind = quantum::BatchedOpKind::Dense;
      op.gate = u;
    } else {
      op.kind = quantum::BatchedOpKind::RY;
      op.slot = int(op.q0);
    }
    prog.push_back(op);
  }
  sim.run(st, prog, &table);  // warm-up
  int reps = 1;
  double s = 0.0, cpu = 0.0;
  for (;;) {
    const auto t = Clock::now();
    const double c0 = cpu_now();
    for (int r = 0; r < reps; ++r) sim.run(st, prog, &table);
    s = since(t);
    cpu = cpu_now() - c0;
    if (s > 0.3 || reps >= (1 << 20)) break;
    reps *= 2;
  }
  const double per = s / reps;
  const double ns = per / (double(batch) * gates) * 1e9;
  const double ns_cpu = cpu / reps / (double(batch) * gates) * 1e9 / threads;
  const double flops = (gate == "dense" ? 14.0 : 6.0) * double(std::size_t{1} << n);
  const double limit_ns = flops / (sgemm.wall * threads) * 1e9;
  const double limit_ns_cpu = flops / (sgemm.cpu * threads) * 1e9;
  BenchReport r;
  r.add("bench", std::string("statevector_batched"))
      .add("impl", std::string("moesim"))
      .add("threads", static_cast<long long>(threads))
      .add("seconds", per)
      .add("qubits", static_cast<long long>(n))
      .add("gate", gate)
      .add("batch", static_cast<long long>(batch))
      .add("precision", std::string(sizeof(Real) == 4 ? "fp32" : "fp64"))
      .add("ns_per_register_gate", ns)
      .add("limit_ns", limit_ns)
      .add("limit_fraction", limit_ns / ns)
      .add("sgemm_one_core_gflops", sgemm.wall / 1e9)
      .add("ns_per_register_gate_cpu", ns_cpu)
      .add("limit_ns_cpu", limit_ns_cpu)
      .add("limit_fraction_cpu", limit_ns_cpu / ns_cpu)
      .add("kernel", std::string(quantum::detail::host_block_kernel_name()));
  return r;
}

}  // namespace

void register_statevector_batched_bench(Registry& registry) {
  registry.add_benchmark(
      "statevector_batched",
      {"batched small registers (one per token): ns per register-gate at n = 3..8 for a dense 1-qubit gate and "
       "ry, against 14*2^n (ry: 6*2^n) flops at the one-core sgemm rate of the same run",
       {{"qubits", "qubit counts, comma-separated, each 1..12 (default 3,4,5,6,7,8)"},
        {"batch", "registers (default 65536)"},
        {"precision", "fp32 or fp64 (default fp32)"}},
       [](const Registry::BenchmarkContext& ctx, std::ostream& out) {
         const auto qubits = bench_option_ints(ctx, "statevector_batched", "qubits", {3, 4, 5, 6, 7, 8});
         const std::int64_t batch = bench_option_int(ctx, "statevector_batched", "batch", 65536);
         const std::string precision = bench_option_string(ctx, "precision", "fp32");
         for (auto q : qubits)
           if (q < 1 || q > std::int64_t(quantum::kMaxBatchedQubits))
             throw UsageError("bench statevector_batched: qubits = " + std::to_string(q) + " (accepted: 1 to 12)");
         if (batch < 1) throw UsageError("bench statevector_batched: batch = " + std::to_string(batch) + " (accepted: >= 1)");
         if (precision != "fp32" && precision != "fp64")
           throw UsageError("bench statevector_batched: precision = '" + precision + "' (accepted: fp32, fp64)");
         const Rate sgemm = sgemm_one_core_flops();
         const int threads = kokkos_concurrency();
         for (auto q : qubits)
           for (const std::string gate : {"dense", "ry"}) {
             const BenchReport r = precision == "fp32"
                                       ? time_gate<float>(unsigned(q), std::size_t(batch), gate, sgemm, threads)
                                       : time_gate<double>(unsigned(q), std::size_t(batch), gate, sgemm, threads);
             r.print(out, ctx.json);
             out.flush();
           }
       }});
}

}  // namespace moesim
