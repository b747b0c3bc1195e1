/*  mitra_partnerships -- a partnership is proposed by its lead, gains and
    loses members, and moves through its lifecycle:

        proposed -> negotiating -> active <-> on_hold -> concluded | terminated

    The table s_transitions is the whole of the lifecycle (PROTOCOL.md
    copies it); anything not in it is a conflict whose message lists what
    is allowed. Becoming active is guarded: two members at least, and the
    current agreement signed by every member and not expired.
*/
#include "mitra_partnerships.h"
#include "mitra_agreements.h"
#include "mitra_orgs.h"
#include "mitra_partnership.h"
#include "mitra_schedule.h"
#include "mitra_time.h"

#include <stdio.h>
#include <string.h>

//  s_transitions [from][to]: true when `from -> to` is allowed.
static const bool s_transitions [MITRA_STATUS_COUNT_][MITRA_STATUS_COUNT_] = {
    [MITRA_STATUS_PROPOSED] = {
        [MITRA_STATUS_NEGOTIATING] = true, [MITRA_STATUS_TERMINATED] = true },
    [MITRA_STATUS_NEGOTIATING] = {
        [MITRA_STATUS_ACTIVE] = true, [MITRA_STATUS_TERMINATED] = true },
    [MITRA_STATUS_ACTIVE] = {
        [MITRA_STATUS_ON_HOLD] = true, [MITRA_STATUS_CONCLUDED] = true,
        [MITRA_STATUS_TERMINATED] = true },
    [MITRA_STATUS_ON_HOLD] = {
        [MITRA_STATUS_ACTIVE] = true, [MITRA_STATUS_CONCLUDED] = true,
        [MITRA_STATUS_TERMINATED] = true },
};

//  The lead's membership, made by the proposal itself.
static const msgpack_object s_lead_role = {
    .type = MSGPACK_OBJECT_STR, .via.str = { 4, "lead" }
};

int
mitra_partnerships_apply_proposed (mitra_apply_t *ctx, const msgpack_object *data,
                                   mitra_error_t *err)
{
    char id [72], lead [72];
    mitra_model_copy (data, "partnership", id, sizeof id);
    mitra_model_copy (data, "lead", lead, sizeof lead);
    int rc;
    mitra_partnership_t *existing = mitra_partnership_load (ctx->txn, id, &rc);
    if (existing) {
        mitra_error_set (err, MITRA_ERR_CONFLICT, "partnership",
                         "partnership '%s' already exists (%s); choose another id",
                         id, mitra_status_name (existing->status));
        mitra_partnership_destroy (&existing);
        return -1;
    }
    if (rc != MITRA_STORE_NOTFOUND)
        return mitra_model_store_error (rc, err);
    if (!mitra_orgs_exists (ctx->txn, lead))
        return mitra_error_set (err, MITRA_ERR_NOT_FOUND, "lead",
                                "lead organization '%s' is not registered; register it with "
                                "org.registered first", lead);
    int64_t starts = mitra_model_date (mitra_map_get (data, "starts"));
    int64_t ends = mitra_model_date (mitra_map_get (data, "ends"));
    if (starts != MITRA_NO_DAY && ends != MITRA_NO_DAY && ends < starts)
        return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, "ends",
                                "'ends' must not be before 'starts'");

    mitra_partnership_t *self = mitra_partnership_new ();
    snprintf (self->id, sizeof self->id, "%s", id);
    snprintf (self->lead, sizeof self->lead, "%s", lead);
    mitra_model_copy (data, "type", self->type, sizeof self->type);
    self->name = mitra_map_get (data, "name");
    self->purpose = mitra_map_get (data, "purpose");
    self->starts = mitra_map_get (data, "starts");
    self->ends = mitra_map_get (data, "ends");
    self->status = MITRA_STATUS_PROPOSED;
    self->status_ms = self->proposed_ms = ctx->now_ms;
    self->status_seq = self->proposed_seq = ctx->event_seq;
    uint64_t days;
    if ((self->stale_days_set = mitra_obj_uint (mitra_map_get (data, "stale_days"), &days)))
        self->stale_days = (uint32_t) days;
    if ((self->milestone_lead_days_set =
            mitra_obj_uint (mitra_map_get (data, "milestone_lead_days"), &days)))
        self->milestone_lead_days = (uint32_t) days;
    mitra_member_t *member = &self->members [self->member_count++];
    memset (member, 0, sizeof *member);
    snprintf (member->org, sizeof member->org, "%s", lead);
    member->role = &s_lead_role;
    member->joined_ms = ctx->now_ms;
    member->joined_seq = ctx->event_seq;
    member->last_contact = MITRA_NO_DAY;

    rc = mitra_partnership_save (ctx->txn, self, err);
    if (rc == 0)
        rc = mitra_partnership_index_new (ctx->txn, self, err);
    if (rc == 0)
        rc = mitra_schedule_member (ctx, self, lead, err);
    mitra_partnership_destroy (&self);
    return rc;
}

