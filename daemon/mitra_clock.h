/*  mitra_clock -- the one place the daemon reads the time of day.

    Everything that depends on "now" (an event's receive instant, the
    `today` of queries, when a deadline falls due and how long the server
    may sleep until it does) asks mitra_clock_now_ms, so a test can move
    the daemon's time as a whole.

    The test clock exists only in the mitrad-testclock binary, built from
    the same sources with MITRA_TEST_CLOCK defined (daemon/CMakeLists.txt;
    never installed, no option turns it on in mitrad): there, when the
    environment names MITRA_TEST_CLOCK_FILE, the time is the real time plus
    the signed number of milliseconds that file holds, read at every call.
    Time keeps flowing, so the server's exact wake-up is tested as it runs
    in production; a test jumps by rewriting the offset. We chose this over
    libfaketime: an LD_PRELOAD shim also moves the monotonic clock and
    libzmq's timers, and it does not load beside AddressSanitizer.
*/
#ifndef MITRA_CLOCK_H
#define MITRA_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

//  Wall clock, milliseconds since the epoch.
int64_t mitra_clock_now_ms (void);

//  True in mitrad-testclock when MITRA_TEST_CLOCK_FILE is set: the daemon
//  logs a warning at start, so the clock cannot be moved unnoticed.
bool mitra_clock_is_moved (void);

#endif
