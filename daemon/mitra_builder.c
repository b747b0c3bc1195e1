/*  mitra_builder -- counted msgpack containers built in a side buffer. */
#include "mitra_builder.h"
#include "mitra_time.h"

#include <assert.h>
#include <math.h>

void
mitra_builder_init (mitra_builder_t *self)
{
    assert (self);
    msgpack_sbuffer_init (&self->buffer);
    msgpack_packer_init (&self->pk, &self->buffer, msgpack_sbuffer_write);
    self->count = 0;
}

void
mitra_builder_destroy (mitra_builder_t *self)
{
    assert (self);
    msgpack_sbuffer_destroy (&self->buffer);
    msgpack_sbuffer_init (&self->buffer);
    self->count = 0;
}

msgpack_packer *
mitra_builder_key (mitra_builder_t *self, const char *key)
{
    assert (self && key);
    mitra_pack_cstr (&self->pk, key);
    self->count++;
    return &self->pk;
}

msgpack_packer *
mitra_builder_item (mitra_builder_t *self)
{
    assert (self);
    self->count++;
    return &self->pk;
}

void
mitra_builder_str (mitra_builder_t *self, const char *key, const char *text)
{
    if (text)
        mitra_pack_cstr (mitra_builder_key (self, key), text);
}

void
mitra_builder_obj_opt (mitra_builder_t *self, const char *key, const msgpack_object *obj)
{
    if (obj)
        mitra_pack_object (mitra_builder_key (self, key), obj);
}

void
mitra_builder_uint (mitra_builder_t *self, const char *key, uint64_t value)
{
    msgpack_pack_uint64 (mitra_builder_key (self, key), value);
}

void
mitra_builder_int (mitra_builder_t *self, const char *key, int64_t value)
{
    msgpack_pack_int64 (mitra_builder_key (self, key), value);
}

void
mitra_builder_bool (mitra_builder_t *self, const char *key, bool value)
{
    msgpack_packer *pk = mitra_builder_key (self, key);
    if (value)
        msgpack_pack_true (pk);
    else
        msgpack_pack_false (pk);
}

void
mitra_builder_nil (mitra_builder_t *self, const char *key)
{
    msgpack_pack_nil (mitra_builder_key (self, key));
}

void
mitra_pack_number (msgpack_packer *pk, double value)
{
    //  Sums of whole amounts stay integers on the wire, as they were sent
    if (isfinite (value) && value == floor (value) && fabs (value) < 9007199254740992.0)
        msgpack_pack_int64 (pk, (int64_t) value);
    else
        msgpack_pack_double (pk, value);
}

void
mitra_builder_number (mitra_builder_t *self, const char *key, double value)
{
    mitra_pack_number (mitra_builder_key (self, key), value);
}

void
mitra_pack_date (msgpack_packer *pk, int64_t days)
{
    if (days == MITRA_NO_DAY) {
        msgpack_pack_nil (pk);
        return;
    }
    char text [16];
    mitra_date_format (days, text);
    mitra_pack_cstr (pk, text);
}

void
mitra_builder_date (mitra_builder_t *self, const char *key, int64_t days)
{
    mitra_pack_date (mitra_builder_key (self, key), days);
}

void
mitra_builder_date_opt (mitra_builder_t *self, const char *key, int64_t days)
{
    if (days != MITRA_NO_DAY)
        mitra_builder_date (self, key, days);
}

void
mitra_builder_instant (mitra_builder_t *self, const char *key, int64_t ms)
{
    char text [32];
    mitra_instant_format (ms, text);
    mitra_pack_cstr (mitra_builder_key (self, key), text);
}

void
mitra_builder_pair (mitra_builder_t *self, const msgpack_object *key, const msgpack_object *value)
{
    assert (self && key && value);
    mitra_pack_object (&self->pk, key);
    mitra_pack_object (&self->pk, value);
    self->count++;
}

void
mitra_builder_copy_except (mitra_builder_t *self, const msgpack_object *map,
                           const char *const *skip)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return;
    for (uint32_t index = 0; index < map->via.map.size; index++) {
        const msgpack_object_kv *pair = &map->via.map.ptr [index];
        bool skipped = false;
        for (const char *const *name = skip; name && *name && !skipped; name++)
            skipped = mitra_obj_str_eq (&pair->key, *name);
        if (!skipped)
            mitra_builder_pair (self, &pair->key, &pair->val);
    }
}

void
mitra_builder_raw_item (mitra_builder_t *self, const void *data, size_t size)
{
    msgpack_packer *pk = mitra_builder_item (self);
    pk->callback (pk->data, data, size);
}

void
mitra_pack_uint_or_nil (msgpack_packer *pk, uint64_t value)
{
    if (value)
        msgpack_pack_uint64 (pk, value);
    else
        msgpack_pack_nil (pk);
}

static void
s_finish (mitra_builder_t *self, msgpack_packer *pk, bool map)
{
    assert (self && pk);
    if (map)
        msgpack_pack_map (pk, self->count);
    else
        msgpack_pack_array (pk, self->count);
    if (self->buffer.size)
        pk->callback (pk->data, self->buffer.data, self->buffer.size);
    mitra_builder_destroy (self);
}

void
mitra_builder_finish_map (mitra_builder_t *self, msgpack_packer *pk)
{
    s_finish (self, pk, true);
}

void
mitra_builder_finish_array (mitra_builder_t *self, msgpack_packer *pk)
{
    s_finish (self, pk, false);
}
