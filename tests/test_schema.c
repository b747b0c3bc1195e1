/*  test_schema -- the validator accepts what the table allows and refuses
    everything else with the right code, field path and a message that says
    what was expected. Bodies are written in a JSON-like shorthand with
    single quotes so that the cases read like the requests they stand for.
*/
#include "mitra_schema.h"
#include "mitra_test.h"

#include <math.h>
#include <stdlib.h>

//  --------------------------------------------------------------------------
//  Shorthand: {'org':'x','focus':['a'],'n':3,'f':1.5,'b':true,'z':null}
//  packed as msgpack. No escapes; test input only.

static const char *
s_pack_value (msgpack_packer *pk, const char *text)
{
    if (*text == '{' || *text == '[') {
        bool is_map = *text == '{';
        char close = is_map ? '}' : ']';
        //  Count the items first: top-level commas at this nesting level.
        size_t items = 0;
        int level = 0;
        bool in_str = false;
        for (const char *p = text + 1; *p && (level > 0 || in_str || *p != close); p++) {
            if (*p == '\'')
                in_str = !in_str;
            else
            if (!in_str && (*p == '{' || *p == '['))
                level++;
            else
            if (!in_str && (*p == '}' || *p == ']'))
                level--;
            else
            if (!in_str && level == 0 && *p == ',')
                items++;
            if (items == 0)
                items = 1;
        }
        if (is_map)
            msgpack_pack_map (pk, items);
        else
            msgpack_pack_array (pk, items);
        text++;
        for (size_t index = 0; index < items; index++) {
            text = s_pack_value (pk, text);
            if (is_map)
                text = s_pack_value (pk, text + 1);         //  skip ':'
            if (*text == ',')
                text++;
        }
        return text + 1;                                    //  skip the close
    }
    if (*text == '\'') {
        const char *end = strchr (text + 1, '\'');
        mitra_pack_strn (pk, text + 1, (size_t) (end - text - 1));
        return end + 1;
    }
    if (strncmp (text, "true", 4) == 0) {
        msgpack_pack_true (pk);
        return text + 4;
    }
    if (strncmp (text, "false", 5) == 0) {
        msgpack_pack_false (pk);
        return text + 5;
    }
    if (strncmp (text, "null", 4) == 0) {
        msgpack_pack_nil (pk);
        return text + 4;
    }
    char *end;
    size_t span = strspn (text, "-0123456789");
    if (text [span] == '.' || text [span] == 'e') {
        msgpack_pack_double (pk, strtod (text, &end));
        return end;
    }
    if (*text == '-') {
        msgpack_pack_int64 (pk, strtoll (text, &end, 10));
        return end;
    }
    msgpack_pack_uint64 (pk, strtoull (text, &end, 10));
    return end;
}

//  Decodes the shorthand through the strict decoder, as the daemon would.
static mitra_doc_t *
s_doc (const char *text)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    s_pack_value (&pk, text);
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (sbuf.data, sbuf.size, NULL, &err);
    if (!doc)
        fprintf (stderr, "  cannot decode %s: %s\n", text, err.message);
    msgpack_sbuffer_destroy (&sbuf);
    return doc;
}

//  Validates `body` (NULL: no body) against the named entry; expects `code`
//  on `field` with `words` in the message, or success for MITRA_OK.
static void
s_check (const mitra_schema_t *schema, const char *body, mitra_error_code_t code,
         const char *field, const char *words, int line)
{
    mitra_doc_t *doc = body ? s_doc (body) : NULL;
    mitra_error_t err = { 0 };
    int rc = mitra_schema_validate (schema, doc ? mitra_doc_root (doc) : NULL, &err);
    bool ok = code == MITRA_OK ? rc == 0
            : rc == -1 && err.code == code && strcmp (err.field, field) == 0
              && (!words || strstr (err.message, words));
    CHECK (ok);
    if (!ok)
        fprintf (stderr, "  line %d: %s: rc %d, code %s, field '%s': %s\n", line, body, rc,
                 mitra_error_code_name (err.code), err.field, err.message);
    mitra_doc_destroy (&doc);
}

