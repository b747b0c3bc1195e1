/*  mitra_schema -- the table of event types and queries, and the validator
    that follows it.

    One table says, for every event type and query: its fields, their kinds,
    which are required, and their limits. The daemon validates with it, the
    CLI converts `key=value` arguments with it, and PROTOCOL.md documents it
    (a test checks that every type and field is in the spec).

    Validation only looks at the shape and values of one request; whether a
    referenced record exists is the model's job.
*/
#ifndef MITRA_SCHEMA_H
#define MITRA_SCHEMA_H

#include "mitra_codec.h"

#ifdef __cplusplus
extern "C" {
#endif

//  max for INT fields that are "at least N": every uint64 fits below it.
#define MITRA_SCHEMA_NO_UPPER_BOUND 18446744073709551615.0

typedef enum {
    MITRA_FIELD_SLUG,         //  an id: 1..64 bytes of [a-z0-9-_.], starting with [a-z0-9]
    MITRA_FIELD_TEXT,         //  UTF-8 string of 1..max bytes, no NUL
    MITRA_FIELD_ENUM,         //  one of `values`
    MITRA_FIELD_DATE,         //  YYYY-MM-DD, a real calendar date
    MITRA_FIELD_INSTANT,      //  RFC 3339 in UTC: YYYY-MM-DDTHH:MM:SS[.fff]Z
    MITRA_FIELD_DURATION,     //  N followed by d, w, mo or y: 90d, 12w, 3mo, 1y
    MITRA_FIELD_INT,          //  integer within [min, max]; floats refused, even 2.0
    MITRA_FIELD_NUMBER,       //  integer or float within [min, max]
    MITRA_FIELD_BOOL,
    MITRA_FIELD_TEXT_LIST,    //  array of TEXT, at most `max_items`
    MITRA_FIELD_SLUG_LIST,    //  array of SLUG, at most `max_items`
    MITRA_FIELD_OBJECT,       //  map validated against `fields`
    MITRA_FIELD_OBJECT_LIST,  //  array of OBJECT, at most `max_items`
} mitra_field_kind_t;

typedef struct mitra_field_s mitra_field_t;
struct mitra_field_s {
    const char *name;
    mitra_field_kind_t kind;
    bool required;
    uint32_t max_len;               //  TEXT/TEXT_LIST items: bytes (0 = 1024)
    uint32_t max_items;             //  lists (0 = 64)
    double min, max;                //  INT/NUMBER bounds (both 0 = unbounded)
    const char *const *values;      //  ENUM: NULL-terminated
    const mitra_field_t *fields;    //  OBJECT/OBJECT_LIST: terminated by {NULL}
    const char *doc;                //  one line for PROTOCOL.md and --help
};

typedef enum { MITRA_SCHEMA_EVENT, MITRA_SCHEMA_QUERY } mitra_schema_kind_t;

typedef struct {
    mitra_schema_kind_t kind;
    const char *name;               //  "org.registered", "hello"
    const mitra_field_t *fields;    //  terminated by {NULL}
    const char *doc;
} mitra_schema_t;

//  The entry for an event type or query name; NULL if unknown.
const mitra_schema_t *mitra_schema_find (mitra_schema_kind_t kind, const char *name);

//  Every entry, in table order; sets *count.
const mitra_schema_t *mitra_schema_all (size_t *count);

//  Validate `body` (a map, or NULL for a query without args) against the
//  entry. Unknown fields are refused (`invalid_field`) so that typos show.
//  On failure fills `err` with missing_field or invalid_field naming the
//  field path (e.g. "terms[1].org") and returns -1.
int mitra_schema_validate (const mitra_schema_t *schema, const msgpack_object *body,
                           mitra_error_t *err);

//  The field of that name in a field table; NULL if none.
const mitra_field_t *mitra_schema_field (const mitra_field_t *fields, const char *name);

//  True when `text` is a valid slug (an id such as an org): 1..64 bytes of
//  [a-z0-9-_.], starting with [a-z0-9].
bool mitra_schema_slug_valid (const char *text);

//  Name of a field kind for documentation ("slug", "date", ...).
const char *mitra_field_kind_name (mitra_field_kind_t kind);

#ifdef __cplusplus
}
#endif

#endif
