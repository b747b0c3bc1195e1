/*  mitra_cmd_due -- `mitra due`: what needs attention and when, from the
    `due` query: the overdue deadlines first (they have fired and nothing
    has resolved them yet), then the pending ones, soonest first, each with
    the days left in the daemon's time zone.

    The daemon computes every date and day count; this file only lays them
    out, so `mitra due` shows exactly what mitrad will publish.
*/
#include "mitra_verbs.h"
#include "mitra_view.h"
#include "mitra_codec.h"

#include <string.h>

//  Pending deadlines this close (in days) are shown in yellow
#define S_SOON_DAYS 7

//  "today", "tomorrow", "in 5 days", "3 days overdue", "overdue since today"
static void
s_days (char *buffer, size_t size, long long days, bool overdue)
{
    if (overdue) {
        if (days >= 0)
            snprintf (buffer, size, "overdue since today");
        else
            snprintf (buffer, size, "%lld day%s overdue", -days, days == -1 ? "" : "s");
    }
    else
    if (days <= 0)
        snprintf (buffer, size, "today");
    else
    if (days == 1)
        snprintf (buffer, size, "tomorrow");
    else
        snprintf (buffer, size, "in %lld days", days);
}

static int
s_due (mitra_verb_args_t *args)
{
    if (args->values [0] && mitra_verbs_add_item (args, "overdue=true"))
        return MITRA_EXIT_USAGE;
    mitra_reply_t *reply = NULL;
    int rc = mitra_verbs_query (args, "due", args->item_count, args->items, &reply);
    if (rc)
        return rc;
    const msgpack_object *result = mitra_reply_result (reply);
    const msgpack_object *list = mitra_map_get (result, "deadlines");
    if (!list || list->type != MSGPACK_OBJECT_ARRAY) {
        fprintf (stderr, "error: the due reply has no list of deadlines\n");
        mitra_reply_destroy (&reply);
        return MITRA_EXIT_PROTOCOL;
    }
    if (args->cli->json) {
        for (uint32_t index = 0; index < list->via.array.size && rc == 0; index++)
            rc = mitra_verbs_print_json (&list->via.array.ptr [index]);
        mitra_reply_destroy (&reply);
        return rc;
    }
    bool color = mitra_view_color_wanted (stdout);
    char as_of [16], zone [64];
    mitra_view_date (result, "as_of", as_of, sizeof as_of, "?");
    mitra_view_str (result, "timezone", zone, sizeof zone, "?");
    uint32_t overdue = 0;
    for (uint32_t index = 0; index < list->via.array.size; index++)
        overdue += mitra_view_bool (&list->via.array.ptr [index], "overdue");
    uint32_t pending = list->via.array.size - overdue;
    if (list->via.array.size == 0) {
        printf ("%s as of %s (%s)\n", args->values [0] ? "nothing overdue" : "no deadlines",
                as_of, zone);
        mitra_reply_destroy (&reply);
        return MITRA_EXIT_OK;
    }
    mitra_view_styled (stdout, color, MITRA_STYLE_BOLD, "Deadlines as of %s (%s)", as_of, zone);
    printf (": ");
    mitra_view_styled (stdout, color, overdue ? MITRA_STYLE_RED : MITRA_STYLE_PLAIN,
                       "%u overdue", overdue);
    printf (", %u upcoming\n\n", pending);

    mitra_table_t *table = mitra_table_new (6);
    mitra_table_header (table, "WHEN", "DAYS", "DEADLINE", "PARTNERSHIP", "ABOUT", "DATE");
    for (uint32_t index = 0; index < list->via.array.size; index++) {
        const msgpack_object *entry = &list->via.array.ptr [index];
        char text [128];
        bool late = mitra_view_bool (entry, "overdue");
        long long days = mitra_view_int (entry, "days", 0);
        mitra_style_t style = late ? MITRA_STYLE_RED
                            : days <= S_SOON_DAYS ? MITRA_STYLE_YELLOW : MITRA_STYLE_PLAIN;
        mitra_table_row (table);
        mitra_table_cell (table, style, "%s",
                          mitra_view_date (entry, "due_on", text, sizeof text, "?"));
        s_days (text, sizeof text, days, late);
        mitra_table_cell (table, style, "%s", text);
        mitra_table_cell_str (table, late ? MITRA_STYLE_BOLD : MITRA_STYLE_PLAIN, entry, "kind",
                              "?");
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, entry, "partnership", "?");
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, entry, "subject", "?");
        mitra_table_cell (table, MITRA_STYLE_DIM, "%s",
                          mitra_view_date (entry, "date", text, sizeof text, "-"));
    }
    mitra_table_print (table, stdout, 2, color);
    mitra_table_destroy (&table);
    if (mitra_view_bool (result, "more"))
        printf ("\n(more not shown: narrow with --within or --partnership, or raise --limit)\n");
    mitra_reply_destroy (&reply);
    return MITRA_EXIT_OK;
}

static const mitra_cli_option_t s_due_options [] = {
    { "overdue", 0, NULL, "only overdue deadlines" },
    { NULL, 0, NULL, NULL }
};

static const mitra_verb_t s_due_verb = {
    .name = "due", .kind = MITRA_SCHEMA_QUERY, .schema = "due",
    .positional = { "partnership" }, .required = 0,
    .usage = "[P] [--within DURATION] [--partnership P] [--overdue] [--limit N]",
    .summary = "Upcoming and overdue deadlines, soonest first, with the days left (due).",
    .help =
        "Overdue deadlines have fired and nothing has resolved them yet: a milestone\n"
        "past its due date below 100%, an evaluation past its date unrecorded, an\n"
        "expired agreement without a newer version, a member not contacted for the\n"
        "partnership's stale_days. They come first, in red on a terminal. Then the\n"
        "deadlines still pending, each when mitrad will publish it: WHEN is the day\n"
        "(in the daemon's time zone), DATE the date it is about (the due date, the\n"
        "next evaluation, the expiry, the last contact). --within limits the pending\n"
        "ones to those falling due within that long from today (30d, 12w, 3mo, 1y).\n"
        "--json prints one deadline per line.\n"
        "\n"
        "  mitra due\n"
        "  mitra due --within 30d\n"
        "  mitra due p-water\n"
        "  mitra due --overdue --json\n",
    .options = s_due_options,
    .run = s_due,
};

static int
s_due_run (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    (void) command;
    return mitra_verbs_run (cli, &s_due_verb, argc, argv);
}

const mitra_cli_command_t mitra_cmd_due = {
    .name = "due",
    .run = s_due_run,
    .summary = "Upcoming and overdue deadlines, soonest first.",
    .usage = "[P] [--within DURATION] [--overdue]",
};
