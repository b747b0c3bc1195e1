/*  bench_mix -- the realistic event mix every ingest benchmark sends.

    One stream per client: client c of n gets its own orgs and partnerships
    (ids carry "c<c>-"), so streams from several clients never depend on
    each other, and within one stream every event is valid after the ones
    before it (orgs registered before they lead or join, members before
    they are contacted, milestones before their progress). Drawn from a
    seed with splitmix64: the same seed gives the same events, byte for
    byte, on every machine.

    The mix, once a stream is warmed up (new partnerships keep opening,
    about one per 25 events): contact.logged ~32%, milestone.progress ~22%,
    org.updated ~8%, contribution.recorded ~10%, reach.recorded ~8%,
    milestone.added ~6%, goal.progress ~4%, plus the opening of each
    partnership (3 org.registered, partnership.proposed, 2 member_added,
    goal.set, 2 milestone.added).

    Each event comes as its type, the JSON text of its data (as `mitra
    import` reads it), the same data as a msgpack map (as mitrad stores it)
    and the key of the record it updates (the partnership id, or the org id
    for org.* events), for the baselines that keep one state row per key.
*/
#ifndef BENCH_MIX_H_INCLUDED
#define BENCH_MIX_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define BENCH_MIX_JSON_MAX 1024     //  longest data JSON text the mix makes
#define BENCH_MIX_KEY_MAX 48

typedef struct bench_mix_t bench_mix_t;

typedef struct {
    const char *type;               //  static string, like "contact.logged"
    char key [BENCH_MIX_KEY_MAX];   //  partnership id, or org id for org.*
    char json [BENCH_MIX_JSON_MAX]; //  the data object as JSON text, NUL-terminated
    size_t json_size;
    uint8_t *body;                  //  the data object as msgpack, owned by the mix,
    size_t body_size;               //  valid until the next bench_mix_next
} bench_event_t;

//  Stream `client` of `clients` (client < clients), drawn from `seed`.
bench_mix_t *bench_mix_new (uint64_t seed, uint32_t client, uint32_t clients);
void bench_mix_destroy (bench_mix_t **self_p);

//  Fill *event with the stream's next event. Never fails.
void bench_mix_next (bench_mix_t *self, bench_event_t *event);

#endif
