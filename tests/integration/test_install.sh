#!/bin/bash
# `cmake --install` into a scratch DESTDIR puts everything where systemd,
# man and pkg-config look, and what it installs fits together: the unit
# runs the installed mitrad with the installed configuration, which loads;
# a program compiles and links against the installed libmitra via mitra.pc.
#
# usage: test_install.sh BUILD_DIR
set -u
BUILD=$1
DEST=$(mktemp -d /tmp/mitra-install-XXXXXX)
trap 'rm -rf "$DEST"' EXIT
checks=0 failures=0
check () {
    local what=$1; shift
    checks=$((checks + 1))
    if ! "$@"; then failures=$((failures + 1)); echo "FAIL: $what" >&2; fi
}

DESTDIR="$DEST" cmake --install "$BUILD" >"$DEST.log" 2>&1
check "cmake --install succeeds ($(tail -3 "$DEST.log"))" test $? -eq 0
rm -f "$DEST.log"
PREFIX=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
ROOT="$DEST$PREFIX"
for file in sbin/mitrad bin/mitra bin/mitra-watch include/mitra.h lib/pkgconfig/mitra.pc \
            lib/systemd/system/mitrad.service lib/sysusers.d/mitra.conf lib/tmpfiles.d/mitra.conf \
            share/man/man8/mitrad.8 share/man/man5/mitrad.conf.5 share/man/man1/mitra.1 \
            share/man/man1/mitra-watch.1; do
    check "installed: $file" test -e "$ROOT/$file"
done
check "installed: libmitra shared and static" bash -c "ls '$ROOT'/lib/libmitra.so* '$ROOT'/lib/libmitra.a >/dev/null"
CONF=$(find "$DEST" -path '*/mitra/mitrad.conf' | head -1)
check "installed: mitrad.conf" test -n "$CONF"

# The unit starts the installed daemon with the installed configuration
unit="$ROOT/lib/systemd/system/mitrad.service"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
check "unit runs $PREFIX/sbin/mitrad ($exec_start)" grep -q "^$PREFIX/sbin/mitrad -c " <<<"$exec_start"
conf_in_unit=${exec_start##* }
check "unit's configuration is the installed one ($conf_in_unit)" test -e "$DEST$conf_in_unit"
check "the installed daemon loads it" bash -c "'$ROOT/sbin/mitrad' -n -c '$CONF' >/dev/null"

# A client program builds against the installed library through mitra.pc
cat >"$DEST/client.c" <<'C'
#include <mitra.h>
#include <stdio.h>
int main (void)
{
    mitra_client_t *client = mitra_client_new ("ipc:///nonexistent/mitrad.sock", NULL);
    printf ("%s\n", client? "made": "none");
    mitra_client_destroy (&client);
    return 0;
}
C
flags=$(PKG_CONFIG_SYSROOT_DIR="$DEST" PKG_CONFIG_PATH="$ROOT/lib/pkgconfig" \
        pkg-config --cflags --libs mitra 2>&1)
check "pkg-config knows mitra ($flags)" test -n "$flags"
cc -o "$DEST/client" "$DEST/client.c" $flags 2>"$DEST/cc.err"
check "a client compiles and links against it: $(cat "$DEST/cc.err")" test -x "$DEST/client"
out=$(LD_LIBRARY_PATH="$ROOT/lib" "$DEST/client" 2>&1)
check "and runs ($out)" test "$out" = "made"

echo "test_install: $checks checks, $failures failed" >&2
[ "$failures" -eq 0 ] && [ "$checks" -gt 0 ]
