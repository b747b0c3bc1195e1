/*  mitra_codec -- the strict msgpack decoder and the wire's building blocks.

    A frame is first walked byte by byte by a scanner of our own, which
    checks every limit of PROTOCOL.md and keeps one invariant: the bytes left
    in the frame are at least the number of objects already announced but
    not yet read (each needs one byte or more). A header announcing more
    elements than there are bytes is therefore refused where it stands, before
    anything is allocated for the announced count. Only a frame that passes
    is built into msgpack-c's object types, by a second pass of our own into
    one allocation sized by the count the scan made.

    Nothing here may abort or assert on input bytes; asserts guard only
    against programming errors (a NULL argument).
*/
#include "mitra_codec.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  msgpack-c's parser keeps at most 32 open containers (MSGPACK_EMBED_STACK_SIZE):
//  a larger max_depth could pass our scan and then fail there.
#define S_DEPTH_CAP 32

static const char *s_error_names [MITRA_ERR_COUNT_] = {
    [MITRA_OK] = "ok",
    [MITRA_ERR_MALFORMED] = "malformed",
    [MITRA_ERR_UNSUPPORTED_VERSION] = "unsupported_version",
    [MITRA_ERR_UNKNOWN_TYPE] = "unknown_type",
    [MITRA_ERR_MISSING_FIELD] = "missing_field",
    [MITRA_ERR_INVALID_FIELD] = "invalid_field",
    [MITRA_ERR_NOT_FOUND] = "not_found",
    [MITRA_ERR_CONFLICT] = "conflict",
    [MITRA_ERR_FORBIDDEN] = "forbidden",
    [MITRA_ERR_STORAGE_FULL] = "storage_full",
    [MITRA_ERR_INTERNAL] = "internal",
    [MITRA_ERR_AFTER_NOT_APPLIED] = "after_not_applied",
};

void
mitra_limits_default (mitra_limits_t *limits)
{
    assert (limits);
    limits->max_size = 65536;
    limits->max_depth = 8;
    limits->max_elements = 1024;
    limits->max_objects = 16384;
    limits->max_string = 8192;
    limits->trusted = false;
}

const char *
mitra_error_code_name (mitra_error_code_t code)
{
    if ((int) code < 0 || code >= MITRA_ERR_COUNT_)
        return NULL;
    return s_error_names [code];
}

mitra_error_code_t
mitra_error_code_from_name (const char *name, size_t len)
{
    if (name)
        for (int code = 0; code < MITRA_ERR_COUNT_; code++)
            if (strlen (s_error_names [code]) == len
            &&  memcmp (s_error_names [code], name, len) == 0)
                return (mitra_error_code_t) code;
    return MITRA_ERR_INTERNAL;
}

//  Length of the valid UTF-8 sequence at `p`, or 0 if it is not one
//  (overlong forms, surrogates and code points past U+10FFFF included).
static size_t
s_utf8_sequence (const uint8_t *p, size_t len)
{
    uint8_t lead = p [0];
    if (lead < 0x80)
        return 1;
    size_t extra;
    uint32_t code_point, smallest;
    if ((lead & 0xe0) == 0xc0) {
        extra = 1; code_point = lead & 0x1f; smallest = 0x80;
    }
    else
    if ((lead & 0xf0) == 0xe0) {
        extra = 2; code_point = lead & 0x0f; smallest = 0x800;
    }
    else
    if ((lead & 0xf8) == 0xf0) {
        extra = 3; code_point = lead & 0x07; smallest = 0x10000;
    }
    else
        return 0;
    if (len - 1 < extra)
        return 0;
    for (size_t index = 1; index <= extra; index++) {
        if ((p [index] & 0xc0) != 0x80)
            return 0;
        code_point = (code_point << 6) | (p [index] & 0x3f);
    }
    if (code_point < smallest || code_point > 0x10ffff
    || (code_point >= 0xd800 && code_point <= 0xdfff))
        return 0;
    return extra + 1;
}

