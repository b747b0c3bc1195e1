/*  mitra_cli_format -- arguments in, text out: `key=value` items to a
    msgpack map with the schema's help, and replies to lines for people or
    JSON for scripts. (Part of the mitra_cli module; see mitra_cli.h.)

    The schema only helps here: it converts values and catches mistakes
    before a round trip, but mitrad stays the authority on what is valid.
*/
#include "mitra_cli.h"
#include "mitra_json.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
mitra_cli_parse_uint (const char *text, uint64_t min, uint64_t max, uint64_t *value)
{
    if (!text || !isdigit ((unsigned char) text [0]))
        return -1;
    errno = 0;
    char *end;
    unsigned long long number = strtoull (text, &end, 10);
    if (errno || *end || number < min || number > max)
        return -1;
    *value = number;
    return 0;
}

static bool
s_parse_int (const char *text, long long *value)
{
    const char *digits = text [0] == '-' || text [0] == '+' ? text + 1 : text;
    if (!isdigit ((unsigned char) digits [0]))
        return false;
    errno = 0;
    char *end;
    *value = strtoll (text, &end, 10);
    return errno == 0 && *end == 0;
}

static bool
s_parse_real (const char *text, double *value)
{
    //  strtod alone would take "nan", "inf" and hex floats; JSON takes none
    if (!*text || strspn (text, "0123456789+-.eE") != strlen (text))
        return false;
    errno = 0;
    char *end;
    *value = strtod (text, &end);
    return errno == 0 && *end == 0 && isfinite (*value);
}

static bool
s_parse_bool (const char *text, bool *value)
{
    static const char *yes [] = { "true", "yes", "on", "1", NULL };
    static const char *no [] = { "false", "no", "off", "0", NULL };
    for (int index = 0; yes [index]; index++)
        if (strcasecmp (text, yes [index]) == 0) {
            *value = true;
            return true;
        }
    for (int index = 0; no [index]; index++)
        if (strcasecmp (text, no [index]) == 0) {
            *value = false;
            return true;
        }
    return false;
}

//  "a, b,c" -> ["a", "b", "c"]; "" -> []. Items are trimmed; an empty
//  item stays for the validator to name.
static json_t *
s_split_list (const char *text)
{
    json_t *array = json_array ();
    if (!array || !*text)
        return array;
    const char *start = text;
    while (true) {
        const char *comma = strchr (start, ',');
        const char *end = comma ? comma : start + strlen (start);
        const char *first = start, *last = end;
        while (first < last && isspace ((unsigned char) *first))
            first++;
        while (last > first && isspace ((unsigned char) last [-1]))
            last--;
        json_t *item = json_stringn (first, (size_t) (last - first));
        if (!item || json_array_append_new (array, item)) {
            json_decref (array);
            return NULL;
        }
        if (!comma)
            return array;
        start = comma + 1;
    }
}

//  The JSON value for `key=value`, converted to what `field` holds.
static json_t *
s_convert (const mitra_field_t *field, const char *key, const char *value,
           char *error, size_t error_size)
{
    long long integer;
    double real;
    bool flag;
    switch (field ? field->kind : MITRA_FIELD_TEXT) {
        case MITRA_FIELD_INT:
            if (s_parse_int (value, &integer))
                return json_integer (integer);
            break;
        case MITRA_FIELD_NUMBER:
            if (s_parse_int (value, &integer))
                return json_integer (integer);
            if (s_parse_real (value, &real))
                return json_real (real);
            break;
        case MITRA_FIELD_BOOL:
            if (s_parse_bool (value, &flag))
                return json_boolean (flag);
            break;
        case MITRA_FIELD_TEXT_LIST:
        case MITRA_FIELD_SLUG_LIST: {
            json_t *list = s_split_list (value);
            if (!list)
                snprintf (error, error_size, "%s: a list item is not valid UTF-8", key);
            return list;
        }
        case MITRA_FIELD_OBJECT:
        case MITRA_FIELD_OBJECT_LIST:
            snprintf (error, error_size, "%s takes %s: give it as %s:='%s'", key,
                      field->kind == MITRA_FIELD_OBJECT ? "an object" : "a list of objects",
                      key, field->kind == MITRA_FIELD_OBJECT ? "{...}" : "[{...}, ...]");
            return NULL;
        default:
            break;
    }
    json_t *string = json_string (value);
    if (!string)
        snprintf (error, error_size, "%s: the value is not valid UTF-8", key);
    return string;
}

