/*  test_view -- the output helpers of the commands for people: progress
    bars, numbers, dates and lists from msgpack, aligned tables, and text
    from the daemon that must never reach the terminal raw.
*/
#include "mitra_test.h"
#include "mitra_view.h"

#include <msgpack.h>
#include <stdlib.h>

static void
test_bar (void)
{
    char bar [16];
    mitra_view_bar (bar, sizeof bar, 70, 10);
    CHECK_STR (bar, "[#######---]");
    mitra_view_bar (bar, sizeof bar, 99, 10);
    CHECK_STR (bar, "[#########-]");
    mitra_view_bar (bar, sizeof bar, 100, 10);
    CHECK_STR (bar, "[##########]");
    mitra_view_bar (bar, sizeof bar, -5, 10);
    CHECK_STR (bar, "[----------]");
    mitra_view_bar (bar, sizeof bar, 250, 4);
    CHECK_STR (bar, "[####]");
    mitra_view_bar (bar, 5, 50, 10);            //  too small: empty, no overflow
    CHECK_STR (bar, "");
}

static void
test_numbers (void)
{
    char text [64];
    msgpack_object number = { .type = MSGPACK_OBJECT_POSITIVE_INTEGER, .via.u64 = 1234567 };
    mitra_view_number (&number, text, sizeof text);
    CHECK_STR (text, "1,234,567");
    number.via.u64 = 999;
    mitra_view_number (&number, text, sizeof text);
    CHECK_STR (text, "999");
    number = (msgpack_object) { .type = MSGPACK_OBJECT_NEGATIVE_INTEGER, .via.i64 = -1000 };
    mitra_view_number (&number, text, sizeof text);
    CHECK_STR (text, "-1,000");
    number = (msgpack_object) { .type = MSGPACK_OBJECT_FLOAT64, .via.f64 = 40000.5 };
    mitra_view_number (&number, text, sizeof text);
    CHECK_STR (text, "40,000.5");
    mitra_view_double (0.25, text, sizeof text);
    CHECK_STR (text, "0.25");
    mitra_view_number (NULL, text, sizeof text);
    CHECK_STR (text, "-");
}

//  A map {"name": NAME, "list": [A, B], "at": AT} packed and unpacked.
static msgpack_object
s_map (msgpack_zone *zone, msgpack_sbuffer *sbuf, const char *name, const char *at)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3);
    msgpack_pack_str_with_body (&pk, "name", 4);
    msgpack_pack_str_with_body (&pk, name, strlen (name));
    msgpack_pack_str_with_body (&pk, "list", 4);
    msgpack_pack_array (&pk, 2);
    msgpack_pack_str_with_body (&pk, "wells", 5);
    msgpack_pack_str_with_body (&pk, "training", 8);
    msgpack_pack_str_with_body (&pk, "at", 2);
    msgpack_pack_str_with_body (&pk, at, strlen (at));
    msgpack_object obj;
    msgpack_unpack (sbuf->data, sbuf->size, NULL, zone, &obj);
    return obj;
}

static void
test_fields (void)
{
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_object map = s_map (&zone, &sbuf, "bad\x1b[31mname\n", "2026-11-28T06:15:50.670Z");
    char text [64];
    //  Control characters from the daemon never reach the terminal
    CHECK_STR (mitra_view_str (&map, "name", text, sizeof text, "-"), "bad?[31mname?");
    CHECK_STR (mitra_view_str (&map, "absent", text, sizeof text, "-"), "-");
    CHECK_STR (mitra_view_date (&map, "at", text, sizeof text, "?"), "2026-11-28");
    CHECK_STR (mitra_view_join (&map, "list", "; ", text, sizeof text, "-"), "wells; training");
    CHECK_STR (mitra_view_join (&map, "name", "; ", text, sizeof text, "-"), "-");
    char small [10];
    CHECK_STR (mitra_view_join (&map, "list", ", ", small, sizeof small, "-"), "wells...");
    CHECK_INT (mitra_view_int (&map, "absent", -1), -1);
    CHECK (!mitra_view_bool (&map, "name"));
    CHECK_INT (mitra_view_width ("Dinas Pekerjaan Umum"), 20);
    CHECK_INT (mitra_view_width ("Caf\xc3\xa9"), 4);
    msgpack_sbuffer_destroy (&sbuf);
    msgpack_zone_destroy (&zone);
}

static void
test_table (void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    mitra_table_t *table = mitra_table_new (3);
    mitra_table_header (table, "ORG", "N", "NOTE");
    mitra_table_right (table, 1);
    mitra_table_row (table);
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "ngo-hijau");
    mitra_table_cell (table, MITRA_STYLE_RED, "%d", 7);
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "Caf\xc3\xa9");
    mitra_table_note (table, MITRA_STYLE_DIM, "a note\twith a tab");
    mitra_table_row (table);
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "x");
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "120");
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s", "");
    CHECK_INT (mitra_table_rows (table), 2);
    mitra_table_print (table, out, 2, false);
    mitra_table_destroy (&table);
    CHECK (table == NULL);
    mitra_table_destroy (&table);
    fclose (out);
    //  Widths count characters, not bytes; no trailing spaces; notes under
    //  the second column
    CHECK_STR (text,
        "  ORG          N  NOTE\n"
        "  ngo-hijau    7  Caf\xc3\xa9\n"
        "             a note?with a tab\n"
        "  x          120\n");
    free (text);

    //  With colour: escapes around the text, padding outside them
    out = open_memstream (&text, &size);
    table = mitra_table_new (2);
    mitra_table_row (table);
    mitra_table_cell (table, MITRA_STYLE_GREEN, "ok");
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "done");
    mitra_table_row (table);
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "long");
    mitra_table_print (table, out, 0, true);
    mitra_table_destroy (&table);
    fclose (out);
    CHECK_STR (text, "\033[32mok\033[0m    done\nlong\n");
    free (text);
}

int
main (void)
{
    test_bar ();
    test_numbers ();
    test_fields ();
    test_table ();
    return TEST_DONE ();
}
