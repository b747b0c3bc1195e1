/*  mitra_match -- candidate partners for an organization.

    score = round ((focus x 50 + values x 30 + kind x 20) / 100), each
    component 0..100:
    - focus, values: the Dice overlap of the two term lists, 2|shared| /
      (|ours| + |theirs|), so long lists of everything do not win;
    - kind: 100 when the kinds complement each other (funder and NGO,
      NGO and business, government or research), 50 for two NGOs, else 0.
    Candidates that score 0 are left out. Terms compare case-insensitively
    (ASCII) after trimming; the shared terms are shown as the asking
    organization spells them.
*/
#include "mitra_match.h"
#include "mitra_partnership.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_TERMS_MAX 32          //  the schema's limit on focus and values

typedef struct {
    char folded [S_TERMS_MAX][104];
    const msgpack_object *original [S_TERMS_MAX];
    uint32_t count;
} s_terms_t;

//  Lower case (ASCII), trimmed, inner runs of space as one.
static void
s_fold (const msgpack_object *text, char *buffer, size_t size)
{
    size_t used = 0;
    bool space = false;
    for (uint32_t index = 0; index < text->via.str.size && used + 1 < size; index++) {
        //  ASCII only, whatever the locale: other bytes are UTF-8 and stay
        char c = text->via.str.ptr [index];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            space = used > 0;
            continue;
        }
        if (space && used + 2 < size)
            buffer [used++] = ' ';
        space = false;
        buffer [used++] = c >= 'A' && c <= 'Z'? (char) (c - 'A' + 'a'): c;
    }
    buffer [used] = 0;
}

static void
s_terms (const msgpack_object *list, s_terms_t *terms)
{
    terms->count = 0;
    if (!list || list->type != MSGPACK_OBJECT_ARRAY)
        return;
    for (uint32_t index = 0; index < list->via.array.size && terms->count < S_TERMS_MAX; index++) {
        const msgpack_object *item = &list->via.array.ptr [index];
        if (item->type != MSGPACK_OBJECT_STR)
            continue;
        char *folded = terms->folded [terms->count];
        s_fold (item, folded, sizeof terms->folded [0]);
        bool seen = !*folded;
        for (uint32_t before = 0; before < terms->count && !seen; before++)
            seen = strcmp (terms->folded [before], folded) == 0;
        if (!seen)
            terms->original [terms->count++] = item;
    }
}

//  --- the indexes

static size_t
s_term_key (char *key, size_t size, const char *index, const char *term, const char *org)
{
    //  A NUL ends the term: terms may hold '/', slugs and text never hold NUL
    int length = snprintf (key, size, "%s/%s%c%s", index, term, 0, org);
    return length < 0 || (size_t) length >= size? size - 1: (size_t) length;
}

