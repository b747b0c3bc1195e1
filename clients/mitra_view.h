/*  mitra_view -- output for people: aligned tables, progress bars, numbers
    with thousands separators, readable dates, and colour only where it
    helps (a terminal, NO_COLOR unset).

    Everything printed here may come from the daemon, that is from other
    users: control characters are replaced, never written raw, so that
    stored text cannot drive the terminal. Used by the mitra_cmd_*.c
    files; nothing here talks to mitrad.
*/
#ifndef MITRA_VIEW_H
#define MITRA_VIEW_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    MITRA_STYLE_PLAIN = 0,
    MITRA_STYLE_BOLD,
    MITRA_STYLE_DIM,
    MITRA_STYLE_RED,
    MITRA_STYLE_GREEN,
    MITRA_STYLE_YELLOW,
} mitra_style_t;

//  True when `out` is a terminal, NO_COLOR is unset or empty, and TERM is
//  not "dumb" (https://no-color.org).
bool mitra_view_color_wanted (FILE *out);

//  Print formatted text in `style` (escape codes only when `color`).
//  Control characters in the result are shown as '?'.
void mitra_view_styled (FILE *out, bool color, mitra_style_t style, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

//  The style for a 0..100 score: green from 80, yellow from 50, else red.
mitra_style_t mitra_view_score_style (long long score);

//  "[#######---]" for `percent` (clamped to 0..100) in `width` cells; a
//  cell is filled for each whole 100/width percent. `buffer` needs
//  width + 3 bytes.
void mitra_view_bar (char *buffer, size_t size, long long percent, int width);

//  A msgpack number for people: integers with thousands separators
//  (100,000), floats likewise with up to 15 significant digits
//  (40,000.5). "-" for anything else.
void mitra_view_number (const msgpack_object *obj, char *buffer, size_t size);

//  The same for a double.
void mitra_view_double (double value, char *buffer, size_t size);

//  A string field of `map` copied into `buffer` with control characters
//  replaced; `fallback` when absent, nil or not a string. Returns buffer.
const char *mitra_view_str (const msgpack_object *map, const char *key,
                            char *buffer, size_t size, const char *fallback);

//  The date part (YYYY-MM-DD) of an instant or date field; `fallback` when
//  absent. Returns buffer.
const char *mitra_view_date (const msgpack_object *map, const char *key,
                             char *buffer, size_t size, const char *fallback);

//  An integer field; `fallback` when absent or not an integer.
long long mitra_view_int (const msgpack_object *map, const char *key, long long fallback);

//  A bool field; false when absent.
bool mitra_view_bool (const msgpack_object *map, const char *key);

//  The items of a list-of-strings field joined by `separator`, or
//  `fallback` when absent or empty. Returns buffer.
const char *mitra_view_join (const msgpack_object *map, const char *key, const char *separator,
                             char *buffer, size_t size, const char *fallback);

//  Today's date in UTC, YYYY-MM-DD (11 bytes).
void mitra_view_today (char *buffer);

//  Columns shown by a terminal for UTF-8 text: one per character.
size_t mitra_view_width (const char *text);

//  --------------------------------------------------------------------------
//  Tables: cells are added row by row, then printed with every column as
//  wide as its widest cell, two spaces apart; the last column is not
//  padded. A note is a line of its own under the current row, indented to
//  the second column, outside the alignment.

typedef struct _mitra_table_t mitra_table_t;

//  A table of `columns` columns; its first row, if given with `header`, is
//  printed bold. NULL if memory ran out.
mitra_table_t *mitra_table_new (int columns);

void mitra_table_destroy (mitra_table_t **self_p);

//  Right-align a column (numbers).
void mitra_table_right (mitra_table_t *self, int column);

//  Add a header row: one name per column.
void mitra_table_header (mitra_table_t *self, ...);

//  Start a new row.
void mitra_table_row (mitra_table_t *self);

//  Add the next cell of the current row.
void mitra_table_cell (mitra_table_t *self, mitra_style_t style, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

//  Add the next cell: the text at `key` of `map`, or `fallback` when the
//  map has no text there (as mitra_view_str reads it, without a length cap).
void mitra_table_cell_str (mitra_table_t *self, mitra_style_t style, const msgpack_object *map,
                           const char *key, const char *fallback);

//  Add a note under the current row.
void mitra_table_note (mitra_table_t *self, mitra_style_t style, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

//  Rows added so far, the header not counted.
size_t mitra_table_rows (mitra_table_t *self);

//  Print every row, each line starting with `indent` spaces.
void mitra_table_print (mitra_table_t *self, FILE *out, int indent, bool color);

#ifdef __cplusplus
}
#endif

#endif
