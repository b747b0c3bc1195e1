/*  mitra_request -- the request envelope and the reply shapes of
    PROTOCOL.md sections 4 and 5 (declared in mitra_codec.h): parsing a
    decoded request, and packing requests and replies.

    Like the decoder, it never trusts its input: every key is checked for
    presence and type before it is read.
*/
#include "mitra_codec.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

//  --------------------------------------------------------------------------
//  Requests

static const char *s_request_keys [] = { "v", "id", "op", "type", "data", "q", "args", "after",
                                         NULL };

//  Names and ids are visible ASCII only: no NUL that would cut them short
//  as C strings, no spaces or control bytes that would garble logs.
static bool
s_visible_ascii (const msgpack_object *obj, size_t max_len)
{
    if (!obj || obj->type != MSGPACK_OBJECT_STR
    ||  obj->via.str.size < 1 || obj->via.str.size > max_len)
        return false;
    for (uint32_t index = 0; index < obj->via.str.size; index++)
        if (obj->via.str.ptr [index] < 0x21 || obj->via.str.ptr [index] > 0x7e)
            return false;
    return true;
}

int
mitra_request_parse (const msgpack_object *root, mitra_request_t *request,
                     mitra_error_t *err)
{
    assert (request);
    assert (err);
    memset (request, 0, sizeof *request);
    if (!root || root->type != MSGPACK_OBJECT_MAP)
        return mitra_error_set (err, MITRA_ERR_MALFORMED, NULL,
            "a request must be a msgpack map, not %s", mitra_obj_type_name (root));

    //  The id first, so that every later error reply can carry it.
    const msgpack_object *id = mitra_map_get (root, "id");
    bool id_valid = s_visible_ascii (id, MITRA_REQUEST_ID_MAX);
    if (id_valid)
        mitra_obj_str_copy (id, request->id, sizeof request->id);

    //  The version next: a newer client may send keys this version lacks.
    const msgpack_object *version = mitra_map_get (root, "v");
    if (!version)
        return mitra_error_set (err, MITRA_ERR_MISSING_FIELD, "v",
            "missing 'v': the protocol version, 1");
    //  Any other value, of any type, is another version (PROTOCOL.md 4.2):
    //  a later version may well write `v` differently.
    uint64_t number;
    if (!mitra_obj_uint (version, &number))
        return mitra_error_set (err, MITRA_ERR_UNSUPPORTED_VERSION, "v",
            "'v' is %s, not a protocol version; this daemon speaks version %d",
            version->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ? "negative"
                                                             : mitra_obj_type_name (version),
            MITRA_PROTOCOL_VERSION);
    if (number != MITRA_PROTOCOL_VERSION)
        return mitra_error_set (err, MITRA_ERR_UNSUPPORTED_VERSION, "v",
            "protocol version %llu is not supported; this daemon speaks version %d",
            (unsigned long long) number, MITRA_PROTOCOL_VERSION);

    for (uint32_t index = 0; index < root->via.map.size; index++) {
        const msgpack_object *key = &root->via.map.ptr [index].key;
        if (key->type != MSGPACK_OBJECT_STR)
            return mitra_error_set (err, MITRA_ERR_MALFORMED, NULL,
                "request keys must be strings, not %s", mitra_obj_type_name (key));
        size_t known = 0;
        while (s_request_keys [known] && !mitra_obj_str_eq (key, s_request_keys [known]))
            known++;
        if (!s_request_keys [known]) {
            char name [sizeof err->field];
            int len = key->via.str.size < sizeof name ? (int) key->via.str.size
                                                      : (int) sizeof name - 1;
            snprintf (name, sizeof name, "%.*s", len, key->via.str.ptr);
            return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, name,
                "unknown key '%.64s' in request; allowed: v, id, op, type, data, after, q, "
                "args", name);
        }
    }

    if (!id)
        return mitra_error_set (err, MITRA_ERR_MISSING_FIELD, "id",
            "missing 'id': the request id, 1..64 visible ASCII bytes, like req-1");
    if (!id_valid)
        return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, "id",
            "'id' must be a string of 1..64 visible ASCII bytes (0x21..0x7e), like req-1");

    const msgpack_object *op = mitra_map_get (root, "op");
    if (!op)
        return mitra_error_set (err, MITRA_ERR_MISSING_FIELD, "op",
            "missing 'op': \"event\" or \"query\"");
    if (mitra_obj_str_eq (op, "event"))
        request->op = MITRA_OP_EVENT;
    else
    if (mitra_obj_str_eq (op, "query"))
        request->op = MITRA_OP_QUERY;
    else
        return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, "op",
            "'op' must be \"event\" or \"query\"");

    bool is_event = request->op == MITRA_OP_EVENT;
    const char *name_key = is_event ? "type" : "q";
    const char *body_key = is_event ? "data" : "args";
    //  `after` orders events only: a query changes nothing to wait for
    const char *other_keys [3] = { is_event ? "q" : "type", is_event ? "args" : "data",
                                   is_event ? NULL : "after" };
    for (int index = 0; index < 3; index++)
        if (other_keys [index] && mitra_map_get (root, other_keys [index]))
            return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, other_keys [index],
                "'%s' is not allowed with op \"%s\"; %s", other_keys [index],
                is_event ? "event" : "query",
                is_event ? "an event has type and data (and after)"
                         : "a query has q and args");

    const msgpack_object *name = mitra_map_get (root, name_key);
    if (!name)
        return mitra_error_set (err, MITRA_ERR_MISSING_FIELD, name_key,
            "missing '%s': the %s", name_key, is_event ? "event type" : "query name");
    if (!s_visible_ascii (name, sizeof request->name - 1))
        return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, name_key,
            "'%s' must be a string of 1..63 visible ASCII bytes, like %s",
            name_key, is_event ? "org.registered" : "hello");
    mitra_obj_str_copy (name, request->name, sizeof request->name);

    const msgpack_object *body = mitra_map_get (root, body_key);
    if (!body && is_event)
        return mitra_error_set (err, MITRA_ERR_MISSING_FIELD, "data",
            "missing 'data': the event's fields as a map");
    if (body && body->type != MSGPACK_OBJECT_MAP)
        return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, body_key,
            "'%s' must be a map, not %s", body_key, mitra_obj_type_name (body));
    request->body = body;

    //  Same limits as `id`, as it names one; naming the request itself
    //  could never be satisfied, so it is a mistake in the request
    const msgpack_object *after = mitra_map_get (root, "after");
    if (after) {
        if (!s_visible_ascii (after, MITRA_REQUEST_ID_MAX))
            return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, "after",
                "'after' must be a request id, a string of 1..64 visible ASCII bytes "
                "(0x21..0x7e), like req-1");
        mitra_obj_str_copy (after, request->after, sizeof request->after);
        if (strcmp (request->after, request->id) == 0)
            return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, "after",
                "'after' names this request itself ('%s'); it names the earlier request "
                "that must have been accepted first", request->id);
    }
    return 0;
}

