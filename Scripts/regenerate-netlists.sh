#!/usr/bin/env bash
# Regenerates the golden decks in Netlists/ from the matrices in Netlists/inputs/.
# Each deck records the command that made it on its "* Command:" line; the test suite
# re-runs those lines and compares card by card (names and nodes exactly, numbers within
# 1e-9 relative, so other OpenBLAS kernels' last digits pass; see
# Tests/CrossloopCLITests/DeckComparison.swift) and fails on any other difference, so run
# this after an intended change to the generators and review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product crossloop >/dev/null
bin="$(swift build --show-bin-path)/crossloop"

generate() {
    local name=$1; shift
    "$bin" generate "$@" > "Netlists/$name.cir"
    echo "Netlists/$name.cir"
}

in=Netlists/inputs
generate inv-4x4-ideal --matrix $in/inv4.mtx --rhs $in/b4.csv
generate inv-8x8-behavioral-wires --matrix $in/spd8.mtx --fidelity behavioral --wire-r 20 --wire-c 1f
generate mvm-8x8-ideal --op mvm --matrix $in/mvm8.mtx --rhs $in/x8.csv
generate ginv-6x3-ideal --op ginv --matrix $in/ginv6x3.mtx --rhs $in/y6.csv
generate eig-4x4-behavioral --op eig --matrix $in/sym4.mtx --fidelity behavioral --bits 8
generate block-6x6-ideal --op block --matrix $in/block6.mtx --block-size 3
generate inv-8x8-transistor-generic --matrix $in/spd8.mtx --fidelity transistor --tech generic --converters ideal
