/*  test_codec -- the strict decoder refuses every malformed or over-limit
    frame with a message naming the rule and offset, accepts and round-trips
    good ones, and the envelope parser types every request error.
*/
#include "mitra_codec.h"
#include "mitra_schema.h"
#include "mitra_test.h"

#include <math.h>
#include <stdlib.h>

//  --------------------------------------------------------------------------
//  Helpers

//  Hex like "dd ff 00 00 00" into bytes; returns the length.
static size_t
s_hex (const char *hex, uint8_t *out, size_t size)
{
    size_t len = 0;
    while (*hex && len < size) {
        if (*hex == ' ') {
            hex++;
            continue;
        }
        unsigned byte;
        if (sscanf (hex, "%2x", &byte) != 1)
            break;
        out [len++] = (uint8_t) byte;
        hex += 2;
    }
    return len;
}

//  Decodes bytes that must be refused as malformed, with `words` in the message.
static void
s_check_refused (const void *data, size_t size, const mitra_limits_t *limits,
                 const char *words, int line)
{
    mitra_error_t err = { 0 };
    mitra_doc_t *doc = mitra_doc_decode (data, size, limits, &err);
    bool ok = !doc && err.code == MITRA_ERR_MALFORMED && strstr (err.message, words)
           && err.field [0] == '\0';
    CHECK (ok);
    if (!ok)
        fprintf (stderr, "  line %d: expected '%s', got code %d: %s\n",
                 line, words, err.code, err.message);
    mitra_doc_destroy (&doc);
}
#define REFUSED(data, size, limits, words) s_check_refused (data, size, limits, words, __LINE__)

static void
s_check_hex_refused (const char *hex, const char *words, int line)
{
    uint8_t bytes [256];
    size_t len = s_hex (hex, bytes, sizeof bytes);
    s_check_refused (bytes, len, NULL, words, line);
}
#define HEX_REFUSED(hex, words) s_check_hex_refused (hex, words, __LINE__)

static mitra_doc_t *
s_decode_hex (const char *hex)
{
    uint8_t bytes [256];
    size_t len = s_hex (hex, bytes, sizeof bytes);
    mitra_error_t err = { 0 };
    mitra_doc_t *doc = mitra_doc_decode (bytes, len, NULL, &err);
    if (!doc)
        fprintf (stderr, "  %s: %s\n", hex, err.message);
    return doc;
}

//  A flat request map from a NULL-terminated list of (key, value) specs.
typedef enum { V_STR, V_UINT, V_INT, V_FLOAT, V_MAP, V_ARRAY, V_NIL } s_value_kind_t;
typedef struct {
    const char *key;
    s_value_kind_t kind;
    const char *text;
    long long number;
} s_pair_t;

static void
s_pack_pairs (msgpack_sbuffer *sbuf, const s_pair_t *pairs)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    size_t count = 0;
    while (pairs [count].key)
        count++;
    msgpack_pack_map (&pk, count);
    for (const s_pair_t *pair = pairs; pair->key; pair++) {
        mitra_pack_cstr (&pk, pair->key);
        switch (pair->kind) {
            case V_STR: mitra_pack_cstr (&pk, pair->text); break;
            case V_UINT: msgpack_pack_uint64 (&pk, (uint64_t) pair->number); break;
            case V_INT: msgpack_pack_int64 (&pk, pair->number); break;
            case V_FLOAT: msgpack_pack_double (&pk, (double) pair->number); break;
            case V_MAP:
                msgpack_pack_map (&pk, 1);
                mitra_pack_cstr (&pk, "org");
                mitra_pack_cstr (&pk, "ngo-hijau");
                break;
            case V_ARRAY: msgpack_pack_array (&pk, 0); break;
            case V_NIL: msgpack_pack_nil (&pk); break;
        }
    }
}

#define S_V1     { "v", V_UINT, NULL, 1 }
#define S_ID     { "id", V_STR, "req-1", 0 }
#define S_EVENT  { "op", V_STR, "event", 0 }
#define S_QUERY  { "op", V_STR, "query", 0 }
#define S_TYPE   { "type", V_STR, "org.registered", 0 }
#define S_DATA   { "data", V_MAP, NULL, 0 }
#define S_END    { NULL, V_NIL, NULL, 0 }

//  Parses the request built from `pairs`; expects `code` on `field`, or
//  success when code is MITRA_OK. Returns the request for further checks.
static mitra_request_t
s_check_request (const s_pair_t *pairs, mitra_error_code_t code, const char *field,
                 const char *id, int line)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    s_pack_pairs (&sbuf, pairs);
    mitra_error_t err = { 0 };
    mitra_request_t request;
    memset (&request, 0, sizeof request);
    mitra_doc_t *doc = mitra_doc_decode (sbuf.data, sbuf.size, NULL, &err);
    CHECK (doc);
    if (doc) {
        int rc = mitra_request_parse (mitra_doc_root (doc), &request, &err);
        bool ok = code == MITRA_OK ? rc == 0
                : rc == -1 && err.code == code && strcmp (err.field, field) == 0;
        ok = ok && strcmp (request.id, id) == 0;
        CHECK (ok);
        if (!ok)
            fprintf (stderr, "  line %d: rc %d, code %s, field '%s', id '%s': %s\n", line, rc,
                     mitra_error_code_name (err.code), err.field, request.id, err.message);
    }
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);
    return request;
}
#define REQUEST(code, field, id, ...) \
    s_check_request ((const s_pair_t []) { __VA_ARGS__, S_END }, code, field, id, __LINE__)

//  --------------------------------------------------------------------------
//  Tests

