/*  mitra_verify -- the consistency checker behind `mitrad --verify`.

    Walks the whole store in one read transaction (a consistent snapshot,
    safe beside a running daemon) and checks every invariant the daemon
    relies on: contiguous sequence numbers, decodable records, the
    idempotency table agreeing with the event log both ways, one
    event.<type> notification per event, records stored under their own id.
    It never writes.
*/
#ifndef MITRA_VERIFY_H
#define MITRA_VERIFY_H

#include <stdio.h>

#include "mitra_store.h"

//  Check the store, printing one line per problem and a summary to
//  `report`. Returns the number of problems (0: consistent), or -1 if the
//  store could not be read at all.
long mitra_verify_run (mitra_store_t *store, FILE *report);

#endif
