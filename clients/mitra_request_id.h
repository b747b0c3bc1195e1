/*  mitra_request_id -- request ids that no other client will ever use.

    mitrad keys idempotency on (sender principal, request id), and every
    local client shares the principal "local". So an id must be unique
    across all clients of a daemon, not just within one: each generator
    takes 128 random bits from /dev/urandom once and appends a counter.
    Never falls back to a weaker source: no randomness, no generator.
*/
#ifndef MITRA_REQUEST_ID_H
#define MITRA_REQUEST_ID_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _mitra_request_id_t mitra_request_id_t;

//  A generator with a fresh random prefix; NULL (errno set) when
//  /dev/urandom cannot be read.
mitra_request_id_t *mitra_request_id_new (void);

void mitra_request_id_destroy (mitra_request_id_t **self_p);

//  The next id: 32 hex digits, '-', a decimal counter from 1. At most 53
//  bytes. Valid until the next call.
const char *mitra_request_id_next (mitra_request_id_t *self);

//  True if `id` is a valid wire request id: 1..64 bytes of 0x21..0x7e.
bool mitra_request_id_valid (const char *id);

#ifdef __cplusplus
}
#endif

#endif