static void
test_error_basics (void)
{
    for (int code = 0; code < MITRA_ERR_COUNT_; code++) {
        const char *name = mitra_error_code_name ((mitra_error_code_t) code);
        CHECK (name);
        CHECK_INT (mitra_error_code_from_name (name, strlen (name)), code);
    }
    CHECK_STR (mitra_error_code_name (MITRA_ERR_NOT_FOUND), "not_found");
    CHECK_STR (mitra_error_code_name (MITRA_ERR_STORAGE_FULL), "storage_full");
    CHECK (mitra_error_code_name (MITRA_ERR_COUNT_) == NULL);
    CHECK_INT (mitra_error_code_from_name ("nope", 4), MITRA_ERR_INTERNAL);
    CHECK_INT (mitra_error_code_from_name ("conflicts", 8), MITRA_ERR_CONFLICT);

    mitra_error_t err;
    char long_text [400];
    memset (long_text, 'x', sizeof long_text - 1);
    long_text [sizeof long_text - 1] = '\0';
    CHECK_INT (mitra_error_set (&err, MITRA_ERR_CONFLICT, long_text, "%s", long_text), -1);
    CHECK_INT (err.code, MITRA_ERR_CONFLICT);
    CHECK_INT (strlen (err.field), sizeof err.field - 1);
    CHECK_INT (strlen (err.message), sizeof err.message - 1);
    mitra_error_set (&err, MITRA_ERR_INTERNAL, NULL, "plain %d", 7);
    CHECK_STR (err.field, "");
    CHECK_STR (err.message, "plain 7");
    //  A cut inside a multi-byte character must leave valid UTF-8 behind.
    char accents [600] = "";
    for (int index = 0; index < 150; index++)
        strcat (accents, "\xc3\xa9");   //  U+00E9, two bytes; 255 is odd
    mitra_error_set (&err, MITRA_ERR_INVALID_FIELD, accents, "%s", accents);
    CHECK (mitra_utf8_valid (err.message, strlen (err.message)));
    CHECK (mitra_utf8_valid (err.field, strlen (err.field)));
}

