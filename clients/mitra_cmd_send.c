/*  mitra_cmd_send -- `mitra send` and `mitra query`: any event type or
    query by name, with its fields given as `key=value` / `key:=JSON`.

    These two are the general tools; friendlier commands (org add, ...)
    call the same mitra_cli functions with a fixed type.
*/
#include "mitra_cli.h"

#include <stdlib.h>

static const mitra_cli_option_t s_send_options [] = {
    { "id", 0, "ID", "request id, to retry a send without recording it twice "
                     "(default: a fresh one)" },
    { NULL }
};

static int
s_send (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    const char *values [1];
    int npos;
    int rc = mitra_cli_parse (cli, command, argc, argv, values, &npos);
    if (rc)
        return rc;
    const char *type = npos >= 1 ? argv [1] : NULL;
    if (cli->help) {
        const mitra_schema_t *schema = type
                                     ? mitra_schema_find (MITRA_SCHEMA_EVENT, type) : NULL;
        if (schema) {
            //  the fields are what is wanted here; the rest is one --help away
            printf ("usage: mitra send %s [key=value | key:=JSON]...\n", type);
            mitra_cli_print_fields (stdout, schema);
            printf ("\nkey=value gives text (converted for number, yes/no and list fields);\n"
                    "key:=JSON any JSON value. See 'mitra send --help'.\n");
            return MITRA_EXIT_OK;
        }
        mitra_cli_print_help (command);
        printf ("\nevent types (see 'mitra send TYPE --help' for fields):\n");
        mitra_cli_print_names (stdout, MITRA_SCHEMA_EVENT);
        return MITRA_EXIT_OK;
    }
    if (!type) {
        fprintf (stderr, "mitra send: which event type? The known types are:\n");
        mitra_cli_print_names (stderr, MITRA_SCHEMA_EVENT);
        return mitra_cli_usage_error (command, "no event type given");
    }
    return mitra_cli_send_event (cli, type, npos - 1, argv + 2, values [0]);
}

const mitra_cli_command_t mitra_cmd_send = {
    .name = "send",
    .run = s_send,
    .summary = "Send an event to mitrad.",
    .usage = "TYPE [key=value | key:=JSON]...",
    .help =
        "Builds the event's data from the arguments: key=value gives text, key:=JSON any\n"
        "JSON value (number, true, [list], {object}). For number and yes/no fields, =\n"
        "also works (amount=1200, signed=yes); list fields take a,b,c. The data is\n"
        "checked against the event's schema before it is sent.\n"
        "\n"
        "  mitra send org.registered org=ngo-hijau name='Yayasan Hijau' kind=ngo \\\n"
        "      focus=water,sanitation country=ID\n"
        "  mitra send org.updated org=ngo-hijau values:='[\"transparency\", \"equity\"]'\n"
        "\n"
        "Prints the event's position in the event log. When mitrad does not answer,\n"
        "the event may still have been recorded: re-send with the --id shown, and\n"
        "mitrad returns the first answer instead of recording it twice.\n",
    .options = s_send_options,
};

static int
s_query (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    int npos;
    int rc = mitra_cli_parse (cli, command, argc, argv, NULL, &npos);
    if (rc)
        return rc;
    const char *q = npos >= 1 ? argv [1] : NULL;
    const mitra_schema_t *schema = q ? mitra_schema_find (MITRA_SCHEMA_QUERY, q) : NULL;
    if (cli->help) {
        if (schema) {
            printf ("usage: mitra query %s [key=value | key:=JSON]...\n", q);
            mitra_cli_print_fields (stdout, schema);
            return MITRA_EXIT_OK;
        }
        mitra_cli_print_help (command);
        printf ("\nqueries (see 'mitra query Q --help' for arguments):\n");
        mitra_cli_print_names (stdout, MITRA_SCHEMA_QUERY);
        return MITRA_EXIT_OK;
    }
    if (!q) {
        fprintf (stderr, "mitra query: which query? The known queries are:\n");
        mitra_cli_print_names (stderr, MITRA_SCHEMA_QUERY);
        return mitra_cli_usage_error (command, "no query given");
    }
    if (!schema) {
        fprintf (stderr, "error: unknown query '%s'; the known queries are:\n", q);
        mitra_cli_print_names (stderr, MITRA_SCHEMA_QUERY);
        return MITRA_EXIT_USAGE;
    }
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    char why [512];
    mitra_reply_t *reply = NULL;
    if (mitra_cli_build_map (schema->fields, npos - 1, argv + 2, &sbuf, why, sizeof why)) {
        fprintf (stderr, "error: %s\n(see 'mitra query %s --help' for its arguments)\n", why, q);
        rc = MITRA_EXIT_USAGE;
    }
    else {
        //  no arguments: send no `args` at all, as the protocol allows
        rc = mitra_cli_query (cli, q, npos > 1 ? sbuf.data : NULL, sbuf.size, &reply);
        if (rc == MITRA_EXIT_OK && mitra_cli_print_json (mitra_reply_result (reply), !cli->json))
            rc = MITRA_EXIT_PROTOCOL;
    }
    mitra_reply_destroy (&reply);
    msgpack_sbuffer_destroy (&sbuf);
    return rc;
}

const mitra_cli_command_t mitra_cmd_query = {
    .name = "query",
    .run = s_query,
    .summary = "Ask mitrad a query and print the result as JSON.",
    .usage = "Q [key=value | key:=JSON]...",
    .help =
        "Arguments work as for 'mitra send'. The result is printed as indented JSON,\n"
        "or on one line with --json.\n"
        "\n"
        "  mitra query org.get org=ngo-hijau\n"
        "  mitra --json query log since=100 limit=10\n",
    .options = NULL,
};
