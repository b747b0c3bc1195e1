/*  mitra_idempotency -- every accepted event by sender principal and
    request id, so that a retry gets the same answer and changes nothing.

    Stored in the same transaction as the event, so "applied" and
    "remembered" can never disagree after a crash.
*/
#ifndef MITRA_IDEMPOTENCY_H
#define MITRA_IDEMPOTENCY_H

#include "mitra_store.h"

#define MITRA_IDEMPOTENCY_MISMATCH 2   //  same id, different request

//  A 64-bit fingerprint of a request frame (FNV-1a).
uint64_t mitra_idempotency_hash (const void *data, size_t size);

//  Look up (principal, id). Returns 0 and the seq its first reply acked if
//  the request matches `hash` (the reply is mitra_reply_pack_seq of the id
//  and that seq, so a retry gets it back byte for byte);
//  MITRA_IDEMPOTENCY_MISMATCH if the id was used for another request;
//  MITRA_STORE_NOTFOUND if unknown; MITRA_STORE_FAILED on error.
int mitra_idempotency_find (mitra_txn_t *txn, const char *principal, const char *id,
                            uint64_t hash, uint64_t *seq);

//  True if (principal, id) has a remembered reply. Only accepted events
//  are remembered, so this says "that request was accepted" (a store
//  error reads as false: never a reason to go on).
bool mitra_idempotency_accepted (mitra_txn_t *txn, const char *principal, const char *id);

//  Remember that (principal, id), a request with `hash`, was accepted as
//  event `seq`. Returns 0 or a MITRA_STORE_ code.
int mitra_idempotency_put (mitra_txn_t *txn, const char *principal, const char *id,
                           uint64_t hash, uint64_t seq);

//  The request hash and acked seq of a stored value: 16 bytes (hash, seq),
//  or, as stores written before kept it, the hash then the packed reply.
//  False when it is neither.
bool mitra_idempotency_value (const void *value, size_t size, uint64_t *hash, uint64_t *seq);

#endif