static void
test_utf8 (void)
{
    CHECK (mitra_utf8_valid ("", 0));
    CHECK (mitra_utf8_valid ("plain", 5));
    CHECK (mitra_utf8_valid ("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));   //  é € 😀
    CHECK (mitra_utf8_valid ("\xf4\x8f\xbf\xbf", 4));                      //  U+10FFFF
    CHECK (mitra_utf8_valid ("\xed\x9f\xbf", 3));                          //  U+D7FF
    CHECK (!mitra_utf8_valid ("\xc0\xaf", 2));                 //  overlong '/'
    CHECK (!mitra_utf8_valid ("\xe0\x80\xaf", 3));             //  overlong, 3 bytes
    CHECK (!mitra_utf8_valid ("\xf0\x80\x80\xaf", 4));         //  overlong, 4 bytes
    CHECK (!mitra_utf8_valid ("\xed\xa0\x80", 3));             //  surrogate U+D800
    CHECK (!mitra_utf8_valid ("\xed\xbf\xbf", 3));             //  surrogate U+DFFF
    CHECK (!mitra_utf8_valid ("\xf4\x90\x80\x80", 4));         //  U+110000
    CHECK (!mitra_utf8_valid ("\xe2\x82", 2));                 //  truncated
    CHECK (!mitra_utf8_valid ("\x80", 1));                     //  lone continuation
    CHECK (!mitra_utf8_valid ("\xff", 1));
    CHECK (!mitra_utf8_valid ("\xc3\x28", 2));                 //  bad continuation
}

//  Stored records decode with `trusted` limits: UTF-8 and duplicate keys
//  are not checked again, but every declared length and count still is, so
//  a damaged page is refused before msgpack-c allocates for it.
static void
test_decode_trusted (void)
{
    mitra_limits_t trusted;
    mitra_limits_default (&trusted);
    trusted.trusted = true;
    uint8_t bytes [64];
    size_t len = s_hex ("dd ff ff ff ff 01 02 03 04", bytes, sizeof bytes);
    REFUSED (bytes, len, &trusted, "declares 4294967295 elements but only 4 bytes remain");
    len = s_hex ("82 a1 61 01 a1 62", bytes, sizeof bytes);
    REFUSED (bytes, len, &trusted, "str at byte 4 declares 1 bytes but only 0 bytes remain");
    len = s_hex ("81 a1 61 01 c0", bytes, sizeof bytes);
    REFUSED (bytes, len, &trusted, "trailing bytes");
    //  What was checked on the way in is not checked again...
    len = s_hex ("82 a1 61 01 a1 61 02", bytes, sizeof bytes);
    mitra_error_t err = { 0 };
    mitra_doc_t *doc = mitra_doc_decode (bytes, len, &trusted, &err);
    CHECK (doc != NULL);
    mitra_doc_destroy (&doc);
    //  ...while untrusted bytes are refused for it
    REFUSED (bytes, len, NULL, "duplicate key 'a'");
}

//  mitra_pack_strn writes the bytes msgpack-c's pack_str + pack_str_body
//  write, at every header size and across its one-callback limit.
static void
test_pack_strn_bytes (void)
{
    static const size_t lengths [] = { 0, 1, 31, 32, 200, 250, 251, 255, 256, 300,
                                       65535, 65536, 70000 };
    char *text = malloc (70000);
    for (size_t index = 0; index < 70000; index++)
        text [index] = (char) ('a' + index % 26);
    for (size_t index = 0; index < sizeof lengths / sizeof lengths [0]; index++) {
        msgpack_sbuffer ours, theirs;
        msgpack_sbuffer_init (&ours);
        msgpack_sbuffer_init (&theirs);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &ours, msgpack_sbuffer_write);
        mitra_pack_strn (&pk, text, lengths [index]);
        msgpack_packer_init (&pk, &theirs, msgpack_sbuffer_write);
        msgpack_pack_str (&pk, lengths [index]);
        msgpack_pack_str_body (&pk, text, lengths [index]);
        CHECK_INT (ours.size, theirs.size);
        CHECK (ours.size == theirs.size && memcmp (ours.data, theirs.data, ours.size) == 0);
        msgpack_sbuffer_destroy (&ours);
        msgpack_sbuffer_destroy (&theirs);
    }
    free (text);
}

static void
test_decode_refusals (void)
{
    REFUSED ("", 0, NULL, "empty frame");
    REFUSED ("GET / HTTP/1.1\r\n", 16, NULL, "trailing bytes");
    HEX_REFUSED ("80 c0", "trailing bytes: the object ends at byte 1 but the frame has 2 bytes");
    HEX_REFUSED ("dd ff 00 00 00",
                 "array at byte 0 declares 4278190080 elements but only 0 bytes remain");
    HEX_REFUSED ("dd ff ff ff ff",
                 "array at byte 0 declares 4294967295 elements but only 0 bytes remain");
    HEX_REFUSED ("dd ff ff ff ff 01 02 03 04",
                 "array at byte 0 declares 4294967295 elements but only 4 bytes remain");
    HEX_REFUSED ("df ff ff ff ff 01 02", "map at byte 0 declares 4294967295 pairs");
    HEX_REFUSED ("de 00 03 a1 61 01", "map at byte 0 declares 3 pairs but only 3 bytes remain");
    HEX_REFUSED ("82 a1 61 01 a1 62", "str at byte 4 declares 1 bytes but only 0 bytes remain");
    HEX_REFUSED ("dd 00", "array header at byte 0 needs 5 bytes but only 2 remain");
    //  An inner header may not claim bytes its outer siblings still need.
    HEX_REFUSED ("93 92 01 02 92 03", "array at byte 4 declares 2 elements but only 0 bytes");
    HEX_REFUSED ("a5 61 62", "str at byte 0 declares 5 bytes but only 2 bytes remain");
    HEX_REFUSED ("db ff ff ff ff 61", "str at byte 0 declares 4294967295 bytes");
    HEX_REFUSED ("d9", "str header at byte 0 needs 2 bytes but only 1 remain");
    HEX_REFUSED ("cd 01", "int at byte 0 needs 3 bytes but only 2 remain");
    HEX_REFUSED ("cb 00 00 00", "float at byte 0 needs 9 bytes");
    HEX_REFUSED ("c1", "reserved byte 0xc1 at byte 0");
    HEX_REFUSED ("91 c1", "reserved byte 0xc1 at byte 1");
    HEX_REFUSED ("c4 01 00", "bin at byte 0: bin and ext types are not allowed");
    HEX_REFUSED ("c7 01 05 00", "ext at byte 0");
    HEX_REFUSED ("d4 01 00", "fixext at byte 0");
    HEX_REFUSED ("81 a1 61 d8 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
                 "fixext at byte 3");
    HEX_REFUSED ("81 01 c0", "map key at byte 1 is int; keys must be strings");
    HEX_REFUSED ("81 c0 c0", "map key at byte 1 is nil");
    HEX_REFUSED ("81 90 c0", "map key at byte 1 is array");
    HEX_REFUSED ("82 a1 61 01 a1 61 02", "duplicate key 'a' at byte 4 in map at byte 0");
    HEX_REFUSED ("82 a1 61 81 a1 62 01 a1 61 02", "duplicate key 'a' at byte 7");
    HEX_REFUSED ("81 a1 61 82 a1 62 01 a1 62 02", "duplicate key 'b' at byte 7 in map at byte 3");
    HEX_REFUSED ("a2 c0 af", "str at byte 0 is not valid UTF-8 (at byte 1)");   //  overlong
    HEX_REFUSED ("a3 ed a0 80", "not valid UTF-8");                            //  surrogate
    HEX_REFUSED ("a4 f4 90 80 80", "not valid UTF-8");                         //  > U+10FFFF
    HEX_REFUSED ("92 a2 e2 82 01", "str at byte 1 is not valid UTF-8 (at byte 2)");
    HEX_REFUSED ("81 a2 c3 28 01", "not valid UTF-8");                         //  in a key

    //  100 arrays deep: refused at the 9th, before looking further.
    uint8_t deep [101];
    memset (deep, 0x91, 100);
    deep [100] = 0xc0;
    REFUSED (deep, sizeof deep, NULL, "array at byte 8 is nested 9 deep, over the depth limit of 8");

    //  1025 elements in one array, each one byte.
    uint8_t wide [3 + 1025];
    wide [0] = 0xdc; wide [1] = 0x04; wide [2] = 0x01;
    memset (wide + 3, 0xc0, 1025);
    REFUSED (wide, sizeof wide, NULL, "array at byte 0 has 1025 elements, over the limit of 1024");
    mitra_error_t err;
    wide [2] = 0x00;                                        //  1024: allowed
    mitra_doc_t *doc = mitra_doc_decode (wide, sizeof wide - 1, NULL, &err);
    CHECK (doc);
    mitra_doc_destroy (&doc);

    //  17 arrays of 1000 nils: each array is fine, together too many objects.
    size_t many_size = 3 + 17 * (3 + 1000);
    uint8_t *many = malloc (many_size);
    many [0] = 0xdc; many [1] = 0x00; many [2] = 17;
    for (size_t index = 0; index < 17; index++) {
        uint8_t *array = many + 3 + index * 1003;
        array [0] = 0xdc; array [1] = 0x03; array [2] = 0xe8;
        memset (array + 3, 0xc0, 1000);
    }
    REFUSED (many, many_size, NULL, "over the limit of 16384 objects");
    free (many);

    //  A string over 8192 bytes, and a frame over 65536.
    uint8_t *big = malloc (65537);
    big [0] = 0xda; big [1] = 0x20; big [2] = 0x01;
    memset (big + 3, 'a', 8193);
    REFUSED (big, 3 + 8193, NULL, "str at byte 0 is 8193 bytes, over the limit of 8192");
    big [2] = 0x00;
    doc = mitra_doc_decode (big, 3 + 8192, NULL, &err);
    CHECK (doc);
    mitra_doc_destroy (&doc);
    memset (big, 0xc0, 65537);
    REFUSED (big, 65537, NULL, "frame is 65537 bytes, over the limit of 65536");
    free (big);

    //  Custom limits are honoured.
    mitra_limits_t limits;
    mitra_limits_default (&limits);
    limits.max_depth = 2;
    limits.max_objects = 5;
    uint8_t two_deep [] = { 0x91, 0x91, 0xc0 };
    doc = mitra_doc_decode (two_deep, sizeof two_deep, &limits, &err);
    CHECK (doc);
    mitra_doc_destroy (&doc);
    uint8_t three_deep [] = { 0x91, 0x91, 0x91, 0xc0 };
    REFUSED (three_deep, sizeof three_deep, &limits, "nested 3 deep, over the depth limit of 2");
    uint8_t six [] = { 0x95, 1, 2, 3, 4, 5 };
    REFUSED (six, sizeof six, &limits, "array at byte 0 brings the frame over the limit of 5 objects");

    //  A depth past msgpack-c's own stack (32) is capped, not passed on.
    limits.max_depth = 100;
    limits.max_objects = 16384;
    uint8_t nest [34];
    memset (nest, 0x91, 33);
    nest [33] = 0xc0;
    REFUSED (nest, 34, &limits, "nested 33 deep, over the depth limit of 32");
    doc = mitra_doc_decode (nest + 1, 33, &limits, &err);
    CHECK (doc);
    mitra_doc_destroy (&doc);
}

static void
test_decode_accepts (void)
{
    //  Every scalar, nested containers, and the same key in different maps.
    mitra_doc_t *doc = s_decode_hex (
        "86 a1 61 c0 a1 62 c3 a1 63 92 cc ff d3 80 00 00 00 00 00 00 00"
        " a1 64 cb 3f f8 00 00 00 00 00 00 a1 65 81 a1 61 81 a1 61 a0"
        " a2 c3 a9 ca 3f c0 00 00");
    CHECK (doc);
    if (doc) {
        const msgpack_object *root = mitra_doc_root (doc);
        CHECK_INT (root->type, MSGPACK_OBJECT_MAP);
        CHECK_INT (mitra_map_get (root, "a")->type, MSGPACK_OBJECT_NIL);
        CHECK (mitra_map_get (root, "b")->via.boolean);
        const msgpack_object *c = mitra_map_get (root, "c");
        uint64_t unsigned_value = 0;
        CHECK (mitra_obj_uint (&c->via.array.ptr [0], &unsigned_value));
        CHECK_INT (unsigned_value, 255);
        CHECK (!mitra_obj_uint (&c->via.array.ptr [1], NULL));
        double number = 0;
        CHECK (mitra_obj_number (&c->via.array.ptr [1], &number));
        CHECK (number == (double) INT64_MIN);
        CHECK (mitra_obj_number (mitra_map_get (root, "d"), &number));
        CHECK (number == 1.5);
        CHECK (mitra_obj_number (mitra_map_get (root, "\xc3\xa9"), &number));
        CHECK (number == 1.5);
        CHECK (mitra_map_get (root, "zz") == NULL);
        CHECK (mitra_map_get (mitra_map_get (root, "a"), "a") == NULL);
        CHECK (!mitra_obj_number (mitra_map_get (root, "a"), &number));
    }
    mitra_doc_destroy (&doc);
    mitra_doc_destroy (&doc);       //  destroying twice is harmless

    //  Scalars at the top are decodable; requests reject them later.
    doc = s_decode_hex ("c0");
    CHECK (doc);
    mitra_doc_destroy (&doc);

    //  NaN and infinity decode but are not numbers.
    doc = s_decode_hex ("92 cb 7f f8 00 00 00 00 00 00 ca 7f 80 00 00");
    CHECK (doc);
    if (doc) {
        const msgpack_object *root = mitra_doc_root (doc);
        CHECK (!mitra_obj_number (&root->via.array.ptr [0], NULL));
        CHECK (!mitra_obj_number (&root->via.array.ptr [1], NULL));
    }
    mitra_doc_destroy (&doc);

    //  The document owns its bytes: the caller's buffer may go right away.
    uint8_t *bytes = malloc (8);
    memcpy (bytes, "\x81\xa1k\xa3val", 7);
    mitra_error_t err;
    doc = mitra_doc_decode (bytes, 7, NULL, &err);
    memset (bytes, 0, 7);
    free (bytes);
    CHECK (doc && mitra_obj_str_eq (mitra_map_get (mitra_doc_root (doc), "k"), "val"));
    char copy [4];
    CHECK (doc && mitra_obj_str_copy (mitra_map_get (mitra_doc_root (doc), "k"), copy, 4) == 0);
    CHECK_STR (copy, "val");
    CHECK (doc && mitra_obj_str_copy (mitra_map_get (mitra_doc_root (doc), "k"), copy, 3) == -1);
    mitra_doc_destroy (&doc);
}

static void
test_pack_object (void)
{
    //  Decoding and re-packing gives the same bytes for canonical input.
    const char *hex = "84 a1 61 92 01 d0 80 a1 62 81 a1 63 c2 a1 64 ca 3f c0 00 00"
                      " a1 65 cb 40 09 21 fb 54 44 2d 18";
    uint8_t bytes [64];
    size_t len = s_hex (hex, bytes, sizeof bytes);
    mitra_doc_t *doc = s_decode_hex (hex);
    CHECK (doc);
    if (doc) {
        msgpack_sbuffer sbuf;
        msgpack_sbuffer_init (&sbuf);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
        mitra_pack_object (&pk, mitra_doc_root (doc));
        CHECK_INT (sbuf.size, len);
        CHECK (sbuf.size == len && memcmp (sbuf.data, bytes, len) == 0);
        msgpack_sbuffer_destroy (&sbuf);
    }
    mitra_doc_destroy (&doc);
}

static void
test_request_round_trip (void)
{
    //  Built by hand with msgpack-c, in the key order mitra_request_pack uses.
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 5);
    mitra_pack_cstr (&pk, "v");
    msgpack_pack_uint8 (&pk, 1);
    mitra_pack_cstr (&pk, "id");
    mitra_pack_cstr (&pk, "req-1");
    mitra_pack_cstr (&pk, "op");
    mitra_pack_cstr (&pk, "event");
    mitra_pack_cstr (&pk, "type");
    mitra_pack_cstr (&pk, "org.registered");
    mitra_pack_cstr (&pk, "data");
    msgpack_pack_map (&pk, 2);
    mitra_pack_cstr (&pk, "org");
    mitra_pack_cstr (&pk, "ngo-hijau");
    mitra_pack_cstr (&pk, "focus");
    msgpack_pack_array (&pk, 1);
    mitra_pack_cstr (&pk, "water");

    mitra_error_t err;
    mitra_request_t request;
    mitra_doc_t *doc = mitra_doc_decode (sbuf.data, sbuf.size, NULL, &err);
    CHECK (doc);
    CHECK (doc && mitra_request_parse (mitra_doc_root (doc), &request, &err) == 0);
    if (doc) {
        CHECK_STR (request.id, "req-1");
        CHECK_INT (request.op, MITRA_OP_EVENT);
        CHECK_STR (request.name, "org.registered");
        CHECK (mitra_obj_str_eq (mitra_map_get (request.body, "org"), "ngo-hijau"));
        //  Re-packing the parsed request gives the bytes we started from.
        msgpack_sbuffer again;
        msgpack_sbuffer_init (&again);
        mitra_request_pack (&again, request.id, request.op, request.name, request.body);
        CHECK (again.size == sbuf.size && memcmp (again.data, sbuf.data, sbuf.size) == 0);
        msgpack_sbuffer_destroy (&again);
    }
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);

    //  A query without args has no body; an event without one gets {}.
    const mitra_op_t ops [] = { MITRA_OP_QUERY, MITRA_OP_EVENT };
    for (int index = 0; index < 2; index++) {
        msgpack_sbuffer_init (&sbuf);
        mitra_request_pack (&sbuf, "q-7", ops [index], "hello", NULL);
        doc = mitra_doc_decode (sbuf.data, sbuf.size, NULL, &err);
        CHECK (doc && mitra_request_parse (mitra_doc_root (doc), &request, &err) == 0);
        CHECK_INT (request.op, ops [index]);
        CHECK_STR (request.name, "hello");
        if (ops [index] == MITRA_OP_QUERY)
            CHECK (request.body == NULL);
        else
            CHECK (request.body && request.body->via.map.size == 0);
        mitra_doc_destroy (&doc);
        msgpack_sbuffer_destroy (&sbuf);
    }
}

