#!/usr/bin/env bash
# Installs everything moesim needs on a fresh Debian 12 machine, then configures
# and builds it (Release, in build/). Idempotent: a second run only rebuilds.
#
#   tools/setup.sh            system packages, Kokkos (OpenMP), Python tools, build
#   tools/setup.sh --peers    also the light comparison peers (Qiskit Aer, qsimcirq,
#                             Brian2, pygmo) into the python3 on PATH
#   tools/setup.sh --no-build install only
#
# Kokkos: Debian ships only a Serial Kokkos 3.4, so we build Kokkos 3.4.01 with
# the OpenMP backend from Debian's own trilinos source package and cache the
# install in $MOESIM_DEPS (default ~/.cache/moesim), outside the build tree.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps=${MOESIM_DEPS:-$HOME/.cache/moesim}
kokkos_prefix="$deps/kokkos-3.4.01-openmp"
peers=0
build=1
for arg in "$@"; do
  case "$arg" in
    --peers) peers=1 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (accepted: --peers, --no-build)" >&2; exit 2 ;;
  esac
done

say() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive

# --- apt sources: bookworm-backports (Catch2 v3) and deb-src (trilinos) --------
sources_changed=0
add_source() {  # name, deb822 text
  local file="/etc/apt/sources.list.d/$1.sources"
  if [ ! -f "$file" ] || [ "$(cat "$file")" != "$2" ]; then
    printf '%s\n' "$2" | as_root tee "$file" >/dev/null
    sources_changed=1
  fi
}
add_source moesim-backports "Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
add_source moesim-src "Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"

packages=(build-essential cmake pkg-config dpkg-dev git
  libeigen3-dev libhdf5-dev hdf5-tools libboost-program-options-dev zlib1g-dev
  libopenblas-openmp-dev liblapack-dev dataset-fashion-mnist)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
catch2_ok=0
dpkg-query -W -f='${Version}' catch2 2>/dev/null | grep -q '^3\.' && catch2_ok=1
if [ "$sources_changed" = 1 ] || [ ${#missing[@]} -gt 0 ] || [ "$catch2_ok" = 0 ]; then
  say "apt-get update"
  as_root apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ "$catch2_ok" = 0 ]; then
  say "installing Catch2 v3 from bookworm-backports"
  as_root apt-get install -y -qq --no-install-recommends catch2/bookworm-backports
fi

# A pthread OpenBLAS would win the alternatives; pin the OpenMP flavour so that
# BLAS threads and Kokkos threads are the same OpenMP threads.
for lib in libblas.so.3 liblapack.so.3; do
  alt="/usr/lib/x86_64-linux-gnu/openblas-openmp/$lib"
  [ -e "$alt" ] && as_root update-alternatives --set "$lib-x86_64-linux-gnu" "$alt" >/dev/null
done

# --- Kokkos 3.4.01, OpenMP backend, from Debian's trilinos source --------------
if [ ! -f "$kokkos_prefix/lib/cmake/Kokkos/KokkosConfig.cmake" ]; then
  work="$deps/kokkos-src"
  mkdir -p "$work"
  if ! ls "$work"/trilinos_*.orig.tar.* >/dev/null 2>&1; then
    say "downloading Debian's trilinos source package (~166 MB)"
    (cd "$work" && apt-get source --download-only trilinos >/dev/null)
  fi
  tarball=$(ls "$work"/trilinos_*.orig.tar.* | head -n 1)
  rm -rf "$work/extract" && mkdir -p "$work/extract"
  say "extracting packages/kokkos from $(basename "$tarball")"
  tar -xf "$tarball" -C "$work/extract" --wildcards '*/packages/kokkos/*'
  src=$(find "$work/extract" -maxdepth 3 -type d -path '*/packages/kokkos' | head -n 1)
  say "building Kokkos (OpenMP) into $kokkos_prefix"
  cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$kokkos_prefix" -DKokkos_ENABLE_OPENMP=ON \
    -DKokkos_ENABLE_SERIAL=ON -DCMAKE_CXX_STANDARD=17 \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF >/dev/null
  cmake --build "$work/build" -j "$(nproc)" >/dev/null
  cmake --install "$work/build" >/dev/null
  rm -rf "$work/extract" "$work/build"
fi

# --- Python tools (the python3 on PATH) -----------------------------------------
py=${MOESIM_PYTHON:-python3}
pip_quiet() { "$py" -m pip install -q --disable-pip-version-check "$@"; }
"$py" -c 'import numpy, h5py' 2>/dev/null || { say "pip: numpy h5py"; pip_quiet 'numpy<2.4' h5py; }
if [ "$peers" = 1 ]; then
  if ! "$py" -c 'import qiskit_aer, qsimcirq, brian2, pygmo' 2>/dev/null; then
    say "pip: light peers (qiskit-aer, qsimcirq, brian2, pygmo)"
    pip_quiet 'numpy<2.4' qiskit qiskit-aer qsimcirq brian2 pygmo
  fi
fi

# --- configure and build ---------------------------------------------------------
if [ "$build" = 1 ]; then
  say "configuring and building moesim (Release) in build/"
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release \
    -DKokkos_ROOT="$kokkos_prefix" >/dev/null
  cmake --build "$root/build" -j "$(nproc)"
fi
say "done"
