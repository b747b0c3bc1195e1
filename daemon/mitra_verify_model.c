/*  mitra_verify_model -- records against indexes, both ways.

    From the records: each "p/<id>" is loaded and its index keys looked up.
    From the indexes: each "status/", "type/" and "member/" key's
    partnership is loaded and compared. A record without its
    "partnership/" key is found by walking the records' own keys.
*/
#include "mitra_verify_model.h"
#include "mitra_partnership.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    mitra_txn_t *txn;
    mitra_verify_problem_fn *problem;
    void *arg;
    long checked;
    int rc;
} s_check_t;

static bool
s_indexed (mitra_txn_t *txn, const char *key)
{
    return mitra_txn_exists (txn, MITRA_TABLE_INDEX, key, strlen (key));
}

static bool
s_org_exists (mitra_txn_t *txn, const char *org)
{
    char key [96];
    snprintf (key, sizeof key, "org/%s", org);
    return mitra_txn_exists (txn, MITRA_TABLE_STATE, key, strlen (key));
}

//  From a record to its index entries and references.
static int
s_partnership_visit (const char *id, void *arg)
{
    s_check_t *check = arg;
    int rc;
    mitra_partnership_t *partnership = mitra_partnership_load (check->txn, id, &rc);
    if (!partnership) {
        check->problem (check->arg, "index partnership/%s names no partnership record", id);
        return 0;
    }
    check->checked++;
    char key [256];
    snprintf (key, sizeof key, "status/%s/%s", mitra_status_name (partnership->status), id);
    if (!s_indexed (check->txn, key))
        check->problem (check->arg, "partnership %s is %s but index %s is missing", id,
                        mitra_status_name (partnership->status), key);
    snprintf (key, sizeof key, "type/%s/%s", partnership->type, id);
    if (!s_indexed (check->txn, key))
        check->problem (check->arg, "partnership %s: index %s is missing", id, key);
    bool lead_is_member = false;
    for (size_t index = 0; index < partnership->member_count; index++) {
        const char *org = partnership->members [index].org;
        snprintf (key, sizeof key, "member/%s/%s", org, id);
        if (!s_indexed (check->txn, key))
            check->problem (check->arg, "partnership %s: member %s has no index %s", id, org, key);
        if (!s_org_exists (check->txn, org))
            check->problem (check->arg, "partnership %s: member %s is not a registered org", id, org);
        lead_is_member |= strcmp (org, partnership->lead) == 0;
    }
    if (!s_org_exists (check->txn, partnership->lead))
        check->problem (check->arg, "partnership %s: lead %s is not a registered org", id,
                        partnership->lead);
    if (!lead_is_member)
        check->problem (check->arg, "partnership %s: lead %s is not a member", id, partnership->lead);
    mitra_partnership_destroy (&partnership);
    return 0;
}

//  From an index entry "<kind>/<value>/<id>" back to its record.
static int
s_index_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) value, (void) value_size;
    s_check_t *check = arg;
    char text [256];
    if (key_size >= sizeof text)
        return 0;
    memcpy (text, key, key_size);
    text [key_size] = 0;
    char *first = strchr (text, '/');
    char *last = strrchr (text, '/');
    if (!first || first == last)
        return 0;
    *first = 0;
    *last = 0;
    const char *kind = text, *wanted = first + 1, *id = last + 1;
    int rc;
    mitra_partnership_t *partnership = mitra_partnership_load (check->txn, id, &rc);
    if (!partnership) {
        check->problem (check->arg, "index %s/%s/%s names no partnership record", kind, wanted, id);
        return 0;
    }
    bool agrees = true;
    if (strcmp (kind, "status") == 0)
        agrees = strcmp (mitra_status_name (partnership->status), wanted) == 0;
    else
    if (strcmp (kind, "type") == 0)
        agrees = strcmp (partnership->type, wanted) == 0;
    else
        agrees = mitra_partnership_member (partnership, wanted) != NULL;
    if (!agrees)
        check->problem (check->arg, "index %s/%s/%s disagrees with the partnership record",
                        kind, wanted, id);
    mitra_partnership_destroy (&partnership);
    return 0;
}

//  Each "p/<id>" record (not its sub-records "p/<id>/...") is indexed.
static int
s_record_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) value, (void) value_size;
    s_check_t *check = arg;
    if (key_size <= 2 || key_size >= 200 || memchr ((const char *) key + 2, '/', key_size - 2))
        return 0;
    char index_key [256];
    snprintf (index_key, sizeof index_key, "partnership/%.*s", (int) key_size - 2,
              (const char *) key + 2);
    if (!s_indexed (check->txn, index_key))
        check->problem (check->arg, "partnership record %.*s has no index entry %s",
                        (int) key_size, (const char *) key, index_key);
    return 0;
}

long
mitra_verify_model (mitra_txn_t *txn, mitra_verify_problem_fn *problem, void *arg)
{
    s_check_t check = { txn, problem, arg, 0, 0 };
    int rc = mitra_partnership_scan_ids (txn, "partnership/", s_partnership_visit, &check);
    static const char *prefixes [] = { "status/", "type/", "member/" };
    for (size_t index = 0; index < 3 && rc == 0; index++)
        rc = mitra_txn_scan (txn, MITRA_TABLE_INDEX, prefixes [index], strlen (prefixes [index]),
                             NULL, 0, false, s_index_visit, &check);
    if (rc == 0)
        rc = mitra_txn_scan (txn, MITRA_TABLE_STATE, "p/", 2, NULL, 0, false, s_record_visit, &check);
    return rc? -1: check.checked;
}
