/*  mitra_view -- output for people: tables, bars, numbers, dates, colour.
    See mitra_view.h. Never writes a control character that came from the
    daemon; never exits; an allocation failure only shortens the output.
*/
#include "mitra_view.h"
#include "mitra_codec.h"
#include "mitra_time.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool
mitra_view_color_wanted (FILE *out)
{
    const char *no_color = getenv ("NO_COLOR");
    const char *term = getenv ("TERM");
    if (no_color && *no_color)
        return false;
    if (term && strcmp (term, "dumb") == 0)
        return false;
    return isatty (fileno (out)) == 1;
}

static const char *
s_escape (mitra_style_t style)
{
    switch (style) {
        case MITRA_STYLE_BOLD:   return "\033[1m";
        case MITRA_STYLE_DIM:    return "\033[2m";
        case MITRA_STYLE_RED:    return "\033[31m";
        case MITRA_STYLE_GREEN:  return "\033[32m";
        case MITRA_STYLE_YELLOW: return "\033[33m";
        default:                 return "";
    }
}

//  Control characters (C0 and DEL) become '?': text from the daemon must
//  not drive the terminal.
static void
s_sanitize (char *text)
{
    for (unsigned char *cursor = (unsigned char *) text; *cursor; cursor++)
        if (*cursor < ' ' || *cursor == 0x7f)
            *cursor = '?';
}

//  Cut at `size - 1` bytes without splitting a UTF-8 character.
static void
s_copy (char *buffer, size_t size, const char *text, size_t len)
{
    if (size == 0)
        return;
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char) text [len] & 0xC0) == 0x80)
            len--;
    }
    memcpy (buffer, text, len);
    buffer [len] = 0;
    s_sanitize (buffer);
}

void
mitra_view_styled (FILE *out, bool color, mitra_style_t style, const char *format, ...)
{
    char *text = NULL;
    va_list args;
    va_start (args, format);
    int rc = vasprintf (&text, format, args);
    va_end (args);
    if (rc < 0)
        return;
    s_sanitize (text);
    if (color && style != MITRA_STYLE_PLAIN)
        fprintf (out, "%s%s\033[0m", s_escape (style), text);
    else
        fputs (text, out);
    free (text);
}

mitra_style_t
mitra_view_score_style (long long score)
{
    return score >= 80 ? MITRA_STYLE_GREEN : score >= 50 ? MITRA_STYLE_YELLOW : MITRA_STYLE_RED;
}

void
mitra_view_bar (char *buffer, size_t size, long long percent, int width)
{
    if (percent < 0)
        percent = 0;
    if (percent > 100)
        percent = 100;
    if (size < (size_t) width + 3) {
        if (size)
            buffer [0] = 0;
        return;
    }
    int filled = (int) (percent * width / 100);
    buffer [0] = '[';
    for (int index = 0; index < width; index++)
        buffer [1 + index] = index < filled ? '#' : '-';
    buffer [1 + width] = ']';
    buffer [2 + width] = 0;
}

//  "-1234567.5" -> "-1,234,567.5"; text without a digit run stays as is.
static void
s_group (const char *plain, char *buffer, size_t size)
{
    const char *digits = plain [0] == '-' ? plain + 1 : plain;
    size_t count = strspn (digits, "0123456789");
    char grouped [96];
    size_t used = 0;
    if (plain != digits)
        grouped [used++] = '-';
    for (size_t index = 0; index < count && used < sizeof grouped - 2; index++) {
        if (index > 0 && (count - index) % 3 == 0)
            grouped [used++] = ',';
        grouped [used++] = digits [index];
    }
    grouped [used] = 0;
    snprintf (buffer, size, "%s%s", grouped, digits + count);
}

void
mitra_view_double (double value, char *buffer, size_t size)
{
    char plain [64];
    snprintf (plain, sizeof plain, "%.15g", value);
    if (strchr (plain, 'e') || strchr (plain, 'n') || strchr (plain, 'i'))
        snprintf (buffer, size, "%s", plain);
    else
        s_group (plain, buffer, size);
}

void
mitra_view_number (const msgpack_object *obj, char *buffer, size_t size)
{
    char plain [64];
    if (!obj)
        snprintf (buffer, size, "-");
    else
    if (obj->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        snprintf (plain, sizeof plain, "%llu", (unsigned long long) obj->via.u64);
        s_group (plain, buffer, size);
    }
    else
    if (obj->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        snprintf (plain, sizeof plain, "%lld", (long long) obj->via.i64);
        s_group (plain, buffer, size);
    }
    else
    if (obj->type == MSGPACK_OBJECT_FLOAT32 || obj->type == MSGPACK_OBJECT_FLOAT64)
        mitra_view_double (obj->via.f64, buffer, size);
    else
        snprintf (buffer, size, "-");
}

