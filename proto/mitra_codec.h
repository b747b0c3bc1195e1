/*  mitra_codec -- the strict msgpack decoder and the wire's building blocks.

    Everything that arrives from a socket is untrusted. The decoder walks the
    raw bytes first and checks every declared length against what is left in
    the frame, the nesting depth, the element counts, string lengths, UTF-8,
    map keys (strings, no duplicates) and trailing bytes -- and only then
    builds the objects (msgpack-c's types, the same values msgpack_unpack
    gives). So a bare array header claiming 4 billion items (`dd ff ff ff ff`)
    is refused before anything is allocated.

    It must never abort or assert on input bytes: every failure is a typed
    mitra_error_t for the caller to put on the wire.
*/
#ifndef MITRA_CODEC_H
#define MITRA_CODEC_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MITRA_PROTOCOL_VERSION 1
#define MITRA_REQUEST_ID_MAX   64    //  bytes in a client request id

//  Stable error codes; their names are part of the protocol.
typedef enum {
    MITRA_OK = 0,
    MITRA_ERR_MALFORMED,            //  not a well-formed, in-limits msgpack request
    MITRA_ERR_UNSUPPORTED_VERSION,  //  `v` is not a version this daemon speaks
    MITRA_ERR_UNKNOWN_TYPE,         //  event type or query name unknown
    MITRA_ERR_MISSING_FIELD,        //  a required field is absent
    MITRA_ERR_INVALID_FIELD,        //  a field has the wrong type, value or is unknown
    MITRA_ERR_NOT_FOUND,            //  a referenced record does not exist
    MITRA_ERR_CONFLICT,             //  the event contradicts current state
    MITRA_ERR_FORBIDDEN,            //  the sender may not do this
    MITRA_ERR_STORAGE_FULL,         //  the store is full; nothing was written
    MITRA_ERR_INTERNAL,             //  a bug or I/O failure in the daemon
    MITRA_ERR_AFTER_NOT_APPLIED,    //  the request named by `after` was not accepted
    MITRA_ERR_COUNT_
} mitra_error_code_t;

//  A typed error: a code, the field it concerns ("" when none) and a message
//  that tells a person what to fix.
typedef struct {
    mitra_error_code_t code;
    char field[96];
    char message[256];
} mitra_error_t;

//  Decoder limits. Every one is checked before any allocation.
typedef struct {
    size_t   max_size;       //  bytes in one frame
    uint32_t max_depth;      //  nesting; the top-level map is depth 1 (at most 32,
                             //  msgpack-c's own limit: larger values act as 32)
    uint32_t max_elements;   //  items of one array, or pairs of one map
    uint32_t max_objects;    //  objects in one frame, all levels together
    uint32_t max_string;     //  bytes of one string
    bool     trusted;        //  bytes this process wrote (stored records): every
                             //  length, count and limit is still checked -- what
                             //  keeps a damaged page from making msgpack-c
                             //  allocate wildly -- but not UTF-8 or duplicate
                             //  keys, which were checked when the value was built
} mitra_limits_t;

//  Defaults: 65536 bytes, depth 8, 1024 elements, 16384 objects, 8192-byte strings.
void mitra_limits_default (mitra_limits_t *limits);

//  Name of a code as it appears on the wire ("not_found"); "ok" for MITRA_OK;
//  NULL if out of range.
const char *mitra_error_code_name (mitra_error_code_t code);

//  Code for a wire name; MITRA_ERR_INTERNAL when unknown.
mitra_error_code_t mitra_error_code_from_name (const char *name, size_t len);

//  Fill a typed error. `field` may be NULL. Both texts are cut to fit and
//  any invalid UTF-8 left by the cut becomes '?', so they can go on the wire.
//  Returns -1 so that callers can `return mitra_error_set (...)`.
int mitra_error_set (mitra_error_t *err, mitra_error_code_t code, const char *field,
                     const char *format, ...) __attribute__ ((format (printf, 4, 5)));

//  A decoded frame: one msgpack object tree that owns its memory.
typedef struct _mitra_doc_t mitra_doc_t;

//  Strictly decode one frame. On success returns a new document (free with
//  mitra_doc_destroy); on any violation returns NULL and fills `err` with
//  MITRA_ERR_MALFORMED and a message naming the rule and the byte offset
//  (MITRA_ERR_INTERNAL if memory runs out). `limits` NULL means the defaults.
//  Ext and bin types are refused. The document keeps its own copy of the
//  bytes, so `data` may be freed as soon as this returns.
mitra_doc_t *mitra_doc_decode (const void *data, size_t size,
                               const mitra_limits_t *limits, mitra_error_t *err);

