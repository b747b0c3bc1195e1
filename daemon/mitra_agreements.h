/*  mitra_agreements -- versioned agreements and their signatures, stored as
    "p/<id>/agreement/<version, 10 digits>".

    An agreement is in force when every current member has signed the
    current version: a new version, or a new member, needs new signatures.
*/
#ifndef MITRA_AGREEMENTS_H
#define MITRA_AGREEMENTS_H

#include "mitra_partnership.h"

int mitra_agreements_apply_drafted (mitra_apply_t *ctx, const msgpack_object *data,
                                    mitra_error_t *err);
int mitra_agreements_apply_signed (mitra_apply_t *ctx, const msgpack_object *data,
                                   mitra_error_t *err);

//  The current agreement of a partnership, as the guards and health see it.
typedef struct {
    bool drafted;                   //  a current version exists
    uint32_t version;
    bool in_force;                  //  every current member has signed it
    int64_t effective;              //  day
    int64_t expires;                //  day, or MITRA_NO_DAY
    int64_t notice_days;            //  -1 when not given
    size_t signed_count;            //  current members who signed
    size_t unsigned_count;          //  current members who have not
    char unsigned_orgs [256];       //  their ids, "a, b" (cut when long)
} mitra_agreement_state_t;

//  Fill `state` for the partnership's current version. Returns 0 or a
//  MITRA_STORE_ code.
int mitra_agreements_state (mitra_txn_t *txn, mitra_partnership_t *partnership,
                            mitra_agreement_state_t *state);

//  Publish agreement.in_force for the current version (which must be in
//  force). Returns 0 or -1 with `err`.
int mitra_agreements_emit_in_force (mitra_apply_t *ctx, mitra_partnership_t *partnership,
                                    mitra_error_t *err);

//  Pack the current agreement for partnership.get: a map, or nil when none
//  is drafted. Returns 0 or a MITRA_STORE_ code.
int mitra_agreements_pack_current (mitra_txn_t *txn, mitra_partnership_t *partnership,
                                   msgpack_packer *pk);

#endif
