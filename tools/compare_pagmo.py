#!/usr/bin/env python3
"""Compare moesim's swarm optimizers with pagmo (pygmo) at the same budget.

Runs `moesim swarm` and pygmo over the same seeds (default 25) and prints the
median and Q1-Q3 of each side next to each other, plus the targets of
../shared/reference/check_values.md ("Swarm optimizers (pagmo)"):

  * Rastrigin D=10, 1e5 evaluations: PSO (ring), PSO (global best), ABC
  * Rosenbrock D=30, 3e5 evaluations: fraction of PSO runs ending below 1, ABC median
  * Sphere D=10: evaluations ring PSO needs to first reach 1e-8

Conventions (check_values.md): population 20 (ABC: 20 food sources), the
budget counts the 20 initial evaluations, the value is the best ever found,
and pygmo's population and algorithm get the same seed. pagmo runs whole
generations (pso: 20 evaluations each, bee_colony: 40), so the budget given to
both sides is 20 + generations x per-generation, the largest such count not
above the nominal budget.

Besides the table, one machine-readable line per (case, algorithm, impl):
  result <case> <algo> <impl> median <m> q1 <q1> q3 <q3> frac_below_1 <f> runs <n>

  tools/compare_pagmo.py                   # everything, 25 seeds (a few minutes on 2 cores)
  tools/compare_pagmo.py --quick           # Rastrigin D=10 pso and abc only (the test uses this)
  tools/compare_pagmo.py --seeds 100 --moesim build/bin/moesim
"""
import argparse
import concurrent.futures as cf
import multiprocessing
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# check_values.md figures (pagmo 2.20, 500 seeds unless noted).
TARGETS = {
    ("rastrigin10", "pso"): "median 3.98 (1.99-5.97); 25-seed medians 2.98-4.98",
    ("rastrigin10", "pso-gbest"): "median 6.96 (4.97-9.95)",
    ("rastrigin10", "abc"): "median 3.15 (2.07-4.23); 25-seed medians 2.35-4.03; textbook ABC ~0.28",
    ("rosenbrock30", "pso"): "fraction < 1: 0.38",
    ("rosenbrock30", "pso-gbest"): "fraction < 1: 0.64",
    ("rosenbrock30", "abc"): "median 98.5; textbook ABC ~31.5",
    ("sphere10", "pso"): "evaluations to 1e-8: median 5685 (5569-5885), 25 seeds",
}


def quartiles(values):
    v = sorted(values)
    if len(v) == 1:
        return v[0], v[0], v[0]
    q = statistics.quantiles(v, n=4, method="inclusive")
    return q[0], statistics.median(v), q[2]


def budget_for(algo, nominal, pop=20):
    per_gen = 2 * pop if algo.startswith("abc") else pop
    gens = (nominal - pop) // per_gen
    return gens, pop + gens * per_gen


