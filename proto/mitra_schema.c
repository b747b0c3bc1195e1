/*  mitra_schema -- the table of event types and queries, and its validator.

    The table is data: adding an event type is adding a field array and one
    line in the table (mitra_schema_table.c), no code. The validator walks a body against it and
    reports the first problem with the field's path and a message that says
    what was expected, with an example, so that a person can fix the request
    without reading the spec.

    It never looks beyond one request (whether an org exists is the model's
    business) and never trusts the body: every value is checked for type
    before it is read.

    Choices worth knowing: nil is not a value of any kind (leave a field out
    instead); INT refuses floats even when integral (2.0), so that stored
    values keep one type; TEXT refuses NUL bytes, which C code would read as
    the end of the string.
*/
#include "mitra_schema.h"
#include "mitra_time.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define S_SLUG_MAX        64
#define S_TEXT_DEFAULT    1024
#define S_ITEMS_DEFAULT   64
//  An upper bound for INT fields that are "at least N": every uint64 fits.

#define S_END { .name = NULL }


const mitra_schema_t *
mitra_schema_find (mitra_schema_kind_t kind, const char *name)
{
    if (!name)
        return NULL;
    size_t count;
    const mitra_schema_t *schemas = mitra_schema_all (&count);
    for (size_t index = 0; index < count; index++)
        if (schemas [index].kind == kind && strcmp (schemas [index].name, name) == 0)
            return &schemas [index];
    return NULL;
}

const mitra_field_t *
mitra_schema_field (const mitra_field_t *fields, const char *name)
{
    if (!fields || !name)
        return NULL;
    for (; fields->name; fields++)
        if (strcmp (fields->name, name) == 0)
            return fields;
    return NULL;
}

const char *
mitra_field_kind_name (mitra_field_kind_t kind)
{
    switch (kind) {
        case MITRA_FIELD_SLUG: return "slug";
        case MITRA_FIELD_TEXT: return "text";
        case MITRA_FIELD_ENUM: return "enum";
        case MITRA_FIELD_DATE: return "date";
        case MITRA_FIELD_INSTANT: return "instant";
        case MITRA_FIELD_DURATION: return "duration";
        case MITRA_FIELD_INT: return "int";
        case MITRA_FIELD_NUMBER: return "number";
        case MITRA_FIELD_BOOL: return "bool";
        case MITRA_FIELD_TEXT_LIST: return "text_list";
        case MITRA_FIELD_SLUG_LIST: return "slug_list";
        case MITRA_FIELD_OBJECT: return "object";
        case MITRA_FIELD_OBJECT_LIST: return "object_list";
    }
    return "unknown";
}

//  --------------------------------------------------------------------------
//  The validator

//  Appends to a fixed buffer; truncation is harmless (messages only).
static void
s_append (char *buffer, size_t size, const char *text)
{
    size_t used = strlen (buffer);
    if (used + 1 < size)
        snprintf (buffer + used, size - used, "%s", text);
}

static bool
s_bounded (const mitra_field_t *field)
{
    return field->min != 0 || field->max != 0;
}

//  What a field's value must be, with an example: the heart of every
//  invalid_field message.
static void
s_expectation (const mitra_field_t *field, char *buffer, size_t size)
{
    uint32_t max_len = field->max_len ? field->max_len : S_TEXT_DEFAULT;
    uint32_t max_items = field->max_items ? field->max_items : S_ITEMS_DEFAULT;
    const char *number_kind = field->kind == MITRA_FIELD_INT ? "an integer" : "a number";
    switch (field->kind) {
        case MITRA_FIELD_SLUG:
            snprintf (buffer, size, "a slug: 1..%d bytes of a-z, 0-9, '.', '_' or '-', "
                      "starting with a letter or digit, like ngo-hijau", S_SLUG_MAX);
            break;
        case MITRA_FIELD_TEXT:
            snprintf (buffer, size, "text of 1..%u bytes of UTF-8 without NUL", max_len);
            break;
        case MITRA_FIELD_ENUM:
            snprintf (buffer, size, "one of: ");
            for (const char *const *value = field->values; value && *value; value++) {
                s_append (buffer, size, *value);
                if (value [1])
                    s_append (buffer, size, ", ");
            }
            break;
        case MITRA_FIELD_DATE:
            snprintf (buffer, size, "a date YYYY-MM-DD, like 2026-03-31");
            break;
        case MITRA_FIELD_INSTANT:
            snprintf (buffer, size, "an instant YYYY-MM-DDTHH:MM:SSZ in UTC, "
                      "like 2026-11-28T09:30:00Z");
            break;
        case MITRA_FIELD_DURATION:
            snprintf (buffer, size, "a duration: 1..9999 then d, w, mo or y, like 90d or 3mo");
            break;
        case MITRA_FIELD_INT:
        case MITRA_FIELD_NUMBER:
            if (!s_bounded (field))
                snprintf (buffer, size, "%s, like 3", number_kind);
            else
            if (field->max >= MITRA_SCHEMA_NO_UPPER_BOUND)
                snprintf (buffer, size, "%s of at least %.15g, like %.15g",
                          number_kind, field->min, field->min);
            else
                snprintf (buffer, size, "%s from %.15g to %.15g, like %.15g",
                          number_kind, field->min, field->max, field->min);
            break;
        case MITRA_FIELD_BOOL:
            snprintf (buffer, size, "true or false");
            break;
        case MITRA_FIELD_TEXT_LIST:
            snprintf (buffer, size, "a list of at most %u texts of 1..%u bytes, "
                      "like [\"water\", \"health\"]", max_items, max_len);
            break;
        case MITRA_FIELD_SLUG_LIST:
            snprintf (buffer, size, "a list of at most %u slugs, like [\"ngo-hijau\"]",
                      max_items);
            break;
        case MITRA_FIELD_OBJECT:
            snprintf (buffer, size, "a map");
            break;
        case MITRA_FIELD_OBJECT_LIST:
            snprintf (buffer, size, "a list of at most %u maps", max_items);
            break;
    }
}