//  Offset of the first byte that does not start a valid sequence, or `len`.
static size_t
s_utf8_invalid_at (const char *text, size_t len)
{
    const uint8_t *bytes = (const uint8_t *) text;
    size_t pos = 0;
    while (pos < len) {
        size_t step = s_utf8_sequence (bytes + pos, len - pos);
        if (step == 0)
            return pos;
        pos += step;
    }
    return len;
}

bool
mitra_utf8_valid (const char *text, size_t len)
{
    if (!text)
        return len == 0;
    return s_utf8_invalid_at (text, len) == len;
}

//  Replaces every byte that is not part of valid UTF-8 with '?'. Error texts
//  go on the wire, where the peer's decoder refuses invalid UTF-8; a message
//  cut inside a character by truncation must not make the reply unreadable.
static void
s_utf8_repair (char *text)
{
    size_t len = strlen (text);
    size_t pos = 0;
    while (pos < len) {
        size_t step = s_utf8_sequence ((const uint8_t *) text + pos, len - pos);
        if (step == 0) {
            text [pos] = '?';
            step = 1;
        }
        pos += step;
    }
}

int
mitra_error_set (mitra_error_t *err, mitra_error_code_t code, const char *field,
                 const char *format, ...)
{
    assert (err);
    err->code = code;
    if (field != err->field)    //  a caller may pass the field it already set
        snprintf (err->field, sizeof err->field, "%s", field ? field : "");
    va_list args;
    va_start (args, format);
    vsnprintf (err->message, sizeof err->message, format, args);
    va_end (args);
    s_utf8_repair (err->field);
    s_utf8_repair (err->message);
    return -1;
}

//  --------------------------------------------------------------------------
//  The scanner

typedef struct {
    const char *ptr;
    uint32_t len;
    size_t offset;
} s_key_t;

typedef struct {
    bool is_map;
    uint64_t items_left;        //  elements still to read; a map counts keys and values
    size_t first_key;           //  this map's first entry in the key list
    size_t offset;              //  of the header, for messages
} s_container_t;

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t pos;
    const mitra_limits_t *limits;
    uint32_t max_depth;
    mitra_error_t *err;
    s_container_t stack [S_DEPTH_CAP];
    uint32_t depth;
    uint64_t pending;           //  objects announced but not started, all levels
    uint64_t objects;           //  objects started so far
    s_key_t *keys;              //  keys of the open maps, innermost last
    size_t key_count;
    size_t key_capacity;
} s_scanner_t;

static uint64_t
s_read_be (const uint8_t *p, size_t width)
{
    uint64_t value = 0;
    for (size_t index = 0; index < width; index++)
        value = (value << 8) | p [index];
    return value;
}

static const char *
s_format_name (uint8_t byte)
{
    if (byte <= 0x7f || byte >= 0xe0) return "int";
    if (byte <= 0x8f) return "map";
    if (byte <= 0x9f) return "array";
    if (byte <= 0xbf) return "str";
    switch (byte) {
        case 0xc0: return "nil";
        case 0xc1: return "reserved byte 0xc1";
        case 0xc2: case 0xc3: return "bool";
        case 0xc4: case 0xc5: case 0xc6: return "bin";
        case 0xc7: case 0xc8: case 0xc9: return "ext";
        case 0xca: case 0xcb: return "float";
        case 0xd9: case 0xda: case 0xdb: return "str";
        case 0xdc: case 0xdd: return "array";
        case 0xde: case 0xdf: return "map";
        default: return byte >= 0xd4 && byte <= 0xd8 ? "fixext" : "int";
    }
}

//  Bytes the current object may use: what is left, less one byte owed to
//  each object already announced. Never 0 while an object is being read.
static size_t
s_available (s_scanner_t *self)
{
    return self->size - self->pos - (size_t) self->pending;
}