# ---------------------------------------------------------------- moesim side
def run_moesim(binary, algo, problem, dim, evals, seed, target=None, extra=()):
    cmd = [binary, "swarm", "--algo", algo, "--problem", problem, "--dim", str(dim), "--evals",
           str(evals), "--seed", str(seed), "--threads", "1"] + list(extra)
    if target is not None:
        cmd += ["--target", repr(target)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    kv = dict(line.split(None, 1) for line in out.splitlines() if " " in line)
    if "best" not in kv or "evals" not in kv:
        raise RuntimeError("moesim swarm printed no best/evals lines: " + out)
    if int(kv["evals"]) != evals:
        raise RuntimeError("moesim used %s evaluations, asked %d" % (kv["evals"], evals))
    if target is not None:
        return float(kv["target_evals"])
    return float(kv["best"])


# ----------------------------------------------------------------- pygmo side
class CountingSphere:
    """Sphere on [-5.12, 5.12]^D that records the evaluation count at which f <= target first."""

    def __init__(self, dim=10, target=1e-8):
        self.dim, self.target, self.count, self.hit = dim, target, 0, 0

    def fitness(self, x):
        self.count += 1
        f = float(sum(xi * xi for xi in x))
        if f <= self.target and self.hit == 0:
            self.hit = self.count
        return [f]

    def get_bounds(self):
        return ([-5.12] * self.dim, [5.12] * self.dim)


def run_pygmo(algo, problem, dim, gens, seed, target=None):
    import pygmo as pg
    if problem == "sphere":
        prob = pg.problem(CountingSphere(dim, target))
    elif problem == "rastrigin":
        prob = pg.problem(pg.rastrigin(dim))
    elif problem == "rosenbrock":
        prob = pg.problem(pg.rosenbrock(dim))
    else:
        raise ValueError(problem)
    pop = pg.population(prob, size=20, seed=seed)
    if algo == "pso":
        uda = pg.pso(gen=gens, seed=seed)  # defaults: variant 5, lbest ring (neighb_param 4)
    elif algo == "pso-gbest":
        uda = pg.pso(gen=gens, neighb_type=1, seed=seed)
    elif algo == "abc":
        uda = pg.bee_colony(gen=gens, limit=20, seed=seed)
    else:
        raise ValueError(algo)
    pop = pg.algorithm(uda).evolve(pop)
    if target is not None:
        return float(pop.problem.extract(CountingSphere).hit)
    return float(pop.champion_f[0])


def _pygmo_job(args):
    return run_pygmo(*args)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--moesim", default=os.path.join(ROOT, "build", "bin", "moesim"), help="moesim binary")
    ap.add_argument("--seeds", type=int, default=25, help="seeds 1..N (default 25)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel runs (default 2)")
    ap.add_argument("--quick", action="store_true", help="Rastrigin D=10 with pso and abc only")
    ap.add_argument("--no-pygmo", action="store_true", help="moesim side only")
    ap.add_argument("--abc-scout", default="textbook", choices=["textbook", "pagmo"],
                    help="moesim's ABC scout behaviour (see models/swarm/abc.cpp)")
    args = ap.parse_args()
    if not os.path.exists(args.moesim):
        sys.exit("compare_pagmo: moesim binary not found: %s (use --moesim)" % args.moesim)
    have_pygmo = not args.no_pygmo
    if have_pygmo:
        try:
            import pygmo  # noqa: F401
        except ImportError:
            sys.exit("compare_pagmo: pygmo is not installed (pip install pygmo, or use --no-pygmo)")

    cases = [("rastrigin10", "rastrigin", 10, 100000, a) for a in ("pso", "pso-gbest", "abc")]
    cases += [("rosenbrock30", "rosenbrock", 30, 300000, a) for a in ("pso", "pso-gbest", "abc")]
    cases += [("sphere10", "sphere", 10, 20000, "pso")]
    if args.quick:
        cases = [c for c in cases if c[0] == "rastrigin10" and c[4] in ("pso", "abc")]
    seeds = list(range(1, args.seeds + 1))

    print("# moesim vs pygmo %s, %d seeds, population 20" %
          (__import__("pygmo").__version__ if have_pygmo else "(skipped)", len(seeds)))
    print("%-13s %-10s %-7s %8s %8s %8s %8s   %s" %
          ("case", "algo", "impl", "median", "Q1", "Q3", "frac<1", "check_values.md"))
    # pygmo runs in spawned worker processes (not forked: forking a process that
    # already runs threads can deadlock), moesim runs as subprocesses from threads.
    spawn = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(args.jobs, mp_context=spawn) as procs, cf.ThreadPoolExecutor(args.jobs) as threads:
        for name, problem, dim, nominal, algo in cases:
            gens, evals = budget_for(algo, nominal)
            target = 1e-8 if problem == "sphere" else None
            extra = ["--abc-scout", args.abc_scout] if algo == "abc" else []
            m_futs = [threads.submit(run_moesim, args.moesim, algo, problem, dim, evals, s, target, extra)
                      for s in seeds]
            p_futs = ([procs.submit(_pygmo_job, (algo, problem, dim, gens, s, target)) for s in seeds]
                      if have_pygmo else [])
            results = [("moesim", [f.result() for f in m_futs])]
            if have_pygmo:
                results.append(("pygmo", [f.result() for f in p_futs]))
            for impl, vals in results:
                if target is not None and any(v == 0 for v in vals):
                    print("# %s %s %s: %d runs never reached 1e-8" % (name, algo, impl, sum(v == 0 for v in vals)))
                q1, med, q3 = quartiles(vals)
                frac = sum(v < 1 for v in vals) / len(vals)
                print("%-13s %-10s %-7s %8.4g %8.4g %8.4g %8.2f   %s" %
                      (name, algo, impl, med, q1, q3, frac, TARGETS.get((name, algo), "") if impl == "moesim" else ""))
                print("result %s %s %s median %.10g q1 %.10g q3 %.10g frac_below_1 %.6g runs %d" %
                      (name, algo, impl, med, q1, q3, frac, len(vals)))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
