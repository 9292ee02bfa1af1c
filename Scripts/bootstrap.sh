#!/usr/bin/env bash
# Installs Crossloop's system dependencies on Debian (and derivatives):
#   - libngspice0-dev + ngspice (spinit and the XSPICE code models live in `ngspice`),
#     from <codename>-backports when that suite is reachable (ngspice 46, built with KLU),
#     else from the stable suite (ngspice 39, Sparse 1.3 only);
#   - LAPACKE (liblapacke-dev) for the reference solver;
#   - pkg-config, which SwiftPM uses to find both.
# Idempotent and unattended. The backports entry is derived from the machine's own Debian
# source so that no mirror host is ever named here.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -E"; else
        echo "bootstrap: must run as root or with sudo available" >&2; exit 1
    fi
fi

log() { printf 'bootstrap: %s\n' "$*"; }

. /etc/os-release
CODENAME="${VERSION_CODENAME:-}"
if [ -z "$CODENAME" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: this script supports Debian-based systems with apt; install libngspice (with the ngspice package for spinit and code models), liblapacke-dev and pkg-config by hand" >&2
    exit 1
fi

BACKPORTS_LIST=/etc/apt/sources.list.d/crossloop-backports.sources

# The URI of the machine's main Debian archive: deb822 sources first, then one-line lists.
debian_uri() {
    local f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        [ "$f" = "$BACKPORTS_LIST" ] && continue
        # Pick the stanza whose Suites name the plain codename.
        uri=$(awk -v cn="$CODENAME" '
            BEGIN { RS=""; FS="\n" }
            {
                u=""; s="";
                for (i=1; i<=NF; i++) {
                    if ($i ~ /^URIs:/)   { sub(/^URIs:[ \t]*/, "", $i); u=$i }
                    if ($i ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", $i); s=" " $i " " }
                }
                if (u != "" && index(s, " " cn " ") > 0) { split(u, a, " "); print a[1]; exit }
            }' "$f")
        if [ -n "$uri" ]; then echo "$uri"; return 0; fi
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        uri=$(awk -v cn="$CODENAME" '$1=="deb" && $0 !~ /security/ {
                for (i=2; i<=NF; i++) if ($i ~ /^(https?|file|mirror|ftp):/) { u=$i; s=$(i+1); break }
                if (s == cn) { print u; exit } }' "$f")
        if [ -n "$uri" ]; then echo "$uri"; return 0; fi
    done
    return 1
}

want_backports() {
    local uri keyring
    uri=$(debian_uri) || { log "no Debian source for '$CODENAME' found; using the stable suite"; return 1; }
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    if [ ! -f "$BACKPORTS_LIST" ]; then
        log "adding ${CODENAME}-backports from $uri"
        {
            echo "Types: deb"
            echo "URIs: $uri"
            echo "Suites: ${CODENAME}-backports"
            echo "Components: main"
            [ -f "$keyring" ] && echo "Signed-By: $keyring"
        } | $SUDO tee "$BACKPORTS_LIST" >/dev/null
    fi
    if ! $SUDO apt-get update -qq; then
        log "apt-get update failed with backports; removing it"
        $SUDO rm -f "$BACKPORTS_LIST"
        return 1
    fi
    # Captured first: under pipefail, `grep -q` closing the pipe early would fail the test.
    local policy
    policy=$(apt-cache policy libngspice0-dev 2>/dev/null || true)
    if grep -q "${CODENAME}-backports" <<<"$policy"; then
        return 0
    fi
    log "${CODENAME}-backports is not reachable or has no ngspice; using the stable suite"
    $SUDO rm -f "$BACKPORTS_LIST"
    return 1
}

COMMON=(pkg-config liblapacke-dev libopenblas-dev)
if want_backports; then
    $SUDO apt-get install -y -qq -t "${CODENAME}-backports" libngspice0-dev ngspice >/dev/null
    SUITE="${CODENAME}-backports"
else
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq libngspice0-dev ngspice >/dev/null
    SUITE="$CODENAME"
fi
$SUDO apt-get install -y -qq "${COMMON[@]}" >/dev/null

ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }
log "installed from $SUITE: libngspice0-dev $(ver libngspice0-dev), ngspice $(ver ngspice)"
log "installed: liblapacke-dev $(ver liblapacke-dev), pkg-config $(ver pkg-config)"
NGV=$(ngspice --version 2>/dev/null | grep -o 'ngspice-[0-9.]*' | head -n1 || true)
log "ngspice version: ${NGV:-unknown} (pkg-config ngspice: $(pkg-config --modversion ngspice 2>/dev/null || echo missing))"
NGVERSION_TEXT=$(ngspice --version 2>/dev/null || true)
if grep -qi klu <<<"$NGVERSION_TEXT"; then log "KLU: available"; else log "KLU: not available (Sparse 1.3 only)"; fi
