/*  mitra_health -- the health score.

    | component     | weight | 100 when                                           |
    | milestones    | 25     | every milestone due so far was completed on time   |
    | evaluation    | 20     | an evaluation cycle is set and not overdue         |
    | agreement     | 25     | every member signed the current version, and it is |
    |               |        | not expired nor within its notice period           |
    | communication | 15     | every member was contacted within stale_days       |
    | contributions | 15     | everything committed has been delivered            |

    Where there is nothing to judge yet (no milestone due, nothing
    committed) the component scores 100 and says so: absence of data is
    not a problem. The explanations are for people and may change; the
    names, weights and scores are stable.
*/
#include "mitra_health.h"
#include "mitra_activity.h"
#include "mitra_agreements.h"
#include "mitra_goals.h"
#include "mitra_time.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t
s_percent (uint64_t part, uint64_t whole)
{
    return whole? (uint32_t) ((100 * part + whole / 2) / whole): 100;
}

static void
s_explain (mitra_health_component_t *component, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

static void
s_explain (mitra_health_component_t *component, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (component->explanation, sizeof component->explanation, format, args);
    va_end (args);
}

static int
s_milestones (mitra_txn_t *txn, const mitra_partnership_t *partnership, int64_t today,
              mitra_health_component_t *component)
{
    mitra_milestone_tally_t tally;
    int rc = mitra_milestones_tally (txn, partnership->id, today, &tally);
    if (rc)
        return rc;
    component->score = s_percent (tally.on_time, tally.considered);
    if (tally.total == 0)
        s_explain (component, "no milestones yet");
    else
    if (tally.considered == 0)
        s_explain (component, "none of %u milestones is due yet", tally.total);
    else
        s_explain (component, "%u of %u milestones due so far done on time "
                   "(%u overdue, %u completed late)",
                   tally.on_time, tally.considered, tally.overdue, tally.late);
    return 0;
}

static void
s_evaluation (const mitra_partnership_t *partnership, int64_t today,
              mitra_health_component_t *component)
{
    char next [16];
    mitra_date_format (partnership->evaluation_next, next);
    if (!partnership->evaluation_every) {
        component->score = 0;
        s_explain (component, "no evaluation cycle; set one with evaluation.scheduled");
    }
    else
    if (partnership->evaluation_next < today) {
        component->score = 0;
        s_explain (component, "the evaluation due on %s is %lld days overdue", next,
                   (long long) (today - partnership->evaluation_next));
    }
    else {
        component->score = 100;
        s_explain (component, "next evaluation on %s, in %lld days", next,
                   (long long) (partnership->evaluation_next - today));
    }
}

static int
s_agreement (mitra_txn_t *txn, mitra_partnership_t *partnership, int64_t today,
             mitra_agreement_state_t *state, mitra_health_component_t *component)
{
    int rc = mitra_agreements_state (txn, partnership, state);
    if (rc)
        return rc;
    const mitra_agreement_state_t *agreement = state;
    char expires [16] = "";
    if (agreement->expires != MITRA_NO_DAY)
        mitra_date_format (agreement->expires, expires);
    int64_t notice = agreement->notice_days >= 0? agreement->notice_days: MITRA_NOTICE_DEFAULT;
    component->score = 0;
    if (!agreement->drafted)
        s_explain (component, "no agreement; draft one with agreement.drafted");
    else
    if (!agreement->in_force)
        s_explain (component, "version %u is not yet signed by: %s", agreement->version,
                   agreement->unsigned_orgs);
    else
    if (agreement->expires != MITRA_NO_DAY && agreement->expires < today)
        s_explain (component, "version %u expired on %s", agreement->version, expires);
    else
    if (agreement->expires != MITRA_NO_DAY && today >= agreement->expires - notice) {
        component->score = 50;
        s_explain (component, "version %u expires on %s, in %lld days: renew or end it",
                   agreement->version, expires, (long long) (agreement->expires - today));
    }
    else {
        component->score = 100;
        if (*expires)
            s_explain (component, "version %u signed by every member, in force until %s",
                       agreement->version, expires);
        else
            s_explain (component, "version %u signed by every member, with no expiry",
                       agreement->version);
    }
    return 0;
}

static void
s_communication (const mitra_partnership_t *partnership, int64_t today,
                 mitra_health_component_t *component)
{
    size_t recent = 0;
    char silent [160] = "";
    for (size_t index = 0; index < partnership->member_count; index++) {
        const mitra_member_t *member = &partnership->members [index];
        //  The silence of a member never contacted counts from its joining
        int64_t since = member->last_contact != MITRA_NO_DAY
                      ? member->last_contact: mitra_model_day (member->joined_ms);
        if (today - since <= (int64_t) partnership->stale_days) {
            recent++;
            continue;
        }
        size_t used = strlen (silent);
        if (used + strlen (member->org) + 6 < sizeof silent)
            snprintf (silent + used, sizeof silent - used, "%s%s", used? ", ": "", member->org);
    }
    component->score = s_percent (recent, partnership->member_count);
    if (recent == partnership->member_count)
        s_explain (component, "every member contacted within %u days", partnership->stale_days);
    else
        s_explain (component, "%zu of %zu members contacted within %u days; silent: %s",
                   recent, partnership->member_count, partnership->stale_days, silent);
}

static int
s_contributions (mitra_txn_t *txn, const mitra_partnership_t *partnership,
                 mitra_health_component_t *component)
{
    mitra_contribution_sum_t *sums = NULL;
    size_t count = 0;
    int rc = mitra_activity_contributions (txn, partnership->id, &sums, &count);
    if (rc)
        return rc;
    double delivered_share = 0;
    size_t committed = 0, complete = 0;
    for (size_t index = 0; index < count; index++) {
        if (sums [index].committed <= 0)
            continue;
        double share = sums [index].delivered / sums [index].committed;
        delivered_share += share > 1? 1: share;
        committed++;
        complete += sums [index].delivered >= sums [index].committed;
    }
    free (sums);
    if (committed == 0) {
        component->score = 100;
        s_explain (component, "nothing committed yet");
        return 0;
    }
    component->score = (uint32_t) (100 * delivered_share / (double) committed + 0.5);
    s_explain (component, "%zu of %zu commitments fully delivered (by member, kind and unit); "
               "%u%% delivered on average", complete, committed, component->score);
    return 0;
}

int
mitra_health_compute (mitra_txn_t *txn, mitra_partnership_t *partnership, int64_t today,
                      mitra_health_t *health)
{
    memset (health, 0, sizeof *health);
    static const struct { const char *name; uint32_t weight; } s_components [] = {
        { "milestones", 25 }, { "evaluation", 20 }, { "agreement", 25 },
        { "communication", 15 }, { "contributions", 15 },
    };
    for (int index = 0; index < MITRA_HEALTH_COMPONENTS; index++) {
        health->components [index].name = s_components [index].name;
        health->components [index].weight = s_components [index].weight;
    }
    int rc = s_milestones (txn, partnership, today, &health->components [0]);
    if (rc == 0) {
        s_evaluation (partnership, today, &health->components [1]);
        rc = s_agreement (txn, partnership, today, &health->agreement, &health->components [2]);
    }
    if (rc == 0) {
        s_communication (partnership, today, &health->components [3]);
        rc = s_contributions (txn, partnership, &health->components [4]);
    }
    if (rc)
        return rc;
    uint32_t weighted = 0;
    for (int index = 0; index < MITRA_HEALTH_COMPONENTS; index++)
        weighted += health->components [index].score * health->components [index].weight;
    health->score = (weighted + 50) / 100;
    return 0;
}

void
mitra_health_pack (const mitra_partnership_t *partnership, const mitra_health_t *health,
                   int64_t today, msgpack_packer *pk)
{
    msgpack_pack_map (pk, 6);
    mitra_pack_cstr (pk, "partnership");
    mitra_pack_cstr (pk, partnership->id);
    mitra_pack_cstr (pk, "name");
    mitra_pack_object (pk, partnership->name);
    mitra_pack_cstr (pk, "status");
    mitra_pack_cstr (pk, mitra_status_name (partnership->status));
    mitra_pack_cstr (pk, "score");
    msgpack_pack_uint32 (pk, health->score);
    mitra_pack_cstr (pk, "as_of");
    mitra_pack_date (pk, today);
    mitra_pack_cstr (pk, "components");
    msgpack_pack_array (pk, MITRA_HEALTH_COMPONENTS);
    for (int index = 0; index < MITRA_HEALTH_COMPONENTS; index++) {
        const mitra_health_component_t *component = &health->components [index];
        msgpack_pack_map (pk, 4);
        mitra_pack_cstr (pk, "component");
        mitra_pack_cstr (pk, component->name);
        mitra_pack_cstr (pk, "score");
        msgpack_pack_uint32 (pk, component->score);
        mitra_pack_cstr (pk, "weight");
        msgpack_pack_uint32 (pk, component->weight);
        mitra_pack_cstr (pk, "explanation");
        mitra_pack_cstr (pk, component->explanation);
    }
}

typedef struct {
    mitra_txn_t *txn;
    int64_t today;
    mitra_builder_t list;
    int rc;
} s_query_t;

//  Packs the entry of `partnership` into the query's list; 1, or -1 with
//  query->rc set.
static int
s_entry (s_query_t *query, mitra_partnership_t *partnership)
{
    mitra_health_t health;
    query->rc = mitra_health_compute (query->txn, partnership, query->today, &health);
    if (query->rc == 0)
        mitra_health_pack (partnership, &health, query->today, mitra_builder_item (&query->list));
    return query->rc? -1: 1;
}

//  A page's visit: the entry of partnership `id`.
static int
s_visit (const char *id, const void *value, size_t value_size, void *arg)
{
    (void) value, (void) value_size;
    s_query_t *query = arg;
    mitra_partnership_t *partnership = mitra_partnership_load (query->txn, id, &query->rc);
    if (!partnership) {
        query->rc = MITRA_STORE_FAILED;     //  the index names a partnership that is gone
        return -1;
    }
    int taken = s_entry (query, partnership);
    mitra_partnership_destroy (&partnership);
    return taken;
}

int
mitra_health_query (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                    msgpack_packer *pk, mitra_error_t *err)
{
    s_query_t query = { .txn = txn, .today = mitra_model_day (now_ms) };
    mitra_builder_init (&query.list);
    mitra_model_page_t page = { .next = "" };
    int rc = 0;
    if (mitra_map_get (args, "partnership")) {
        char id [72];
        mitra_model_copy (args, "partnership", id, sizeof id);
        mitra_partnership_t *partnership = mitra_partnership_load (txn, id, &rc);
        if (!partnership) {
            mitra_builder_destroy (&query.list);
            if (rc == MITRA_STORE_NOTFOUND)
                return mitra_error_set (err, MITRA_ERR_NOT_FOUND, "partnership",
                                        "partnership '%s' does not exist", id);
            return mitra_model_store_error (rc, err);
        }
        s_entry (&query, partnership);
        mitra_partnership_destroy (&partnership);
    }
    else
        rc = mitra_model_page_scan (txn, MITRA_TABLE_INDEX, "partnership/", args, &page,
                                    s_visit, &query);
    if (query.rc)
        rc = query.rc;
    if (rc) {
        mitra_builder_destroy (&query.list);
        return mitra_model_store_error (rc, err);
    }
    msgpack_pack_map (pk, 2);
    mitra_pack_cstr (pk, "partnerships");
    mitra_builder_finish_array (&query.list, pk);
    mitra_model_page_pack_next (&page, pk);
    return 0;
}