//  The root object; valid until the document is destroyed.
const msgpack_object *mitra_doc_root (mitra_doc_t *self);

//  Another reference to the same document (it is never changed once
//  decoded, so holders may share it): each reference is destroyed once.
mitra_doc_t *mitra_doc_ref (mitra_doc_t *self);

//  True when the document was decoded from exactly these bytes.
bool mitra_doc_is (const mitra_doc_t *self, const void *data, size_t size);

//  The bytes the document takes in memory.
size_t mitra_doc_footprint (const mitra_doc_t *self);

//  Drop this reference; the last one frees the document.
void mitra_doc_destroy (mitra_doc_t **self_p);

//  Join the strings up to a NULL into `out`, with snprintf's contract: at
//  most size - 1 bytes and a NUL written, the whole length returned (>= size
//  means `out` holds a cut copy). For keys, topics and paths built on every
//  request, where snprintf with "%s" parts cost ~800 instructions each
//  (bench/PROFILE.md).
size_t mitra_str_join (char *out, size_t size, ...) __attribute__ ((sentinel));

//  A 64-bit FNV-1a hash of `size` bytes: a fingerprint, not a defence
//  against someone choosing collisions.
uint64_t mitra_fnv1a (const void *data, size_t size);

//  Value of `key` in a map object, or NULL if absent or `map` is not a map.
const msgpack_object *mitra_map_get (const msgpack_object *map, const char *key);

//  True if `obj` is a string equal to `text`.
bool mitra_obj_str_eq (const msgpack_object *obj, const char *text);

//  Copy a string object into `buffer` (NUL-terminated). Returns -1 if `obj`
//  is not a string or does not fit.
int mitra_obj_str_copy (const msgpack_object *obj, char *buffer, size_t size);

//  True and sets *value if `obj` is a non-negative integer.
bool mitra_obj_uint (const msgpack_object *obj, uint64_t *value);

//  True and sets *value if `obj` is any integer or float (finite).
bool mitra_obj_number (const msgpack_object *obj, double *value);

//  The type of an object for messages: "a string", "an integer", "nil", ...;
//  "nothing" for NULL.
const char *mitra_obj_type_name (const msgpack_object *obj);

//  Packing helpers over msgpack-c.
void mitra_pack_cstr (msgpack_packer *pk, const char *text);
void mitra_pack_strn (msgpack_packer *pk, const char *text, size_t len);
//  Re-pack a decoded object as it was.
void mitra_pack_object (msgpack_packer *pk, const msgpack_object *obj);

//  A parsed request (see PROTOCOL.md). Pointers borrow from the document.
typedef enum { MITRA_OP_EVENT, MITRA_OP_QUERY } mitra_op_t;
typedef struct {
    char id[MITRA_REQUEST_ID_MAX + 1];
    mitra_op_t op;
    char name[64];                  //  event type or query name
    const msgpack_object *body;     //  `data` (event) or `args` (query; NULL if absent)
    char after[MITRA_REQUEST_ID_MAX + 1];   //  event's `after` request id; "" if absent
} mitra_request_t;

//  Check the request envelope: a map with v, id, op, type+data[+after] or
//  q[+args], and nothing else, in the order of checks of PROTOCOL.md 4.2 (any `v` but
//  the integer 1 is unsupported_version). On failure fills `err`, and copies
//  the id into request->id when it is valid (so the reply can carry it),
//  else "". `type` and `q` are 1..63 visible ASCII bytes, like the id.
int mitra_request_parse (const msgpack_object *root, mitra_request_t *request,
                         mitra_error_t *err);

//  Encode a request into `sbuf` (appends). `body` may be NULL for a query.
void mitra_request_pack (msgpack_sbuffer *sbuf, const char *id, mitra_op_t op,
                         const char *name, const msgpack_object *body);
//  The same with an event's `after` (NULL: none, as mitra_request_pack),
//  packed as the last key.
void mitra_request_pack_after (msgpack_sbuffer *sbuf, const char *id, mitra_op_t op,
                               const char *name, const msgpack_object *body,
                               const char *after);

//  Encode replies into `sbuf` (appends).
void mitra_reply_pack_seq (msgpack_sbuffer *sbuf, const char *id, uint64_t seq);
void mitra_reply_pack_error (msgpack_sbuffer *sbuf, const char *id, const mitra_error_t *err);
//  Starts an ok reply with a `result` key: the caller packs exactly one
//  object (the result) into `pk` right after.
void mitra_reply_pack_result_header (msgpack_packer *pk, const char *id);

//  True if the bytes are valid UTF-8 (no overlongs, no surrogates).
bool mitra_utf8_valid (const char *text, size_t len);

#ifdef __cplusplus
}
#endif

#endif