static void
test_request_errors (void)
{
    char id64 [65], id65 [66];
    memset (id64, 'i', 64); id64 [64] = '\0';
    memset (id65, 'i', 65); id65 [65] = '\0';
    char name64 [65];
    memset (name64, 'n', 64); name64 [64] = '\0';

    REQUEST (MITRA_OK, "", "req-1", S_V1, S_ID, S_EVENT, S_TYPE, S_DATA);
    REQUEST (MITRA_OK, "", "req-1", S_V1, S_ID, S_QUERY, { "q", V_STR, "hello", 0 });
    REQUEST (MITRA_OK, "", "req-1", S_V1, S_ID, S_QUERY, { "q", V_STR, "org.get", 0 },
             { "args", V_MAP, NULL, 0 });
    REQUEST (MITRA_OK, "", id64, S_V1, { "id", V_STR, id64, 0 }, S_QUERY, { "q", V_STR, "x", 0 });

    //  Version.
    REQUEST (MITRA_ERR_MISSING_FIELD, "v", "req-1", S_ID, S_EVENT, S_TYPE, S_DATA);
    REQUEST (MITRA_ERR_UNSUPPORTED_VERSION, "v", "req-1",
             { "v", V_UINT, NULL, 2 }, S_ID, S_EVENT, S_TYPE, S_DATA);
    REQUEST (MITRA_ERR_UNSUPPORTED_VERSION, "v", "req-1",
             { "v", V_UINT, NULL, 0 }, S_ID, S_EVENT, S_TYPE, S_DATA);
    REQUEST (MITRA_ERR_UNSUPPORTED_VERSION, "v", "req-1",
             { "v", V_INT, NULL, -1 }, S_ID, S_EVENT, S_TYPE, S_DATA);
    //  Any other value, whatever its type, is another version (PROTOCOL.md 4.2).
    REQUEST (MITRA_ERR_UNSUPPORTED_VERSION, "v", "req-1",
             { "v", V_STR, "1", 0 }, S_ID, S_EVENT, S_TYPE, S_DATA);
    REQUEST (MITRA_ERR_UNSUPPORTED_VERSION, "v", "req-1",
             { "v", V_FLOAT, NULL, 1 }, S_ID, S_EVENT, S_TYPE, S_DATA);
    REQUEST (MITRA_ERR_UNSUPPORTED_VERSION, "v", "",
             { "v", V_NIL, NULL, 0 }, S_EVENT, S_TYPE, S_DATA);
    //  v is checked before unknown keys, so another version's keys don't matter.
    REQUEST (MITRA_ERR_UNSUPPORTED_VERSION, "v", "req-1",
             { "v", V_UINT, NULL, 2 }, S_ID, { "future", V_UINT, NULL, 1 });

    //  Unknown keys, named; the id already read travels with the error.
    REQUEST (MITRA_ERR_INVALID_FIELD, "extra", "req-1",
             S_V1, S_ID, S_EVENT, S_TYPE, S_DATA, { "extra", V_UINT, NULL, 1 });
    REQUEST (MITRA_ERR_INVALID_FIELD, "ID", "", S_V1, { "ID", V_STR, "x", 0 }, S_EVENT,
             S_TYPE, S_DATA);

    //  Id.
    REQUEST (MITRA_ERR_MISSING_FIELD, "id", "", S_V1, S_EVENT, S_TYPE, S_DATA);
    REQUEST (MITRA_ERR_INVALID_FIELD, "id", "", S_V1, { "id", V_STR, "", 0 }, S_EVENT,
             S_TYPE, S_DATA);
    REQUEST (MITRA_ERR_INVALID_FIELD, "id", "", S_V1, { "id", V_STR, id65, 0 }, S_EVENT,
             S_TYPE, S_DATA);
    REQUEST (MITRA_ERR_INVALID_FIELD, "id", "", S_V1, { "id", V_STR, "a b", 0 }, S_EVENT,
             S_TYPE, S_DATA);
    REQUEST (MITRA_ERR_INVALID_FIELD, "id", "", S_V1, { "id", V_STR, "caf\xc3\xa9", 0 },
             S_EVENT, S_TYPE, S_DATA);
    REQUEST (MITRA_ERR_INVALID_FIELD, "id", "", S_V1, { "id", V_UINT, NULL, 5 }, S_EVENT,
             S_TYPE, S_DATA);

    //  Op.
    REQUEST (MITRA_ERR_MISSING_FIELD, "op", "req-1", S_V1, S_ID, S_TYPE, S_DATA);
    REQUEST (MITRA_ERR_INVALID_FIELD, "op", "req-1", S_V1, S_ID, { "op", V_STR, "evnt", 0 },
             S_TYPE, S_DATA);
    REQUEST (MITRA_ERR_INVALID_FIELD, "op", "req-1", S_V1, S_ID, { "op", V_UINT, NULL, 1 },
             S_TYPE, S_DATA);

    //  Event shape.
    REQUEST (MITRA_ERR_MISSING_FIELD, "type", "req-1", S_V1, S_ID, S_EVENT, S_DATA);
    REQUEST (MITRA_ERR_INVALID_FIELD, "type", "req-1", S_V1, S_ID, S_EVENT,
             { "type", V_UINT, NULL, 3 }, S_DATA);
    REQUEST (MITRA_ERR_INVALID_FIELD, "type", "req-1", S_V1, S_ID, S_EVENT,
             { "type", V_STR, name64, 0 }, S_DATA);
    REQUEST (MITRA_ERR_INVALID_FIELD, "type", "req-1", S_V1, S_ID, S_EVENT,
             { "type", V_STR, "", 0 }, S_DATA);
    REQUEST (MITRA_ERR_MISSING_FIELD, "data", "req-1", S_V1, S_ID, S_EVENT, S_TYPE);
    REQUEST (MITRA_ERR_INVALID_FIELD, "data", "req-1", S_V1, S_ID, S_EVENT, S_TYPE,
             { "data", V_ARRAY, NULL, 0 });
    REQUEST (MITRA_ERR_INVALID_FIELD, "data", "req-1", S_V1, S_ID, S_EVENT, S_TYPE,
             { "data", V_NIL, NULL, 0 });
    REQUEST (MITRA_ERR_INVALID_FIELD, "q", "req-1", S_V1, S_ID, S_EVENT, S_TYPE, S_DATA,
             { "q", V_STR, "hello", 0 });
    REQUEST (MITRA_ERR_INVALID_FIELD, "args", "req-1", S_V1, S_ID, S_EVENT, S_TYPE, S_DATA,
             { "args", V_MAP, NULL, 0 });

    //  Query shape.
    REQUEST (MITRA_ERR_MISSING_FIELD, "q", "req-1", S_V1, S_ID, S_QUERY);
    REQUEST (MITRA_ERR_INVALID_FIELD, "q", "req-1", S_V1, S_ID, S_QUERY,
             { "q", V_STR, "he llo", 0 });
    REQUEST (MITRA_ERR_INVALID_FIELD, "args", "req-1", S_V1, S_ID, S_QUERY,
             { "q", V_STR, "hello", 0 }, { "args", V_ARRAY, NULL, 0 });
    REQUEST (MITRA_ERR_INVALID_FIELD, "type", "req-1", S_V1, S_ID, S_QUERY,
             { "q", V_STR, "hello", 0 }, S_TYPE);
    REQUEST (MITRA_ERR_INVALID_FIELD, "data", "req-1", S_V1, S_ID, S_QUERY,
             { "q", V_STR, "hello", 0 }, S_DATA);

    //  The root must be a map.
    mitra_doc_t *doc = s_decode_hex ("92 01 02");
    mitra_request_t request;
    mitra_error_t err;
    CHECK (doc && mitra_request_parse (mitra_doc_root (doc), &request, &err) == -1);
    CHECK_INT (err.code, MITRA_ERR_MALFORMED);
    CHECK_STR (request.id, "");
    mitra_doc_destroy (&doc);
    CHECK (mitra_request_parse (NULL, &request, &err) == -1);
    CHECK_INT (err.code, MITRA_ERR_MALFORMED);
}

