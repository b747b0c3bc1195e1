/*  mitra_json -- JSON (jansson) to msgpack and back, for people and scripts.

    The wire speaks msgpack; people and shell scripts speak JSON. Both
    directions keep the kind of every value: integers stay integers, reals
    floats, and map order is kept. What JSON cannot hold (bin, ext, map keys
    that are not strings, strings that are not UTF-8) is refused, never
    guessed at. Internal to libmitra and its tools.
*/
#ifndef MITRA_JSON_H
#define MITRA_JSON_H

#include <jansson.h>
#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

//  Append `json` to `pk` as msgpack. Returns 0, or -1 if `json` is NULL or
//  nested deeper than the converter goes (which jansson's own parser never
//  produces).
int mitra_json_pack (msgpack_packer *pk, const json_t *json);

//  A new JSON value for a msgpack object; caller json_decref()s it. Unsigned
//  integers above INT64_MAX become reals, non-finite floats null (JSON has
//  neither). Returns NULL for bin, ext, a non-string map key, a string that
//  is not UTF-8, or nesting deeper than 256.
json_t *mitra_json_from_msgpack (const msgpack_object *obj);

//  JSON text for a msgpack object: malloc'd, caller frees. `flags` as for
//  json_dumps (e.g. JSON_COMPACT, JSON_INDENT(2)); JSON_ENCODE_ANY is added
//  so that scalars work too. NULL when mitra_json_from_msgpack fails.
char *mitra_json_dumps (const msgpack_object *obj, size_t flags);

//  Parse JSON text and append it to `sbuf` as msgpack. With `object_only`
//  the text must hold one object. Duplicate keys are refused: the wire
//  refuses them too. Returns 0, or -1 with a message for a person in
//  `error` (line and column of a syntax error); after a failure `sbuf` may
//  hold a partial encoding, to be discarded.
int mitra_json_text_pack (const char *text, bool object_only, msgpack_sbuffer *sbuf,
                          char *error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif
