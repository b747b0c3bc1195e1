/*  mitra_builder -- msgpack maps and arrays whose size is known only at the
    end.

    msgpack writes a container's count before its items, but records and
    query results leave optional keys out and filter items as they go. A
    builder collects the pairs (or items) in its own buffer, counts them,
    and writes the header and the bytes to the real packer when finished.

    A builder holds a packer that points into itself: never copy one, and
    always finish or destroy it.
*/
#ifndef MITRA_BUILDER_H
#define MITRA_BUILDER_H

#include "mitra_codec.h"

typedef struct {
    msgpack_sbuffer buffer;
    msgpack_packer pk;              //  packs into `buffer`
    uint32_t count;                 //  pairs (map) or items (array) so far
} mitra_builder_t;

//  "No date" for the day fields below: dates are days since 1970-01-01.
#define MITRA_NO_DAY INT64_MIN

void mitra_builder_init (mitra_builder_t *self);
//  Free the buffer without writing anything.
void mitra_builder_destroy (mitra_builder_t *self);

//  Map use: packs `key` and counts a pair; the caller packs exactly one
//  value into the returned packer.
msgpack_packer *mitra_builder_key (mitra_builder_t *self, const char *key);
//  Array use: counts an item; the caller packs exactly one object.
msgpack_packer *mitra_builder_item (mitra_builder_t *self);
//  Array use: one item that is already encoded msgpack (a stored record
//  passed through as is).
void mitra_builder_raw_item (mitra_builder_t *self, const void *data, size_t size);

//  A pair with a value of that type. The _opt forms add nothing when the
//  value is absent (NULL, MITRA_NO_DAY), so optional keys are left out.
void mitra_builder_str (mitra_builder_t *self, const char *key, const char *text);
void mitra_builder_obj_opt (mitra_builder_t *self, const char *key, const msgpack_object *obj);
void mitra_builder_uint (mitra_builder_t *self, const char *key, uint64_t value);
void mitra_builder_int (mitra_builder_t *self, const char *key, int64_t value);
void mitra_builder_bool (mitra_builder_t *self, const char *key, bool value);
void mitra_builder_nil (mitra_builder_t *self, const char *key);
//  A number: an integer when it is whole (and fits), else a float64.
void mitra_builder_number (mitra_builder_t *self, const char *key, double value);
//  A date YYYY-MM-DD, or nil when `days` is MITRA_NO_DAY.
void mitra_builder_date (mitra_builder_t *self, const char *key, int64_t days);
void mitra_builder_date_opt (mitra_builder_t *self, const char *key, int64_t days);
//  An instant YYYY-MM-DDTHH:MM:SS.mmmZ.
void mitra_builder_instant (mitra_builder_t *self, const char *key, int64_t ms);

//  A pair copied as it is (key and value objects).
void mitra_builder_pair (mitra_builder_t *self, const msgpack_object *key,
                         const msgpack_object *value);
//  Every pair of `map` whose key is not in `skip` (NULL-terminated), so a
//  stored record can be rewritten with some keys replaced.
void mitra_builder_copy_except (mitra_builder_t *self, const msgpack_object *map,
                                const char *const *skip);

//  Write what was collected as one map (or one array) into `pk`; the
//  builder is destroyed and may be initialized again.
void mitra_builder_finish_map (mitra_builder_t *self, msgpack_packer *pk);
void mitra_builder_finish_array (mitra_builder_t *self, msgpack_packer *pk);

//  Pack a number as mitra_builder_number does.
void mitra_pack_number (msgpack_packer *pk, double value);
//  Pack a date, or nil for MITRA_NO_DAY.
void mitra_pack_date (msgpack_packer *pk, int64_t days);
//  Pack `value`, or nil when it is 0 (a page's `next` at the end of a log).
void mitra_pack_uint_or_nil (msgpack_packer *pk, uint64_t value);

#endif