const char *
mitra_view_str (const msgpack_object *map, const char *key, char *buffer, size_t size,
                const char *fallback)
{
    const msgpack_object *value = map ? mitra_map_get (map, key) : NULL;
    if (value && value->type == MSGPACK_OBJECT_STR)
        s_copy (buffer, size, value->via.str.ptr, value->via.str.size);
    else
        s_copy (buffer, size, fallback, strlen (fallback));
    return buffer;
}

const char *
mitra_view_date (const msgpack_object *map, const char *key, char *buffer, size_t size,
                 const char *fallback)
{
    const msgpack_object *value = map ? mitra_map_get (map, key) : NULL;
    if (value && value->type == MSGPACK_OBJECT_STR && value->via.str.size >= 10)
        s_copy (buffer, size, value->via.str.ptr, 10);
    else
        s_copy (buffer, size, fallback, strlen (fallback));
    return buffer;
}

long long
mitra_view_int (const msgpack_object *map, const char *key, long long fallback)
{
    const msgpack_object *value = map ? mitra_map_get (map, key) : NULL;
    if (value && value->type == MSGPACK_OBJECT_POSITIVE_INTEGER && value->via.u64 <= INT64_MAX)
        return (long long) value->via.u64;
    if (value && value->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return (long long) value->via.i64;
    return fallback;
}

bool
mitra_view_bool (const msgpack_object *map, const char *key)
{
    const msgpack_object *value = map ? mitra_map_get (map, key) : NULL;
    return value && value->type == MSGPACK_OBJECT_BOOLEAN && value->via.boolean;
}

const char *
mitra_view_join (const msgpack_object *map, const char *key, const char *separator,
                 char *buffer, size_t size, const char *fallback)
{
    const msgpack_object *list = map ? mitra_map_get (map, key) : NULL;
    size_t used = 0;
    buffer [0] = 0;
    if (list && list->type == MSGPACK_OBJECT_ARRAY)
        for (uint32_t index = 0; index < list->via.array.size; index++) {
            const msgpack_object *item = &list->via.array.ptr [index];
            if (item->type != MSGPACK_OBJECT_STR)
                continue;
            int written = snprintf (buffer + used, size - used, "%s%.*s",
                                    used ? separator : "",
                                    (int) item->via.str.size, item->via.str.ptr);
            if (written < 0 || (size_t) written >= size - used) {
                //  Too long: keep the items that fit whole, then "..."; cut
                //  inside an item only when not even the first one fits
                if (size > 4) {
                    size_t len = used && used + 4 <= size ? used : size - 4;
                    while (len > 0 && ((unsigned char) buffer [len] & 0xC0) == 0x80)
                        len--;
                    memcpy (buffer + len, "...", 4);
                }
                break;
            }
            used += (size_t) written;
        }
    if (!buffer [0])
        s_copy (buffer, size, fallback, strlen (fallback));
    s_sanitize (buffer);
    return buffer;
}

void
mitra_view_today (char *buffer)
{
    mitra_date_format (mitra_time_now_ms () / 86400000, buffer);
}

size_t
mitra_view_width (const char *text)
{
    size_t width = 0;
    for (const unsigned char *cursor = (const unsigned char *) text; *cursor; cursor++)
        width += (*cursor & 0xC0) != 0x80;
    return width;
}

//  --------------------------------------------------------------------------
//  Tables

typedef struct {
    char **cells;                   //  `columns` of them; NULL for a note
    unsigned char *styles;
    int filled;
    bool header;
    char *note;
    mitra_style_t note_style;
} s_line_t;

struct _mitra_table_t {
    int columns;
    bool *right;
    s_line_t *lines;
    size_t count, capacity;
    size_t rows;
};

mitra_table_t *
mitra_table_new (int columns)
{
    mitra_table_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->columns = columns;
    self->right = calloc ((size_t) columns, sizeof *self->right);
    if (!self->right) {
        free (self);
        return NULL;
    }
    return self;
}

void
mitra_table_destroy (mitra_table_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    mitra_table_t *self = *self_p;
    for (size_t index = 0; index < self->count; index++) {
        s_line_t *line = &self->lines [index];
        for (int column = 0; line->cells && column < self->columns; column++)
            free (line->cells [column]);
        free (line->cells);
        free (line->styles);
        free (line->note);
    }
    free (self->lines);
    free (self->right);
    free (self);
    *self_p = NULL;
}

void
mitra_table_right (mitra_table_t *self, int column)
{
    if (self && column >= 0 && column < self->columns)
        self->right [column] = true;
}

static s_line_t *
s_append_line (mitra_table_t *self)
{
    if (self->count == self->capacity) {
        size_t capacity = self->capacity ? 2 * self->capacity : 16;
        s_line_t *lines = realloc (self->lines, capacity * sizeof *lines);
        if (!lines)
            return NULL;
        self->lines = lines;
        self->capacity = capacity;
    }
    s_line_t *line = &self->lines [self->count++];
    memset (line, 0, sizeof *line);
    return line;
}

void
mitra_table_row (mitra_table_t *self)
{
    if (!self)
        return;
    s_line_t *line = s_append_line (self);
    if (!line)
        return;
    line->cells = calloc ((size_t) self->columns, sizeof *line->cells);
    line->styles = calloc ((size_t) self->columns, sizeof *line->styles);
    if (!line->cells || !line->styles) {
        free (line->cells);
        free (line->styles);
        self->count--;
        return;
    }
    self->rows++;
}

//  The row cells go to; NULL when the last line is a note or there is none.
static s_line_t *
s_current_row (mitra_table_t *self)
{
    for (size_t index = self->count; index > 0; index--)
        if (self->lines [index - 1].cells)
            return &self->lines [index - 1];
    return NULL;
}

static void
s_add_cell (mitra_table_t *self, mitra_style_t style, char *text)
{
    s_line_t *line = s_current_row (self);
    if (!line || line->filled >= self->columns) {
        free (text);
        return;
    }
    s_sanitize (text);
    line->cells [line->filled] = text;
    line->styles [line->filled] = (unsigned char) style;
    line->filled++;
}

void
mitra_table_header (mitra_table_t *self, ...)
{
    if (!self)
        return;
    mitra_table_row (self);
    s_line_t *line = s_current_row (self);
    if (!line)
        return;
    line->header = true;
    self->rows--;
    va_list args;
    va_start (args, self);
    for (int column = 0; column < self->columns; column++) {
        const char *name = va_arg (args, const char *);
        s_add_cell (self, MITRA_STYLE_BOLD, strdup (name ? name : ""));
    }
    va_end (args);
}

void
mitra_table_cell (mitra_table_t *self, mitra_style_t style, const char *format, ...)
{
    if (!self)
        return;
    char *text = NULL;
    va_list args;
    va_start (args, format);
    int rc = vasprintf (&text, format, args);
    va_end (args);
    if (rc >= 0)
        s_add_cell (self, style, text);
}

void
mitra_table_cell_str (mitra_table_t *self, mitra_style_t style, const msgpack_object *map,
                      const char *key, const char *fallback)
{
    const msgpack_object *value = map? mitra_map_get (map, key): NULL;
    if (value && value->type == MSGPACK_OBJECT_STR)
        mitra_table_cell (self, style, "%.*s", (int) value->via.str.size, value->via.str.ptr);
    else
        mitra_table_cell (self, style, "%s", fallback);
}

void
mitra_table_note (mitra_table_t *self, mitra_style_t style, const char *format, ...)
{
    if (!self)
        return;
    char *text = NULL;
    va_list args;
    va_start (args, format);
    int rc = vasprintf (&text, format, args);
    va_end (args);
    if (rc < 0)
        return;
    s_line_t *line = s_append_line (self);
    if (!line) {
        free (text);
        return;
    }
    s_sanitize (text);
    line->note = text;
    line->note_style = style;
}

size_t
mitra_table_rows (mitra_table_t *self)
{
    return self ? self->rows : 0;
}

static void
s_put (FILE *out, bool color, mitra_style_t style, const char *text)
{
    if (color && style != MITRA_STYLE_PLAIN)
        fprintf (out, "%s%s\033[0m", s_escape (style), text);
    else
        fputs (text, out);
}

void
mitra_table_print (mitra_table_t *self, FILE *out, int indent, bool color)
{
    if (!self)
        return;
    size_t *widths = calloc ((size_t) self->columns, sizeof *widths);
    if (!widths)
        return;
    for (size_t index = 0; index < self->count; index++) {
        const s_line_t *line = &self->lines [index];
        for (int column = 0; line->cells && column < self->columns; column++) {
            size_t width = line->cells [column] ? mitra_view_width (line->cells [column]) : 0;
            if (width > widths [column])
                widths [column] = width;
        }
    }
    for (size_t index = 0; index < self->count; index++) {
        const s_line_t *line = &self->lines [index];
        fprintf (out, "%*s", indent, "");
        if (line->note) {
            fprintf (out, "%*s", (int) (self->columns > 1 ? widths [0] + 2 : 2), "");
            s_put (out, color, line->note_style, line->note);
            fputc ('\n', out);
            continue;
        }
        //  No padding after the last cell with text: no trailing spaces
        int last = self->columns - 1;
        while (last > 0 && (!line->cells [last] || !*line->cells [last]))
            last--;
        for (int column = 0; column <= last; column++) {
            const char *text = line->cells [column] ? line->cells [column] : "";
            int pad = (int) (widths [column] - mitra_view_width (text));
            if (column > 0)
                fputs ("  ", out);
            if (self->right [column])
                fprintf (out, "%*s", pad, "");
            s_put (out, color, (mitra_style_t) line->styles [column], text);
            if (!self->right [column] && column < last)
                fprintf (out, "%*s", pad, "");
        }
        fputc ('\n', out);
    }
    free (widths);
}
