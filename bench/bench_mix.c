/*  bench_mix -- the realistic event mix every ingest benchmark sends.
    See bench_mix.h for what a stream holds and why streams are disjoint.

    A stream keeps the partnerships it opened (their orgs and milestone
    count) so every event it makes refers to records that exist: the
    opening of a partnership is nine events emitted in order, and the
    steady-state events pick an opened partnership at random.
*/
#include "bench_mix.h"
#include "mitra_json.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_OPENING_STEPS 9           //  events that open one partnership
#define S_MEMBERS 3                 //  lead + 2 members per partnership

typedef struct {
    uint32_t id;
    uint32_t orgs [S_MEMBERS];      //  org numbers; orgs [0] leads
    uint32_t milestones;            //  m1..mN exist
} s_partnership_t;

struct bench_mix_t {
    uint64_t rng;
    uint32_t client;
    s_partnership_t *partnerships;
    size_t count, capacity;
    uint32_t next_org;
    int opening;                    //  next opening step, or -1 when none runs
    msgpack_sbuffer body;
};

//  splitmix64: small, fast, and the same sequence on every machine.
static uint64_t
s_random (bench_mix_t *self)
{
    uint64_t value = (self->rng += 0x9e3779b97f4a7c15ULL);
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

static uint32_t
s_below (bench_mix_t *self, uint32_t bound)
{
    return (uint32_t) (s_random (self) % bound);
}

static const char *const s_words [] = {
    "water", "wells", "training", "budget", "schedule", "village", "report",
    "survey", "health", "clinic", "school", "teachers", "supplies", "transport",
    "funding", "tranche", "partners", "district", "officials", "community",
    "volunteers", "workshop", "radio", "outreach", "review", "agreed", "delayed",
    "on track", "next steps", "follow up", "data", "monitoring", NULL
};
#define S_WORD_COUNT 32

//  A sentence of `min`..`max` characters of plain words (no JSON escapes).
static void
s_text (bench_mix_t *self, char *out, size_t min, size_t max)
{
    size_t goal = min + s_below (self, (uint32_t) (max - min + 1)), used = 0;
    out [0] = 0;
    while (used < goal) {
        const char *word = s_words [s_below (self, S_WORD_COUNT)];
        size_t len = strlen (word);
        if (used + len + 2 > max)
            break;
        if (used)
            out [used++] = ' ';
        memcpy (out + used, word, len + 1);
        used += len;
    }
}

static void
s_emit (bench_event_t *event, const char *type, const char *format, ...)
{
    event->type = type;
    va_list args;
    va_start (args, format);
    int len = vsnprintf (event->json, sizeof event->json, format, args);
    va_end (args);
    assert (len > 0 && (size_t) len < sizeof event->json);
    event->json_size = (size_t) len;
}

static s_partnership_t *
s_pick (bench_mix_t *self)
{
    return &self->partnerships [s_below (self, (uint32_t) self->count)];
}

//  Step `step` of opening the newest partnership.
static void
s_opening (bench_mix_t *self, bench_event_t *event, int step)
{
    s_partnership_t *p = &self->partnerships [self->count - 1];
    uint32_t c = self->client;
    char text [256];
    static const char *const kinds [] = { "ngo", "foundation", "company", "government", "research" };
    static const char *const types [] = { "strategic", "operational", "advocacy", "funding" };
    static const char *const roles [] = { "funder", "implementer", "advisor" };
    if (step < S_MEMBERS) {
        uint32_t org = p->orgs [step];
        snprintf (event->key, sizeof event->key, "o%u-%u", c, org);
        s_text (self, text, 40, 160);
        s_emit (event, "org.registered",
                "{\"org\":\"o%u-%u\",\"name\":\"Organization %u of client %u\",\"kind\":\"%s\","
                "\"mission\":\"%s\",\"focus\":[\"%s\",\"%s\"],\"country\":\"ID\"}",
                c, org, org, c, kinds [s_below (self, 5)], text,
                s_words [s_below (self, 8)], s_words [8 + s_below (self, 8)]);
        return;
    }
    snprintf (event->key, sizeof event->key, "p%u-%u", c, p->id);
    switch (step) {
        case 3:
            s_text (self, text, 60, 200);
            s_emit (event, "partnership.proposed",
                    "{\"partnership\":\"p%u-%u\",\"name\":\"Partnership %u\",\"type\":\"%s\","
                    "\"lead\":\"o%u-%u\",\"purpose\":\"%s\",\"starts\":\"2026-01-01\","
                    "\"ends\":\"2029-12-31\"}",
                    c, p->id, p->id, types [s_below (self, 4)], c, p->orgs [0], text);
            return;
        case 4:
        case 5:
            s_emit (event, "partnership.member_added",
                    "{\"partnership\":\"p%u-%u\",\"org\":\"o%u-%u\",\"role\":\"%s\","
                    "\"responsibilities\":[\"%s\",\"%s\"]}",
                    c, p->id, c, p->orgs [step - 3], roles [s_below (self, 3)],
                    s_words [s_below (self, S_WORD_COUNT)], s_words [s_below (self, S_WORD_COUNT)]);
            return;
        case 6:
            s_emit (event, "goal.set",
                    "{\"partnership\":\"p%u-%u\",\"goal\":\"g1\",\"title\":\"people reached\","
                    "\"metric\":\"people\",\"target\":%u,\"unit\":\"people\",\"due\":\"2029-06-30\"}",
                    c, p->id, 1000 + s_below (self, 100000));
            return;
        default:
            p->milestones++;
            s_emit (event, "milestone.added",
                    "{\"partnership\":\"p%u-%u\",\"milestone\":\"m%u\",\"title\":\"milestone %u\","
                    "\"due\":\"20%02u-%02u-%02u\",\"owner\":\"o%u-%u\",\"goal\":\"g1\"}",
                    c, p->id, p->milestones, p->milestones, 27 + s_below (self, 3),
                    1 + s_below (self, 12), 1 + s_below (self, 28), c, p->orgs [s_below (self, 3)]);
            return;
    }
}

static void
s_open_partnership (bench_mix_t *self)
{
    if (self->count == self->capacity) {
        self->capacity = self->capacity? self->capacity * 2: 64;
        self->partnerships = realloc (self->partnerships,
                                      self->capacity * sizeof self->partnerships [0]);
        assert (self->partnerships);
    }
    s_partnership_t *p = &self->partnerships [self->count++];
    p->id = (uint32_t) self->count;
    for (int member = 0; member < S_MEMBERS; member++)
        p->orgs [member] = ++self->next_org;
    p->milestones = 0;
    self->opening = 0;
}

//  One event of the steady state, on an opened partnership.
static void
s_steady (bench_mix_t *self, bench_event_t *event, uint32_t roll)
{
    s_partnership_t *p = s_pick (self);
    uint32_t c = self->client;
    uint32_t member = p->orgs [s_below (self, S_MEMBERS)];
    char text [256];
    static const char *const channels [] = { "meeting", "call", "email", "visit" };
    static const char *const contributions [] = { "funds", "staff_hours", "expertise", "in_kind" };
    snprintf (event->key, sizeof event->key, "p%u-%u", c, p->id);
    if (roll < 35) {
        s_text (self, text, 40, 240);
        s_emit (event, "contact.logged",
                "{\"partnership\":\"p%u-%u\",\"org\":\"o%u-%u\",\"channel\":\"%s\","
                "\"summary\":\"%s\"}", c, p->id, c, member, channels [s_below (self, 4)], text);
    }
    else if (roll < 59) {
        s_emit (event, "milestone.progress",
                "{\"partnership\":\"p%u-%u\",\"milestone\":\"m%u\",\"percent\":%u}",
                c, p->id, 1 + s_below (self, p->milestones), 1 + s_below (self, 95));
    }
    else if (roll < 68) {
        snprintf (event->key, sizeof event->key, "o%u-%u", c, member);
        s_text (self, text, 40, 160);
        s_emit (event, "org.updated", "{\"org\":\"o%u-%u\",\"mission\":\"%s\"}", c, member, text);
    }
    else if (roll < 79) {
        s_emit (event, "contribution.recorded",
                "{\"partnership\":\"p%u-%u\",\"org\":\"o%u-%u\",\"kind\":\"%s\",\"amount\":%u,"
                "\"unit\":\"USD\",\"status\":\"%s\"}", c, p->id, c, member,
                contributions [s_below (self, 4)], 100 + s_below (self, 50000),
                s_below (self, 2)? "delivered": "committed");
    }
    else if (roll < 88) {
        s_emit (event, "reach.recorded",
                "{\"partnership\":\"p%u-%u\",\"people\":%u,\"channel\":\"workshop\"}",
                c, p->id, 1 + s_below (self, 500));
    }
    else if (roll < 95) {
        p->milestones++;
        s_emit (event, "milestone.added",
                "{\"partnership\":\"p%u-%u\",\"milestone\":\"m%u\",\"title\":\"milestone %u\","
                "\"due\":\"20%02u-%02u-%02u\",\"owner\":\"o%u-%u\"}",
                c, p->id, p->milestones, p->milestones, 27 + s_below (self, 3),
                1 + s_below (self, 12), 1 + s_below (self, 28), c, member);
    }
    else
        s_emit (event, "goal.progress",
                "{\"partnership\":\"p%u-%u\",\"goal\":\"g1\",\"value\":%u}",
                c, p->id, s_below (self, 100000));
}

bench_mix_t *
bench_mix_new (uint64_t seed, uint32_t client, uint32_t clients)
{
    assert (client < clients);
    (void) clients;             //  only checked: the streams need no count
    bench_mix_t *self = calloc (1, sizeof *self);
    assert (self);
    //  Distinct, well-mixed states per client from one seed
    self->rng = seed * 0x2545f4914f6cdd1dULL + client * 0x9e3779b97f4a7c15ULL;
    self->client = client;
    self->opening = -1;
    msgpack_sbuffer_init (&self->body);
    return self;
}

void
bench_mix_destroy (bench_mix_t **self_p)
{
    assert (self_p);
    bench_mix_t *self = *self_p;
    if (self) {
        msgpack_sbuffer_destroy (&self->body);
        free (self->partnerships);
        free (self);
        *self_p = NULL;
    }
}

void
bench_mix_next (bench_mix_t *self, bench_event_t *event)
{
    assert (self);
    assert (event);
    if (self->opening < 0) {
        uint32_t roll = s_below (self, 100);
        if (self->count == 0 || roll < 4)
            s_open_partnership (self);
        else
            s_steady (self, event, s_below (self, 100));
    }
    if (self->opening >= 0) {
        s_opening (self, event, self->opening);
        if (++self->opening == S_OPENING_STEPS)
            self->opening = -1;
    }
    self->body.size = 0;
    char error [160];
    int rc = mitra_json_text_pack (event->json, true, &self->body, error, sizeof error);
    if (rc != 0) {
        fprintf (stderr, "bench_mix: made invalid JSON (%s): %s\n", error, event->json);
        abort ();
    }
    event->body = (uint8_t *) self->body.data;
    event->body_size = self->body.size;
}
