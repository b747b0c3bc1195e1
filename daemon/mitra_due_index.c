/*  mitra_due_index -- deadline records and their index by instant.

    Every change writes the record and its index key together, so the two
    tables never disagree; mitra_verify checks that they do not.
*/
#include "mitra_due_index.h"
#include "mitra_builder.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define S_KEY_MAX (2 * MITRA_DUE_ID_MAX + 40)      //  a record key
#define S_DUE_KEY_MAX (1 + 8 + S_KEY_MAX)           //  an index key

//  "<partnership>\0<kind>\0<subject>"; returns its size.
static size_t
s_record_key (uint8_t *key, const char *partnership, mitra_deadline_kind_t kind,
              const char *subject)
{
    const char *kind_name = mitra_deadline_kind_name (kind);
    size_t partnership_size = strnlen (partnership, MITRA_DUE_ID_MAX - 1);
    size_t kind_size = strlen (kind_name);
    size_t subject_size = strnlen (subject, MITRA_DUE_ID_MAX - 1);
    size_t size = 0;
    memcpy (key + size, partnership, partnership_size);
    size += partnership_size;
    key [size++] = 0;
    memcpy (key + size, kind_name, kind_size);
    size += kind_size;
    key [size++] = 0;
    memcpy (key + size, subject, subject_size);
    return size + subject_size;
}

//  State byte, the instant with its sign bit flipped, big-endian, then the
//  record key.
static size_t
s_due_key (uint8_t *key, char state, int64_t at, const uint8_t *record_key, size_t record_size)
{
    key [0] = (uint8_t) state;
    mitra_key_u64 (key + 1, (uint64_t) at ^ ((uint64_t) 1 << 63));
    memcpy (key + 9, record_key, record_size);
    return 9 + record_size;
}

static int
s_parse_record_key (const void *key, size_t key_size, mitra_due_entry_t *entry)
{
    const char *text = key;
    const char *first = memchr (text, 0, key_size);
    if (!first)
        return -1;
    const char *second = memchr (first + 1, 0, key_size - (size_t) (first + 1 - text));
    if (!second)
        return -1;
    size_t partnership_size = (size_t) (first - text);
    size_t kind_size = (size_t) (second - first - 1);
    size_t subject_size = key_size - (size_t) (second + 1 - text);
    int kind = mitra_deadline_kind_from_name (first + 1, kind_size);
    if (partnership_size == 0 || partnership_size >= MITRA_DUE_ID_MAX || kind < 0
    ||  subject_size == 0 || subject_size >= MITRA_DUE_ID_MAX)
        return -1;
    memcpy (entry->partnership, text, partnership_size);
    entry->partnership [partnership_size] = 0;
    entry->kind = (mitra_deadline_kind_t) kind;
    memcpy (entry->subject, second + 1, subject_size);
    entry->subject [subject_size] = 0;
    return 0;
}

//  --- records

static bool
s_obj_int (const msgpack_object *obj, int64_t *value)
{
    if (obj->type == MSGPACK_OBJECT_POSITIVE_INTEGER && obj->via.u64 <= INT64_MAX)
        *value = (int64_t) obj->via.u64;
    else
    if (obj->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        *value = obj->via.i64;
    else
        return false;
    return true;
}

static int
s_decode_value (const void *value, size_t value_size, mitra_due_entry_t *entry)
{
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    int rc = -1;
    if (msgpack_unpack_next (&unpacked, value, value_size, NULL) == MSGPACK_UNPACK_SUCCESS) {
        const msgpack_object *root = &unpacked.data;
        if (root->type == MSGPACK_OBJECT_ARRAY && root->via.array.size == 4
        &&  s_obj_int (&root->via.array.ptr [0], &entry->at)
        &&  s_obj_int (&root->via.array.ptr [1], &entry->date)
        &&  root->via.array.ptr [2].type == MSGPACK_OBJECT_BOOLEAN
        &&  s_obj_int (&root->via.array.ptr [3], &entry->planned_ms)) {
            entry->fired = root->via.array.ptr [2].via.boolean;
            rc = 0;
        }
    }
    msgpack_unpacked_destroy (&unpacked);
    return rc;
}

int
mitra_due_index_decode_record (const void *key, size_t key_size, const void *value,
                               size_t value_size, mitra_due_entry_t *entry)
{
    memset (entry, 0, sizeof *entry);
    if (s_parse_record_key (key, key_size, entry) || s_decode_value (value, value_size, entry))
        return -1;
    return 0;
}

int
mitra_due_index_decode_due_key (const void *key, size_t key_size, bool *fired,
                                mitra_due_entry_t *entry)
{
    const uint8_t *bytes = key;
    memset (entry, 0, sizeof *entry);
    if (key_size < 10 || (bytes [0] != 'p' && bytes [0] != 'f'))
        return -1;
    *fired = bytes [0] == 'f';
    entry->fired = *fired;
    entry->at = (int64_t) (mitra_key_u64_read (bytes + 1) ^ ((uint64_t) 1 << 63));
    return s_parse_record_key (bytes + 9, key_size - 9, entry);
}

//  Read the record under `key`; NOTFOUND, FAILED or 0.
static int
s_get (mitra_txn_t *txn, const uint8_t *key, size_t key_size, mitra_due_entry_t *entry)
{
    void *value;
    size_t value_size;
    int rc = mitra_txn_get_copy (txn, MITRA_TABLE_DEADLINES, key, key_size, &value, &value_size);
    if (rc)
        return rc;
    rc = s_decode_value (value, value_size, entry)? MITRA_STORE_FAILED: 0;
    free (value);
    return rc;
}

static int
s_put (mitra_txn_t *txn, const uint8_t *key, size_t key_size, const mitra_due_entry_t *entry)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 4);
    msgpack_pack_int64 (&pk, entry->at);
    msgpack_pack_int64 (&pk, entry->date);
    if (entry->fired)
        msgpack_pack_true (&pk);
    else
        msgpack_pack_false (&pk);
    msgpack_pack_int64 (&pk, entry->planned_ms);
    int rc = mitra_txn_put (txn, MITRA_TABLE_DEADLINES, key, key_size, sbuf.data, sbuf.size,
                            false);
    msgpack_sbuffer_destroy (&sbuf);
    return rc;
}