void
mitra_request_pack (msgpack_sbuffer *sbuf, const char *id, mitra_op_t op,
                    const char *name, const msgpack_object *body)
{
    mitra_request_pack_after (sbuf, id, op, name, body, NULL);
}

void
mitra_request_pack_after (msgpack_sbuffer *sbuf, const char *id, mitra_op_t op,
                          const char *name, const msgpack_object *body, const char *after)
{
    assert (sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    bool is_event = op == MITRA_OP_EVENT;
    //  An event always carries `data`; a query's `args` is left out when empty.
    //  `after` goes last, so that without it the bytes are those of a
    //  request packed before `after` existed (an unchanged retry).
    msgpack_pack_map (&pk, (body || is_event ? 5 : 4) + (after ? 1 : 0));
    mitra_pack_cstr (&pk, "v");
    msgpack_pack_uint64 (&pk, MITRA_PROTOCOL_VERSION);
    mitra_pack_cstr (&pk, "id");
    mitra_pack_cstr (&pk, id);
    mitra_pack_cstr (&pk, "op");
    mitra_pack_cstr (&pk, is_event ? "event" : "query");
    mitra_pack_cstr (&pk, is_event ? "type" : "q");
    mitra_pack_cstr (&pk, name);
    if (body || is_event) {
        mitra_pack_cstr (&pk, is_event ? "data" : "args");
        if (body)
            mitra_pack_object (&pk, body);
        else
            msgpack_pack_map (&pk, 0);
    }
    if (after) {
        mitra_pack_cstr (&pk, "after");
        mitra_pack_cstr (&pk, after);
    }
}

//  Every reply starts {id, ok, ...} with three keys.
static void
s_reply_start (msgpack_packer *pk, const char *id, bool ok)
{
    msgpack_pack_map (pk, 3);
    mitra_pack_cstr (pk, "id");
    if (id && *id)
        mitra_pack_cstr (pk, id);
    else
        msgpack_pack_nil (pk);
    mitra_pack_cstr (pk, "ok");
    if (ok)
        msgpack_pack_true (pk);
    else
        msgpack_pack_false (pk);
}

void
mitra_reply_pack_seq (msgpack_sbuffer *sbuf, const char *id, uint64_t seq)
{
    assert (sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    s_reply_start (&pk, id, true);
    mitra_pack_cstr (&pk, "seq");
    msgpack_pack_uint64 (&pk, seq);
}

void
mitra_reply_pack_error (msgpack_sbuffer *sbuf, const char *id, const mitra_error_t *err)
{
    assert (sbuf);
    assert (err);
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    s_reply_start (&pk, id, false);
    mitra_pack_cstr (&pk, "error");
    msgpack_pack_map (&pk, 3);
    const char *code = mitra_error_code_name (err->code);
    mitra_pack_cstr (&pk, "code");
    mitra_pack_cstr (&pk, code && err->code != MITRA_OK ? code : "internal");
    //  Bounded by the array, in case a caller filled it without a NUL.
    mitra_pack_cstr (&pk, "message");
    mitra_pack_strn (&pk, err->message, strnlen (err->message, sizeof err->message));
    mitra_pack_cstr (&pk, "field");
    if (err->field [0])
        mitra_pack_strn (&pk, err->field, strnlen (err->field, sizeof err->field));
    else
        msgpack_pack_nil (&pk);
}

void
mitra_reply_pack_result_header (msgpack_packer *pk, const char *id)
{
    assert (pk);
    s_reply_start (pk, id, true);
    mitra_pack_cstr (pk, "result");
}
