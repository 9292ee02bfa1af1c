#!/usr/bin/env bash
# Builds the DocC documentation of every library module, failing on any warning (a broken
# symbol link or article reference). Archives land in .build/plugins/Swift-DocC/outputs/.
# The targets are named: without them the plugin also documents the dependencies, whose own
# doc comments carry warnings that are not ours to fix.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(Reports Netlist Ngspice Reference CircuitTheory MatrixFiles Circuits Specification
         Characterization Verification Sweeps Workloads)
args=()
for t in "${targets[@]}"; do args+=(--target "$t"); done
swift package generate-documentation "${args[@]}" --warnings-as-errors "$@"