static int
s_key_push (s_scanner_t *self, const char *ptr, uint32_t len, size_t offset)
{
    if (self->key_count == self->key_capacity) {
        size_t capacity = self->key_capacity ? self->key_capacity * 2 : 32;
        s_key_t *keys = realloc (self->keys, capacity * sizeof *keys);
        if (!keys)
            return mitra_error_set (self->err, MITRA_ERR_INTERNAL, NULL,
                                    "out of memory while checking map keys");
        self->keys = keys;
        self->key_capacity = capacity;
    }
    self->keys [self->key_count++] = (s_key_t) { ptr, len, offset };
    return 0;
}

static int
s_key_compare (const void *a, const void *b)
{
    const s_key_t *left = a, *right = b;
    if (left->len != right->len)
        return left->len < right->len ? -1 : 1;
    int order = memcmp (left->ptr, right->ptr, left->len);
    if (order)
        return order;
    //  Equal keys sort by position, so the later one is the one reported.
    return left->offset < right->offset ? -1 : left->offset > right->offset;
}

//  A map is complete: sort its keys (n log n, so a 1024-key map cannot make
//  us do a million comparisons) and refuse neighbours that are equal.
static int
s_map_close (s_scanner_t *self, const s_container_t *map)
{
    s_key_t *keys = self->keys + map->first_key;
    size_t count = self->key_count - map->first_key;
    qsort (keys, count, sizeof *keys, s_key_compare);
    for (size_t index = 1; index < count; index++)
        if (keys [index].len == keys [index - 1].len
        &&  memcmp (keys [index].ptr, keys [index - 1].ptr, keys [index].len) == 0)
            return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
                "duplicate key '%.*s' at byte %zu in map at byte %zu",
                (int) (keys [index].len > 64 ? 64 : keys [index].len), keys [index].ptr,
                keys [index].offset, map->offset);
    self->key_count = map->first_key;
    return 0;
}

static int
s_scan_string (s_scanner_t *self, size_t header, uint64_t len, bool is_key)
{
    size_t start = self->pos;
    size_t room = s_available (self) - header;
    if (len > room)
        return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
            "str at byte %zu declares %llu bytes but only %zu bytes remain",
            start, (unsigned long long) len, room);
    if (len > self->limits->max_string)
        return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
            "str at byte %zu is %llu bytes, over the limit of %u",
            start, (unsigned long long) len, self->limits->max_string);
    const char *text = (const char *) self->data + start + header;
    if (!self->limits->trusted) {
        size_t bad = s_utf8_invalid_at (text, (size_t) len);
        if (bad != len)
            return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
                "str at byte %zu is not valid UTF-8 (at byte %zu)", start, start + header + bad);
        if (is_key && s_key_push (self, text, (uint32_t) len, start))
            return -1;
    }
    self->pos += header + (size_t) len;
    return 0;
}

static int
s_scan_container (s_scanner_t *self, bool is_map, size_t header, uint64_t count)
{
    size_t start = self->pos;
    const char *what = is_map ? "map" : "array";
    //  Every element needs one byte or more, every pair two or more.
    uint64_t items = is_map ? count * 2 : count;
    size_t room = s_available (self) - header;
    if (items > room)
        return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
            "%s at byte %zu declares %llu %s but only %zu bytes remain",
            what, start, (unsigned long long) count, is_map ? "pairs" : "elements", room);
    if (self->depth + 1 > self->max_depth)
        return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
            "%s at byte %zu is nested %u deep, over the depth limit of %u",
            what, start, self->depth + 1, self->max_depth);
    if (count > self->limits->max_elements)
        return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
            "%s at byte %zu has %llu %s, over the limit of %u",
            what, start, (unsigned long long) count,
            is_map ? "pairs" : "elements", self->limits->max_elements);
    if (self->objects + self->pending + items > self->limits->max_objects)
        return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
            "%s at byte %zu brings the frame over the limit of %u objects",
            what, start, self->limits->max_objects);
    self->pos += header;
    if (count > 0) {
        self->stack [self->depth++] = (s_container_t) {
            .is_map = is_map, .items_left = items,
            .first_key = self->key_count, .offset = start
        };
        self->pending += items;
    }
    return 0;
}