//  Decodes a reply and checks its first keys are id, ok in that order.
static mitra_doc_t *
s_decode_reply (msgpack_sbuffer *sbuf, const char *third_key)
{
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (sbuf->data, sbuf->size, NULL, &err);
    CHECK (doc);
    if (!doc)
        return NULL;
    const msgpack_object *root = mitra_doc_root (doc);
    CHECK_INT (root->type, MSGPACK_OBJECT_MAP);
    CHECK_INT (root->via.map.size, 3);
    if (root->type == MSGPACK_OBJECT_MAP && root->via.map.size == 3) {
        CHECK (mitra_obj_str_eq (&root->via.map.ptr [0].key, "id"));
        CHECK (mitra_obj_str_eq (&root->via.map.ptr [1].key, "ok"));
        CHECK (mitra_obj_str_eq (&root->via.map.ptr [2].key, third_key));
    }
    return doc;
}

static void
test_replies (void)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    mitra_reply_pack_seq (&sbuf, "req-1", 42);
    mitra_doc_t *doc = s_decode_reply (&sbuf, "seq");
    if (doc) {
        const msgpack_object *root = mitra_doc_root (doc);
        uint64_t seq = 0;
        CHECK (mitra_obj_str_eq (mitra_map_get (root, "id"), "req-1"));
        CHECK (mitra_map_get (root, "ok")->via.boolean == true);
        CHECK (mitra_obj_uint (mitra_map_get (root, "seq"), &seq) && seq == 42);
    }
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);

    //  Error without id and without field: both nil.
    mitra_error_t err;
    mitra_error_set (&err, MITRA_ERR_MALFORMED, NULL, "empty frame");
    msgpack_sbuffer_init (&sbuf);
    mitra_reply_pack_error (&sbuf, "", &err);
    doc = s_decode_reply (&sbuf, "error");
    if (doc) {
        const msgpack_object *root = mitra_doc_root (doc);
        CHECK_INT (mitra_map_get (root, "id")->type, MSGPACK_OBJECT_NIL);
        CHECK (mitra_map_get (root, "ok")->via.boolean == false);
        const msgpack_object *error = mitra_map_get (root, "error");
        CHECK (error && error->via.map.size == 3);
        CHECK (mitra_obj_str_eq (&error->via.map.ptr [0].key, "code"));
        CHECK (mitra_obj_str_eq (&error->via.map.ptr [1].key, "message"));
        CHECK (mitra_obj_str_eq (&error->via.map.ptr [2].key, "field"));
        CHECK (mitra_obj_str_eq (mitra_map_get (error, "code"), "malformed"));
        CHECK (mitra_obj_str_eq (mitra_map_get (error, "message"), "empty frame"));
        CHECK_INT (mitra_map_get (error, "field")->type, MSGPACK_OBJECT_NIL);
    }
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);

    //  Error with both.
    mitra_error_set (&err, MITRA_ERR_NOT_FOUND, "org", "no org 'x'");
    msgpack_sbuffer_init (&sbuf);
    mitra_reply_pack_error (&sbuf, "r-2", &err);
    doc = s_decode_reply (&sbuf, "error");
    if (doc) {
        const msgpack_object *error = mitra_map_get (mitra_doc_root (doc), "error");
        CHECK (mitra_obj_str_eq (mitra_map_get (mitra_doc_root (doc), "id"), "r-2"));
        CHECK (mitra_obj_str_eq (mitra_map_get (error, "code"), "not_found"));
        CHECK (mitra_obj_str_eq (mitra_map_get (error, "field"), "org"));
    }
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);

    //  Result: the caller packs the value.
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    mitra_reply_pack_result_header (&pk, "q-1");
    msgpack_pack_map (&pk, 1);
    mitra_pack_cstr (&pk, "daemon");
    mitra_pack_cstr (&pk, "mitrad");
    doc = s_decode_reply (&sbuf, "result");
    if (doc) {
        const msgpack_object *result = mitra_map_get (mitra_doc_root (doc), "result");
        CHECK (mitra_obj_str_eq (mitra_map_get (result, "daemon"), "mitrad"));
    }
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);
}