int
mitra_cli_build_map (const mitra_field_t *fields, int count, char *const *items,
                     msgpack_sbuffer *sbuf, char *error, size_t error_size)
{
    int rc = -1;
    char *key = NULL;
    json_t *object = json_object ();
    if (!object) {
        snprintf (error, error_size, "out of memory");
        return -1;
    }
    for (int index = 0; index < count; index++) {
        const char *item = items [index];
        const char *equals = strchr (item, '=');
        if (!equals) {
            snprintf (error, error_size, "'%s' is neither key=value nor key:=JSON", item);
            goto out;
        }
        bool as_json = equals > item && equals [-1] == ':';
        size_t key_len = (size_t) (equals - item) - (as_json ? 1 : 0);
        if (key_len == 0) {
            snprintf (error, error_size, "'%s' has no key before '%s'", item, as_json ? ":=" : "=");
            goto out;
        }
        free (key);
        key = strndup (item, key_len);
        if (!key) {
            snprintf (error, error_size, "out of memory");
            goto out;
        }
        if (json_object_get (object, key)) {
            snprintf (error, error_size, "%s is given twice", key);
            goto out;
        }
        json_t *value;
        if (as_json) {
            json_error_t json_error;
            value = json_loads (equals + 1, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &json_error);
            if (!value) {
                snprintf (error, error_size, "%s:= needs a JSON value (%s); for text use %s=",
                          key, json_error.text, key);
                goto out;
            }
        }
        else {
            const mitra_field_t *field = fields ? mitra_schema_field (fields, key) : NULL;
            value = s_convert (field, key, equals + 1, error, error_size);
            if (!value)
                goto out;
        }
        if (json_object_set_new (object, key, value)) {
            snprintf (error, error_size, "the key '%s' is not valid UTF-8", key);
            goto out;
        }
    }
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    if (mitra_json_pack (&pk, object)) {
        snprintf (error, error_size, "a value is nested too deeply");
        goto out;
    }
    rc = 0;
out:
    free (key);
    json_decref (object);
    return rc;
}

int
mitra_cli_validate (const mitra_schema_t *schema, const void *data, size_t size,
                    mitra_error_t *err)
{
    mitra_doc_t *doc = NULL;
    if (data) {
        doc = mitra_doc_decode (data, size, NULL, err);
        if (!doc)
            return -1;
    }
    int rc = mitra_schema_validate (schema, doc ? mitra_doc_root (doc) : NULL, err);
    mitra_doc_destroy (&doc);
    return rc;
}

void
mitra_cli_print_names (FILE *out, mitra_schema_kind_t kind)
{
    size_t count;
    const mitra_schema_t *all = mitra_schema_all (&count);
    for (size_t index = 0; index < count; index++)
        if (all [index].kind == kind)
            fprintf (out, "  %-26s %s\n", all [index].name, all [index].doc ? all [index].doc : "");
}

static void
s_print_field_table (FILE *out, const mitra_field_t *fields, const char *prefix)
{
    for (const mitra_field_t *field = fields; field && field->name; field++) {
        char name [128];
        snprintf (name, sizeof name, "%s%s", prefix, field->name);
        const char *how = "";
        if (field->kind == MITRA_FIELD_TEXT_LIST || field->kind == MITRA_FIELD_SLUG_LIST)
            how = " (a,b,c)";
        else
        if (field->kind == MITRA_FIELD_OBJECT || field->kind == MITRA_FIELD_OBJECT_LIST)
            how = " (:=JSON)";
        char kind [64];
        snprintf (kind, sizeof kind, "%s%s", mitra_field_kind_name (field->kind), how);
        fprintf (out, "  %-22s %-20s %-9s %s\n", name, kind,
                 field->required ? "required" : "", field->doc ? field->doc : "");
        if (field->kind == MITRA_FIELD_ENUM && field->values) {
            fprintf (out, "  %-22s one of:", "");
            for (const char *const *value = field->values; *value; value++)
                fprintf (out, " %s", *value);
            fprintf (out, "\n");
        }
        if (field->fields) {
            char nested [128];
            snprintf (nested, sizeof nested, "%s%s%s.", prefix, field->name,
                      field->kind == MITRA_FIELD_OBJECT_LIST ? "[]" : "");
            s_print_field_table (out, field->fields, nested);
        }
    }
}

void
mitra_cli_print_fields (FILE *out, const mitra_schema_t *schema)
{
    fprintf (out, "\n%s %s: %s\n\nfields:\n",
             schema->kind == MITRA_SCHEMA_EVENT ? "event" : "query", schema->name,
             schema->doc ? schema->doc : "");
    if (!schema->fields || !schema->fields [0].name)
        fprintf (out, "  (none)\n");
    s_print_field_table (out, schema->fields, "");
}

int
mitra_cli_print_json (const msgpack_object *obj, bool indent)
{
    char *text = mitra_json_dumps (obj, indent ? JSON_INDENT (2) : JSON_COMPACT);
    if (!text) {
        fprintf (stderr, "error: the reply holds a value JSON cannot show\n");
        return -1;
    }
    printf ("%s\n", text);
    free (text);
    return 0;
}

//  Length of the longest prefix of `text` within `max` bytes that does not
//  split a UTF-8 character.
static size_t
s_utf8_cut (const char *text, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t cut = max;
    while (cut > 0 && ((unsigned char) text [cut] & 0xC0) == 0x80)
        cut--;
    return cut;
}