//  Reads one object's header (and a scalar's whole body) at self->pos.
static int
s_scan_object (s_scanner_t *self, bool is_key)
{
    size_t start = self->pos;
    uint8_t byte = self->data [start];
    size_t available = s_available (self);

    if (is_key && !((byte >= 0xa0 && byte <= 0xbf) || (byte >= 0xd9 && byte <= 0xdb)))
        return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
            "map key at byte %zu is %s; keys must be strings", start, s_format_name (byte));

    //  Formats whose whole size is known from the first byte.
    size_t fixed = 0;
    if (byte <= 0x7f || byte >= 0xe0 || byte == 0xc0 || byte == 0xc2 || byte == 0xc3)
        fixed = 1;
    else
    if (byte == 0xca || byte == 0xcb)
        fixed = byte == 0xca ? 5 : 9;
    else
    if (byte >= 0xcc && byte <= 0xd3)
        fixed = 1 + ((size_t) 1 << ((byte - 0xcc) & 3));
    if (fixed) {
        if (fixed > available)
            return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
                "%s at byte %zu needs %zu bytes but only %zu remain",
                s_format_name (byte), start, fixed, available);
        self->pos += fixed;
        return 0;
    }
    if (byte <= 0x8f)
        return s_scan_container (self, true, 1, byte & 0x0f);
    if (byte <= 0x9f)
        return s_scan_container (self, false, 1, byte & 0x0f);
    if (byte <= 0xbf)
        return s_scan_string (self, 1, byte & 0x1f, is_key);

    if (byte == 0xc1)
        return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
            "reserved byte 0xc1 at byte %zu is never valid msgpack", start);
    if ((byte >= 0xc4 && byte <= 0xc9) || (byte >= 0xd4 && byte <= 0xd8))
        return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
            "%s at byte %zu: bin and ext types are not allowed", s_format_name (byte), start);

    //  str8/16/32, array16/32, map16/32: a big-endian length follows.
    size_t width;
    switch (byte) {
        case 0xd9: width = 1; break;
        case 0xda: case 0xdc: case 0xde: width = 2; break;
        default: width = 4; break;      //  0xdb, 0xdd, 0xdf
    }
    if (1 + width > available)
        return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
            "%s header at byte %zu needs %zu bytes but only %zu remain",
            s_format_name (byte), start, 1 + width, available);
    uint64_t length = s_read_be (self->data + start + 1, width);
    if (byte >= 0xd9 && byte <= 0xdb)
        return s_scan_string (self, 1 + width, length, is_key);
    return s_scan_container (self, byte >= 0xde, 1 + width, length);
}

static int
s_scan (s_scanner_t *self)
{
    self->pending = 1;                  //  the top-level object
    do {
        bool is_key = false;
        if (self->depth > 0) {
            s_container_t *top = &self->stack [self->depth - 1];
            //  In a map, items_left is even exactly when a key comes next.
            is_key = top->is_map && top->items_left % 2 == 0;
            top->items_left--;
        }
        self->pending--;
        if (++self->objects > self->limits->max_objects)
            return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
                "object at byte %zu is over the limit of %u objects",
                self->pos, self->limits->max_objects);
        if (s_scan_object (self, is_key))
            return -1;
        //  Close every container whose last element this was.
        while (self->depth > 0 && self->stack [self->depth - 1].items_left == 0) {
            s_container_t *done = &self->stack [--self->depth];
            if (done->is_map && !self->limits->trusted && s_map_close (self, done))
                return -1;
        }
    } while (self->depth > 0);

    if (self->pos != self->size)
        return mitra_error_set (self->err, MITRA_ERR_MALFORMED, NULL,
            "trailing bytes: the object ends at byte %zu but the frame has %zu bytes",
            self->pos, self->size);
    return 0;
}

//  --------------------------------------------------------------------------
//  Documents