static int
s_index_terms (mitra_txn_t *txn, const char *org, const char *index, const msgpack_object *list,
               bool put, mitra_error_t *err)
{
    s_terms_t terms;
    s_terms (list, &terms);
    for (uint32_t term = 0; term < terms.count; term++) {
        char key [256];
        size_t size = s_term_key (key, sizeof key, index, terms.folded [term], org);
        int rc = put? mitra_model_index_put (txn, key, size, err)
                    : mitra_model_index_del (txn, key, size, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int
s_index_kind (mitra_txn_t *txn, const char *org, const msgpack_object *kind, bool put,
              mitra_error_t *err)
{
    if (!kind || kind->type != MSGPACK_OBJECT_STR)
        return 0;
    char key [128];
    snprintf (key, sizeof key, "org-kind/%.*s/%s", (int) kind->via.str.size, kind->via.str.ptr,
              org);
    return put? mitra_model_index_put (txn, key, strlen (key), err)
              : mitra_model_index_del (txn, key, strlen (key), err);
}

static const msgpack_object *
s_field (const msgpack_object *data, const msgpack_object *old, const char *name)
{
    const msgpack_object *value = mitra_map_get (data, name);
    return value? value: old? mitra_map_get (old, name): NULL;
}

int
mitra_match_index_org (mitra_txn_t *txn, const char *org, const msgpack_object *old,
                       const msgpack_object *data, mitra_error_t *err)
{
    if (old
    &&  (s_index_terms (txn, org, "org-focus", mitra_map_get (old, "focus"), false, err)
    ||   s_index_terms (txn, org, "org-value", mitra_map_get (old, "values"), false, err)
    ||   s_index_kind (txn, org, mitra_map_get (old, "kind"), false, err)))
        return -1;
    if (s_index_terms (txn, org, "org-focus", s_field (data, old, "focus"), true, err)
    ||  s_index_terms (txn, org, "org-value", s_field (data, old, "values"), true, err)
    ||  s_index_kind (txn, org, s_field (data, old, "kind"), true, err))
        return -1;
    return 0;
}

//  --- kinds

typedef struct {
    uint32_t score;             //  100 complementary, 50 peers, 0 none
    const char *type;           //  the partnership type it suggests, or NULL
    const char *why;
} s_relation_t;

static bool
s_is (const char *kind, const char *const *kinds)
{
    for (; *kinds; kinds++)
        if (strcmp (kind, *kinds) == 0)
            return true;
    return false;
}

static const char *const s_funders [] = { "foundation", "company", "individual", NULL };
static const char *const s_advocates [] = { "business", "government", "research", NULL };

static s_relation_t
s_relation (const char *ours, const char *theirs, bool shared_values)
{
    bool we_ngo = strcmp (ours, "ngo") == 0, they_ngo = strcmp (theirs, "ngo") == 0;
    if (we_ngo && they_ngo)
        return shared_values
             ? (s_relation_t) { 50, "strategic",
                                "a fellow NGO with shared values: a strategic alliance" }
             : (s_relation_t) { 50, "operational", "a fellow NGO: shared operations" };
    if ((we_ngo && s_is (theirs, s_funders)) || (they_ngo && s_is (ours, s_funders)))
        return (s_relation_t) { 100, "funding", "a funder and an NGO: a funding partnership" };
    if ((we_ngo && s_is (theirs, s_advocates)) || (they_ngo && s_is (ours, s_advocates)))
        return (s_relation_t) { 100, "advocacy",
                                "an NGO and a business, government or research body: advocacy" };
    return (s_relation_t) { 0, NULL, "the kinds do not complement each other" };
}

//  --- gathering candidates

typedef struct {
    char org [72];
    uint32_t focus;             //  bit i: our focus term i is theirs too
    uint32_t values;
    uint32_t bound;             //  the highest score these shared terms allow
} s_hit_t;

typedef struct {
    s_hit_t *hits;
    size_t count;
    size_t capacity;
    const char *self;
    int rc;                     //  MITRA_STORE_FAILED when memory ran out
    size_t prefix_size;
    uint32_t focus_bit, values_bit;
} s_gather_t;

static int
s_gather_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) value, (void) value_size;
    s_gather_t *gather = arg;
    char org [sizeof gather->hits->org];
    if (!mitra_store_key_id (key, key_size, gather->prefix_size, org, sizeof org))
        return 0;
    if (gather->count == gather->capacity) {
        size_t capacity = gather->capacity? gather->capacity * 2: 64;
        s_hit_t *grown = realloc (gather->hits, capacity * sizeof *grown);
        if (!grown) {
            gather->rc = MITRA_STORE_FAILED;
            return 1;
        }
        gather->hits = grown;
        gather->capacity = capacity;
    }
    s_hit_t *hit = &gather->hits [gather->count];
    memcpy (hit->org, org, sizeof org);
    if (strcmp (hit->org, gather->self) == 0)
        return 0;
    hit->focus = gather->focus_bit;
    hit->values = gather->values_bit;
    gather->count++;
    return 0;
}

static int
s_gather (mitra_txn_t *txn, s_gather_t *gather, const char *prefix, size_t prefix_size,
          uint32_t focus_bit, uint32_t values_bit)
{
    gather->prefix_size = prefix_size;
    gather->focus_bit = focus_bit;
    gather->values_bit = values_bit;
    int rc = mitra_txn_scan (txn, MITRA_TABLE_INDEX, prefix, prefix_size, NULL, 0, false,
                             s_gather_visit, gather);
    return rc? rc: gather->rc;
}

static int
s_compare_hits (const void *left, const void *right)
{
    return strcmp (((const s_hit_t *) left)->org, ((const s_hit_t *) right)->org);
}

//  --- scoring

typedef struct {
    s_hit_t hit;
    uint32_t score;
    uint32_t focus_score, values_score;
    s_relation_t relation;
    uint32_t their_focus, their_values;
    char kind [16];
    mitra_doc_t *record;
} s_candidate_t;

static uint32_t
s_dice (uint32_t shared, uint32_t ours, uint32_t theirs)
{
    return ours + theirs? (200 * shared + (ours + theirs) / 2) / (ours + theirs): 0;
}

static uint32_t
s_bits (uint32_t mask)
{
    return (uint32_t) __builtin_popcount (mask);
}

static int
s_compare_candidates (const void *left, const void *right)
{
    const s_candidate_t *a = left, *b = right;
    if (a->score != b->score)
        return a->score > b->score? -1: 1;
    return strcmp (a->hit.org, b->hit.org);
}

static void
s_pack_shared (msgpack_packer *pk, const s_terms_t *terms, uint32_t mask)
{
    msgpack_pack_array (pk, s_bits (mask));
    for (uint32_t term = 0; term < terms->count; term++)
        if (mask & (1u << term))
            mitra_pack_object (pk, terms->original [term]);
}

//  "water, sanitation" for the terms of `mask`, cut to fit.
static void
s_join (char *buffer, size_t size, const s_terms_t *terms, uint32_t mask)
{
    *buffer = 0;
    for (uint32_t term = 0; term < terms->count; term++) {
        if (!(mask & (1u << term)))
            continue;
        size_t used = strlen (buffer);
        const msgpack_object *text = terms->original [term];
        snprintf (buffer + used, size - used, "%s%.*s", used? ", ": "",
                  (int) text->via.str.size, text->via.str.ptr);
    }
}

static void
s_pack_component (msgpack_packer *pk, const char *name, uint32_t score, uint32_t weight,
                  const char *explanation)
{
    msgpack_pack_map (pk, 4);
    mitra_pack_cstr (pk, "component");
    mitra_pack_cstr (pk, name);
    mitra_pack_cstr (pk, "score");
    msgpack_pack_uint32 (pk, score);
    mitra_pack_cstr (pk, "weight");
    msgpack_pack_uint32 (pk, weight);
    mitra_pack_cstr (pk, "explanation");
    mitra_pack_cstr (pk, explanation);
}

typedef struct {
    mitra_txn_t *txn;
    const char *other;
    mitra_builder_t list;
} s_common_t;

//  A partnership of ours that the candidate is a member of too.
static int
s_common_visit (const char *id, void *arg)
{
    s_common_t *common = arg;
    char key [160];
    snprintf (key, sizeof key, "member/%s/%s", common->other, id);
    if (mitra_txn_exists (common->txn, MITRA_TABLE_INDEX, key, strlen (key)))
        mitra_pack_cstr (mitra_builder_item (&common->list), id);
    return 0;
}

static void
s_pack_candidate (mitra_txn_t *txn, const char *self, const s_candidate_t *candidate,
                  const s_terms_t *focus, const s_terms_t *values, msgpack_packer *pk)
{
    const msgpack_object *record = mitra_doc_root (candidate->record);
    char shared_focus [160], shared_values [160];
    s_join (shared_focus, sizeof shared_focus, focus, candidate->hit.focus);
    s_join (shared_values, sizeof shared_values, values, candidate->hit.values);

    mitra_builder_t map;
    mitra_builder_init (&map);
    mitra_builder_str (&map, "org", candidate->hit.org);
    mitra_builder_obj_opt (&map, "name", mitra_map_get (record, "name"));
    mitra_builder_str (&map, "kind", candidate->kind);
    mitra_builder_uint (&map, "score", candidate->score);
    if (candidate->relation.type)
        mitra_builder_str (&map, "suggested_type", candidate->relation.type);
    else
        mitra_builder_nil (&map, "suggested_type");
    s_pack_shared (mitra_builder_key (&map, "shared_focus"), focus, candidate->hit.focus);
    s_pack_shared (mitra_builder_key (&map, "shared_values"), values, candidate->hit.values);
    s_common_t common = { .txn = txn, .other = candidate->hit.org };
    mitra_builder_init (&common.list);
    char prefix [96];
    snprintf (prefix, sizeof prefix, "member/%s/", self);
    mitra_partnership_scan_ids (txn, prefix, s_common_visit, &common);
    mitra_builder_finish_array (&common.list, mitra_builder_key (&map, "partnerships"));

    msgpack_packer *components = mitra_builder_key (&map, "components");
    msgpack_pack_array (components, 3);
    char explanation [256];
    if (candidate->hit.focus)
        snprintf (explanation, sizeof explanation, "%u shared of %u and %u focus areas: %s",
                  s_bits (candidate->hit.focus), focus->count, candidate->their_focus,
                  shared_focus);
    else
        snprintf (explanation, sizeof explanation, "no shared focus area");
    s_pack_component (components, "focus", candidate->focus_score, 50, explanation);
    if (candidate->hit.values)
        snprintf (explanation, sizeof explanation, "%u shared of %u and %u values: %s",
                  s_bits (candidate->hit.values), values->count, candidate->their_values,
                  shared_values);
    else
        snprintf (explanation, sizeof explanation, "no shared value");
    s_pack_component (components, "values", candidate->values_score, 30, explanation);
    s_pack_component (components, "kind", candidate->relation.score, 20,
                      candidate->relation.why);

    //  One line that says why, for people
    explanation [0] = 0;
    if (candidate->hit.focus)
        snprintf (explanation, sizeof explanation, "shares focus on %s; ", shared_focus);
    size_t used = strlen (explanation);
    if (candidate->hit.values)
        snprintf (explanation + used, sizeof explanation - used, "shares values %s; ",
                  shared_values);
    used = strlen (explanation);
    snprintf (explanation + used, sizeof explanation - used, "%s", candidate->relation.why);
    mitra_builder_str (&map, "explanation", explanation);
    mitra_builder_finish_map (&map, pk);
}

//  Score one merged hit; false when the org is gone or scores nothing.
static bool
s_score (mitra_txn_t *txn, const char *our_kind, const s_terms_t *focus, const s_terms_t *values,
         s_candidate_t *candidate, int *rc)
{
    char key [96];
    snprintf (key, sizeof key, "org/%s", candidate->hit.org);
    candidate->record = mitra_model_get (txn, key, rc);
    if (!candidate->record) {
        if (*rc == MITRA_STORE_NOTFOUND)
            *rc = 0;
        return false;
    }
    const msgpack_object *record = mitra_doc_root (candidate->record);
    s_terms_t theirs;
    s_terms (mitra_map_get (record, "focus"), &theirs);
    candidate->their_focus = theirs.count;
    s_terms (mitra_map_get (record, "values"), &theirs);
    candidate->their_values = theirs.count;
    mitra_model_copy (record, "kind", candidate->kind, sizeof candidate->kind);
    candidate->focus_score = s_dice (s_bits (candidate->hit.focus), focus->count,
                                     candidate->their_focus);
    candidate->values_score = s_dice (s_bits (candidate->hit.values), values->count,
                                      candidate->their_values);
    candidate->relation = s_relation (our_kind, candidate->kind, candidate->hit.values != 0);
    candidate->score = (candidate->focus_score * 50 + candidate->values_score * 30
                        + candidate->relation.score * 20 + 50) / 100;
    if (candidate->score == 0)
        mitra_doc_destroy (&candidate->record);
    return candidate->score > 0;
}

//  Best bound first, then by org id.
static int
s_compare_bounds (const void *left, const void *right)
{
    const s_hit_t *a = *(s_hit_t *const *) left, *b = *(s_hit_t *const *) right;
    if (a->bound != b->bound)
        return a->bound > b->bound? -1: 1;
    return strcmp (a->org, b->org);
}

//  The best `capacity` candidates so far, in no order; `worst` indexes the
//  one a better candidate replaces once all are kept.
typedef struct {
    s_candidate_t *candidates;
    size_t capacity;
    size_t kept;
    size_t worst;
} s_best_t;

static void
s_offer (s_best_t *best, const s_candidate_t *candidate)
{
    if (best->kept < best->capacity)
        best->candidates [best->kept++] = *candidate;
    else
    if (s_compare_candidates (candidate, &best->candidates [best->worst]) < 0)
        best->candidates [best->worst] = *candidate;
    else
        return;
    if (best->kept < best->capacity)
        return;
    best->worst = 0;
    for (size_t other = 1; other < best->kept; other++)
        if (s_compare_candidates (&best->candidates [other],
                                  &best->candidates [best->worst]) > 0)
            best->worst = other;
}

typedef struct {
    mitra_txn_t *txn;
    const char *self;
    const char *kind;           //  of the index scanned
    const char *our_kind;
    const s_hit_t *hits;        //  those sharing a term, by org
    size_t hit_count;
    size_t prefix_size;
    size_t taken;
    s_best_t *best;
} s_kind_only_t;

static int
s_kind_only_visit (const void *key, size_t key_size, const void *value, size_t value_size,
                   void *arg)
{
    (void) value, (void) value_size;
    s_kind_only_t *only = arg;
    s_candidate_t candidate = { .score = 20 };
    if (!mitra_store_key_id (key, key_size, only->prefix_size, candidate.hit.org,
                             sizeof candidate.hit.org))
        return 0;
    s_best_t *best = only->best;
    //  Ids only grow from here: once one cannot enter, none after it can
    if (only->taken == best->capacity
    ||  (best->kept == best->capacity
    &&   s_compare_candidates (&candidate, &best->candidates [best->worst]) > 0))
        return 1;
    if (strcmp (candidate.hit.org, only->self) == 0
    ||  (only->hit_count && bsearch (&candidate.hit, only->hits, only->hit_count,
                                     sizeof *only->hits, s_compare_hits)))
        return 0;               //  ourselves, or scored with the hits
    char record [96];
    snprintf (record, sizeof record, "org/%s", candidate.hit.org);
    if (!mitra_txn_exists (only->txn, MITRA_TABLE_STATE, record, strlen (record)))
        return 0;
    snprintf (candidate.kind, sizeof candidate.kind, "%s", only->kind);
    candidate.relation = s_relation (only->our_kind, only->kind, false);
    only->taken++;
    s_offer (best, &candidate);
    return 0;
}

int
mitra_match_query (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                   msgpack_packer *pk, mitra_error_t *err)
{
    (void) now_ms;
    char org [72], key [96], kind [16];
    mitra_model_copy (args, "org", org, sizeof org);
    uint64_t limit = 10;
    mitra_obj_uint (mitra_map_get (args, "limit"), &limit);
    snprintf (key, sizeof key, "org/%s", org);
    int rc;
    mitra_doc_t *doc = mitra_model_get (txn, key, &rc);
    if (!doc) {
        if (rc == MITRA_STORE_NOTFOUND)
            return mitra_error_set (err, MITRA_ERR_NOT_FOUND, "org",
                                    "organization '%s' is not registered", org);
        return mitra_model_store_error (rc, err);
    }
    const msgpack_object *record = mitra_doc_root (doc);
    mitra_model_copy (record, "kind", kind, sizeof kind);
    s_terms_t *focus = calloc (2, sizeof *focus);
    if (!focus) {
        mitra_doc_destroy (&doc);
        return mitra_error_set (err, MITRA_ERR_INTERNAL, NULL, "out of memory");
    }
    s_terms_t *values = focus + 1;
    s_terms (mitra_map_get (record, "focus"), focus);
    s_terms (mitra_map_get (record, "values"), values);

    //  Every organization that shares a term, hit by hit
    s_gather_t gather = { .self = org };
    rc = 0;
    for (uint32_t term = 0; term < focus->count && rc == 0; term++) {
        size_t size = s_term_key (key, sizeof key, "org-focus", focus->folded [term], "");
        rc = s_gather (txn, &gather, key, size, 1u << term, 0);
    }
    for (uint32_t term = 0; term < values->count && rc == 0; term++) {
        size_t size = s_term_key (key, sizeof key, "org-value", values->folded [term], "");
        rc = s_gather (txn, &gather, key, size, 0, 1u << term);
    }
    //  One hit per org, sorted by org
    size_t merged = 0;
    if (gather.count > 1)
        qsort (gather.hits, gather.count, sizeof *gather.hits, s_compare_hits);
    for (size_t index = 0; index < gather.count; index++) {
        if (merged && strcmp (gather.hits [merged - 1].org, gather.hits [index].org) == 0) {
            gather.hits [merged - 1].focus |= gather.hits [index].focus;
            gather.hits [merged - 1].values |= gather.hits [index].values;
        }
        else
            gather.hits [merged++] = gather.hits [index];
    }
    //  Scoring needs each candidate's record (their term counts, their
    //  kind), and at 1M partnerships reading every record of a common term
    //  took seconds with nothing else served (bench/PROFILE.md). So the
    //  hits are scored best bound first, and once the best `limit` are
    //  found and no bound left can reach the worst of them, the rest are
    //  never read. The bound: the Dice score falls as their list grows, so
    //  it is highest when their terms are exactly the shared ones; the kind
    //  counts as complementary. The ranking order is total (score, then org
    //  id), so the result is the one a full sort gives.
    s_hit_t **order = calloc (merged? merged: 1, sizeof *order);
    for (size_t index = 0; index < merged && order; index++) {
        s_hit_t *hit = &gather.hits [index];
        uint32_t shared_focus = s_bits (hit->focus), shared_values = s_bits (hit->values);
        hit->bound = (s_dice (shared_focus, focus->count, shared_focus) * 50
                      + s_dice (shared_values, values->count, shared_values) * 30
                      + 100 * 20 + 50) / 100;
        order [index] = hit;
    }
    if (merged > 1 && order)
        qsort (order, merged, sizeof *order, s_compare_bounds);
    size_t capacity = (size_t) limit;
    s_candidate_t *candidates = calloc (capacity, sizeof *candidates);
    s_best_t best = { candidates, capacity, 0, 0 };
    bool out_of_memory = !order || !candidates;
    for (size_t index = 0; index < merged && rc == 0 && !out_of_memory; index++) {
        if (best.kept == capacity && order [index]->bound < candidates [best.worst].score)
            break;
        s_candidate_t scored = { .hit = *order [index] };
        if (s_score (txn, kind, focus, values, &scored, &rc)) {
            mitra_doc_destroy (&scored.record);
            s_offer (&best, &scored);
        }
    }
    //  Those that share no term but are of a complementary kind all score
    //  20 (kind 100 x 20 / 100) and rank among themselves by id: of each
    //  kind's index (in id order) only the first `limit` of them can be in
    //  the result, and none needs its record to be scored
    static const char *const s_all_kinds [] = {
        "ngo", "business", "government", "research", "foundation", "company", "individual", NULL
    };
    for (const char *const *other = s_all_kinds; *other && rc == 0 && !out_of_memory; other++)
        if (s_relation (kind, *other, false).score == 100) {
            s_kind_only_t only = { .txn = txn, .self = org, .kind = *other, .our_kind = kind,
                                   .hits = gather.hits, .hit_count = merged, .best = &best };
            snprintf (key, sizeof key, "org-kind/%s/", *other);
            only.prefix_size = strlen (key);
            rc = mitra_txn_scan (txn, MITRA_TABLE_INDEX, key, only.prefix_size, NULL, 0, false,
                                 s_kind_only_visit, &only);
        }
    size_t kept = best.kept;
    free (order);
    if (kept > 1)
        qsort (candidates, kept, sizeof *candidates, s_compare_candidates);
    if (rc == 0 && !out_of_memory) {
        msgpack_pack_map (pk, 3);
        mitra_pack_cstr (pk, "org");
        mitra_pack_cstr (pk, org);
        mitra_pack_cstr (pk, "kind");
        mitra_pack_cstr (pk, kind);
        mitra_pack_cstr (pk, "candidates");
        msgpack_pack_array (pk, (uint32_t) kept);
        //  The records again, for the few shown (same transaction: they exist)
        for (size_t index = 0; index < kept && rc == 0; index++) {
            snprintf (key, sizeof key, "org/%s", candidates [index].hit.org);
            candidates [index].record = mitra_model_get (txn, key, &rc);
            if (candidates [index].record)
                s_pack_candidate (txn, org, &candidates [index], focus, values, pk);
        }
    }
    for (size_t index = 0; index < kept && candidates; index++)
        mitra_doc_destroy (&candidates [index].record);
    int result = rc? mitra_model_store_error (rc, err): 0;
    if (out_of_memory)
        result = mitra_error_set (err, MITRA_ERR_INTERNAL, NULL, "out of memory");
    free (candidates);
    free (gather.hits);
    free (focus);
    mitra_doc_destroy (&doc);
    return result;
}
