/*  mitra_json -- JSON (jansson) to msgpack and back.

    Lossless where both sides can say the same thing; refuses, rather than
    guesses, where they cannot. Recursion is bounded so that a hostile
    object cannot exhaust the stack, even though the strict decoder in
    front of it already bounds nesting.
*/
#include "mitra_json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

//  Deeper than anything the protocol allows (8 levels on the wire, a few
//  more in replies that wrap events), shallow enough for any stack.
#define S_MAX_DEPTH 256

static int
s_pack (msgpack_packer *pk, const json_t *json, int depth)
{
    if (!json || depth > S_MAX_DEPTH)
        return -1;
    //  jansson's iteration API takes a non-const object although it only reads
    json_t *value = (json_t *) json;
    switch (json_typeof (value)) {
        case JSON_OBJECT: {
            msgpack_pack_map (pk, json_object_size (value));
            for (void *iter = json_object_iter (value); iter;
                 iter = json_object_iter_next (value, iter)) {
                const char *key = json_object_iter_key (iter);
                size_t key_len = json_object_iter_key_len (iter);
                msgpack_pack_str (pk, key_len);
                msgpack_pack_str_body (pk, key, key_len);
                if (s_pack (pk, json_object_iter_value (iter), depth + 1))
                    return -1;
            }
            return 0;
        }
        case JSON_ARRAY: {
            size_t size = json_array_size (value);
            msgpack_pack_array (pk, size);
            for (size_t index = 0; index < size; index++)
                if (s_pack (pk, json_array_get (value, index), depth + 1))
                    return -1;
            return 0;
        }
        case JSON_STRING: {
            size_t len = json_string_length (value);
            msgpack_pack_str (pk, len);
            msgpack_pack_str_body (pk, json_string_value (value), len);
            return 0;
        }
        case JSON_INTEGER:
            //  msgpack-c picks the smallest encoding, unsigned for >= 0
            msgpack_pack_int64 (pk, (int64_t) json_integer_value (value));
            return 0;
        case JSON_REAL:
            msgpack_pack_double (pk, json_real_value (value));
            return 0;
        case JSON_TRUE:
            msgpack_pack_true (pk);
            return 0;
        case JSON_FALSE:
            msgpack_pack_false (pk);
            return 0;
        case JSON_NULL:
            msgpack_pack_nil (pk);
            return 0;
    }
    return -1;
}

int
mitra_json_pack (msgpack_packer *pk, const json_t *json)
{
    return s_pack (pk, json, 1);
}

static json_t *
s_from_msgpack (const msgpack_object *obj, int depth)
{
    if (depth > S_MAX_DEPTH)
        return NULL;
    switch (obj->type) {
        case MSGPACK_OBJECT_NIL:
            return json_null ();
        case MSGPACK_OBJECT_BOOLEAN:
            return json_boolean (obj->via.boolean);
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            if (obj->via.u64 <= (uint64_t) INT64_MAX)
                return json_integer ((json_int_t) obj->via.u64);
            //  jansson integers are signed 64-bit; a real keeps the magnitude
            return json_real ((double) obj->via.u64);
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            return json_integer ((json_int_t) obj->via.i64);
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
            if (!isfinite (obj->via.f64))
                return json_null ();
            return json_real (obj->via.f64);
        case MSGPACK_OBJECT_STR:
            //  json_stringn refuses invalid UTF-8 by returning NULL
            return json_stringn (obj->via.str.ptr ? obj->via.str.ptr : "", obj->via.str.size);
        case MSGPACK_OBJECT_ARRAY: {
            json_t *array = json_array ();
            if (!array)
                return NULL;
            for (uint32_t index = 0; index < obj->via.array.size; index++) {
                json_t *item = s_from_msgpack (&obj->via.array.ptr [index], depth + 1);
                if (!item || json_array_append_new (array, item)) {
                    json_decref (array);
                    return NULL;
                }
            }
            return array;
        }
        case MSGPACK_OBJECT_MAP: {
            json_t *object = json_object ();
            if (!object)
                return NULL;
            for (uint32_t index = 0; index < obj->via.map.size; index++) {
                const msgpack_object_kv *kv = &obj->via.map.ptr [index];
                if (kv->key.type != MSGPACK_OBJECT_STR) {
                    json_decref (object);
                    return NULL;
                }
                json_t *item = s_from_msgpack (&kv->val, depth + 1);
                //  setn_new checks the key's UTF-8 and takes `item` even on failure
                if (!item
                ||  json_object_setn_new (object, kv->key.via.str.ptr ? kv->key.via.str.ptr : "",
                                          kv->key.via.str.size, item)) {
                    json_decref (object);
                    return NULL;
                }
            }
            return object;
        }
        default:
            //  bin and ext have no JSON form
            return NULL;
    }
}

json_t *
mitra_json_from_msgpack (const msgpack_object *obj)
{
    if (!obj)
        return NULL;
    return s_from_msgpack (obj, 1);
}

char *
mitra_json_dumps (const msgpack_object *obj, size_t flags)
{
    json_t *json = mitra_json_from_msgpack (obj);
    if (!json)
        return NULL;
    char *text = json_dumps (json, flags | JSON_ENCODE_ANY);
    json_decref (json);
    return text;
}

int
mitra_json_text_pack (const char *text, bool object_only, msgpack_sbuffer *sbuf,
                      char *error, size_t error_size)
{
    if (!text) {
        snprintf (error, error_size, "no JSON text");
        return -1;
    }
    json_error_t json_error;
    json_t *json = json_loads (text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &json_error);
    if (!json) {
        snprintf (error, error_size, "invalid JSON at line %d, column %d: %s",
                  json_error.line, json_error.column, json_error.text);
        return -1;
    }
    int rc = -1;
    if (object_only && !json_is_object (json)) {
        snprintf (error, error_size, "JSON text must be an object ({...})");
        goto out;
    }
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    if (mitra_json_pack (&pk, json)) {
        snprintf (error, error_size, "JSON nested too deeply");
        goto out;
    }
    rc = 0;
out:
    json_decref (json);
    return rc;
}