//  Building the objects, once the scan has accepted the bytes: every
//  length, count and the nesting were checked there, so this pass trusts
//  them. It makes what msgpack_unpack would (the same types and values,
//  strings pointing into the document's copy; test_codec compares the two)
//  in a fraction of its time, into slots the scan counted: decoding is most
//  of the daemon's instructions per event after LMDB (bench/PROFILE.md).
typedef struct {
    const uint8_t *pos;
    msgpack_object *free;       //  the next unused slot
} s_builder_t;

static uint64_t
s_take_be (s_builder_t *self, size_t width)
{
    uint64_t value = s_read_be (self->pos, width);
    self->pos += width;
    return value;
}

static void s_build (s_builder_t *self, msgpack_object *object);

static void
s_build_container (s_builder_t *self, msgpack_object *object, bool is_map, uint32_t count)
{
    msgpack_object *slots = self->free;
    size_t items = is_map? 2 * (size_t) count: count;
    self->free += items;
    if (is_map) {
        object->type = MSGPACK_OBJECT_MAP;
        object->via.map.size = count;
        //  A key/value pair is two objects side by side
        object->via.map.ptr = (msgpack_object_kv *) slots;
    }
    else {
        object->type = MSGPACK_OBJECT_ARRAY;
        object->via.array.size = count;
        object->via.array.ptr = slots;
    }
    for (size_t index = 0; index < items; index++)
        s_build (self, &slots [index]);
}

static void
s_build_str (s_builder_t *self, msgpack_object *object, uint32_t len)
{
    object->type = MSGPACK_OBJECT_STR;
    object->via.str.size = len;
    object->via.str.ptr = (const char *) self->pos;
    self->pos += len;
}

static void
s_build_int (msgpack_object *object, int64_t value)
{
    if (value < 0) {
        object->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
        object->via.i64 = value;
    }
    else {
        object->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
        object->via.u64 = (uint64_t) value;
    }
}

static void
s_build (s_builder_t *self, msgpack_object *object)
{
    uint8_t byte = *self->pos++;
    if (byte <= 0x7f) {
        object->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
        object->via.u64 = byte;
    }
    else
    if (byte >= 0xe0)
        s_build_int (object, (int8_t) byte);
    else
    if (byte <= 0x8f)
        s_build_container (self, object, true, byte & 0x0f);
    else
    if (byte <= 0x9f)
        s_build_container (self, object, false, byte & 0x0f);
    else
    if (byte <= 0xbf)
        s_build_str (self, object, byte & 0x1f);
    else
    switch (byte) {
        case 0xc0: object->type = MSGPACK_OBJECT_NIL; break;
        case 0xc2: case 0xc3:
            object->type = MSGPACK_OBJECT_BOOLEAN;
            object->via.boolean = byte == 0xc3;
            break;
        case 0xca: {
            uint32_t bits = (uint32_t) s_take_be (self, 4);
            float value;
            memcpy (&value, &bits, sizeof value);
            object->type = MSGPACK_OBJECT_FLOAT32;
            object->via.f64 = value;
            break;
        }
        case 0xcb: {
            uint64_t bits = s_take_be (self, 8);
            double value;
            memcpy (&value, &bits, sizeof value);
            object->type = MSGPACK_OBJECT_FLOAT64;
            object->via.f64 = value;
            break;
        }
        case 0xcc: case 0xcd: case 0xce: case 0xcf:
            object->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
            object->via.u64 = s_take_be (self, (size_t) 1 << (byte - 0xcc));
            break;
        case 0xd0: s_build_int (object, (int8_t) s_take_be (self, 1)); break;
        case 0xd1: s_build_int (object, (int16_t) s_take_be (self, 2)); break;
        case 0xd2: s_build_int (object, (int32_t) s_take_be (self, 4)); break;
        case 0xd3: s_build_int (object, (int64_t) s_take_be (self, 8)); break;
        case 0xd9: s_build_str (self, object, (uint32_t) s_take_be (self, 1)); break;
        case 0xda: s_build_str (self, object, (uint32_t) s_take_be (self, 2)); break;
        case 0xdb: s_build_str (self, object, (uint32_t) s_take_be (self, 4)); break;
        case 0xdc: s_build_container (self, object, false, (uint32_t) s_take_be (self, 2)); break;
        case 0xdd: s_build_container (self, object, false, (uint32_t) s_take_be (self, 4)); break;
        case 0xde: s_build_container (self, object, true, (uint32_t) s_take_be (self, 2)); break;
        case 0xdf: s_build_container (self, object, true, (uint32_t) s_take_be (self, 4)); break;
        default:
            //  The scan refused every other format (bin, ext, 0xc1)
            assert (!"a format the scan refuses");
            object->type = MSGPACK_OBJECT_NIL;
    }
}