#define EVENT(name) mitra_schema_find (MITRA_SCHEMA_EVENT, name)
#define QUERY(name) mitra_schema_find (MITRA_SCHEMA_QUERY, name)
#define OK(schema, body) s_check (schema, body, MITRA_OK, "", NULL, __LINE__)
#define MISSING(schema, body, field) \
    s_check (schema, body, MITRA_ERR_MISSING_FIELD, field, NULL, __LINE__)
#define INVALID(schema, body, field, words) \
    s_check (schema, body, MITRA_ERR_INVALID_FIELD, field, words, __LINE__)

//  A string of `count` copies of `c` inside quotes, for length limits.
static const char *
s_repeat (char c, size_t count)
{
    static char buffers [4][2100];
    static int next = 0;
    char *buffer = buffers [next++ % 4];
    buffer [0] = '\'';
    memset (buffer + 1, c, count);
    buffer [count + 1] = '\'';
    buffer [count + 2] = '\0';
    return buffer;
}

//  --------------------------------------------------------------------------
//  Tests

static void
test_table (void)
{
    size_t count = 0;
    const mitra_schema_t *all = mitra_schema_all (&count);
    CHECK_INT (count, 31);
    for (size_t index = 0; index < count; index++) {
        CHECK (all [index].name && all [index].doc && *all [index].doc);
        CHECK (mitra_schema_find (all [index].kind, all [index].name) == &all [index]);
        for (const mitra_field_t *field = all [index].fields; field->name; field++)
            CHECK (field->doc && *field->doc);
    }
    CHECK (EVENT ("org.registered"));
    CHECK (EVENT ("org.updated"));
    CHECK (QUERY ("hello") && QUERY ("log") && QUERY ("notifications"));
    CHECK (QUERY ("org.get") && QUERY ("org.list"));
    CHECK (QUERY ("due"));
    CHECK (QUERY ("org.registered") == NULL);
    CHECK (EVENT ("hello") == NULL);
    CHECK (EVENT ("org.deleted") == NULL);
    CHECK (EVENT (NULL) == NULL);

    const mitra_field_t *kind = mitra_schema_field (EVENT ("org.registered")->fields, "kind");
    CHECK (kind && kind->kind == MITRA_FIELD_ENUM && kind->required);
    CHECK (!mitra_schema_field (EVENT ("org.updated")->fields, "kind")->required);
    CHECK (mitra_schema_field (EVENT ("org.updated")->fields, "org")->required);
    CHECK (mitra_schema_field (EVENT ("org.registered")->fields, "nope") == NULL);

    CHECK_STR (mitra_field_kind_name (MITRA_FIELD_SLUG), "slug");
    CHECK_STR (mitra_field_kind_name (MITRA_FIELD_DATE), "date");
    //  Every kind has its own name.
    for (int a = MITRA_FIELD_SLUG; a <= MITRA_FIELD_OBJECT_LIST; a++)
        for (int b = a + 1; b <= MITRA_FIELD_OBJECT_LIST; b++)
            CHECK (strcmp (mitra_field_kind_name ((mitra_field_kind_t) a),
                           mitra_field_kind_name ((mitra_field_kind_t) b)) != 0);
}

