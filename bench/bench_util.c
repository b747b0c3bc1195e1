/*  bench_util -- the pieces the benchmark programs share (bench_util.h).

    Each was a private copy in several programs; they are kept here exactly
    as they were, so that no benchmark's figures change by being folded.
*/
#include "bench_util.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

uint64_t
bench_now_ns (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (uint64_t) now.tv_sec * 1000000000u + (uint64_t) now.tv_nsec;
}

double
bench_cpu_s (void)
{
    struct rusage usage;
    getrusage (RUSAGE_SELF, &usage);
    return (double) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
         + (double) (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

int
bench_compare_u64 (const void *left, const void *right)
{
    uint64_t a = *(const uint64_t *) left, b = *(const uint64_t *) right;
    return (a > b) - (a < b);
}

int
bench_compare_i64 (const void *left, const void *right)
{
    int64_t a = *(const int64_t *) left, b = *(const int64_t *) right;
    return (a > b) - (a < b);
}

uint64_t
bench_percentile_rank (uint64_t count, double percent)
{
    //  Rounds up; a whole rank that float error lifts by under 1e-6 stays
    uint64_t rank = (uint64_t) (percent / 100.0 * (double) count + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > count)
        rank = count;
    return rank;
}

uint64_t
bench_percentile (const uint64_t *sorted, uint64_t count, double percent)
{
    return sorted [bench_percentile_rank (count, percent) - 1];
}

int
bench_parse_count (const char *text, uint64_t *value)
{
    char *end;
    errno = 0;
    unsigned long long parsed = strtoull (text, &end, 10);
    //  strtoull takes "-1" as ULLONG_MAX: a sign is refused, not wrapped
    if (errno || end == text || *end || *text == '-')
        return -1;
    *value = parsed;
    return 0;
}

int
bench_parse_seconds (const char *text, double *value)
{
    char *end;
    double parsed = strtod (text, &end);
    //  !(> 0) also refuses NaN
    if (*end || !(parsed > 0))
        return -1;
    *value = parsed;
    return 0;
}

void
bench_fail (const char *program, const char *format, ...)
{
    static pthread_mutex_t failing = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock (&failing);
    va_list args;
    va_start (args, format);
    fprintf (stderr, "%s: FAILED: ", program);
    vfprintf (stderr, format, args);
    fprintf (stderr, "\n");
    va_end (args);
    exit (1);
}

void
bench_pack_str (msgpack_packer *pk, const char *text)
{
    size_t length = strlen (text);
    msgpack_pack_str (pk, length);
    msgpack_pack_str_body (pk, text, length);
}

const msgpack_object *
bench_map_get (const msgpack_object *map, const char *key)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    size_t length = strlen (key);
    for (uint32_t index = 0; index < map->via.map.size; index++) {
        const msgpack_object *name = &map->via.map.ptr [index].key;
        if (name->type == MSGPACK_OBJECT_STR && name->via.str.size == length
        &&  memcmp (name->via.str.ptr, key, length) == 0)
            return &map->via.map.ptr [index].val;
    }
    return NULL;
}