//  One allocation: the document, its copy of the bytes (the strings point
//  into it) and a slot for every object but the root.
struct _mitra_doc_t {
    msgpack_object root;
    unsigned refs;
    size_t size;                //  of the bytes
    size_t footprint;           //  of the whole allocation
    char bytes [];
};

mitra_doc_t *
mitra_doc_decode (const void *data, size_t size, const mitra_limits_t *limits,
                  mitra_error_t *err)
{
    assert (err);
    mitra_limits_t defaults;
    if (!limits) {
        mitra_limits_default (&defaults);
        limits = &defaults;
    }
    if (size == 0 || !data) {
        mitra_error_set (err, MITRA_ERR_MALFORMED, NULL, "empty frame: expected one msgpack map");
        return NULL;
    }
    if (size > limits->max_size) {
        mitra_error_set (err, MITRA_ERR_MALFORMED, NULL,
            "frame is %zu bytes, over the limit of %zu", size, limits->max_size);
        return NULL;
    }
    s_scanner_t scanner = {
        .data = data, .size = size, .limits = limits, .err = err,
        .max_depth = limits->max_depth < S_DEPTH_CAP ? limits->max_depth : S_DEPTH_CAP
    };
    int rc = s_scan (&scanner);
    free (scanner.keys);
    if (rc)
        return NULL;

    //  The slots after the bytes, aligned for them
    size_t offset = (sizeof (mitra_doc_t) + size + _Alignof (msgpack_object) - 1)
                  / _Alignof (msgpack_object) * _Alignof (msgpack_object);
    size_t slots = scanner.objects - 1;
    mitra_doc_t *self = malloc (offset + slots * sizeof (msgpack_object));
    if (!self) {
        mitra_error_set (err, MITRA_ERR_INTERNAL, NULL, "out of memory decoding a frame");
        return NULL;
    }
    memcpy (self->bytes, data, size);
    self->refs = 1;
    self->size = size;
    self->footprint = offset + slots * sizeof (msgpack_object);
    msgpack_object *first = (msgpack_object *) ((char *) self + offset);
    s_builder_t builder = { .pos = (const uint8_t *) self->bytes, .free = first };
    s_build (&builder, &self->root);
    assert (builder.pos == (const uint8_t *) self->bytes + size);
    assert (builder.free == first + slots);
    return self;
}

mitra_doc_t *
mitra_doc_ref (mitra_doc_t *self)
{
    assert (self && self->refs > 0);
    self->refs++;
    return self;
}

bool
mitra_doc_is (const mitra_doc_t *self, const void *data, size_t size)
{
    assert (self);
    return self->size == size && memcmp (self->bytes, data, size) == 0;
}

size_t
mitra_doc_footprint (const mitra_doc_t *self)
{
    assert (self);
    return self->footprint;
}

const msgpack_object *
mitra_doc_root (mitra_doc_t *self)
{
    assert (self);
    return &self->root;
}

void
mitra_doc_destroy (mitra_doc_t **self_p)
{
    assert (self_p);
    mitra_doc_t *self = *self_p;
    if (self) {
        assert (self->refs > 0);
        if (--self->refs == 0)
            free (self);
        *self_p = NULL;
    }
}

//  --------------------------------------------------------------------------
//  Object access