//  The index key a record has: 'p' pending, 'f' fired of a passed kind,
//  none for a fired warning (returns 0).
static size_t
s_index_key_of (uint8_t *due_key, const mitra_due_entry_t *entry, const uint8_t *key,
                size_t key_size)
{
    if (!entry->fired)
        return s_due_key (due_key, 'p', entry->at, key, key_size);
    if (mitra_deadline_kind_passed (entry->kind))
        return s_due_key (due_key, 'f', entry->at, key, key_size);
    return 0;
}

static int
s_index_put (mitra_txn_t *txn, const mitra_due_entry_t *entry, const uint8_t *key,
             size_t key_size)
{
    uint8_t due_key [S_DUE_KEY_MAX];
    size_t due_size = s_index_key_of (due_key, entry, key, key_size);
    return due_size? mitra_txn_put (txn, MITRA_TABLE_DUE, due_key, due_size, "", 0, false): 0;
}

static int
s_index_del (mitra_txn_t *txn, const mitra_due_entry_t *entry, const uint8_t *key,
             size_t key_size)
{
    uint8_t due_key [S_DUE_KEY_MAX];
    size_t due_size = s_index_key_of (due_key, entry, key, key_size);
    if (!due_size)
        return 0;
    int rc = mitra_txn_del (txn, MITRA_TABLE_DUE, due_key, due_size);
    //  The index must hold what the record says: a key missing is damage
    return rc == MITRA_STORE_NOTFOUND? MITRA_STORE_FAILED: rc;
}

int
mitra_due_index_set (mitra_txn_t *txn, const char *partnership, mitra_deadline_kind_t kind,
                     const char *subject, const mitra_deadline_t *wanted, int64_t now_ms,
                     mitra_due_change_t *change, int64_t *old_at)
{
    assert (txn && partnership && subject && change && old_at);
    uint8_t key [S_KEY_MAX];
    size_t key_size = s_record_key (key, partnership, kind, subject);
    mitra_due_entry_t entry = { .kind = kind };
    *change = MITRA_DUE_UNCHANGED;
    *old_at = 0;
    int rc = s_get (txn, key, key_size, &entry);
    if (rc && rc != MITRA_STORE_NOTFOUND)
        return rc;
    bool exists = rc == 0;
    if (!wanted) {
        if (!exists)
            return 0;
        *change = MITRA_DUE_REMOVED;
        *old_at = entry.at;
        rc = s_index_del (txn, &entry, key, key_size);
        return rc? rc: mitra_txn_del (txn, MITRA_TABLE_DEADLINES, key, key_size);
    }
    if (exists && !entry.fired && entry.at == wanted->at) {
        if (entry.date == wanted->date)
            return 0;
        entry.date = wanted->date;
        return s_put (txn, key, key_size, &entry);
    }
    //  What a fired deadline announced still holds: it stays fired
    if (exists && entry.fired && entry.date == wanted->date && wanted->at <= now_ms)
        return 0;
    if (exists) {
        rc = s_index_del (txn, &entry, key, key_size);
        if (rc)
            return rc;
        *change = entry.fired? MITRA_DUE_ADDED: MITRA_DUE_MOVED;
        *old_at = entry.at;
    }
    else
        *change = MITRA_DUE_ADDED;
    entry.at = wanted->at;
    entry.date = wanted->date;
    entry.fired = false;
    entry.planned_ms = now_ms;
    rc = s_put (txn, key, key_size, &entry);
    return rc? rc: s_index_put (txn, &entry, key, key_size);
}

//  --- walking the index

typedef struct {
    uint8_t key [S_DUE_KEY_MAX];
    size_t size;
    bool found;
} s_first_t;

static int
s_first_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) value, (void) value_size;
    s_first_t *first = arg;
    if (key_size <= sizeof first->key) {
        memcpy (first->key, key, key_size);
        first->size = key_size;
        first->found = true;
    }
    return 1;
}

