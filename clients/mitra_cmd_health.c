/*  mitra_cmd_health -- `mitra health [P]` (how each partnership is doing,
    0..100, with its components) and `mitra match ORG` (candidate partners,
    best first, with what they share).
*/
#include "mitra_verbs.h"
#include "mitra_view.h"
#include "mitra_codec.h"

#include <string.h>

typedef struct {
    bool color;
    char as_of [16];
    mitra_table_t *table;       //  rows of every page, printed at the end; NULL for one
} s_health_t;

static void
s_health_entry (const msgpack_object *entry, void *arg)
{
    s_health_t *self = arg;
    if (!self->table) {
        mitra_cmd_show_health (stdout, entry, self->color, true);
        return;
    }
    //  One row per partnership, its components as columns
    mitra_table_t *table = self->table;
    char bar [16];
    long long score = mitra_view_int (entry, "score", 0);
    mitra_view_date (entry, "as_of", self->as_of, sizeof self->as_of, "?");
    mitra_table_row (table);
    mitra_table_cell_str (table, MITRA_STYLE_PLAIN, entry, "partnership", "?");
    mitra_table_cell_str (table, MITRA_STYLE_PLAIN, entry, "name", "?");
    mitra_table_cell_str (table, MITRA_STYLE_PLAIN, entry, "status", "?");
    mitra_view_bar (bar, sizeof bar, score, 10);
    mitra_table_cell (table, mitra_view_score_style (score), "%3lld %s", score, bar);
    const msgpack_object *components = mitra_map_get (entry, "components");
    for (uint32_t at = 0; at < 5; at++) {
        const msgpack_object *component =
            components && components->type == MSGPACK_OBJECT_ARRAY
            && at < components->via.array.size ? &components->via.array.ptr [at] : NULL;
        long long part = mitra_view_int (component, "score", -1);
        if (part < 0)
            mitra_table_cell (table, MITRA_STYLE_PLAIN, "?");
        else
            mitra_table_cell (table, mitra_view_score_style (part), "%lld", part);
    }
}

static int
s_health (mitra_verb_args_t *args)
{
    s_health_t health = { .color = mitra_view_color_wanted (stdout), .as_of = "?" };
    //  With P, its health explained; without, a table of every partnership
    if (!args->positional [0]) {
        health.table = mitra_table_new (9);
        mitra_table_header (health.table, "PARTNERSHIP", "NAME", "STATUS", "HEALTH",
                            "MILESTONES", "EVALUATION", "AGREEMENT", "COMMUNICATION",
                            "CONTRIBUTIONS");
        for (int column = 4; column < 9; column++)
            mitra_table_right (health.table, column);
    }
    uint32_t count;
    int rc = mitra_verbs_query_pages (args, "health", "partnerships", s_health_entry, &health,
                                      &count);
    if (rc == MITRA_EXIT_OK && health.table && !args->cli->json) {
        if (count == 0)
            printf ("no partnerships yet\n");
        else {
            mitra_table_print (health.table, stdout, 0, health.color);
            printf ("\nas of %s; 'mitra health P' explains each component\n", health.as_of);
        }
    }
    mitra_table_destroy (&health.table);
    return rc;
}

