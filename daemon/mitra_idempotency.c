/*  mitra_idempotency -- key: principal, '\n', request id (neither can hold a
    newline); value: 8-byte big-endian request hash, then the reply bytes.
*/
#include "mitra_idempotency.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t
mitra_idempotency_hash (const void *data, size_t size)
{
    const uint8_t *bytes = data;
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (size_t index = 0; index < size; index++) {
        hash ^= bytes [index];
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

static size_t
s_key (char *key, size_t size, const char *principal, const char *id)
{
    size_t length = mitra_str_join (key, size, principal, "\n", id, NULL);
    assert (length > 0 && length < size);
    return length;
}

int
mitra_idempotency_find (mitra_txn_t *txn, const char *principal, const char *id,
                        uint64_t hash, void **reply_p, size_t *size_p)
{
    char key [256];
    size_t key_size = s_key (key, sizeof key, principal, id);
    void *value;
    size_t size;
    int rc = mitra_txn_get_copy (txn, MITRA_TABLE_IDEMPOTENCY, key, key_size, &value, &size);
    if (rc)
        return rc;
    if (size < 8) {
        free (value);
        return MITRA_STORE_FAILED;
    }
    if (mitra_key_u64_read (value) != hash) {
        free (value);
        return MITRA_IDEMPOTENCY_MISMATCH;
    }
    memmove (value, (char *) value + 8, size - 8);
    *reply_p = value;
    *size_p = size - 8;
    return 0;
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
                       uint64_t hash, const void *reply, size_t size)
{
    char key [256];
    size_t key_size = s_key (key, sizeof key, principal, id);
    uint8_t *value = malloc (size + 8);
    assert (value);
    mitra_key_u64 (value, hash);
    memcpy (value + 8, reply, size);
    int rc = mitra_txn_put (txn, MITRA_TABLE_IDEMPOTENCY, key, key_size, value, size + 8, false);
    free (value);
    return rc;
}