//  Packs the error reply to a frame the way the daemon does, to compare with
//  the exact bytes of a PROTOCOL.md example.
static bool
s_reply_matches (const char *request_hex, const char *reply_hex)
{
    static uint8_t request [20000], expected [512];
    size_t request_len = s_hex (request_hex, request, sizeof request);
    size_t expected_len = s_hex (reply_hex, expected, sizeof expected);
    mitra_error_t err = { 0 };
    mitra_request_t parsed = { .id = "" };
    mitra_doc_t *doc = mitra_doc_decode (request, request_len, NULL, &err);
    if (doc && mitra_request_parse (mitra_doc_root (doc), &parsed, &err) == 0) {
        const mitra_schema_t *schema = mitra_schema_find (
            parsed.op == MITRA_OP_EVENT ? MITRA_SCHEMA_EVENT : MITRA_SCHEMA_QUERY, parsed.name);
        if (schema)
            mitra_schema_validate (schema, parsed.body, &err);
    }
    mitra_doc_destroy (&doc);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    mitra_reply_pack_error (&sbuf, parsed.id, &err);
    bool same = sbuf.size == expected_len && memcmp (sbuf.data, expected, expected_len) == 0;
    if (!same)
        fprintf (stderr, "  reply differs from the spec: %s\n", err.message);
    msgpack_sbuffer_destroy (&sbuf);
    return same;
}

