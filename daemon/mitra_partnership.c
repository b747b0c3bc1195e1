/*  mitra_partnership -- the partnership record: load, save, members,
    indexes.

    Stored as a msgpack map; dates as YYYY-MM-DD text, instants as
    milliseconds (the views format them). The record must decode back into
    the struct exactly: a key missing where it is required means the store
    is damaged, and that is a storage failure, never a guess.
*/
#include "mitra_partnership.h"
#include "mitra_deadlines.h"
#include "mitra_time.h"

#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_status_names [MITRA_STATUS_COUNT_] = {
    "proposed", "negotiating", "active", "on_hold", "concluded", "terminated"
};

const char *
mitra_status_name (mitra_status_t status)
{
    return status < MITRA_STATUS_COUNT_? s_status_names [status]: "unknown";
}

int
mitra_status_from_name (const char *name)
{
    for (int status = 0; status < MITRA_STATUS_COUNT_; status++)
        if (strcmp (s_status_names [status], name) == 0)
            return status;
    return -1;
}

void
mitra_partnership_key (char *key, size_t size, const char *id, const char *kind, const char *name)
{
    if (kind)
        mitra_str_join (key, size, "p/", id, "/", kind, "/", name, NULL);
    else
        mitra_str_join (key, size, "p/", id, NULL);
}

void
mitra_partnership_seq_key (char *key, size_t size, const char *id, const char *kind, uint64_t seq)
{
    snprintf (key, size, "p/%s/%s/%020llu", id, kind, (unsigned long long) seq);
}

mitra_partnership_t *
mitra_partnership_new (void)
{
    //  Only the members in use are ever read, and each is written whole when
    //  decoded or added: zeroing all MITRA_MEMBERS_MAX of them (8 KiB) was a
    //  tenth of the writer's instructions (bench/PROFILE.md)
    mitra_partnership_t *self = malloc (sizeof *self);
    assert (self);
    memset (self, 0, offsetof (mitra_partnership_t, members));
    self->doc = NULL;
    const mitra_deadline_rules_t *rules = mitra_deadlines_rules ();
    self->stale_days = rules->stale_days;
    self->milestone_lead_days = rules->milestone_lead_days;
    self->evaluation_lead_days = rules->evaluation_lead_days;
    self->last_evaluation = MITRA_NO_DAY;
    return self;
}

void
mitra_partnership_destroy (mitra_partnership_t **self_p)
{
    assert (self_p);
    mitra_partnership_t *self = *self_p;
    if (!self)
        return;
    mitra_doc_destroy (&self->doc);
    free (self);
    *self_p = NULL;
}

//  --- decoding
//
//  A partnership record is decoded for nearly every event; looking its ~25
//  keys up one by one (each lookup a scan of the map) was a tenth of the
//  writer's instructions, so the record and its members are read in one
//  pass over their keys. A key absent from the record leaves the value a
//  lookup of it would have given.

//  Is `key` (a msgpack str) the literal `name`? Lengths first: most differ.
#define S_IS(key, name) ((key)->via.str.size == sizeof (name) - 1 \
                      && memcmp ((key)->via.str.ptr, name, sizeof (name) - 1) == 0)

static const msgpack_object *
s_str_of (const msgpack_object *value)
{
    return value && value->type == MSGPACK_OBJECT_STR? value: NULL;
}

static uint64_t
s_uint_of (const msgpack_object *value)
{
    uint64_t number = 0;
    mitra_obj_uint (value, &number);
    return number;
}