//  An agreement that comes into force because membership changed is
//  announced like one that comes into force by a signature.
static int
s_announce_if_in_force (mitra_apply_t *ctx, mitra_partnership_t *self, bool was_in_force,
                        mitra_error_t *err)
{
    mitra_agreement_state_t agreement;
    int rc = mitra_agreements_state (ctx->txn, self, &agreement);
    if (rc)
        return mitra_model_store_error (rc, err);
    if (!was_in_force && agreement.in_force)
        return mitra_agreements_emit_in_force (ctx, self, err);
    return 0;
}

int
mitra_partnerships_apply_member_added (mitra_apply_t *ctx, const msgpack_object *data,
                                       mitra_error_t *err)
{
    mitra_partnership_t *self = mitra_partnership_require (ctx->txn, data, err);
    if (!self)
        return -1;
    char org [72];
    mitra_model_copy (data, "org", org, sizeof org);
    mitra_member_t *existing = mitra_partnership_member (self, org);
    int rc = mitra_partnership_require_open (self, "new members", err);
    if (rc)
        goto out;
    if (!mitra_orgs_exists (ctx->txn, org)) {
        rc = mitra_error_set (err, MITRA_ERR_NOT_FOUND, "org",
                              "organization '%s' is not registered; register it with "
                              "org.registered first", org);
        goto out;
    }
    if (existing) {
        rc = mitra_error_set (err, MITRA_ERR_CONFLICT, "org",
                              "'%s' is already a member of '%s' (role: %.*s)", org, self->id,
                              (int) existing->role->via.str.size, existing->role->via.str.ptr);
        goto out;
    }
    if (self->member_count == MITRA_MEMBERS_MAX) {
        rc = mitra_error_set (err, MITRA_ERR_CONFLICT, "org",
                              "partnership '%s' already has %d members, the most it can have",
                              self->id, MITRA_MEMBERS_MAX);
        goto out;
    }
    mitra_member_t *member = &self->members [self->member_count++];
    memset (member, 0, sizeof *member);
    snprintf (member->org, sizeof member->org, "%s", org);
    member->role = mitra_map_get (data, "role");
    member->responsibilities = mitra_map_get (data, "responsibilities");
    member->expectations = mitra_map_get (data, "expectations");
    member->joined_ms = ctx->now_ms;
    member->joined_seq = ctx->event_seq;
    member->last_contact = MITRA_NO_DAY;
    rc = mitra_partnership_save (ctx->txn, self, err);
    if (rc == 0)
        rc = mitra_partnership_index_member (ctx->txn, self->id, org, true, err);
    if (rc == 0)
        rc = mitra_schedule_member (ctx, self, org, err);
out:
    mitra_partnership_destroy (&self);
    return rc;
}