//  The examples of PROTOCOL.md section 11, byte for byte.
static void
test_spec_examples (void)
{
    //  11.1: the org.registered request is accepted, envelope and body.
    mitra_doc_t *doc = s_decode_hex (
        "85 a1 76 01 a2 69 64 a7 63 31 2d 30 30 30 31 a2 6f 70 a5 65 76 65 6e 74 a4 74 79 70"
        " 65 ae 6f 72 67 2e 72 65 67 69 73 74 65 72 65 64 a4 64 61 74 61 85 a3 6f 72 67 a9"
        " 6e 67 6f 2d 68 69 6a 61 75 a4 6e 61 6d 65 ad 59 61 79 61 73 61 6e 20 48 69 6a 61"
        " 75 a4 6b 69 6e 64 a3 6e 67 6f a5 66 6f 63 75 73 92 a5 77 61 74 65 72 aa 73 61 6e"
        " 69 74 61 74 69 6f 6e a7 63 6f 75 6e 74 72 79 a2 49 44");
    mitra_request_t request;
    mitra_error_t err;
    CHECK (doc && mitra_request_parse (mitra_doc_root (doc), &request, &err) == 0);
    CHECK (doc && mitra_schema_validate (mitra_schema_find (MITRA_SCHEMA_EVENT, request.name),
                                         request.body, &err) == 0);
    CHECK_STR (request.id, "c1-0001");
    mitra_doc_destroy (&doc);

    //  11.4: missing_field.
    CHECK (s_reply_matches (
        "85 a1 76 01 a2 69 64 a7 63 31 2d 30 30 30 33 a2 6f 70 a5 65 76 65 6e 74 a4 74 79 70"
        " 65 ae 6f 72 67 2e 72 65 67 69 73 74 65 72 65 64 a4 64 61 74 61 82 a3 6f 72 67 a8"
        " 6e 67 6f 2d 6c 61 75 74 a4 6b 69 6e 64 a3 6e 67 6f",
        "83 a2 69 64 a7 63 31 2d 30 30 30 33 a2 6f 6b c2 a5 65 72 72 6f 72 83 a4 63 6f 64 65"
        " ad 6d 69 73 73 69 6e 67 5f 66 69 65 6c 64 a7 6d 65 73 73 61 67 65 d9 51 6d 69 73"
        " 73 69 6e 67 20 72 65 71 75 69 72 65 64 20 66 69 65 6c 64 20 27 6e 61 6d 65 27 20"
        " 66 6f 72 20 6f 72 67 2e 72 65 67 69 73 74 65 72 65 64 3a 20 74 68 65 20 6f 72 67"
        " 61 6e 69 7a 61 74 69 6f 6e 27 73 20 64 69 73 70 6c 61 79 20 6e 61 6d 65 a5 66 69"
        " 65 6c 64 a4 6e 61 6d 65"));
    //  11.6 f1 and f2: hostile frames.
    CHECK (s_reply_matches ("dd ff 00 00 00",
        "83 a2 69 64 c0 a2 6f 6b c2 a5 65 72 72 6f 72 83 a4 63 6f 64 65 a9 6d 61 6c 66 6f 72"
        " 6d 65 64 a7 6d 65 73 73 61 67 65 d9 44 61 72 72 61 79 20 61 74 20 62 79 74 65 20"
        " 30 20 64 65 63 6c 61 72 65 73 20 34 32 37 38 31 39 30 30 38 30 20 65 6c 65 6d 65"
        " 6e 74 73 20 62 75 74 20 6f 6e 6c 79 20 30 20 62 79 74 65 73 20 72 65 6d 61 69 6e"
        " a5 66 69 65 6c 64 c0"));
    CHECK (s_reply_matches (
        "84 a1 76 01 a2 69 64 a7 63 31 2d 30 30 30 32 a2 6f 70 a5 71 75 65 72 79 a1 71 a5 68"
        " 65 6c 6c 6f c0",
        "83 a2 69 64 c0 a2 6f 6b c2 a5 65 72 72 6f 72 83 a4 63 6f 64 65 a9 6d 61 6c 66 6f 72"
        " 6d 65 64 a7 6d 65 73 73 61 67 65 d9 45 74 72 61 69 6c 69 6e 67 20 62 79 74 65 73"
        " 3a 20 74 68 65 20 6f 62 6a 65 63 74 20 65 6e 64 73 20 61 74 20 62 79 74 65 20 33"
        " 32 20 62 75 74 20 74 68 65 20 66 72 61 6d 65 20 68 61 73 20 33 33 20 62 79 74 65"
        " 73 a5 66 69 65 6c 64 c0"));
    //  11.7: unsupported_version carries the id.
    CHECK (s_reply_matches (
        "84 a1 76 02 a2 69 64 a7 63 31 2d 30 30 30 34 a2 6f 70 a5 71 75 65 72 79 a1 71 a5 68"
        " 65 6c 6c 6f",
        "83 a2 69 64 a7 63 31 2d 30 30 30 34 a2 6f 6b c2 a5 65 72 72 6f 72 83 a4 63 6f 64 65"
        " b3 75 6e 73 75 70 70 6f 72 74 65 64 5f 76 65 72 73 69 6f 6e a7 6d 65 73 73 61 67"
        " 65 d9 41 70 72 6f 74 6f 63 6f 6c 20 76 65 72 73 69 6f 6e 20 32 20 69 73 20 6e 6f"
        " 74 20 73 75 70 70 6f 72 74 65 64 3b 20 74 68 69 73 20 64 61 65 6d 6f 6e 20 73 70"
        " 65 61 6b 73 20 76 65 72 73 69 6f 6e 20 31 a5 66 69 65 6c 64 a1 76"));

    //  11.6 f3: each refused, with the offset the table gives.
    HEX_REFUSED ("81 a1 76 c4 01 00", "at byte 3");
    HEX_REFUSED ("81 a1 76 d4 01 00", "at byte 3");
    HEX_REFUSED ("81 01 02", "at byte 1");
    HEX_REFUSED ("82 a1 76 01 a1 76 02", "at byte 4");
    HEX_REFUSED ("81 a1 76 a2 c3 28", "str at byte 3");
    HEX_REFUSED ("81 a1 76 da 00 05 61", "str at byte 3");
    HEX_REFUSED ("81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 81 a1 61 80",
                 "map at byte 24 is nested 9 deep");
    //  17 411 objects: a map holding 1024 arrays of 16.
    static uint8_t objects [8 + 1024 * 19];
    memcpy (objects, "\x81\xa1\x61\xdd\x00\x00\x04\x00", 8);
    for (size_t index = 0; index < 1024; index++) {
        uint8_t *array = objects + 8 + index * 19;
        memset (array, 0, 19);
        array [0] = 0xdc; array [2] = 0x10;
    }
    REFUSED (objects, sizeof objects, NULL, "over the limit of 16384 objects");
}

