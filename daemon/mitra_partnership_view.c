/*  mitra_partnership_view -- partnership.get, partnership.list, events.

    Results are built from the records as they are now; nothing here
    writes. The key order of every result is the one PROTOCOL.md gives, and
    list-valued keys are always present (an empty array rather than
    absent), so clients can iterate without checking.
*/
#include "mitra_partnership_view.h"
#include "mitra_activity.h"
#include "mitra_agreements.h"
#include "mitra_evaluations.h"
#include "mitra_event_log.h"
#include "mitra_goals.h"
#include "mitra_health.h"
#include "mitra_partnership.h"
#include "mitra_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mitra_partnership_t *
s_load (mitra_txn_t *txn, const msgpack_object *args, mitra_error_t *err)
{
    char id [72];
    mitra_model_copy (args, "partnership", id, sizeof id);
    int rc;
    mitra_partnership_t *partnership = mitra_partnership_load (txn, id, &rc);
    if (partnership)
        return partnership;
    if (rc == MITRA_STORE_NOTFOUND)
        mitra_error_set (err, MITRA_ERR_NOT_FOUND, "partnership",
                         "partnership '%s' does not exist", id);
    else
        mitra_model_store_error (rc, err);
    return NULL;
}

static void
s_pack_list_or_empty (msgpack_packer *pk, const msgpack_object *list)
{
    if (list)
        mitra_pack_object (pk, list);
    else
        msgpack_pack_array (pk, 0);
}

static void
s_pack_members (mitra_txn_t *txn, const mitra_partnership_t *partnership, msgpack_packer *pk)
{
    msgpack_pack_array (pk, (uint32_t) partnership->member_count);
    for (size_t index = 0; index < partnership->member_count; index++) {
        const mitra_member_t *member = &partnership->members [index];
        char key [96];
        snprintf (key, sizeof key, "org/%s", member->org);
        int rc;
        mitra_doc_t *org = mitra_model_get (txn, key, &rc);
        const msgpack_object *record = org? mitra_doc_root (org): NULL;
        mitra_builder_t map;
        mitra_builder_init (&map);
        mitra_builder_str (&map, "org", member->org);
        mitra_builder_obj_opt (&map, "name", mitra_map_get (record, "name"));
        mitra_builder_obj_opt (&map, "kind", mitra_map_get (record, "kind"));
        mitra_builder_obj_opt (&map, "role", member->role);
        s_pack_list_or_empty (mitra_builder_key (&map, "responsibilities"),
                              member->responsibilities);
        s_pack_list_or_empty (mitra_builder_key (&map, "expectations"), member->expectations);
        mitra_builder_bool (&map, "lead", strcmp (member->org, partnership->lead) == 0);
        mitra_builder_instant (&map, "joined_at", member->joined_ms);
        mitra_builder_date (&map, "last_contact", member->last_contact);
        mitra_builder_uint (&map, "contacts", member->contacts);
        mitra_builder_finish_map (&map, pk);
        mitra_doc_destroy (&org);
    }
}

static int
s_pack_contributions (mitra_txn_t *txn, const mitra_partnership_t *partnership,
                      msgpack_packer *pk)
{
    mitra_contribution_sum_t *sums = NULL;
    size_t count = 0;
    int rc = mitra_activity_contributions (txn, partnership->id, &sums, &count);
    if (rc)
        return rc;
    msgpack_pack_array (pk, (uint32_t) count);
    for (size_t index = 0; index < count; index++) {
        msgpack_pack_map (pk, 5);
        mitra_pack_cstr (pk, "org");
        mitra_pack_cstr (pk, sums [index].org);
        mitra_pack_cstr (pk, "kind");
        mitra_pack_cstr (pk, sums [index].kind);
        mitra_pack_cstr (pk, "unit");
        mitra_pack_cstr (pk, sums [index].unit);
        mitra_pack_cstr (pk, "committed");
        mitra_pack_number (pk, sums [index].committed);
        mitra_pack_cstr (pk, "delivered");
        mitra_pack_number (pk, sums [index].delivered);
    }
    free (sums);
    return 0;
}

//  The record's own fields, shared by get and list.
static void
s_pack_head (mitra_builder_t *map, const mitra_partnership_t *partnership)
{
    mitra_builder_str (map, "partnership", partnership->id);
    mitra_builder_obj_opt (map, "name", partnership->name);
    mitra_builder_str (map, "type", partnership->type);
    mitra_builder_str (map, "status", mitra_status_name (partnership->status));
    mitra_builder_str (map, "lead", partnership->lead);
    mitra_builder_obj_opt (map, "purpose", partnership->purpose);
    mitra_builder_obj_opt (map, "starts", partnership->starts);
    mitra_builder_obj_opt (map, "ends", partnership->ends);
    mitra_builder_obj_opt (map, "status_reason", partnership->status_reason);
    mitra_builder_instant (map, "status_since", partnership->status_ms);
    mitra_builder_instant (map, "proposed_at", partnership->proposed_ms);
}

