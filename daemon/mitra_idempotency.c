/*  mitra_idempotency -- key: principal, '\n', request id (neither can hold a
    newline); value: the request hash and the acked seq, 8 bytes each,
    big-endian. Stores written before kept the hash and the whole reply,
    which repeated the id already in the key: both are read.
*/
#include "mitra_idempotency.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t
mitra_idempotency_hash (const void *data, size_t size)
{
    return mitra_fnv1a (data, size);
}

static size_t
s_key (char *key, size_t size, const char *principal, const char *id)
{
    size_t length = mitra_str_join (key, size, principal, "\n", id, NULL);
    assert (length > 0 && length < size);
    return length;
}

bool
mitra_idempotency_value (const void *value, size_t size, uint64_t *hash, uint64_t *seq)
{
    assert (value && hash && seq);
    if (size < 8)
        return false;
    *hash = mitra_key_u64_read (value);
    if (size == 16) {
        *seq = mitra_key_u64_read ((const char *) value + 8);
        return true;
    }
    //  A packed reply, {id, ok: true, seq}, is never 8 bytes long
    mitra_error_t err;
    mitra_doc_t *reply = mitra_doc_decode ((const char *) value + 8, size - 8, NULL, &err);
    bool ok = reply && mitra_obj_uint (mitra_map_get (mitra_doc_root (reply), "seq"), seq);
    mitra_doc_destroy (&reply);
    return ok;
}

int
mitra_idempotency_find (mitra_txn_t *txn, const char *principal, const char *id,
                        uint64_t hash, uint64_t *seq)
{
    char key [256];
    size_t key_size = s_key (key, sizeof key, principal, id);
    void *value;
    size_t size;
    int rc = mitra_txn_get_copy (txn, MITRA_TABLE_IDEMPOTENCY, key, key_size, &value, &size);
    if (rc)
        return rc;
    uint64_t stored_hash;
    if (!mitra_idempotency_value (value, size, &stored_hash, seq))
        rc = MITRA_STORE_FAILED;
    else
    if (stored_hash != hash)
        rc = MITRA_IDEMPOTENCY_MISMATCH;
    free (value);
    return rc;
}

bool
mitra_idempotency_accepted (mitra_txn_t *txn, const char *principal, const char *id)
{
    char key [256];
    size_t key_size = s_key (key, sizeof key, principal, id);
    return mitra_txn_exists (txn, MITRA_TABLE_IDEMPOTENCY, key, key_size);
}

int
mitra_idempotency_put (mitra_txn_t *txn, const char *principal, const char *id,
                       uint64_t hash, uint64_t seq)
{
    char key [256];
    size_t key_size = s_key (key, sizeof key, principal, id);
    uint8_t value [16];
    mitra_key_u64 (value, hash);
    mitra_key_u64 (value + 8, seq);
    return mitra_txn_put (txn, MITRA_TABLE_IDEMPOTENCY, key, key_size, value, 16, false);
}
