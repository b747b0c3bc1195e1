/*  mitra_partnership -- the partnership record that every domain file of
    the model reads and writes: "p/<id>" in the state table, with its
    members embedded, and the secondary indexes that follow from it.

    A loaded record borrows its text and list values from the stored
    document (or, once changed, from the event being applied), so it lives
    no longer than the transaction it was loaded in. Saving writes the
    record and nothing else; the index entries change through the
    functions below, called where membership or status changes.

    Sub-records live under the same prefix (see PROTOCOL.md, and each
    domain file): "p/<id>/agreement/<version>", "p/<id>/goal/<goal>",
    "p/<id>/milestone/<milestone>", "p/<id>/evaluation/<seq>",
    "p/<id>/contribution/<seq>", "p/<id>/reach/<seq>".
*/
#ifndef MITRA_PARTNERSHIP_H
#define MITRA_PARTNERSHIP_H

#include "mitra_model.h"

#define MITRA_MEMBERS_MAX       64      //  members of one partnership

typedef enum {
    MITRA_STATUS_PROPOSED,
    MITRA_STATUS_NEGOTIATING,
    MITRA_STATUS_ACTIVE,
    MITRA_STATUS_ON_HOLD,
    MITRA_STATUS_CONCLUDED,
    MITRA_STATUS_TERMINATED,
    MITRA_STATUS_COUNT_
} mitra_status_t;

typedef struct {
    char org [72];
    const msgpack_object *role;             //  text
    const msgpack_object *responsibilities; //  text list, or NULL
    const msgpack_object *expectations;     //  text list, or NULL
    int64_t joined_ms;
    uint64_t joined_seq;
    int64_t last_contact;                   //  day of the latest contact, or MITRA_NO_DAY
    uint64_t contacts;                      //  contacts logged
} mitra_member_t;

typedef struct {
    char id [72];
    const msgpack_object *name;
    char type [16];
    char lead [72];
    const msgpack_object *purpose;          //  or NULL
    const msgpack_object *starts;           //  date text, or NULL
    const msgpack_object *ends;             //  date text, or NULL
    mitra_status_t status;
    const msgpack_object *status_reason;    //  reason of the last transition, or NULL
    int64_t status_ms;                      //  when the status last changed (proposal included)
    uint64_t status_seq;
    //  Lead times: the partnership's own when `_set`, else the configured
    //  default (mitra_deadlines_rules), which a record does not store so
    //  that a changed default reaches it
    uint32_t stale_days;
    bool stale_days_set;
    uint32_t milestone_lead_days;
    bool milestone_lead_days_set;
    int64_t proposed_ms;
    uint64_t proposed_seq;
    uint32_t agreement_version;             //  the current version; 0 when none drafted
    //  The evaluation cycle: `evaluation_every` NULL when none is scheduled.
    const msgpack_object *evaluation_every; //  duration text
    int64_t evaluation_next;                //  day of the next evaluation
    uint32_t evaluation_lead_days;
    bool evaluation_lead_days_set;
    int64_t last_evaluation;                //  day of the latest evaluation, or MITRA_NO_DAY
    uint64_t evaluations;
    uint64_t reach_total;                   //  people, summed over reach records
    uint64_t reach_records;
    size_t member_count;
    mitra_member_t members [MITRA_MEMBERS_MAX];
    mitra_doc_t *doc;                       //  the stored record the pointers borrow from
} mitra_partnership_t;

//  The wire name of a status ("on_hold"); and back, -1 if unknown.
const char *mitra_status_name (mitra_status_t status);
int mitra_status_from_name (const char *name);

//  A new record, all zero but the defaults. Free with mitra_partnership_destroy.
mitra_partnership_t *mitra_partnership_new (void);

//  Load "p/<id>". NULL with *rc NOTFOUND or FAILED (a record that does not
//  decode counts as FAILED).
mitra_partnership_t *mitra_partnership_load (mitra_txn_t *txn, const char *id, int *rc);

//  Load the partnership named by the `partnership` field of `data`; NULL
//  with `err` set: not_found naming `partnership`, or a storage error.
mitra_partnership_t *mitra_partnership_require (mitra_txn_t *txn, const msgpack_object *data,
                                                mitra_error_t *err);

void mitra_partnership_destroy (mitra_partnership_t **self_p);

//  Write the record; 0 or -1 with `err`.
int mitra_partnership_save (mitra_txn_t *txn, const mitra_partnership_t *self, mitra_error_t *err);

//  True when the status is concluded or terminated: nothing new is taken.
bool mitra_partnership_closed (const mitra_partnership_t *self);

//  Refuse `what` (like "new goals") for a closed partnership: conflict with
//  a message that says why and what to do instead. 0 when open.
int mitra_partnership_require_open (const mitra_partnership_t *self, const char *what,
                                    mitra_error_t *err);

//  The member of that org, or NULL.
mitra_member_t *mitra_partnership_member (mitra_partnership_t *self, const char *org);

//  The current member of `org` named by `field` of `data`; NULL with
//  not_found naming the field when it is not a member.
mitra_member_t *mitra_partnership_require_member (mitra_partnership_t *self,
                                                  const msgpack_object *data,
                                                  const char *field, mitra_error_t *err);

//  Key of the record or of a sub-record: "p/<id>" or "p/<id>/<kind>/<name>"
//  (`kind` NULL for the record itself).
void mitra_partnership_key (char *key, size_t size, const char *id, const char *kind,
                            const char *name);

//  Sub-records numbered by the event that made them sort by that seq.
void mitra_partnership_seq_key (char *key, size_t size, const char *id, const char *kind,
                                uint64_t seq);

//  --- secondary indexes (MITRA_TABLE_INDEX)
//  "partnership/<p>", "status/<status>/<p>", "type/<type>/<p>", "member/<org>/<p>".

int mitra_partnership_index_new (mitra_txn_t *txn, const mitra_partnership_t *self,
                                 mitra_error_t *err);
int mitra_partnership_index_status (mitra_txn_t *txn, const char *id, mitra_status_t from,
                                    mitra_status_t to, mitra_error_t *err);
int mitra_partnership_index_member (mitra_txn_t *txn, const char *id, const char *org,
                                    bool member, mitra_error_t *err);

//  Visit the ids of the partnerships under an index prefix ("partnership/",
//  "member/<org>/", ...), in byte order of the id. `visit` returns non-zero
//  to stop. Returns 0 or a MITRA_STORE_ code.
typedef int (mitra_partnership_visit_fn) (const char *id, void *arg);
int mitra_partnership_scan_ids (mitra_txn_t *txn, const char *prefix,
                                mitra_partnership_visit_fn *visit, void *arg);

#endif