static void
test_org_registered (void)
{
    const mitra_schema_t *schema = EVENT ("org.registered");
    OK (schema, "{'org':'ngo-hijau','name':'Hijau','kind':'ngo'}");
    OK (schema, "{'org':'ngo-hijau','name':'Yayasan Hijau \xc3\xa9','kind':'foundation',"
                "'mission':'Clean water for all','focus':['water','health'],"
                "'values':['transparency'],'country':'Indonesia'}");
    OK (schema, "{'org':'a','name':'x','kind':'other','focus':[]}");
    OK (schema, "{'kind':'ngo','name':'x','org':'0._-x'}");

    MISSING (schema, "{'name':'Hijau','kind':'ngo'}", "org");
    MISSING (schema, "{'org':'ngo-hijau','kind':'ngo'}", "name");
    MISSING (schema, "{'org':'ngo-hijau','name':'Hijau'}", "kind");
    MISSING (schema, "{}", "org");
    s_check (schema, NULL, MITRA_ERR_MISSING_FIELD, "data", NULL, __LINE__);
    INVALID (schema, "['ngo-hijau']", "data", "must be a map");

    INVALID (schema, "{'org':'ngo-hijau','name':'Hijau','kind':'ngo','orgg':'x'}", "orgg",
             "unknown field 'orgg' for org.registered; "
             "allowed: org, name, kind, mission, focus, values, country");
    //  A typo is reported as itself, before the required field it replaced.
    INVALID (schema, "{'orgg':'ngo-hijau','name':'Hijau','kind':'ngo'}", "orgg", "unknown field");

    //  Slugs.
    const char *bad_slugs [] = { "'Ngo'", "'-ngo'", "'.ngo'", "''", "'a b'", "'ngo/x'",
                                 "'ng\xc3\xa9'", "12", "null", "['ngo']" };
    for (size_t index = 0; index < sizeof bad_slugs / sizeof bad_slugs [0]; index++) {
        char body [200];
        snprintf (body, sizeof body, "{'org':%s,'name':'x','kind':'ngo'}", bad_slugs [index]);
        INVALID (schema, body, "org", "must be a slug");
    }
    char body [2400];
    snprintf (body, sizeof body, "{'org':%s,'name':'x','kind':'ngo'}", s_repeat ('a', 64));
    OK (schema, body);
    snprintf (body, sizeof body, "{'org':%s,'name':'x','kind':'ngo'}", s_repeat ('a', 65));
    INVALID (schema, body, "org", "1..64 bytes");

    //  Text.
    snprintf (body, sizeof body, "{'org':'o','name':%s,'kind':'ngo'}", s_repeat ('n', 200));
    OK (schema, body);
    snprintf (body, sizeof body, "{'org':'o','name':%s,'kind':'ngo'}", s_repeat ('n', 201));
    INVALID (schema, body, "name", "must be text of 1..200 bytes");
    INVALID (schema, "{'org':'o','name':'','kind':'ngo'}", "name", "1..200");
    INVALID (schema, "{'org':'o','name':7,'kind':'ngo'}", "name", "(got an integer)");
    INVALID (schema, "{'org':'o','name':null,'kind':'ngo'}", "name", "(got nil)");
    snprintf (body, sizeof body, "{'org':'o','name':'x','kind':'ngo','mission':%s}",
              s_repeat ('m', 2000));
    OK (schema, body);
    snprintf (body, sizeof body, "{'org':'o','name':'x','kind':'ngo','mission':%s}",
              s_repeat ('m', 2001));
    INVALID (schema, body, "mission", "1..2000");
    snprintf (body, sizeof body, "{'org':'o','name':'x','kind':'ngo','country':%s}",
              s_repeat ('c', 65));
    INVALID (schema, body, "country", "1..64");

    //  Enum.
    const char *kinds [] = { "ngo", "business", "government", "research", "foundation",
                             "company", "individual", "other" };
    for (size_t index = 0; index < 8; index++) {
        snprintf (body, sizeof body, "{'org':'o','name':'x','kind':'%s'}", kinds [index]);
        OK (schema, body);
    }
    INVALID (schema, "{'org':'o','name':'x','kind':'charity'}", "kind",
             "must be one of: ngo, business, government, research, foundation, company, "
             "individual, other");
    INVALID (schema, "{'org':'o','name':'x','kind':'NGO'}", "kind", "one of");
    INVALID (schema, "{'org':'o','name':'x','kind':1}", "kind", "one of");

    //  Lists: type, count, each item with its path.
    INVALID (schema, "{'org':'o','name':'x','kind':'ngo','focus':'water'}", "focus",
             "a list of at most 32 texts of 1..100 bytes");
    INVALID (schema, "{'org':'o','name':'x','kind':'ngo','focus':['a','b',3]}", "focus[2]",
             "'focus[2]' must be text of 1..100 bytes");
    INVALID (schema, "{'org':'o','name':'x','kind':'ngo','values':['a','']}", "values[1]",
             "must be text");
    snprintf (body, sizeof body, "{'org':'o','name':'x','kind':'ngo','focus':[%s]}",
              s_repeat ('f', 101));
    INVALID (schema, body, "focus[0]", "1..100");
    char list [200] = "[";
    for (int index = 0; index < 33; index++)
        strcat (list, index ? ",'f'" : "'f'");
    strcat (list, "]");
    snprintf (body, sizeof body, "{'org':'o','name':'x','kind':'ngo','focus':%s}", list);
    INVALID (schema, body, "focus", "at most 32");
    list [strlen (list) - 5] = ']';             //  drop the 33rd item
    list [strlen (list) - 4] = '\0';
    snprintf (body, sizeof body, "{'org':'o','name':'x','kind':'ngo','focus':%s}", list);
    OK (schema, body);

    //  NUL inside text is refused (C code would cut the string there).
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3);
    mitra_pack_cstr (&pk, "org");
    mitra_pack_cstr (&pk, "o");
    mitra_pack_cstr (&pk, "name");
    mitra_pack_strn (&pk, "a\0b", 3);
    mitra_pack_cstr (&pk, "kind");
    mitra_pack_cstr (&pk, "ngo");
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (sbuf.data, sbuf.size, NULL, &err);
    CHECK (doc && mitra_schema_validate (schema, mitra_doc_root (doc), &err) == -1);
    CHECK_STR (err.field, "name");
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);
}

