/*  bench_scale -- what its two halves share: the program that starts and
    measures mitrad (bench_scale.c) and the store side that fills a store
    and times lookups in it (bench_scale_store.c). Both name partnerships
    and organizations by the same index, so the queries find what the fill
    wrote.
*/
#ifndef BENCH_SCALE_H
#define BENCH_SCALE_H

#include <msgpack.h>
#include <stdint.h>


//  "bench_scale: " and the message on stderr; returns -1.
int bench_scale_fail (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

//  A bijection on 64 bits: distinct indexes give distinct ids.
uint64_t bench_scale_mix (uint64_t value);

//  The id of partnership `index`, and of its organizations (`which` 0 is
//  its lead, 1 the member it adds).
void bench_scale_partnership_id (uint64_t index, char id [24]);
void bench_scale_org_id (uint64_t index, int which, char id [24]);

//  data.mdb's size in `state_dir`, and in *allocated the bytes its blocks take.
uint64_t bench_scale_file_sizes (const char *state_dir, uint64_t *allocated);

//  Pack the pair key: value (a string).
void bench_scale_pack_str (msgpack_packer *pk, const char *key, const char *value);

//  Fill a new store in `state_dir` with `size` partnerships of ten events
//  each, through the daemon's engine; progress on stderr, one JSON line on
//  stdout. Returns 0, or -1 having said why.
int bench_scale_fill (const char *state_dir, uint64_t size);

//  The next pending deadline as the engine looks it up: ns per lookup (the
//  median of rounds), and the number of events in the store. The store
//  must not be open in this process; a daemon may run on it.
int bench_scale_lookup (const char *state_dir, double *lookup_ns, uint64_t *events);

#endif
