/*  test_protocol_doc -- PROTOCOL.md documents every event type, query and
    field of the schema table, so the spec cannot fall behind the code.

    For each entry: a heading "### `name`", and within that section (up to
    the next heading of the same level) each field as "`field`". Nested
    object fields are looked for in the same section.
*/
#include "mitra_schema.h"
#include "mitra_test.h"

#include <stdlib.h>

static char *
s_read (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return NULL;
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    fseek (file, 0, SEEK_SET);
    char *text = malloc ((size_t) size + 1);
    size_t got = fread (text, 1, (size_t) size, file);
    text [got] = 0;
    fclose (file);
    return text;
}

static void
s_check_fields (const char *section, const char *name, const mitra_field_t *fields)
{
    for (const mitra_field_t *field = fields; field && field->name; field++) {
        char quoted [128];
        snprintf (quoted, sizeof quoted, "`%s`", field->name);
        if (!strstr (section, quoted))
            fprintf (stderr, "PROTOCOL.md: %s does not document field %s\n", name, field->name);
        CHECK (strstr (section, quoted) != NULL);
        s_check_fields (section, name, field->fields);
    }
}

int
main (int argc, char *argv [])
{
    CHECK (argc == 2);
    char *spec = argc == 2? s_read (argv [1]): NULL;
    CHECK (spec != NULL);
    if (!spec)
        return TEST_DONE ();
    size_t count;
    const mitra_schema_t *schemas = mitra_schema_all (&count);
    CHECK (count > 0);
    for (size_t index = 0; index < count; index++) {
        char heading [128];
        snprintf (heading, sizeof heading, "### `%s`", schemas [index].name);
        char *start = strstr (spec, heading);
        if (!start)
            fprintf (stderr, "PROTOCOL.md: no section %s\n", heading);
        CHECK (start != NULL);
        if (!start)
            continue;
        char *end = strstr (start + strlen (heading), "\n### ");
        char *next_chapter = strstr (start + strlen (heading), "\n## ");
        if (!end || (next_chapter && next_chapter < end))
            end = next_chapter;
        char saved = 0;
        if (end) {
            saved = *end;
            *end = 0;
        }
        s_check_fields (start, schemas [index].name, schemas [index].fields);
        if (end)
            *end = saved;
    }
    free (spec);
    return TEST_DONE ();
}
