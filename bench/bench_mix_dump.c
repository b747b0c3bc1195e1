/*  bench_mix_dump -- the bench mix (bench_mix.h) as a file for `mitra
    import`: N events of one stream (client 0 of 1), one JSON line each,
    {"type": T, "data": {...}}, in the order the stream makes them, so the
    file applies cleanly to a fresh mitrad and the import benchmark sends
    the same events as the ingest benchmark.

    bench_mix_dump [-n N] [-s SEED] > FILE      (defaults: 1000000, 1)
*/
#include "bench_mix.h"
#include "bench_util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
s_usage (void)
{
    fprintf (stderr, "usage: bench_mix_dump [-n EVENTS] [-s SEED] > FILE\n");
    exit (2);
}

int
main (int argc, char *argv [])
{
    uint64_t events = 1000000, seed = 1;
    int option;
    while ((option = getopt (argc, argv, "n:s:h")) != -1) {
        switch (option) {
            case 'n':
                if (bench_parse_count (optarg, &events))
                    s_usage ();
                break;
            case 's':
                if (bench_parse_count (optarg, &seed))
                    s_usage ();
                break;
            default:
                s_usage ();
        }
    }
    if (optind != argc)
        s_usage ();
    bench_mix_t *mix = bench_mix_new (seed, 0, 1);
    if (!mix) {
        fprintf (stderr, "bench_mix_dump: out of memory\n");
        return 1;
    }
    bench_event_t event;
    for (uint64_t index = 0; index < events; index++) {
        bench_mix_next (mix, &event);
        printf ("{\"type\": \"%s\", \"data\": ", event.type);
        fwrite (event.json, 1, event.json_size, stdout);
        fputs ("}\n", stdout);
    }
    bench_mix_destroy (&mix);
    if (fflush (stdout) || ferror (stdout)) {
        fprintf (stderr, "bench_mix_dump: cannot write: %s\n", strerror (errno));
        return 1;
    }
    return 0;
}
