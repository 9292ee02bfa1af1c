#!/usr/bin/env bash
# Times Crossloop against PySpice, the peer a Python user would reach for, on the same INV
# problems through the same libngspice (PySpice's shared-library mode): whole processes,
# the way users run them, alternating runs, medians. PySpice is installed from the Python
# package index into a throwaway virtual environment; its side of the benchmark is written
# here for the benchmark only and is not part of Crossloop.
#
#   Scripts/peer-bench.sh [runs]        (default 5 runs per size)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "peer-bench: building crossloop (release)"
swift build -c release --product crossloop >/dev/null
crossloop="$(swift build -c release --show-bin-path)/crossloop"

echo "peer-bench: installing PySpice into a throwaway virtual environment"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet PySpice >/dev/null
library="$(ldconfig -p | awk '/libngspice\.so\.0 /{print $NF; exit}')"
export NGSPICE_LIBRARY_PATH="${library:-/usr/lib/x86_64-linux-gnu/libngspice.so.0}"

# The PySpice side: read the Matrix Market file, build the same closed-loop INV circuit with
# PySpice's Circuit API (VCVS op-amps of gain 1e6, inverters for negative cells, G0 = 10 uS
# cells, G_in = G0, b = ones), run the operating point through libngspice and print x.
cat > "$work/peer.py" <<'PY'
import sys
from PySpice.Spice.Netlist import Circuit
from PySpice.Spice.NgSpice.Shared import NgSpiceShared

def read_matrix(path):
    rows = [l.strip() for l in open(path) if l.strip() and not l.startswith('%')]
    n, m = map(int, rows[0].split()[:2])
    values = [float(v) for v in rows[1:]]
    return n, [[values[j * n + i] for j in range(m)] for i in range(n)]

n, a = read_matrix(sys.argv[1])
g0, gain = 10e-6, 1e6
circuit = Circuit('inv')
negative = set()
for i in range(n):
    circuit.VCVS('amp%d' % i, 'v%d' % i, circuit.gnd, circuit.gnd, 'r%d' % i, voltage_gain=gain)
    circuit.V('in%d' % i, 'in%d' % i, circuit.gnd, 0.1)
    circuit.R('in%d' % i, 'in%d' % i, 'r%d' % i, 1 / g0)
    for j in range(n):
        if a[i][j] > 0:
            circuit.R('p%d_%d' % (i, j), 'r%d' % i, 'v%d' % j, 1 / (g0 * a[i][j]))
        elif a[i][j] < 0:
            circuit.R('n%d_%d' % (i, j), 'r%d' % i, 'w%d' % j, 1 / (g0 * -a[i][j]))
            negative.add(j)
for j in sorted(negative):
    circuit.R('ia%d' % j, 'v%d' % j, 'm%d' % j, 100e3)
    circuit.R('ib%d' % j, 'm%d' % j, 'w%d' % j, 100e3)
    circuit.VCVS('inv%d' % j, 'w%d' % j, circuit.gnd, circuit.gnd, 'm%d' % j, voltage_gain=gain)
simulator = circuit.simulator(simulator='ngspice-shared')
analysis = simulator.operating_point()
x = [-float(analysis['v%d' % i][0]) / 0.1 for i in range(n)]
print(' '.join('%.6g' % v for v in x[:4]))
PY

python3 - "$work" <<'PY'
import random, sys
random.seed(2026)
for n in (16, 32, 64):
    with open('%s/a%d.mtx' % (sys.argv[1], n), 'w') as f:
        f.write('%%%%MatrixMarket matrix array real general\n%d %d\n' % (n, n))
        for j in range(n):
            for i in range(n):
                f.write('%.17g\n' % ((1.0 if i == j else 0.0) + 0.5 / n ** 0.5 * random.gauss(0, 1)))
PY

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
now() { date +%s.%N; }

printf '\n%6s  %14s  %14s  %8s\n' N crossloop PySpice ratio
for n in 16 32 64; do
    : > "$work/c.txt"; : > "$work/p.txt"
    for _ in $(seq "$runs"); do
        t0=$(now); "$crossloop" solve --matrix "$work/a$n.mtx" >/dev/null || true; t1=$(now)
        echo "$t1 - $t0" | bc >> "$work/c.txt"
        t0=$(now); "$work/venv/bin/python" "$work/peer.py" "$work/a$n.mtx" >"$work/peer.out" 2>&1 || { echo "peer-bench: the PySpice side failed:"; cat "$work/peer.out"; exit 1; }; t1=$(now)
        echo "$t1 - $t0" | bc >> "$work/p.txt"
    done
    c=$(median < "$work/c.txt"); p=$(median < "$work/p.txt")
    printf '%6d  %12.3f s  %12.3f s  %7.1fx\n' "$n" "$c" "$p" "$(echo "$p / $c" | bc -l)"
done
echo
echo "ratio = PySpice time / crossloop time for the whole process (target >= 5x);"
echo "crossloop also maps, predicts and verifies, PySpice only builds and simulates."
