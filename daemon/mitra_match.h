/*  mitra_match -- finding partners: candidate organizations ranked by how
    well their focus areas and values align, and by how their kinds
    complement each other (a funder for an NGO, an NGO for a funder).

    Candidates come from indexes kept beside the organization records
    (MITRA_TABLE_INDEX): "org-focus/<term>\0<org>", "org-value/<term>\0<org>"
    (terms folded to lower case, spaces trimmed and collapsed) and
    "org-kind/<kind>/<org>", so a match reads only organizations that share
    something, never every organization.
*/
#ifndef MITRA_MATCH_H
#define MITRA_MATCH_H

#include "mitra_model.h"

//  Bring the indexes of `org` in line with its record: `old` is the record
//  before (NULL for a new org), `data` the fields given now (a field not
//  in `data` keeps its value from `old`). Returns 0 or -1 with `err`.
int mitra_match_index_org (mitra_txn_t *txn, const char *org, const msgpack_object *old,
                           const msgpack_object *data, mitra_error_t *err);

int mitra_match_query (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                       msgpack_packer *pk, mitra_error_t *err);

#endif