uint64_t
mitra_fnv1a (const void *data, size_t size)
{
    const uint8_t *bytes = data;
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (size_t index = 0; index < size; index++) {
        hash ^= bytes [index];
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

size_t
mitra_str_join (char *out, size_t size, ...)
{
    assert (out && size > 0);
    size_t total = 0;
    va_list parts;
    va_start (parts, size);
    const char *part;
    while ((part = va_arg (parts, const char *))) {
        size_t len = strlen (part);
        if (total < size - 1) {
            size_t room = size - 1 - total;
            memcpy (out + total, part, len < room? len: room);
        }
        total += len;
    }
    va_end (parts);
    out [total < size? total: size - 1] = 0;
    return total;
}

const msgpack_object *
mitra_map_get (const msgpack_object *map, const char *key)
{
    if (!map || !key || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    //  The hottest loop of the daemon (records are read key by key): the
    //  key's length once, then the length and first byte before a memcmp
    size_t len = strlen (key);
    for (uint32_t index = 0; index < map->via.map.size; index++) {
        const msgpack_object *name = &map->via.map.ptr [index].key;
        if (name->type == MSGPACK_OBJECT_STR && name->via.str.size == len
        &&  (len == 0 || (name->via.str.ptr [0] == key [0]
                          && memcmp (name->via.str.ptr, key, len) == 0)))
            return &map->via.map.ptr [index].val;
    }
    return NULL;
}

bool
mitra_obj_str_eq (const msgpack_object *obj, const char *text)
{
    if (!obj || !text || obj->type != MSGPACK_OBJECT_STR)
        return false;
    size_t len = strlen (text);
    return obj->via.str.size == len && memcmp (obj->via.str.ptr, text, len) == 0;
}

int
mitra_obj_str_copy (const msgpack_object *obj, char *buffer, size_t size)
{
    if (!obj || !buffer || obj->type != MSGPACK_OBJECT_STR || obj->via.str.size >= size)
        return -1;
    if (obj->via.str.size)
        memcpy (buffer, obj->via.str.ptr, obj->via.str.size);
    buffer [obj->via.str.size] = '\0';
    return 0;
}

bool
mitra_obj_uint (const msgpack_object *obj, uint64_t *value)
{
    if (!obj)
        return false;
    //  msgpack-c decodes every non-negative integer as POSITIVE_INTEGER; an
    //  object built by hand might not, so a non-negative i64 is accepted too.
    if (obj->type == MSGPACK_OBJECT_POSITIVE_INTEGER
    || (obj->type == MSGPACK_OBJECT_NEGATIVE_INTEGER && obj->via.i64 >= 0)) {
        if (value)
            *value = obj->via.u64;
        return true;
    }
    return false;
}

bool
mitra_obj_number (const msgpack_object *obj, double *value)
{
    if (!obj)
        return false;
    double number;
    switch (obj->type) {
        case MSGPACK_OBJECT_POSITIVE_INTEGER: number = (double) obj->via.u64; break;
        case MSGPACK_OBJECT_NEGATIVE_INTEGER: number = (double) obj->via.i64; break;
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
            number = obj->via.f64;
            if (!isfinite (number))
                return false;
            break;
        default:
            return false;
    }
    if (value)
        *value = number;
    return true;
}

//  --------------------------------------------------------------------------
//  Packing

void
mitra_pack_cstr (msgpack_packer *pk, const char *text)
{
    mitra_pack_strn (pk, text ? text : "", text ? strlen (text) : 0);
}

void
mitra_pack_strn (msgpack_packer *pk, const char *text, size_t len)
{
    assert (pk);
    //  The header as msgpack-c writes it (fixstr, str 8, 16, 32), but header
    //  and body in one callback when they fit here: strings are most of what
    //  the writer packs, and msgpack_pack_str + _body made two calls each
    //  (~15% of the writer's instructions, bench/PROFILE.md)
    unsigned char buffer [5 + 256];
    size_t head;
    if (len < 32) {
        buffer [0] = (unsigned char) (0xa0 | len);
        head = 1;
    }
    else
    if (len < 256) {
        buffer [0] = 0xd9;
        buffer [1] = (unsigned char) len;
        head = 2;
    }
    else
    if (len < 65536) {
        buffer [0] = 0xda;
        buffer [1] = (unsigned char) (len >> 8);
        buffer [2] = (unsigned char) len;
        head = 3;
    }
    else {
        buffer [0] = 0xdb;
        buffer [1] = (unsigned char) (len >> 24);
        buffer [2] = (unsigned char) (len >> 16);
        buffer [3] = (unsigned char) (len >> 8);
        buffer [4] = (unsigned char) len;
        head = 5;
    }
    if (len <= sizeof buffer - head) {
        if (len)
            memcpy (buffer + head, text, len);
        pk->callback (pk->data, (const char *) buffer, head + len);
    }
    else {
        pk->callback (pk->data, (const char *) buffer, head);
        pk->callback (pk->data, text, len);
    }
}

void
mitra_pack_object (msgpack_packer *pk, const msgpack_object *obj)
{
    assert (pk);
    if (!obj) {
        msgpack_pack_nil (pk);
        return;
    }
    switch (obj->type) {
        case MSGPACK_OBJECT_NIL: msgpack_pack_nil (pk); break;
        case MSGPACK_OBJECT_BOOLEAN:
            if (obj->via.boolean)
                msgpack_pack_true (pk);
            else
                msgpack_pack_false (pk);
            break;
        case MSGPACK_OBJECT_POSITIVE_INTEGER: msgpack_pack_uint64 (pk, obj->via.u64); break;
        case MSGPACK_OBJECT_NEGATIVE_INTEGER: msgpack_pack_int64 (pk, obj->via.i64); break;
        case MSGPACK_OBJECT_FLOAT32: msgpack_pack_float (pk, (float) obj->via.f64); break;
        case MSGPACK_OBJECT_FLOAT64: msgpack_pack_double (pk, obj->via.f64); break;
        case MSGPACK_OBJECT_STR:
            mitra_pack_strn (pk, obj->via.str.ptr, obj->via.str.size);
            break;
        case MSGPACK_OBJECT_BIN:
            msgpack_pack_bin_with_body (pk, obj->via.bin.ptr, obj->via.bin.size);
            break;
        case MSGPACK_OBJECT_EXT:
            msgpack_pack_ext_with_body (pk, obj->via.ext.ptr, obj->via.ext.size,
                                        obj->via.ext.type);
            break;
        case MSGPACK_OBJECT_ARRAY:
            msgpack_pack_array (pk, obj->via.array.size);
            for (uint32_t index = 0; index < obj->via.array.size; index++)
                mitra_pack_object (pk, &obj->via.array.ptr [index]);
            break;
        case MSGPACK_OBJECT_MAP:
            msgpack_pack_map (pk, obj->via.map.size);
            for (uint32_t index = 0; index < obj->via.map.size; index++) {
                mitra_pack_object (pk, &obj->via.map.ptr [index].key);
                mitra_pack_object (pk, &obj->via.map.ptr [index].val);
            }
            break;
    }
}

//  --------------------------------------------------------------------------
//  Describing objects in messages

const char *
mitra_obj_type_name (const msgpack_object *obj)
{
    if (!obj)
        return "nothing";
    switch (obj->type) {
        case MSGPACK_OBJECT_NIL: return "nil";
        case MSGPACK_OBJECT_BOOLEAN: return "a bool";
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
        case MSGPACK_OBJECT_NEGATIVE_INTEGER: return "an integer";
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64: return "a float";
        case MSGPACK_OBJECT_STR: return "a string";
        case MSGPACK_OBJECT_ARRAY: return "an array";
        case MSGPACK_OBJECT_MAP: return "a map";
        case MSGPACK_OBJECT_BIN: return "bin";
        case MSGPACK_OBJECT_EXT: return "ext";
    }
    return "unknown";
}
