/*  mitra_health -- how a partnership is doing, 0..100, and why: five
    components, each with its own score, weight and a one-line explanation.
    Computed when asked, from the records, as of a given day.
*/
#ifndef MITRA_HEALTH_H
#define MITRA_HEALTH_H

#include "mitra_agreements.h"
#include "mitra_partnership.h"

#define MITRA_HEALTH_COMPONENTS 5
#define MITRA_NOTICE_DEFAULT    30      //  days an agreement counts as expiring without notice_days

typedef struct {
    const char *name;           //  "milestones", "evaluation", "agreement", "communication", "contributions"
    uint32_t score;             //  0..100
    uint32_t weight;            //  the weights add up to 100
    char explanation [224];
} mitra_health_component_t;

typedef struct {
    uint32_t score;             //  round (sum of score x weight / 100)
    mitra_health_component_t components [MITRA_HEALTH_COMPONENTS];
    mitra_agreement_state_t agreement;  //  what the agreement component read
} mitra_health_t;

//  Compute the health as of `today` (days since the epoch). Returns 0 or a
//  MITRA_STORE_ code.
int mitra_health_compute (mitra_txn_t *txn, mitra_partnership_t *partnership, int64_t today,
                          mitra_health_t *health);

//  Pack one health entry {partnership, name, status, score, as_of, components}.
void mitra_health_pack (const mitra_partnership_t *partnership, const mitra_health_t *health,
                        int64_t today, msgpack_packer *pk);

int mitra_health_query (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                        msgpack_packer *pk, mitra_error_t *err);

#endif