static void
test_org_updated (void)
{
    const mitra_schema_t *schema = EVENT ("org.updated");
    OK (schema, "{'org':'ngo-hijau'}");
    OK (schema, "{'org':'ngo-hijau','mission':'New mission','focus':[]}");
    MISSING (schema, "{'name':'Hijau'}", "org");
    INVALID (schema, "{'org':'ngo-hijau','kind':'club'}", "kind", "one of");
    INVALID (schema, "{'org':'ngo-hijau','registered_at':'x'}", "registered_at",
             "unknown field 'registered_at' for org.updated");
}

static void
test_queries (void)
{
    OK (QUERY ("hello"), NULL);
    OK (QUERY ("hello"), "{}");
    INVALID (QUERY ("hello"), "{'x':1}", "x", "unknown field 'x' for hello; allowed: none");
    INVALID (QUERY ("hello"), "[]", "args", "must be a map");
    OK (QUERY ("org.list"), NULL);
    OK (QUERY ("org.list"), "{}");

    const mitra_schema_t *log = QUERY ("log");
    OK (log, NULL);
    OK (log, "{'since':1,'limit':1000,'type':'org.registered'}");
    OK (log, "{'since':18446744073709551615,'limit':1}");
    INVALID (log, "{'since':0}", "since", "must be an integer of at least 1, like 1");
    INVALID (log, "{'since':-5}", "since", "at least 1");
    INVALID (log, "{'since':'1'}", "since", "(got a string)");
    INVALID (log, "{'limit':0}", "limit", "must be an integer from 1 to 1000, like 1");
    INVALID (log, "{'limit':1001}", "limit", "from 1 to 1000");
    INVALID (log, "{'limit':10.0}", "limit", "(got a float)");     //  INT refuses floats
    INVALID (log, "{'limit':true}", "limit", "(got a bool)");
    char body [300];
    snprintf (body, sizeof body, "{'type':%s}", s_repeat ('t', 64));
    INVALID (log, body, "type", "1..63");
    snprintf (body, sizeof body, "{'type':%s}", s_repeat ('t', 63));
    OK (log, body);

    const mitra_schema_t *notifications = QUERY ("notifications");
    OK (notifications, "{'since':3,'limit':10,'prefix':['milestone.','event.org.registered']}");
    INVALID (notifications, "{'prefix':'milestone.'}", "prefix", "at most 16");
    INVALID (notifications, "{'prefix':['a','b','c','d','e','f','g','h','i','j','k','l',"
                            "'m','n','o','p','q']}", "prefix", "at most 16 texts of 1..128");
    OK (notifications, "{'prefix':['a','b','c','d','e','f','g','h','i','j','k','l',"
                       "'m','n','o','p']}");
    snprintf (body, sizeof body, "{'prefix':['a',%s]}", s_repeat ('p', 129));
    INVALID (notifications, body, "prefix[1]", "1..128");
    INVALID (notifications, "{'since':0}", "since", "at least 1");

    OK (QUERY ("org.get"), "{'org':'ngo-hijau'}");
    MISSING (QUERY ("org.get"), NULL, "org");
    MISSING (QUERY ("org.get"), "{}", "org");
    INVALID (QUERY ("org.get"), "{'org':'Bad Slug'}", "org", "must be a slug");
}

