/*  mitra_verify_model -- the consistency checker's part for the model:
    every partnership record has its index entries (partnership/, status/,
    type/, member/) and every index entry names a record that agrees with
    it; the lead and every member are registered organizations and the lead
    is a member. Read-only, inside the checker's snapshot.
*/
#ifndef MITRA_VERIFY_MODEL_H
#define MITRA_VERIFY_MODEL_H

#include <stdio.h>

#include "mitra_store.h"

//  Report each problem through `problem` (printf-style, with `arg`).
//  Returns the number of partnerships checked, or -1 if the store could not
//  be read.
typedef void (mitra_verify_problem_fn) (void *arg, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));
long mitra_verify_model (mitra_txn_t *txn, mitra_verify_problem_fn *problem, void *arg);

#endif
