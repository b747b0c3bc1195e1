/*  mitra_schema_table -- the data of the schema: every event type and query
    with its fields, kinds, limits and one-line docs. No code lives here but
    the accessor; the validator is in mitra_schema.c.

    Adding an event type: a field array and one line in s_schemas, a section
    in PROTOCOL.md (test_protocol_doc checks it), and a handler in the
    daemon's model.
*/
#include "mitra_schema.h"

#include <stddef.h>

#define S_END { .name = NULL }

static const char *const s_org_kinds [] = {
    "ngo", "business", "government", "research", "foundation", "company",
    "individual", "other", NULL
};

//  org.registered and org.updated share their fields; only `required` differs.
#define S_ORG_FIELDS(all_required)                                            \
    { .name = "org", .kind = MITRA_FIELD_SLUG, .required = true,              \
      .doc = "the organization's id, chosen by you, like ngo-hijau" },        \
    { .name = "name", .kind = MITRA_FIELD_TEXT, .required = all_required,     \
      .max_len = 200, .doc = "the organization's display name" },             \
    { .name = "kind", .kind = MITRA_FIELD_ENUM, .required = all_required,     \
      .values = s_org_kinds, .doc = "what kind of organization it is" },      \
    { .name = "mission", .kind = MITRA_FIELD_TEXT, .max_len = 2000,           \
      .doc = "its mission, in a sentence or a paragraph" },                   \
    { .name = "focus", .kind = MITRA_FIELD_TEXT_LIST, .max_len = 100,         \
      .max_items = 32, .doc = "focus areas, like water or education" },       \
    { .name = "values", .kind = MITRA_FIELD_TEXT_LIST, .max_len = 100,        \
      .max_items = 32, .doc = "values it holds, like transparency" },         \
    { .name = "country", .kind = MITRA_FIELD_TEXT, .max_len = 64,             \
      .doc = "country where it is based, like Indonesia" },                   \
    S_END

static const mitra_field_t s_org_registered [] = { S_ORG_FIELDS (true) };
static const mitra_field_t s_org_updated [] = { S_ORG_FIELDS (false) };

static const mitra_field_t s_no_args [] = { S_END };

static const mitra_field_t s_log_args [] = {
    { .name = "since", .kind = MITRA_FIELD_INT, .min = 1, .max = MITRA_SCHEMA_NO_UPPER_BOUND,
      .doc = "first event-log sequence number to return (default 1)" },
    { .name = "limit", .kind = MITRA_FIELD_INT, .min = 1, .max = 1000,
      .doc = "most events to return in one page (default 100)" },
    { .name = "type", .kind = MITRA_FIELD_TEXT, .max_len = 63,
      .doc = "only events of this type, like org.registered" },
    S_END
};

static const mitra_field_t s_notifications_args [] = {
    { .name = "since", .kind = MITRA_FIELD_INT, .min = 1, .max = MITRA_SCHEMA_NO_UPPER_BOUND,
      .doc = "first notification-log sequence number to return (default 1)" },
    { .name = "limit", .kind = MITRA_FIELD_INT, .min = 1, .max = 1000,
      .doc = "most notifications to return in one page (default 100)" },
    { .name = "prefix", .kind = MITRA_FIELD_TEXT_LIST, .max_len = 128, .max_items = 16,
      .doc = "only topics starting with one of these, like milestone." },
    S_END
};

static const mitra_field_t s_org_get_args [] = {
    { .name = "org", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the id of the organization to return" },
    S_END
};

static const mitra_schema_t s_schemas [] = {
    { MITRA_SCHEMA_EVENT, "org.registered", s_org_registered,
      "register an organization that may take part in partnerships" },
    { MITRA_SCHEMA_EVENT, "org.updated", s_org_updated,
      "change an organization's details; the fields given replace the old ones" },
    { MITRA_SCHEMA_QUERY, "hello", s_no_args,
      "the daemon's version, protocol and current sequence numbers" },
    { MITRA_SCHEMA_QUERY, "log", s_log_args,
      "a page of the event log" },
    { MITRA_SCHEMA_QUERY, "notifications", s_notifications_args,
      "a page of the notification log, to replay what a subscriber missed" },
    { MITRA_SCHEMA_QUERY, "org.get", s_org_get_args,
      "one organization's record" },
    { MITRA_SCHEMA_QUERY, "org.list", s_no_args,
      "every organization's record" },
};


#define S_SCHEMA_COUNT (sizeof s_schemas / sizeof s_schemas [0])

const mitra_schema_t *
mitra_schema_all (size_t *count)
{
    if (count)
        *count = S_SCHEMA_COUNT;
    return s_schemas;
}