//  The first pending key (copied), in O(log n).
static int
s_first_pending (mitra_txn_t *txn, mitra_due_entry_t *entry, s_first_t *first)
{
    first->found = false;
    int rc = mitra_txn_scan (txn, MITRA_TABLE_DUE, "p", 1, NULL, 0, false, s_first_visit, first);
    if (rc)
        return rc;
    if (!first->found)
        return MITRA_STORE_NOTFOUND;
    bool fired;
    if (mitra_due_index_decode_due_key (first->key, first->size, &fired, entry))
        return MITRA_STORE_FAILED;
    return 0;
}

int
mitra_due_index_next (mitra_txn_t *txn, int64_t *at)
{
    mitra_due_entry_t entry;
    s_first_t first;
    int rc = s_first_pending (txn, &entry, &first);
    if (rc == 0)
        *at = entry.at;
    return rc;
}

int
mitra_due_index_take (mitra_txn_t *txn, int64_t now_ms, mitra_due_entry_t *entry)
{
    s_first_t first;
    int rc = s_first_pending (txn, entry, &first);
    if (rc)
        return rc;
    if (entry->at > now_ms)
        return MITRA_STORE_NOTFOUND;
    const uint8_t *key = first.key + 9;
    size_t key_size = first.size - 9;
    mitra_due_entry_t record = *entry;
    rc = s_get (txn, key, key_size, &record);
    if (rc)
        return rc == MITRA_STORE_NOTFOUND? MITRA_STORE_FAILED: rc;
    if (record.fired || record.at != entry->at)
        return MITRA_STORE_FAILED;      //  the index disagrees with the record
    rc = mitra_txn_del (txn, MITRA_TABLE_DUE, first.key, first.size);
    if (rc)
        return rc;
    record.fired = true;
    rc = s_put (txn, key, key_size, &record);
    if (rc == 0)
        rc = s_index_put (txn, &record, key, key_size);
    *entry = record;
    return rc;
}

typedef struct {
    mitra_txn_t *txn;
    mitra_due_visit_fn *visit;
    void *arg;
    int rc;
} s_walk_t;

static int
s_walk_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) value, (void) value_size;
    s_walk_t *walk = arg;
    mitra_due_entry_t entry;
    bool fired;
    if (mitra_due_index_decode_due_key (key, key_size, &fired, &entry)) {
        walk->rc = MITRA_STORE_FAILED;
        return 1;
    }
    int rc = s_get (walk->txn, (const uint8_t *) key + 9, key_size - 9, &entry);
    if (rc) {
        walk->rc = rc == MITRA_STORE_NOTFOUND? MITRA_STORE_FAILED: rc;
        return 1;
    }
    return walk->visit (&entry, walk->arg);
}

int
mitra_due_index_walk (mitra_txn_t *txn, bool fired, mitra_due_visit_fn *visit, void *arg)
{
    s_walk_t walk = { txn, visit, arg, 0 };
    int rc = mitra_txn_scan (txn, MITRA_TABLE_DUE, fired? "f": "p", 1, NULL, 0, false,
                             s_walk_visit, &walk);
    return rc? rc: walk.rc;
}

static int
s_record_visit (const void *key, size_t key_size, const void *value, size_t value_size,
                void *arg)
{
    s_walk_t *walk = arg;
    mitra_due_entry_t entry;
    if (mitra_due_index_decode_record (key, key_size, value, value_size, &entry)) {
        walk->rc = MITRA_STORE_FAILED;
        return 1;
    }
    return walk->visit (&entry, walk->arg);
}

int
mitra_due_index_walk_partnership (mitra_txn_t *txn, const char *partnership,
                                  mitra_due_visit_fn *visit, void *arg)
{
    //  The prefix ends with the partnership's NUL: p-a, not p-a and p-ab
    uint8_t prefix [MITRA_DUE_ID_MAX + 1];
    size_t size = strnlen (partnership, MITRA_DUE_ID_MAX - 1);
    memcpy (prefix, partnership, size);
    prefix [size++] = 0;
    s_walk_t walk = { txn, visit, arg, 0 };
    int rc = mitra_txn_scan (txn, MITRA_TABLE_DEADLINES, prefix, size, NULL, 0, false,
                             s_record_visit, &walk);
    return rc? rc: walk.rc;
}

bool
mitra_due_index_has_key (mitra_txn_t *txn, const mitra_due_entry_t *entry)
{
    uint8_t key [S_KEY_MAX], due_key [S_DUE_KEY_MAX];
    size_t key_size = s_record_key (key, entry->partnership, entry->kind, entry->subject);
    size_t due_size = s_index_key_of (due_key, entry, key, key_size);
    if (due_size)
        return mitra_txn_exists (txn, MITRA_TABLE_DUE, due_key, due_size);
    //  A fired warning: no key of either state at its instant
    return !mitra_txn_exists (txn, MITRA_TABLE_DUE, due_key,
                              s_due_key (due_key, 'p', entry->at, key, key_size))
        && !mitra_txn_exists (txn, MITRA_TABLE_DUE, due_key,
                              s_due_key (due_key, 'f', entry->at, key, key_size));
}