//  Kinds the issue-2 table does not use yet, through a table of the test's own.
static const mitra_field_t s_term_fields [] = {
    { .name = "org", .kind = MITRA_FIELD_SLUG, .required = true, .doc = "member" },
    { .name = "share", .kind = MITRA_FIELD_NUMBER, .min = 0, .max = 1, .doc = "fraction" },
    { .name = NULL }
};
static const mitra_field_t s_test_fields [] = {
    { .name = "on", .kind = MITRA_FIELD_DATE, .doc = "a date" },
    { .name = "at", .kind = MITRA_FIELD_INSTANT, .doc = "an instant" },
    { .name = "every", .kind = MITRA_FIELD_DURATION, .doc = "a duration" },
    { .name = "count", .kind = MITRA_FIELD_INT, .doc = "any integer" },
    { .name = "score", .kind = MITRA_FIELD_NUMBER, .min = 1, .max = 5, .doc = "1..5" },
    { .name = "ratio", .kind = MITRA_FIELD_NUMBER, .doc = "any number" },
    { .name = "flag", .kind = MITRA_FIELD_BOOL, .doc = "a bool" },
    { .name = "members", .kind = MITRA_FIELD_SLUG_LIST, .max_items = 2, .doc = "slugs" },
    { .name = "lead", .kind = MITRA_FIELD_OBJECT, .fields = s_term_fields, .doc = "one" },
    { .name = "terms", .kind = MITRA_FIELD_OBJECT_LIST, .fields = s_term_fields, .doc = "terms" },
    { .name = NULL }
};
static const mitra_schema_t s_test_schema = {
    MITRA_SCHEMA_EVENT, "test.kinds", s_test_fields, "every kind"
};

static void
test_other_kinds (void)
{
    const mitra_schema_t *schema = &s_test_schema;
    OK (schema, "{'on':'2024-02-29','at':'2026-11-28T09:30:00Z','every':'3mo','count':-7,"
                "'score':4.5,'ratio':-1e300,'flag':false,'members':['a','b'],"
                "'lead':{'org':'x'},'terms':[{'org':'a','share':0.5},{'org':'b'}]}");
    OK (schema, "{'score':1,'ratio':18446744073709551615}");

    INVALID (schema, "{'on':'2023-02-29'}", "on", "must be a date YYYY-MM-DD, like 2026-03-31");
    INVALID (schema, "{'on':20240229}", "on", "YYYY-MM-DD");
    INVALID (schema, "{'at':'2026-11-28T09:30:00'}", "at", "like 2026-11-28T09:30:00Z");
    INVALID (schema, "{'every':'0d'}", "every", "like 90d or 3mo");
    INVALID (schema, "{'count':1.0}", "count", "must be an integer, like 3");
    INVALID (schema, "{'score':5.5}", "score", "must be a number from 1 to 5");
    INVALID (schema, "{'score':0}", "score", "from 1 to 5");
    INVALID (schema, "{'ratio':'1'}", "ratio", "must be a number");
    INVALID (schema, "{'flag':1}", "flag", "must be true or false");
    INVALID (schema, "{'members':['a','b','c']}", "members", "at most 2 slugs");
    INVALID (schema, "{'members':['a','B']}", "members[1]", "must be a slug");
    INVALID (schema, "{'lead':['x']}", "lead", "must be a map");
    MISSING (schema, "{'lead':{}}", "lead.org");
    INVALID (schema, "{'lead':{'org':'x','extra':1}}", "lead.extra",
             "unknown field 'extra' in lead; allowed: org, share");
    MISSING (schema, "{'terms':[{'org':'a'},{'share':0.1}]}", "terms[1].org");
    INVALID (schema, "{'terms':[{'org':'a'},{'org':'Bad'}]}", "terms[1].org", "slug");
    INVALID (schema, "{'terms':[{'org':'a','share':2}]}", "terms[0].share", "from 0 to 1");
    INVALID (schema, "{'terms':['a']}", "terms[0]", "must be a map");

    //  NaN and infinity are never numbers.
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 1);
    mitra_pack_cstr (&pk, "ratio");
    msgpack_pack_double (&pk, NAN);
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (sbuf.data, sbuf.size, NULL, &err);
    CHECK (doc && mitra_schema_validate (schema, mitra_doc_root (doc), &err) == -1);
    CHECK_STR (err.field, "ratio");
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);
}

