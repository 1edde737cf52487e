#!/usr/bin/env bash
# Runs the whole moesim test suite through CTest. Builds first if needed
# (configures build/ against the Kokkos that tools/setup.sh installed).
#   tools/test.sh [ctest arguments...]     e.g. tools/test.sh -R router
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps=${MOESIM_DEPS:-$HOME/.cache/moesim}
if [ ! -f "$root/build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release \
    -DKokkos_ROOT="$deps/kokkos-3.4.01-openmp" >/dev/null
fi
cmake --build "$root/build" -j "$(nproc)"
cd "$root/build"
ctest --output-on-failure -j "$(nproc)" "$@"