static int
s_invalid (const mitra_field_t *field, const char *path, const msgpack_object *value,
           mitra_error_t *err)
{
    char expected [200];
    s_expectation (field, expected, sizeof expected);
    return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, path,
                            "'%s' must be %s (got %s)", path, expected, mitra_obj_type_name (value));
}

static bool
s_slug_valid (const char *text, size_t len)
{
    if (len < 1 || len > S_SLUG_MAX)
        return false;
    for (size_t index = 0; index < len; index++) {
        char c = text [index];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (index == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

bool
mitra_schema_slug_valid (const char *text)
{
    return text && s_slug_valid (text, strlen (text));
}

static bool
s_text_valid (const msgpack_object *value, uint32_t max_len)
{
    uint32_t len = value->via.str.size;
    return len >= 1 && len <= (max_len ? max_len : S_TEXT_DEFAULT)
        && memchr (value->via.str.ptr, '\0', len) == NULL
        && mitra_utf8_valid (value->via.str.ptr, len);
}

static bool
s_in_bounds (const mitra_field_t *field, double number)
{
    return !s_bounded (field) || (number >= field->min && number <= field->max);
}

static int s_validate_map (const mitra_field_t *fields, const msgpack_object *map,
                           const char *path, const char *owner, mitra_error_t *err);

//  One list item is validated as a field of the item kind, named by its path.
static mitra_field_t
s_item_field (const mitra_field_t *list)
{
    mitra_field_t item = *list;
    item.kind = list->kind == MITRA_FIELD_TEXT_LIST ? MITRA_FIELD_TEXT
              : list->kind == MITRA_FIELD_SLUG_LIST ? MITRA_FIELD_SLUG
              : MITRA_FIELD_OBJECT;
    return item;
}

static int
s_validate_value (const mitra_field_t *field, const msgpack_object *value,
                  const char *path, mitra_error_t *err)
{
    bool is_str = value->type == MSGPACK_OBJECT_STR;
    const char *text = is_str ? value->via.str.ptr : NULL;
    size_t len = is_str ? value->via.str.size : 0;

    switch (field->kind) {
        case MITRA_FIELD_SLUG:
            return is_str && s_slug_valid (text, len) ? 0 : s_invalid (field, path, value, err);
        case MITRA_FIELD_TEXT:
            return is_str && s_text_valid (value, field->max_len)
                 ? 0 : s_invalid (field, path, value, err);
        case MITRA_FIELD_ENUM:
            for (const char *const *allowed = field->values; is_str && allowed && *allowed;
                 allowed++)
                if (mitra_obj_str_eq (value, *allowed))
                    return 0;
            return s_invalid (field, path, value, err);
        case MITRA_FIELD_DATE:
            return is_str && mitra_date_parse (text, len, NULL) == 0
                 ? 0 : s_invalid (field, path, value, err);
        case MITRA_FIELD_INSTANT:
            return is_str && mitra_instant_parse (text, len, NULL) == 0
                 ? 0 : s_invalid (field, path, value, err);
        case MITRA_FIELD_DURATION:
            return is_str && mitra_duration_parse (text, len, NULL) == 0
                 ? 0 : s_invalid (field, path, value, err);
        case MITRA_FIELD_INT: {
            double number;
            bool is_int = value->type == MSGPACK_OBJECT_POSITIVE_INTEGER
                       || value->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
            return is_int && mitra_obj_number (value, &number) && s_in_bounds (field, number)
                 ? 0 : s_invalid (field, path, value, err);
        }
        case MITRA_FIELD_NUMBER: {
            double number;
            return mitra_obj_number (value, &number) && s_in_bounds (field, number)
                 ? 0 : s_invalid (field, path, value, err);
        }
        case MITRA_FIELD_BOOL:
            return value->type == MSGPACK_OBJECT_BOOLEAN
                 ? 0 : s_invalid (field, path, value, err);
        case MITRA_FIELD_OBJECT:
            if (value->type != MSGPACK_OBJECT_MAP)
                return s_invalid (field, path, value, err);
            return s_validate_map (field->fields, value, path, NULL, err);
        case MITRA_FIELD_TEXT_LIST:
        case MITRA_FIELD_SLUG_LIST:
        case MITRA_FIELD_OBJECT_LIST:
            break;
    }

    uint32_t max_items = field->max_items ? field->max_items : S_ITEMS_DEFAULT;
    if (value->type != MSGPACK_OBJECT_ARRAY || value->via.array.size > max_items)
        return s_invalid (field, path, value, err);
    mitra_field_t item = s_item_field (field);
    for (uint32_t index = 0; index < value->via.array.size; index++) {
        //  Built for every item of every list: joined, not printed
        char item_path [sizeof err->field], digits [12], *at = digits + sizeof digits;
        *--at = 0;
        uint32_t rest = index;
        do
            *--at = (char) ('0' + rest % 10);
        while ((rest /= 10) > 0);
        mitra_str_join (item_path, sizeof item_path, path, "[", at, "]", NULL);
        if (s_validate_value (&item, &value->via.array.ptr [index], item_path, err))
            return -1;
    }
    return 0;
}

//  `owner` names the map in messages: the schema name at the top level,
//  else NULL and the path says where.
static int
s_validate_map (const mitra_field_t *fields, const msgpack_object *map,
                const char *path, const char *owner, mitra_error_t *err)
{
    static const mitra_field_t s_none [] = { S_END };
    if (!fields)
        fields = s_none;
    //  Where the map is, for messages: built only for an error
    char where [sizeof err->field + 8];
#define S_WHERE() (mitra_str_join (where, sizeof where, owner? "for ": "in ", \
                                   owner? owner: path, NULL), where)

    //  Unknown fields first: a typo ("orgg") is better reported as itself
    //  than as the required field it was meant to be.
    uint32_t pairs = map ? map->via.map.size : 0;
    for (uint32_t index = 0; index < pairs; index++) {
        const msgpack_object *key = &map->via.map.ptr [index].key;
        if (key->type != MSGPACK_OBJECT_STR)
            return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, path,
                "field names must be strings, not %s, %s", mitra_obj_type_name (key), S_WHERE ());
        bool known = false;
        for (const mitra_field_t *field = fields; field->name && !known; field++)
            known = mitra_obj_str_eq (key, field->name);
        if (known)
            continue;
        char name [sizeof err->field];
        int len = key->via.str.size < 64 ? (int) key->via.str.size : 64;
        snprintf (name, sizeof name, "%s%s%.*s", path, *path ? "." : "", len, key->via.str.ptr);
        char allowed [160] = "";
        for (const mitra_field_t *field = fields; field->name; field++) {
            s_append (allowed, sizeof allowed, field->name);
            if (field [1].name)
                s_append (allowed, sizeof allowed, ", ");
        }
        return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, name,
            "unknown field '%.*s' %s; allowed: %s", len, key->via.str.ptr, S_WHERE (),
            *allowed ? allowed : "none");
    }

    for (const mitra_field_t *field = fields; field->name; field++) {
        char field_path [sizeof err->field];
        mitra_str_join (field_path, sizeof field_path, path, *path ? "." : "", field->name, NULL);
        const msgpack_object *value = mitra_map_get (map, field->name);
        if (!value) {
            if (field->required)
                return mitra_error_set (err, MITRA_ERR_MISSING_FIELD, field_path,
                    "missing required field '%s' %s: %s", field_path, S_WHERE (), field->doc);
            continue;
        }
        if (s_validate_value (field, value, field_path, err))
            return -1;
    }
    return 0;
#undef S_WHERE
}

int
mitra_schema_validate (const mitra_schema_t *schema, const msgpack_object *body,
                       mitra_error_t *err)
{
    assert (schema);
    assert (err);
    bool is_event = schema->kind == MITRA_SCHEMA_EVENT;
    const char *body_name = is_event ? "data" : "args";
    if (!body && is_event)
        return mitra_error_set (err, MITRA_ERR_MISSING_FIELD, body_name,
                                "missing 'data': the fields of %s as a map", schema->name);
    if (body && body->type != MSGPACK_OBJECT_MAP)
        return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, body_name,
                                "'%s' of %s must be a map, not %s",
                                body_name, schema->name, mitra_obj_type_name (body));
    return s_validate_map (schema->fields, body, "", schema->name, err);
}