static int64_t
s_int_of (const msgpack_object *value)
{
    if (value && value->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return value->via.i64;
    return (int64_t) s_uint_of (value);
}

static int
s_decode_member (mitra_member_t *member, const msgpack_object *map)
{
    if (map->type != MSGPACK_OBJECT_MAP)
        return -1;
    *member = (mitra_member_t) { .last_contact = MITRA_NO_DAY };
    bool has_org = false;
    for (uint32_t index = 0; index < map->via.map.size; index++) {
        const msgpack_object *key = &map->via.map.ptr [index].key;
        const msgpack_object *value = &map->via.map.ptr [index].val;
        if (key->type != MSGPACK_OBJECT_STR)
            continue;
        if (S_IS (key, "org")) {
            if (mitra_obj_str_copy (value, member->org, sizeof member->org))
                return -1;
            has_org = true;
        }
        else if (S_IS (key, "role"))
            member->role = s_str_of (value);
        else if (S_IS (key, "responsibilities"))
            member->responsibilities = value;
        else if (S_IS (key, "expectations"))
            member->expectations = value;
        else if (S_IS (key, "joined_ms"))
            member->joined_ms = s_int_of (value);
        else if (S_IS (key, "joined_seq"))
            member->joined_seq = s_uint_of (value);
        else if (S_IS (key, "last_contact"))
            member->last_contact = mitra_model_date (value);
        else if (S_IS (key, "contacts"))
            member->contacts = s_uint_of (value);
    }
    return has_org && member->role? 0: -1;
}

static int
s_decode_evaluation (mitra_partnership_t *self, const msgpack_object *evaluation)
{
    self->evaluation_every = s_str_of (mitra_map_get (evaluation, "every"));
    self->evaluation_next = mitra_model_date (mitra_map_get (evaluation, "next"));
    const msgpack_object *lead_days = mitra_map_get (evaluation, "lead_days");
    self->evaluation_lead_days_set = lead_days != NULL;
    if (lead_days)
        self->evaluation_lead_days = (uint32_t) s_uint_of (lead_days);
    return self->evaluation_every && self->evaluation_next != MITRA_NO_DAY? 0: -1;
}

static int
s_decode (mitra_partnership_t *self, const msgpack_object *root)
{
    if (root->type != MSGPACK_OBJECT_MAP)
        return -1;
    char status [16] = "";
    bool has_id = false, has_type = false, has_lead = false;
    const msgpack_object *members = NULL;
    self->last_evaluation = MITRA_NO_DAY;
    for (uint32_t index = 0; index < root->via.map.size; index++) {
        const msgpack_object *key = &root->via.map.ptr [index].key;
        const msgpack_object *value = &root->via.map.ptr [index].val;
        if (key->type != MSGPACK_OBJECT_STR)
            continue;
        if (S_IS (key, "partnership")) {
            if (mitra_obj_str_copy (value, self->id, sizeof self->id))
                return -1;
            has_id = true;
        }
        else if (S_IS (key, "type")) {
            if (mitra_obj_str_copy (value, self->type, sizeof self->type))
                return -1;
            has_type = true;
        }
        else if (S_IS (key, "lead")) {
            if (mitra_obj_str_copy (value, self->lead, sizeof self->lead))
                return -1;
            has_lead = true;
        }
        else if (S_IS (key, "status")) {
            if (mitra_obj_str_copy (value, status, sizeof status))
                return -1;
        }
        else if (S_IS (key, "name"))
            self->name = s_str_of (value);
        else if (S_IS (key, "purpose"))
            self->purpose = s_str_of (value);
        else if (S_IS (key, "starts"))
            self->starts = s_str_of (value);
        else if (S_IS (key, "ends"))
            self->ends = s_str_of (value);
        else if (S_IS (key, "status_reason"))
            self->status_reason = s_str_of (value);
        else if (S_IS (key, "status_ms"))
            self->status_ms = s_int_of (value);
        else if (S_IS (key, "status_seq"))
            self->status_seq = s_uint_of (value);
        else if (S_IS (key, "stale_days")) {
            //  Absent: the configured default, already in place
            self->stale_days_set = true;
            self->stale_days = (uint32_t) s_uint_of (value);
        }
        else if (S_IS (key, "milestone_lead_days")) {
            self->milestone_lead_days_set = true;
            self->milestone_lead_days = (uint32_t) s_uint_of (value);
        }
        else if (S_IS (key, "proposed_ms"))
            self->proposed_ms = s_int_of (value);
        else if (S_IS (key, "proposed_seq"))
            self->proposed_seq = s_uint_of (value);
        else if (S_IS (key, "agreement_version"))
            self->agreement_version = (uint32_t) s_uint_of (value);
        else if (S_IS (key, "evaluation")) {
            if (s_decode_evaluation (self, value))
                return -1;
        }
        else if (S_IS (key, "last_evaluation"))
            self->last_evaluation = mitra_model_date (value);
        else if (S_IS (key, "evaluations"))
            self->evaluations = s_uint_of (value);
        else if (S_IS (key, "reach_total"))
            self->reach_total = s_uint_of (value);
        else if (S_IS (key, "reach_records"))
            self->reach_records = s_uint_of (value);
        else if (S_IS (key, "members"))
            members = value;
    }
    if (!has_id || !has_type || !has_lead || mitra_status_from_name (status) < 0)
        return -1;
    self->status = (mitra_status_t) mitra_status_from_name (status);
    if (!self->name || !members || members->type != MSGPACK_OBJECT_ARRAY
    ||  members->via.array.size > MITRA_MEMBERS_MAX)
        return -1;
    self->member_count = members->via.array.size;
    for (size_t index = 0; index < self->member_count; index++)
        if (s_decode_member (&self->members [index], &members->via.array.ptr [index]))
            return -1;
    return 0;
}

mitra_partnership_t *
mitra_partnership_load (mitra_txn_t *txn, const char *id, int *rc)
{
    assert (txn && id && rc);
    char key [96];
    mitra_partnership_key (key, sizeof key, id, NULL, NULL);
    mitra_doc_t *doc = mitra_model_get (txn, key, rc);
    if (!doc)
        return NULL;
    mitra_partnership_t *self = mitra_partnership_new ();
    self->doc = doc;
    if (s_decode (self, mitra_doc_root (doc))) {
        mitra_partnership_destroy (&self);
        *rc = MITRA_STORE_FAILED;
    }
    return self;
}

mitra_partnership_t *
mitra_partnership_require (mitra_txn_t *txn, const msgpack_object *data, mitra_error_t *err)
{
    char id [72];
    mitra_model_copy (data, "partnership", id, sizeof id);
    int rc;
    mitra_partnership_t *self = mitra_partnership_load (txn, id, &rc);
    if (self)
        return self;
    if (rc == MITRA_STORE_NOTFOUND)
        mitra_error_set (err, MITRA_ERR_NOT_FOUND, "partnership",
                         "partnership '%s' does not exist; propose it first with "
                         "partnership.proposed", id);
    else
        mitra_model_store_error (rc, err);
    return NULL;
}

//  --- encoding

static void
s_encode_member (const mitra_member_t *member, msgpack_packer *pk)
{
    mitra_builder_t map;
    mitra_builder_init (&map);
    mitra_builder_str (&map, "org", member->org);
    mitra_builder_obj_opt (&map, "role", member->role);
    mitra_builder_obj_opt (&map, "responsibilities", member->responsibilities);
    mitra_builder_obj_opt (&map, "expectations", member->expectations);
    mitra_builder_int (&map, "joined_ms", member->joined_ms);
    mitra_builder_uint (&map, "joined_seq", member->joined_seq);
    mitra_builder_date_opt (&map, "last_contact", member->last_contact);
    mitra_builder_uint (&map, "contacts", member->contacts);
    mitra_builder_finish_map (&map, pk);
}

int
mitra_partnership_save (mitra_txn_t *txn, const mitra_partnership_t *self, mitra_error_t *err)
{
    assert (txn && self);
    mitra_builder_t record;
    mitra_builder_init (&record);
    mitra_builder_str (&record, "partnership", self->id);
    mitra_builder_obj_opt (&record, "name", self->name);
    mitra_builder_str (&record, "type", self->type);
    mitra_builder_str (&record, "lead", self->lead);
    mitra_builder_obj_opt (&record, "purpose", self->purpose);
    mitra_builder_obj_opt (&record, "starts", self->starts);
    mitra_builder_obj_opt (&record, "ends", self->ends);
    mitra_builder_str (&record, "status", mitra_status_name (self->status));
    mitra_builder_obj_opt (&record, "status_reason", self->status_reason);
    mitra_builder_int (&record, "status_ms", self->status_ms);
    mitra_builder_uint (&record, "status_seq", self->status_seq);
    if (self->stale_days_set)
        mitra_builder_uint (&record, "stale_days", self->stale_days);
    if (self->milestone_lead_days_set)
        mitra_builder_uint (&record, "milestone_lead_days", self->milestone_lead_days);
    mitra_builder_int (&record, "proposed_ms", self->proposed_ms);
    mitra_builder_uint (&record, "proposed_seq", self->proposed_seq);
    mitra_builder_uint (&record, "agreement_version", self->agreement_version);
    if (self->evaluation_every) {
        mitra_builder_t evaluation;
        mitra_builder_init (&evaluation);
        mitra_builder_obj_opt (&evaluation, "every", self->evaluation_every);
        mitra_builder_date (&evaluation, "next", self->evaluation_next);
        if (self->evaluation_lead_days_set)
            mitra_builder_uint (&evaluation, "lead_days", self->evaluation_lead_days);
        mitra_builder_finish_map (&evaluation, mitra_builder_key (&record, "evaluation"));
    }
    mitra_builder_date_opt (&record, "last_evaluation", self->last_evaluation);
    mitra_builder_uint (&record, "evaluations", self->evaluations);
    mitra_builder_uint (&record, "reach_total", self->reach_total);
    mitra_builder_uint (&record, "reach_records", self->reach_records);
    msgpack_packer *pk = mitra_builder_key (&record, "members");
    msgpack_pack_array (pk, (uint32_t) self->member_count);
    for (size_t index = 0; index < self->member_count; index++)
        s_encode_member (&self->members [index], pk);

    char key [96];
    mitra_partnership_key (key, sizeof key, self->id, NULL, NULL);
    return mitra_model_put_built (txn, key, &record, err);
}

//  --- rules shared by the domain files

bool
mitra_partnership_closed (const mitra_partnership_t *self)
{
    return self->status == MITRA_STATUS_CONCLUDED || self->status == MITRA_STATUS_TERMINATED;
}

int
mitra_partnership_require_open (const mitra_partnership_t *self, const char *what,
                                mitra_error_t *err)
{
    if (!mitra_partnership_closed (self))
        return 0;
    char since [16];
    mitra_date_format (mitra_model_day (self->status_ms), since);
    return mitra_error_set (err, MITRA_ERR_CONFLICT, "partnership",
                            "partnership '%s' was %s on %s and takes no %s; "
                            "propose a new partnership to continue the work",
                            self->id, mitra_status_name (self->status), since, what);
}

mitra_member_t *
mitra_partnership_member (mitra_partnership_t *self, const char *org)
{
    for (size_t index = 0; index < self->member_count; index++)
        if (strcmp (self->members [index].org, org) == 0)
            return &self->members [index];
    return NULL;
}

mitra_member_t *
mitra_partnership_require_member (mitra_partnership_t *self, const msgpack_object *data,
                                  const char *field, mitra_error_t *err)
{
    char org [72];
    mitra_model_copy (data, field, org, sizeof org);
    mitra_member_t *member = mitra_partnership_member (self, org);
    if (!member)
        mitra_error_set (err, MITRA_ERR_NOT_FOUND, field,
                         "'%s' is not a member of partnership '%s'; add it with "
                         "partnership.member_added first", org, self->id);
    return member;
}

//  --- indexes

static int
s_index (mitra_txn_t *txn, bool put, mitra_error_t *err, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

static int
s_index (mitra_txn_t *txn, bool put, mitra_error_t *err, const char *format, ...)
{
    char key [256];
    va_list args;
    va_start (args, format);
    vsnprintf (key, sizeof key, format, args);
    va_end (args);
    return put? mitra_model_index_put (txn, key, strlen (key), err)
              : mitra_model_index_del (txn, key, strlen (key), err);
}

int
mitra_partnership_index_new (mitra_txn_t *txn, const mitra_partnership_t *self,
                             mitra_error_t *err)
{
    if (s_index (txn, true, err, "partnership/%s", self->id)
    ||  s_index (txn, true, err, "status/%s/%s", mitra_status_name (self->status), self->id)
    ||  s_index (txn, true, err, "type/%s/%s", self->type, self->id))
        return -1;
    for (size_t index = 0; index < self->member_count; index++)
        if (s_index (txn, true, err, "member/%s/%s", self->members [index].org, self->id))
            return -1;
    return 0;
}

int
mitra_partnership_index_status (mitra_txn_t *txn, const char *id, mitra_status_t from,
                                mitra_status_t to, mitra_error_t *err)
{
    if (s_index (txn, false, err, "status/%s/%s", mitra_status_name (from), id)
    ||  s_index (txn, true, err, "status/%s/%s", mitra_status_name (to), id))
        return -1;
    return 0;
}

int
mitra_partnership_index_member (mitra_txn_t *txn, const char *id, const char *org, bool member,
                                mitra_error_t *err)
{
    return s_index (txn, member, err, "member/%s/%s", org, id);
}

typedef struct {
    size_t prefix_size;
    mitra_partnership_visit_fn *visit;
    void *arg;
} s_scan_t;

static int
s_scan_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) value, (void) value_size;
    s_scan_t *scan = arg;
    char id [72];
    if (!mitra_store_key_id (key, key_size, scan->prefix_size, id, sizeof id))
        return 0;
    return scan->visit (id, scan->arg);
}

int
mitra_partnership_scan_ids (mitra_txn_t *txn, const char *prefix,
                            mitra_partnership_visit_fn *visit, void *arg)
{
    s_scan_t scan = { strlen (prefix), visit, arg };
    return mitra_txn_scan (txn, MITRA_TABLE_INDEX, prefix, scan.prefix_size, NULL, 0, false,
                           s_scan_visit, &scan);
}