//  Who leaves, and who leads afterward; 0 or -1 with `err`.
static int
s_check_removal (mitra_partnership_t *self, const msgpack_object *data, const char *org,
                 const char *new_lead, mitra_error_t *err)
{
    bool is_lead = strcmp (org, self->lead) == 0;
    if (is_lead && !*new_lead)
        return mitra_error_set (err, MITRA_ERR_MISSING_FIELD, "new_lead",
                                "'%s' leads '%s': name another member as new_lead to remove it",
                                org, self->id);
    if (!is_lead && *new_lead)
        return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, "new_lead",
                                "new_lead is only for removing the lead, and '%s' is not the "
                                "lead of '%s' ('%s' is)", org, self->id, self->lead);
    if (is_lead && strcmp (new_lead, org) == 0)
        return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, "new_lead",
                                "new_lead must be another member than the one removed");
    if (is_lead && !mitra_partnership_require_member (self, data, "new_lead", err))
        return -1;
    if (self->status == MITRA_STATUS_ACTIVE && self->member_count <= 2)
        return mitra_error_set (err, MITRA_ERR_CONFLICT, "org",
                                "partnership '%s' is active and needs at least two members; "
                                "add a member first, or put it on hold", self->id);
    return 0;
}

int
mitra_partnerships_apply_member_removed (mitra_apply_t *ctx, const msgpack_object *data,
                                         mitra_error_t *err)
{
    mitra_partnership_t *self = mitra_partnership_require (ctx->txn, data, err);
    if (!self)
        return -1;
    char org [72], new_lead [72];
    mitra_model_copy (data, "org", org, sizeof org);
    mitra_model_copy (data, "new_lead", new_lead, sizeof new_lead);
    mitra_member_t *member = NULL;
    mitra_agreement_state_t before;
    int rc = mitra_partnership_require_open (self, "membership changes", err);
    if (rc)
        goto out;
    member = mitra_partnership_require_member (self, data, "org", err);
    if (!member || s_check_removal (self, data, org, new_lead, err)) {
        rc = -1;
        goto out;
    }
    rc = mitra_agreements_state (ctx->txn, self, &before);
    if (rc) {
        rc = mitra_model_store_error (rc, err);
        goto out;
    }
    size_t index = (size_t) (member - self->members);
    memmove (member, member + 1, (self->member_count - index - 1) * sizeof *member);
    self->member_count--;
    if (*new_lead)
        snprintf (self->lead, sizeof self->lead, "%s", new_lead);
    rc = mitra_partnership_save (ctx->txn, self, err);
    if (rc == 0)
        rc = mitra_partnership_index_member (ctx->txn, self->id, org, false, err);
    if (rc == 0)
        rc = mitra_schedule_member (ctx, self, org, err);
    if (rc == 0)
        rc = s_announce_if_in_force (ctx, self, before.in_force, err);
out:
    mitra_partnership_destroy (&self);
    return rc;
}

//  "negotiating or terminated" for the statuses reachable from `from`.
static void
s_allowed_next (mitra_status_t from, char *buffer, size_t size)
{
    *buffer = 0;
    size_t count = 0;
    for (int to = 0; to < MITRA_STATUS_COUNT_; to++)
        if (s_transitions [from][to])
            count++;
    size_t seen = 0;
    for (int to = 0; to < MITRA_STATUS_COUNT_; to++) {
        if (!s_transitions [from][to])
            continue;
        seen++;
        size_t used = strlen (buffer);
        snprintf (buffer + used, size - used, "%s%s",
                  seen == 1? "": seen == count? " or ": ", ", mitra_status_name (to));
    }
}

