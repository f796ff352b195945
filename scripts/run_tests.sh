#!/usr/bin/env bash
# Builds and runs every test: the structure checks (no include runs up the layers, no source
# file over 800 lines), the C++ GoogleTest suite (ctest), the installed-package check
# (a C++ program found through find_package(hypatia)), the Python suite (pytest), the
# distributed tests under mpirun (tests/mpi), the documentation site (sphinx-build -W, its
# examples run, docs/check_docs.py), then the
# sanitizer stages: the C++ suite under AddressSanitizer + UndefinedBehaviorSanitizer (clang),
# the sparse-boundary fuzzer (libFuzzer, same build), and the *Thread* tests of test_compile
# under ThreadSanitizer. Prints one "== time" line per stage.
# Expects the Python package installed in .venv (the README's test command does that).
# Environment: JOBS (parallel builds, default 2), PY (python), SANITIZERS=0 skips the
# sanitizer and fuzz stages, FUZZ_SECONDS (default 120) bounds the fuzzing run.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
PY=${PY:-.venv/bin/python}
SANITIZERS=${SANITIZERS:-1}
FUZZ_SECONDS=${FUZZ_SECONDS:-120}
LAUNCHER=()
if command -v ccache > /dev/null; then LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

T_ALL=$(date +%s)
STAGE=""
T_STAGE=0
stage() {  # ends the current stage (printing its time) and starts the next one
  if [ -n "$STAGE" ]; then echo "== time: $STAGE: $(($(date +%s) - T_STAGE)) s"; fi
  STAGE=$1
  T_STAGE=$(date +%s)
  if [ -n "$STAGE" ]; then echo "== $STAGE"; fi
}

stage "Structure: layering and line budget"
python3 scripts/check_layers.py
python3 scripts/check_line_budget.py

stage "C++ library and tests (Release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DHYPATIA_BUILD_TESTS=ON -DHYPATIA_BUILD_EXAMPLES=ON "${LAUNCHER[@]}"
cmake --build build -j "$JOBS"
ctest --test-dir build --output-on-failure -j "$JOBS"

stage "C++ install + find_package(hypatia) consumer"
rm -rf build/install build/consumer
cmake --install build --prefix build/install > /dev/null
cmake -S examples/cpp -B build/consumer -G Ninja -DCMAKE_PREFIX_PATH="$PWD/build/install" -DCMAKE_BUILD_TYPE=Release
cmake --build build/consumer -j "$JOBS"
./build/consumer/logistic_regression 200
./build/consumer/debian_sections 1
# mpirun refuses root (CI) unless told; both variables are needed.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
if [ -x build/consumer/distributed_sgd ]; then  # hypatia::distributed (built where MPI is found)
  ./build/consumer/distributed_sgd
  mpirun -np 2 --oversubscribe --mca btl self,vader --mca btl_vader_single_copy_mechanism none ./build/consumer/distributed_sgd
fi

stage "Python tests"
"$PY" -m pytest -q tests/python

# Data-parallel training over MPI: tests/mpi runs tests/mpi/worker.py under
# `mpirun -np 2 --oversubscribe` (shared memory and loopback only) and alone; the C++ side
# (test_distributed, one rank and mpirun -np 2) ran in ctest above.
stage "Distributed (MPI, 2 ranks on this machine)"
"$PY" -m pytest -q tests/mpi

# The documentation site (docs/, Sphinx): warnings are errors; then every code block of the site
# runs (the C++ ones built against build/install from the stage above) with its printed output
# compared, and check_docs.py checks the API reference, the migration guide and the set-up
# commands against the code. The site is left in docs/_build/html.
stage "Documentation: sphinx-build -W, every example run, reference checks"
"$PY" -m sphinx -W --keep-going -j "$JOBS" -q -b html docs docs/_build/html
"$PY" docs/run_examples.py --cpp-prefix build/install
"$PY" docs/check_docs.py --html docs/_build/html

if [ "$SANITIZERS" != "0" ]; then
  if ! command -v clang++ > /dev/null; then
    echo "error: the sanitizer and fuzz stages need clang (apt-get install clang llvm libclang-rt-dev libomp-dev), or set SANITIZERS=0" >&2
    exit 1
  fi
  # Sanitized builds: -O1 with line tables and assertions on (no NDEBUG). Speed assertions in
  # the tests are off there (support/timing.h); UB and ASan reports abort the test.
  SAN_FLAGS=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" "${LAUNCHER[@]}")
  export HYPATIA_NO_TIMING_ASSERTS=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:allocator_may_return_null=1

  # One clang build serves the ASan+UBSan suite and the fuzzer: the library carries the fuzzer's
  # coverage instrumentation (fuzzer-no-link); only the fuzz target links libFuzzer.
  stage "C++ tests under ASan+UBSan (clang)"
  cmake -S . -B build-asan -G Ninja "${SAN_FLAGS[@]}" -DHYPATIA_SANITIZE=address -DHYPATIA_BUILD_TESTS=ON -DHYPATIA_BUILD_FUZZ=ON
  cmake --build build-asan -j "$JOBS"
  ctest --test-dir build-asan --output-on-failure -j "$JOBS"  # includes the corpus replay

  stage "fuzz_sparse_boundary for ${FUZZ_SECONDS} s (libFuzzer, ASan+UBSan)"
  # New inputs go to a scratch corpus (the committed one is only read); a finding aborts this
  # stage and libFuzzer writes the input to build-asan/fuzz-artifacts/.
  mkdir -p build-asan/fuzz-corpus build-asan/fuzz-artifacts
  ./build-asan/tests/fuzz/fuzz_sparse_boundary -max_total_time="$FUZZ_SECONDS" -timeout=30 -print_final_stats=1 \
    -artifact_prefix=build-asan/fuzz-artifacts/ build-asan/fuzz-corpus tests/fuzz/corpus

  # ThreadSanitizer on the threading tests (only the library and test_compile are built).
  # OpenMP runtimes are uninstrumented: gcc's libgomp gives false races on every parallel loop,
  # clang's libomp now and then inside its own code. So: clang's libomp with its Archer tool
  # (OMP_TOOL_LIBRARIES), which reports OpenMP's barriers and reductions to TSan, plus
  # ignore_noninstrumented_modules=1 (accesses inside uninstrumented libraries are not tracked;
  # every access Hypatia's code makes is). OpenBLAS (uninstrumented, its own thread pool) runs
  # single-threaded here. No suppression file.
  stage "C++ *Thread* (and control *Concurrent*) tests under TSan (clang)"
  cmake -S . -B build-tsan -G Ninja "${SAN_FLAGS[@]}" -DHYPATIA_SANITIZE=thread -DHYPATIA_BUILD_TESTS=ON
  cmake --build build-tsan -j "$JOBS" --target test_compile test_control
  LLVM_LIB=$(dirname "$(readlink -f "$(command -v clang++)")")/../lib
  OMP_TOOL_LIBRARIES="$LLVM_LIB/libarcher.so" OPENBLAS_NUM_THREADS=1 \
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ignore_noninstrumented_modules=1" \
    ./build-tsan/tests/cpp/test_compile --gtest_filter='*Thread*'
  # The loops and graph ops keep pools of inner frames: their concurrent-call tests too.
  OMP_TOOL_LIBRARIES="$LLVM_LIB/libarcher.so" OPENBLAS_NUM_THREADS=1 \
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ignore_noninstrumented_modules=1" \
    ./build-tsan/tests/cpp/test_control --gtest_filter='*Thread*:*Concurrent*'
fi

stage ""
echo "== time: all stages: $(($(date +%s) - T_ALL)) s"