static int
s_match (mitra_verb_args_t *args)
{
    mitra_reply_t *reply = NULL;
    int rc = mitra_verbs_query (args, "match", args->item_count, args->items, &reply);
    if (rc)
        return rc;
    const msgpack_object *result = mitra_reply_result (reply);
    const msgpack_object *candidates = mitra_map_get (result, "candidates");
    if (!candidates || candidates->type != MSGPACK_OBJECT_ARRAY) {
        fprintf (stderr, "error: the match reply has no list of candidates\n");
        mitra_reply_destroy (&reply);
        return MITRA_EXIT_PROTOCOL;
    }
    char org [80], kind [32];
    mitra_view_str (result, "org", org, sizeof org, "?");
    mitra_view_str (result, "kind", kind, sizeof kind, "?");
    bool color = mitra_view_color_wanted (stdout);
    if (args->cli->json)
        for (uint32_t index = 0; index < candidates->via.array.size && rc == 0; index++)
            rc = mitra_verbs_print_json (&candidates->via.array.ptr [index]);
    else
    if (candidates->via.array.size == 0)
        printf ("no candidates for %s: no registered organization shares a focus area or a "
                "value with it, or has a kind that complements '%s'\n", org, kind);
    else {
        mitra_view_styled (stdout, color, MITRA_STYLE_BOLD,
                           "Candidate partners for %s (%s), best first", org, kind);
        printf ("\n\n");
        mitra_table_t *table = mitra_table_new (9);
        mitra_table_header (table, "#", "SCORE", "ORG", "NAME", "KIND", "SUGGESTED", "FOCUS",
                            "VALUES", "KIND FIT");
        mitra_table_right (table, 0);
        for (int column = 1; column < 9; column++)
            if (column == 1 || column >= 6)
                mitra_table_right (table, column);
        for (uint32_t index = 0; index < candidates->via.array.size; index++) {
            const msgpack_object *candidate = &candidates->via.array.ptr [index];
            char text [1024];
            long long score = mitra_view_int (candidate, "score", 0);
            mitra_table_row (table);
            mitra_table_cell (table, MITRA_STYLE_PLAIN, "%u", index + 1);
            mitra_table_cell (table, mitra_view_score_style (score), "%lld", score);
            mitra_table_cell_str (table, MITRA_STYLE_PLAIN, candidate, "org", "?");
            mitra_table_cell_str (table, MITRA_STYLE_PLAIN, candidate, "name", "?");
            mitra_table_cell_str (table, MITRA_STYLE_PLAIN, candidate, "kind", "?");
            mitra_table_cell_str (table, MITRA_STYLE_PLAIN, candidate, "suggested_type", "-");
            const msgpack_object *components = mitra_map_get (candidate, "components");
            for (uint32_t at = 0; at < 3; at++) {
                const msgpack_object *component =
                    components && components->type == MSGPACK_OBJECT_ARRAY
                    && at < components->via.array.size ? &components->via.array.ptr [at] : NULL;
                mitra_table_cell (table, MITRA_STYLE_PLAIN, "%lld",
                                  mitra_view_int (component, "score", 0));
            }
            mitra_table_note (table, MITRA_STYLE_PLAIN, "%s",
                              mitra_view_str (candidate, "explanation", text, sizeof text, ""));
            mitra_view_join (candidate, "partnerships", ", ", text, sizeof text, "");
            if (*text)
                mitra_table_note (table, MITRA_STYLE_DIM, "already partners in: %s", text);
        }
        mitra_table_print (table, stdout, 2, color);
        mitra_table_destroy (&table);
        printf ("\nscore = (focus x 50 + values x 30 + kind fit x 20) / 100\n");
    }
    mitra_reply_destroy (&reply);
    return rc;
}

static const mitra_verb_t s_health_verb = {
    .name = "health", .kind = MITRA_SCHEMA_QUERY, .schema = "health",
    .positional = { "partnership" }, .required = 0,
    .usage = "[P] [from=P] [limit=N]",
    .summary = "How each partnership is doing: a 0..100 score with its components (health).",
    .help =
        "The score weighs five components, each 0..100: milestones done on time (25),\n"
        "evaluation cycle set and not overdue (20), agreement in force and not\n"
        "expiring (25), members contacted recently (15), contributions delivered\n"
        "against committed (15). Without P, one row per partnership with the\n"
        "component scores, read from mitrad a page at a time (from=P and limit=N\n"
        "show only the page of at most N from P on); with P, each component\n"
        "explained. --json prints one health entry per line.\n"
        "\n"
        "  mitra health\n"
        "  mitra health p-water\n",
    .run = s_health,
};

static const mitra_verb_t s_match_verb = {
    .name = "match", .kind = MITRA_SCHEMA_QUERY, .schema = "match",
    .positional = { "org" }, .required = 1,
    .usage = "ORG [limit=N]",
    .summary = "Candidate partners for an organization, ranked by alignment (match).",
    .help =
        "Candidates share focus areas or values with ORG, or are of a complementary\n"
        "kind (an NGO with a funder: funding; with a business, government or research\n"
        "institution: advocacy; two NGOs: strategic or operational). Each row shows\n"
        "the score of each component and what is shared; --json prints one candidate\n"
        "per line.\n"
        "\n"
        "  mitra match ngo-hijau\n"
        "  mitra match ngo-hijau --limit 3\n",
    .run = s_match,
};

static int
s_health_run (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    (void) command;
    return mitra_verbs_run (cli, &s_health_verb, argc, argv);
}

static int
s_match_run (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    (void) command;
    return mitra_verbs_run (cli, &s_match_verb, argc, argv);
}

const mitra_cli_command_t mitra_cmd_health = {
    .name = "health",
    .run = s_health_run,
    .summary = "Health of every partnership, or of one with each component explained.",
    .usage = "[P]",
};

const mitra_cli_command_t mitra_cmd_match = {
    .name = "match",
    .run = s_match_run,
    .summary = "Candidate partners for an organization, best first.",
    .usage = "ORG [limit=N]",
};