//  True if a string can be shown bare in key=value output: no spaces,
//  quotes, separators or control characters.
static bool
s_is_plain (const char *text, size_t len)
{
    if (len == 0)
        return false;
    for (size_t index = 0; index < len; index++) {
        unsigned char c = (unsigned char) text [index];
        if (c <= ' ' || c == '"' || c == '\'' || c == '=' || c == ',' || c == '\\' || c == 0x7f)
            return false;
    }
    return true;
}

//  Control characters are never printed raw: text from the daemon was
//  written by other users and must not drive the terminal.
static bool
s_has_control (const char *text, size_t len)
{
    for (size_t index = 0; index < len; index++)
        if ((unsigned char) text [index] < ' ' || text [index] == 0x7f)
            return true;
    return false;
}

static void
s_print_text (FILE *out, const char *text, size_t len, size_t max_len)
{
    size_t cut = max_len ? s_utf8_cut (text, len, max_len) : len;
    if (cut == len && s_is_plain (text, len)) {
        fwrite (text, 1, len, out);
        return;
    }
    json_t *string = json_stringn (text, cut);
    char *quoted = string ? json_dumps (string, JSON_ENCODE_ANY) : NULL;
    if (quoted && cut < len)
        //  show the cut inside the quotes: "long text..."
        fprintf (out, "%.*s...\"", (int) strlen (quoted) - 1, quoted);
    else
        fprintf (out, "%s", quoted ? quoted : "?");
    free (quoted);
    json_decref (string);
}

void
mitra_cli_print_value (FILE *out, const msgpack_object *obj, size_t max_len)
{
    if (obj->type == MSGPACK_OBJECT_STR) {
        s_print_text (out, obj->via.str.ptr, obj->via.str.size, max_len);
        return;
    }
    if (obj->type == MSGPACK_OBJECT_ARRAY) {
        //  a list of plain strings reads best the way it is typed: a,b,c
        bool plain = true;
        size_t total = 0;
        for (uint32_t index = 0; plain && index < obj->via.array.size; index++) {
            const msgpack_object *item = &obj->via.array.ptr [index];
            plain = item->type == MSGPACK_OBJECT_STR
                 && s_is_plain (item->via.str.ptr, item->via.str.size);
            total += plain ? item->via.str.size + 1 : 0;
        }
        if (plain && obj->via.array.size > 0 && (!max_len || total <= max_len + 1)) {
            for (uint32_t index = 0; index < obj->via.array.size; index++)
                fprintf (out, "%s%.*s", index ? "," : "",
                         (int) obj->via.array.ptr [index].via.str.size,
                         obj->via.array.ptr [index].via.str.ptr);
            return;
        }
    }
    char *text = mitra_json_dumps (obj, JSON_COMPACT);
    if (!text) {
        fprintf (out, "?");
        return;
    }
    size_t len = strlen (text);
    size_t cut = max_len ? s_utf8_cut (text, len, max_len) : len;
    fprintf (out, "%.*s%s", (int) cut, text, cut < len ? "..." : "");
    free (text);
}

void
mitra_cli_print_summary (FILE *out, const msgpack_object *map, size_t max_len)
{
    if (map->type != MSGPACK_OBJECT_MAP) {
        mitra_cli_print_value (out, map, max_len);
        return;
    }
    for (uint32_t index = 0; index < map->via.map.size; index++) {
        const msgpack_object_kv *kv = &map->via.map.ptr [index];
        if (kv->key.type != MSGPACK_OBJECT_STR)
            continue;
        fprintf (out, "%s%.*s=", index ? " " : "",
                 (int) kv->key.via.str.size, kv->key.via.str.ptr);
        mitra_cli_print_value (out, &kv->val, max_len);
    }
}

void
mitra_cli_print_record (FILE *out, const msgpack_object *map)
{
    if (map->type != MSGPACK_OBJECT_MAP) {
        mitra_cli_print_value (out, map, 0);
        fprintf (out, "\n");
        return;
    }
    int width = 0;
    for (uint32_t index = 0; index < map->via.map.size; index++)
        if (map->via.map.ptr [index].key.type == MSGPACK_OBJECT_STR
        &&  (int) map->via.map.ptr [index].key.via.str.size > width)
            width = (int) map->via.map.ptr [index].key.via.str.size;
    for (uint32_t index = 0; index < map->via.map.size; index++) {
        const msgpack_object_kv *kv = &map->via.map.ptr [index];
        if (kv->key.type != MSGPACK_OBJECT_STR)
            continue;
        fprintf (out, "%-*.*s  ", width, (int) kv->key.via.str.size, kv->key.via.str.ptr);
        if (kv->val.type == MSGPACK_OBJECT_NIL)
            fprintf (out, "-");
        else
        if (kv->val.type == MSGPACK_OBJECT_STR
        &&  !s_has_control (kv->val.via.str.ptr, kv->val.via.str.size))
            //  whole and unquoted: a record is read, not parsed
            fprintf (out, "%.*s", (int) kv->val.via.str.size, kv->val.via.str.ptr);
        else
            mitra_cli_print_value (out, &kv->val, 0);
        fprintf (out, "\n");
    }
}