//  The partnership model's table: every event of DESIGN.md 2, its ranges
//  and enumerations, and nested paths.
static void
test_partnership_events (void)
{
    static const char *const events [] = {
        "partnership.proposed", "partnership.member_added", "partnership.member_removed",
        "partnership.status_changed", "agreement.drafted", "agreement.signed", "goal.set",
        "goal.progress", "milestone.added", "milestone.progress", "milestone.completed",
        "milestone.rescheduled", "evaluation.scheduled", "evaluation.recorded",
        "contact.logged", "contribution.recorded", "reach.recorded", NULL
    };
    for (const char *const *name = events; *name; name++) {
        const mitra_schema_t *schema = EVENT (*name);
        CHECK (schema != NULL);
        //  Every one of them concerns a partnership, so topics carry it
        const mitra_field_t *field = schema? mitra_schema_field (schema->fields, "partnership"): NULL;
        CHECK (field && field->kind == MITRA_FIELD_SLUG && field->required);
    }
    static const char *const queries [] = {
        "partnership.get", "partnership.list", "match", "health", "events", NULL
    };
    for (const char *const *name = queries; *name; name++)
        CHECK (QUERY (*name) != NULL);

    const mitra_schema_t *proposed = EVENT ("partnership.proposed");
    OK (proposed, "{'partnership':'p-air','name':'Clean water','type':'funding','lead':'ngo-a',"
                  "'purpose':'wells','starts':'2026-01-01','ends':'2027-12-31',"
                  "'stale_days':30,'milestone_lead_days':0}");
    MISSING (proposed, "{'partnership':'p-air','name':'x','type':'funding'}", "lead");
    INVALID (proposed, "{'partnership':'p-air','name':'x','type':'charity','lead':'a'}", "type",
             "one of: strategic, operational, advocacy, funding");
    INVALID (proposed, "{'partnership':'P Air','name':'x','type':'funding','lead':'a'}",
             "partnership", "slug");
    INVALID (proposed, "{'partnership':'p','name':'x','type':'funding','lead':'a',"
                       "'starts':'2026-02-30'}", "starts", "YYYY-MM-DD");
    INVALID (proposed, "{'partnership':'p','name':'x','type':'funding','lead':'a',"
                       "'stale_days':0}", "stale_days", "from 1 to 3650");

    const mitra_schema_t *status = EVENT ("partnership.status_changed");
    OK (status, "{'partnership':'p','status':'on_hold','reason':'funds late'}");
    INVALID (status, "{'partnership':'p','status':'paused'}", "status", "one of: proposed");

    const mitra_schema_t *drafted = EVENT ("agreement.drafted");
    OK (drafted, "{'partnership':'p','version':1,'effective':'2026-01-01','expires':'2027-01-01',"
                 "'notice_days':60,'terms':[{'org':'a','role':'funder','commitments':['50k']}]}");
    MISSING (drafted, "{'partnership':'p','version':1,'effective':'2026-01-01'}", "terms");
    MISSING (drafted, "{'partnership':'p','version':1,'effective':'2026-01-01',"
                      "'terms':[{'org':'a','role':'r'},{'org':'b'}]}", "terms[1].role");
    INVALID (drafted, "{'partnership':'p','version':0,'effective':'2026-01-01','terms':[]}",
             "version", "from 1");
    INVALID (drafted, "{'partnership':'p','version':1,'effective':'2026-01-01',"
                      "'terms':[{'org':'a','role':'r','duties':[]}]}", "terms[0].duties",
             "unknown field");

    const mitra_schema_t *progress = EVENT ("milestone.progress");
    OK (progress, "{'partnership':'p','milestone':'m-1','percent':0}");
    OK (progress, "{'partnership':'p','milestone':'m-1','percent':100}");
    INVALID (progress, "{'partnership':'p','milestone':'m-1','percent':101}", "percent",
             "from 0 to 100");
    INVALID (progress, "{'partnership':'p','milestone':'m-1','percent':-1}", "percent",
             "from 0 to 100");
    INVALID (progress, "{'partnership':'p','milestone':'m-1','percent':50.0}", "percent",
             "an integer");

    const mitra_schema_t *recorded = EVENT ("evaluation.recorded");
    OK (recorded, "{'partnership':'p','scores':{'goals':1,'trust':5,'communication':3,"
                  "'resources':4,'reach':2},'decision':'adjust','actions':['meet monthly']}");
    INVALID (recorded, "{'partnership':'p','scores':{'goals':0,'trust':5,'communication':3,"
                       "'resources':4,'reach':2},'decision':'adjust'}", "scores.goals",
             "from 1 to 5");
    MISSING (recorded, "{'partnership':'p','scores':{'goals':1,'trust':5,'communication':3,"
                       "'resources':4},'decision':'adjust'}", "scores.reach");
    INVALID (recorded, "{'partnership':'p','scores':{'goals':1,'trust':5,'communication':3,"
                       "'resources':4,'reach':6},'decision':'stop'}", "scores.reach", "1 to 5");
    INVALID (recorded, "{'partnership':'p','scores':{'goals':1,'trust':5,'communication':3,"
                       "'resources':4,'reach':5},'decision':'stop'}", "decision",
             "one of: continue, adjust, conclude");

    const mitra_schema_t *contribution = EVENT ("contribution.recorded");
    OK (contribution, "{'partnership':'p','org':'a','kind':'funds','amount':2500.5,"
                      "'unit':'USD','status':'committed'}");
    OK (contribution, "{'partnership':'p','org':'a','kind':'staff_hours','amount':0,"
                      "'unit':'hours','status':'delivered'}");
    INVALID (contribution, "{'partnership':'p','org':'a','kind':'funds','amount':-1,"
                           "'unit':'USD','status':'committed'}", "amount", "number from 0");
    INVALID (contribution, "{'partnership':'p','org':'a','kind':'money','amount':1,"
                           "'unit':'USD','status':'committed'}", "kind", "in_kind");
    INVALID (contribution, "{'partnership':'p','org':'a','kind':'funds','amount':1,"
                           "'unit':'USD','status':'pledged'}", "status", "committed, delivered");

    INVALID (EVENT ("reach.recorded"), "{'partnership':'p','people':-3}", "people", "from 0");
    INVALID (EVENT ("evaluation.scheduled"), "{'partnership':'p','every':'quarterly',"
                                             "'next':'2026-04-01'}", "every", "like 90d");
    OK (EVENT ("evaluation.scheduled"), "{'partnership':'p','every':'3mo','next':'2026-04-01',"
                                        "'lead_days':7}");
    OK (QUERY ("partnership.list"), "{'type':'advocacy','status':'active','org':'ngo-a'}");
    INVALID (QUERY ("partnership.list"), "{'status':'done'}", "status", "one of");
    INVALID (QUERY ("match"), "{'org':'a','limit':101}", "limit", "from 1 to 100");
    MISSING (QUERY ("events"), "{}", "partnership");
    OK (QUERY ("health"), NULL);
}

int
main (void)
{
    test_table ();
    test_org_registered ();
    test_org_updated ();
    test_queries ();
    test_other_kinds ();
    test_partnership_events ();
    return TEST_DONE ();
}
