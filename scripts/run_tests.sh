#!/usr/bin/env bash
# Builds and runs every test: the C++ GoogleTest suite (ctest), the installed-package check
# (a C++ program found through find_package(hypatia)), and the Python suite (pytest).
# Expects the Python package installed in .venv (the README's test command does that).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
PY=${PY:-.venv/bin/python}

echo "== C++ library and tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DHYPATIA_BUILD_TESTS=ON -DHYPATIA_BUILD_EXAMPLES=ON
cmake --build build -j "$JOBS"
ctest --test-dir build --output-on-failure -j "$JOBS"

echo "== C++ install + find_package(hypatia) consumer"
rm -rf build/install build/consumer
cmake --install build --prefix build/install > /dev/null
cmake -S examples/cpp -B build/consumer -G Ninja -DCMAKE_PREFIX_PATH="$PWD/build/install" -DCMAKE_BUILD_TYPE=Release
cmake --build build/consumer -j "$JOBS"
./build/consumer/logistic_regression 200
./build/consumer/debian_sections 1

echo "== Python tests"
"$PY" -m pytest -q tests/python
