#!/bin/sh
# test_abi.sh - the ABI guard: the library just built must be compatible
# with the baseline of the last released version (tests/abi/, recorded by
# scripts/abi-baseline.sh), unless its soname says otherwise.
#
# usage: test_abi.sh LIBRARY BASELINE.abi.gz INCLUDE_DIR
# Compatible means: abidiff (abigail-tools) reports no incompatible change
# and, of the functions and variables of the baseline, none removed and
# none changed (a struct's layout, a parameter's type...); added functions
# are fine. A library whose soname differs from the baseline's (a major
# version bump) passes: its release records a new baseline. Skipped (77)
# when abidiff is not installed. First a self-check: a stand-in library
# with the same soname but only one function must be caught.
# $CC is the C compiler (for the self-check).
set -u
lib=${1:?usage: test_abi.sh LIBRARY BASELINE.abi.gz INCLUDE_DIR}
baseline=${2:?usage}
inc=${3:?usage}
CC=${CC:-cc}
command -v abidiff >/dev/null 2>&1 || { echo "skipped: abidiff not found (abigail-tools)"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gort-abi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
gzip -dc "$baseline" > "$tmp/base.abi" || { echo "FAIL: cannot read $baseline"; exit 1; }
base_soname=$(sed -n "1s/.*soname='\([^']*\)'.*/\1/p" "$tmp/base.abi")
cur_soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ -n "$base_soname" ] && [ -n "$cur_soname" ] || { echo "FAIL: no soname (baseline '$base_soname', library '$cur_soname')"; exit 1; }

# check LIB: 0 when compatible with the baseline, 1 otherwise (report on stdout)
check() {
    abidiff --headers-dir2 "$inc" --drop-private-types "$tmp/base.abi" "$1" > "$tmp/report" 2>&1
    rc=$?
    cat "$tmp/report"
    if [ $((rc & 3)) -ne 0 ]; then echo "abidiff failed (status $rc)"; return 1; fi
    if [ $((rc & 8)) -ne 0 ]; then echo "incompatible ABI change"; return 1; fi
    if [ $((rc & 4)) -ne 0 ]; then
        # only additions are allowed
        if grep -Eq '^(Functions|Variables) changes summary: 0 Removed, 0 Changed' "$tmp/report" &&
           ! grep -Eq '^(Functions|Variables) changes summary: ([1-9][0-9]* Removed|[0-9]+ Removed, [1-9][0-9]* Changed)' "$tmp/report"; then
            return 0
        fi
        echo "ABI change beyond added functions"
        return 1
    fi
    return 0
}

# the self-check: a library that lost every function but one
printf '#include <gort/version.h>\nconst char *go_version(void) { return GORT_VERSION_STRING; }\n' > "$tmp/stub.c"
if ! $CC -shared -fPIC -g -I"$inc" -Wl,-soname,"$base_soname" "$tmp/stub.c" -o "$tmp/$base_soname" 2>"$tmp/cc.log"; then
    cat "$tmp/cc.log"; echo "FAIL: cannot build the self-check's library"; exit 1
fi
if check "$tmp/$base_soname" > "$tmp/self.log"; then
    cat "$tmp/self.log"; echo "FAIL: the guard passed a library without the baseline's functions"; exit 1
fi
echo "self-check: a library without the baseline's functions is caught"

if [ "$base_soname" != "$cur_soname" ]; then
    echo "ok: soname $cur_soname differs from the baseline's $base_soname (a major version): record a new baseline with it"
    exit 0
fi
if check "$lib"; then
    echo "ok: $cur_soname is compatible with the baseline ($(grep -c '<elf-symbol ' "$tmp/base.abi") symbols)"
    exit 0
fi
echo "FAIL: $lib breaks the ABI of the baseline without a soname bump"
exit 1