//  The guards on becoming active; 0 or -1 with a conflict.
static int
s_check_activation (mitra_txn_t *txn, mitra_partnership_t *self, int64_t today,
                    mitra_error_t *err)
{
    if (self->member_count < 2)
        return mitra_error_set (err, MITRA_ERR_CONFLICT, "status",
                                "partnership '%s' needs at least two members to become active "
                                "and has %zu; add one with partnership.member_added",
                                self->id, self->member_count);
    mitra_agreement_state_t agreement;
    int rc = mitra_agreements_state (txn, self, &agreement);
    if (rc)
        return mitra_model_store_error (rc, err);
    if (!agreement.drafted)
        return mitra_error_set (err, MITRA_ERR_CONFLICT, "status",
                                "partnership '%s' has no agreement; draft one with "
                                "agreement.drafted and have every member sign it", self->id);
    if (!agreement.in_force)
        return mitra_error_set (err, MITRA_ERR_CONFLICT, "status",
                                "agreement version %u of '%s' is not yet signed by: %s",
                                agreement.version, self->id, agreement.unsigned_orgs);
    if (agreement.expires != MITRA_NO_DAY && agreement.expires < today) {
        char expires [16];
        mitra_date_format (agreement.expires, expires);
        return mitra_error_set (err, MITRA_ERR_CONFLICT, "status",
                                "agreement version %u of '%s' expired on %s; draft and sign "
                                "a new version", agreement.version, self->id, expires);
    }
    return 0;
}

static int
s_emit_status_changed (mitra_apply_t *ctx, const mitra_partnership_t *self,
                       mitra_status_t from, mitra_error_t *err)
{
    mitra_builder_t data;
    mitra_builder_init (&data);
    mitra_builder_str (&data, "from", mitra_status_name (from));
    mitra_builder_str (&data, "to", mitra_status_name (self->status));
    mitra_builder_obj_opt (&data, "reason", self->status_reason);
    return mitra_model_emit_built (ctx, "partnership.status_changed", self->id, &data, err);
}

int
mitra_partnerships_apply_status_changed (mitra_apply_t *ctx, const msgpack_object *data,
                                         mitra_error_t *err)
{
    mitra_partnership_t *self = mitra_partnership_require (ctx->txn, data, err);
    if (!self)
        return -1;
    char name [16];
    mitra_model_copy (data, "status", name, sizeof name);
    int to = mitra_status_from_name (name);
    mitra_status_t from = self->status;
    char allowed [96];
    s_allowed_next (from, allowed, sizeof allowed);
    int rc = 0;
    if (to < 0)
        rc = mitra_error_set (err, MITRA_ERR_INVALID_FIELD, "status", "unknown status '%s'", name);
    else
    if (to == (int) from)
        rc = mitra_error_set (err, MITRA_ERR_CONFLICT, "status",
                              "partnership '%s' is already %s", self->id, name);
    else
    if (!*allowed)
        rc = mitra_error_set (err, MITRA_ERR_CONFLICT, "status",
                              "partnership '%s' is %s, which is final: its status cannot change",
                              self->id, mitra_status_name (from));
    else
    if (!s_transitions [from][to])
        rc = mitra_error_set (err, MITRA_ERR_CONFLICT, "status",
                              "partnership '%s' is %s and can go to %s, not to %s",
                              self->id, mitra_status_name (from), allowed, name);
    else
    if (to == MITRA_STATUS_ACTIVE)
        rc = s_check_activation (ctx->txn, self, mitra_model_day (ctx->now_ms), err);
    if (rc == 0) {
        self->status = (mitra_status_t) to;
        self->status_reason = mitra_map_get (data, "reason");
        self->status_ms = ctx->now_ms;
        self->status_seq = ctx->event_seq;
        rc = mitra_partnership_save (ctx->txn, self, err);
    }
    if (rc == 0)
        rc = mitra_partnership_index_status (ctx->txn, self->id, from, self->status, err);
    if (rc == 0)
        rc = s_emit_status_changed (ctx, self, from, err);
    //  Concluded or terminated: every pending deadline is cancelled
    if (rc == 0 && mitra_partnership_closed (self))
        rc = mitra_schedule_partnership (ctx, self, err);
    mitra_partnership_destroy (&self);
    return rc;
}