//  The decoder builds objects itself, not through msgpack-c: for every
//  format the two must give the same objects, and the strings must point
//  into the document's own copy.
static void
test_decode_matches_msgpack (void)
{
    const char *cases [] = {
        "00", "7f", "e0", "ff", "c0", "c2", "c3",
        "cc ff", "cd ff fe", "ce ff ff ff fe", "cf ff ff ff ff ff ff ff fe",
        "d0 7f", "d0 80", "d1 7f ff", "d1 80 00", "d2 7f ff ff ff", "d2 80 00 00 00",
        "d3 7f ff ff ff ff ff ff ff", "d3 80 00 00 00 00 00 00 00", "d3 00 00 00 00 00 00 00 05",
        "ca 3f c0 00 00", "ca ff 80 00 00", "cb 40 09 21 fb 54 44 2d 18", "cb 80 00 00 00 00 00 00 00",
        "a0", "a3 61 62 63", "d9 03 78 79 7a", "da 00 02 c3 a9", "db 00 00 00 01 41",
        "90", "80", "93 01 a1 61 c0", "dc 00 02 c2 c3", "dd 00 00 00 01 90",
        "82 a1 61 01 a1 62 92 80 81 a1 63 cb 3f f0 00 00 00 00 00 00",
        "de 00 01 a0 de 00 00", "df 00 00 00 01 a1 6b 91 91 91 91 e5",
        "83 a1 61 d0 fb a1 62 cd 01 00 a1 63 93 ca 00 00 00 00 a2 c3 a9 c0",
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases [0]; index++) {
        uint8_t bytes [64];
        size_t len = s_hex (cases [index], bytes, sizeof bytes);
        mitra_error_t err = { 0 };
        mitra_doc_t *doc = mitra_doc_decode (bytes, len, NULL, &err);
        CHECK (doc != NULL);
        if (!doc) {
            fprintf (stderr, "  %s: %s\n", cases [index], err.message);
            continue;
        }
        msgpack_zone zone;
        msgpack_zone_init (&zone, 1024);
        msgpack_object expected;
        size_t offset = 0;
        CHECK (msgpack_unpack ((const char *) bytes, len, &offset, &zone, &expected)
               == MSGPACK_UNPACK_SUCCESS);
        const msgpack_object *root = mitra_doc_root (doc);
        bool same = msgpack_object_equal (expected, *root) && expected.type == root->type;
        CHECK (same);
        if (!same)
            fprintf (stderr, "  %s: the decoder's objects differ from msgpack-c's\n",
                     cases [index]);
        //  A string points into the document, not into the caller's bytes
        if (root->type == MSGPACK_OBJECT_STR && root->via.str.size)
            CHECK ((const uint8_t *) root->via.str.ptr < bytes
                || (const uint8_t *) root->via.str.ptr >= bytes + len);
        msgpack_zone_destroy (&zone);
        mitra_doc_destroy (&doc);
    }
}

int
main (void)
{
    test_error_basics ();
    test_utf8 ();
    test_decode_trusted ();
    test_pack_strn_bytes ();
    test_decode_refusals ();
    test_decode_accepts ();
    test_decode_matches_msgpack ();
    test_pack_object ();
    test_request_round_trip ();
    test_request_errors ();
    test_replies ();
    test_spec_examples ();
    return TEST_DONE ();
}