int
mitra_partnership_view_query_get (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                                  msgpack_packer *pk, mitra_error_t *err)
{
    mitra_partnership_t *partnership = s_load (txn, args, err);
    if (!partnership)
        return -1;
    int64_t today = mitra_model_day (now_ms);
    mitra_builder_t map;
    mitra_builder_init (&map);
    s_pack_head (&map, partnership);
    mitra_builder_uint (&map, "stale_days", partnership->stale_days);
    mitra_builder_uint (&map, "milestone_lead_days", partnership->milestone_lead_days);
    s_pack_members (txn, partnership, mitra_builder_key (&map, "members"));
    int rc = mitra_agreements_pack_current (txn, partnership,
                                            mitra_builder_key (&map, "agreement"));
    if (rc == 0)
        rc = mitra_goals_pack (txn, partnership->id, mitra_builder_key (&map, "goals"));
    if (rc == 0)
        rc = mitra_milestones_pack (txn, partnership->id, today,
                                    mitra_builder_key (&map, "milestones"));
    if (rc == 0)
        rc = mitra_evaluations_pack (txn, partnership, today,
                                     mitra_builder_key (&map, "evaluation"));
    if (rc == 0)
        rc = s_pack_contributions (txn, partnership, mitra_builder_key (&map, "contributions"));
    mitra_health_t health;
    if (rc == 0)
        rc = mitra_health_compute (txn, partnership, today, &health);
    if (rc == 0) {
        msgpack_packer *reach = mitra_builder_key (&map, "reach");
        msgpack_pack_map (reach, 2);
        mitra_pack_cstr (reach, "total");
        msgpack_pack_uint64 (reach, partnership->reach_total);
        mitra_pack_cstr (reach, "records");
        msgpack_pack_uint64 (reach, partnership->reach_records);
        mitra_health_pack (partnership, &health, today, mitra_builder_key (&map, "health"));
        mitra_builder_finish_map (&map, pk);
    }
    else {
        mitra_builder_destroy (&map);
        mitra_model_store_error (rc, err);
    }
    mitra_partnership_destroy (&partnership);
    return rc? -1: 0;
}

//  --- partnership.list

typedef struct {
    mitra_txn_t *txn;
    int64_t today;
    char type [16];             //  "" for any
    int status;                 //  -1 for any
    char org [72];              //  "" for any
    mitra_builder_t list;
    int rc;
} s_list_t;

static int
s_list_visit (const char *id, const void *value, size_t value_size, void *arg)
{
    (void) value, (void) value_size;
    s_list_t *list = arg;
    int rc;
    mitra_partnership_t *partnership = mitra_partnership_load (list->txn, id, &rc);
    if (!partnership) {
        list->rc = MITRA_STORE_FAILED;      //  the index names a partnership that is gone
        return -1;
    }
    bool wanted = (!*list->type || strcmp (list->type, partnership->type) == 0)
               && (list->status < 0 || list->status == (int) partnership->status)
               && (!*list->org || mitra_partnership_member (partnership, list->org));
    mitra_health_t health;
    if (wanted
    &&  (list->rc = mitra_health_compute (list->txn, partnership, list->today, &health)) == 0) {
        mitra_builder_t map;
        mitra_builder_init (&map);
        s_pack_head (&map, partnership);
        mitra_builder_uint (&map, "members", partnership->member_count);
        mitra_builder_uint (&map, "agreement_version", partnership->agreement_version);
        mitra_builder_bool (&map, "agreement_in_force", health.agreement.in_force);
        mitra_builder_uint (&map, "health_score", health.score);
        mitra_builder_finish_map (&map, mitra_builder_item (&list->list));
    }
    mitra_partnership_destroy (&partnership);
    return list->rc? -1: wanted;
}

int
mitra_partnership_view_query_list (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                                   msgpack_packer *pk, mitra_error_t *err)
{
    s_list_t list = { .txn = txn, .today = mitra_model_day (now_ms), .status = -1 };
    char status [16] = "";
    mitra_model_copy (args, "type", list.type, sizeof list.type);
    mitra_model_copy (args, "status", status, sizeof status);
    mitra_model_copy (args, "org", list.org, sizeof list.org);
    if (*status)
        list.status = mitra_status_from_name (status);
    if (*list.org) {
        char key [96];
        snprintf (key, sizeof key, "org/%s", list.org);
        if (!mitra_txn_exists (txn, MITRA_TABLE_STATE, key, strlen (key)))
            return mitra_error_set (err, MITRA_ERR_NOT_FOUND, "org",
                                    "organization '%s' is not registered", list.org);
    }
    //  The narrowest index that answers one of the filters; the record
    //  checks the others
    char prefix [96];
    if (*list.org)
        snprintf (prefix, sizeof prefix, "member/%s/", list.org);
    else
    if (*status)
        snprintf (prefix, sizeof prefix, "status/%s/", status);
    else
    if (*list.type)
        snprintf (prefix, sizeof prefix, "type/%s/", list.type);
    else
        snprintf (prefix, sizeof prefix, "partnership/");
    mitra_builder_init (&list.list);
    mitra_model_page_t page;
    int rc = mitra_model_page_scan (txn, MITRA_TABLE_INDEX, prefix, args, &page,
                                    s_list_visit, &list);
    if (list.rc)
        rc = list.rc;
    if (rc) {
        mitra_builder_destroy (&list.list);
        return mitra_model_store_error (rc, err);
    }
    msgpack_pack_map (pk, 2);
    mitra_pack_cstr (pk, "partnerships");
    mitra_builder_finish_array (&list.list, pk);
    mitra_model_page_pack_next (&page, pk);
    return 0;
}

//  --- events

int
mitra_partnership_view_query_events (mitra_txn_t *txn, int64_t now_ms,
                                     const msgpack_object *args, msgpack_packer *pk,
                                     mitra_error_t *err)
{
    (void) now_ms;
    mitra_partnership_t *partnership = s_load (txn, args, err);
    if (!partnership)
        return -1;
    uint64_t since = 1, limit = 100;
    mitra_obj_uint (mitra_map_get (args, "since"), &since);
    mitra_obj_uint (mitra_map_get (args, "limit"), &limit);
    int rc = mitra_event_log_page (txn, since, (uint32_t) limit, NULL, partnership->id, pk);
    mitra_partnership_destroy (&partnership);
    return rc? mitra_model_store_error (rc, err): 0;
}
