/*  bench_util -- the small pieces every benchmark program needs: its clocks,
    nearest-rank percentiles, strict option parsing, the fatal report and
    the bits of raw msgpack-c the wire clients share.

    One copy, so that every program measures and ranks the same way and a
    figure from one can stand beside a figure from another. Nothing here
    may change a figure: each function is the copy the programs had, and
    the percentile stays the nearest rank every recorded result was
    computed with. Not for the daemon or the tests.
*/
#ifndef BENCH_UTIL_H_INCLUDED
#define BENCH_UTIL_H_INCLUDED

#include <msgpack.h>
#include <stdint.h>

//  CLOCK_MONOTONIC, in nanoseconds.
uint64_t bench_now_ns (void);

//  CPU time this process has used, all threads, user and system, in seconds.
double bench_cpu_s (void);

//  qsort comparators, ascending.
int bench_compare_u64 (const void *left, const void *right);
int bench_compare_i64 (const void *left, const void *right);

//  The nearest rank (1..count) of `percent` (0..100) among `count` sorted
//  values: percent / 100 * count rounded up, clamped to 1..count.
uint64_t bench_percentile_rank (uint64_t count, double percent);

//  The nearest-rank percentile of `count` (at least 1) ascending values.
uint64_t bench_percentile (const uint64_t *sorted, uint64_t count, double percent);

//  A whole number of base 10 and nothing after it, no sign: 0 with it in
//  *value, else -1 and *value untouched.
int bench_parse_count (const char *text, uint64_t *value);

//  A number of seconds above 0 (strtod's syntax) and nothing after it: 0
//  with it in *value, else -1 and *value untouched.
int bench_parse_seconds (const char *text, double *value);

//  Says "PROGRAM: FAILED: " and the message on stderr and exits 1: the run
//  is void and no figure may be printed. Safe from any thread: when several
//  fail together the first one speaks, the others wait for the exit.
void bench_fail (const char *program, const char *format, ...)
    __attribute__ ((noreturn, format (printf, 2, 3)));

//  Packs a NUL-terminated string as a msgpack str.
void bench_pack_str (msgpack_packer *pk, const char *text);

//  The value of `key` in a msgpack map, or NULL (also when `map` is NULL or
//  not a map, so that lookups chain). Points into `map`.
const msgpack_object *bench_map_get (const msgpack_object *map, const char *key);

#endif
