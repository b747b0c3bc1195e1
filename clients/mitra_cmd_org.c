/*  mitra_cmd_org -- `mitra org add|update|show|list`: the organizations
    that can take part in partnerships (org.registered, org.updated,
    org.get, org.list).
*/
#include "mitra_verbs.h"
#include "mitra_view.h"
#include "mitra_codec.h"

#include <string.h>

static int
s_org_show (mitra_verb_args_t *args)
{
    mitra_reply_t *reply = NULL, *partnerships = NULL;
    int rc = mitra_verbs_query (args, "org.get", args->item_count, args->items, &reply);
    if (rc)
        return rc;
    const msgpack_object *org = mitra_reply_result (reply);
    if (args->cli->json) {
        rc = mitra_verbs_print_json (org);
        goto out;
    }
    //  The partnerships it is a member of, for the story; a failure here
    //  only leaves that line out
    rc = mitra_verbs_query (args, "partnership.list", args->item_count, args->items,
                            &partnerships);
    bool color = mitra_view_color_wanted (stdout);
    char name [256], id [80], text [2048];
    mitra_view_styled (stdout, color, MITRA_STYLE_BOLD, "%s",
                       mitra_view_str (org, "name", name, sizeof name, "?"));
    printf (" (%s)\n", mitra_view_str (org, "org", id, sizeof id, "?"));
    mitra_table_t *table = mitra_table_new (2);
    static const char *const s_text_keys [] = { "kind", "country", "mission", NULL };
    for (int index = 0; s_text_keys [index]; index++) {
        mitra_table_row (table);
        mitra_table_cell (table, MITRA_STYLE_DIM, "%s", s_text_keys [index]);
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, org, s_text_keys [index], "-");
    }
    mitra_table_row (table);
    mitra_table_cell (table, MITRA_STYLE_DIM, "focus");
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s",
                      mitra_view_join (org, "focus", ", ", text, sizeof text, "-"));
    mitra_table_row (table);
    mitra_table_cell (table, MITRA_STYLE_DIM, "values");
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s",
                      mitra_view_join (org, "values", ", ", text, sizeof text, "-"));
    mitra_table_row (table);
    mitra_table_cell (table, MITRA_STYLE_DIM, "registered");
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s",
                      mitra_view_date (org, "registered_at", text, sizeof text, "-"));
    mitra_table_row (table);
    mitra_table_cell (table, MITRA_STYLE_DIM, "updated");
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s",
                      mitra_view_date (org, "updated_at", text, sizeof text, "-"));
    const msgpack_object *list = partnerships
        ? mitra_map_get (mitra_reply_result (partnerships), "partnerships") : NULL;
    if (list && list->type == MSGPACK_OBJECT_ARRAY) {
        mitra_table_row (table);
        mitra_table_cell (table, MITRA_STYLE_DIM, "partnerships");
        if (list->via.array.size == 0)
            mitra_table_cell (table, MITRA_STYLE_PLAIN, "none yet");
        int width = 0;
        for (uint32_t index = 0; index < list->via.array.size; index++) {
            const msgpack_object *pid = mitra_map_get (&list->via.array.ptr [index],
                                                       "partnership");
            if (pid && pid->type == MSGPACK_OBJECT_STR && (int) pid->via.str.size > width)
                width = (int) pid->via.str.size;
        }
        for (uint32_t index = 0; index < list->via.array.size; index++) {
            const msgpack_object *summary = &list->via.array.ptr [index];
            char pid [80], pname [256], type [32], status [32], lead [80];
            mitra_view_str (summary, "partnership", pid, sizeof pid, "?");
            mitra_view_str (summary, "name", pname, sizeof pname, "?");
            mitra_view_str (summary, "type", type, sizeof type, "?");
            mitra_view_str (summary, "status", status, sizeof status, "?");
            mitra_view_str (summary, "lead", lead, sizeof lead, "");
            if (index > 0) {
                mitra_table_row (table);
                mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s", "");
            }
            //  slugs are ASCII: bytes are columns
            mitra_table_cell (table, MITRA_STYLE_PLAIN, "%-*s  %s (%s, %s%s)", width, pid, pname,
                              type, status, strcmp (lead, id) == 0 ? ", lead" : "");
        }
    }
    mitra_table_print (table, stdout, 2, color);
    mitra_table_destroy (&table);
    rc = MITRA_EXIT_OK;
out:
    mitra_reply_destroy (&partnerships);
    mitra_reply_destroy (&reply);
    return rc;
}

//  A row of the table for an org record.
static void
s_org_row (const msgpack_object *org, void *arg)
{
    mitra_table_t *table = arg;
    char text [1024];
    mitra_table_row (table);
    mitra_table_cell_str (table, MITRA_STYLE_PLAIN, org, "org", "?");
    mitra_table_cell_str (table, MITRA_STYLE_PLAIN, org, "name", "?");
    mitra_table_cell_str (table, MITRA_STYLE_PLAIN, org, "kind", "?");
    mitra_table_cell_str (table, MITRA_STYLE_PLAIN, org, "country", "-");
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s",
                      mitra_view_join (org, "focus", ", ", text, sizeof text, "-"));
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s",
                      mitra_view_join (org, "values", ", ", text, sizeof text, "-"));
}

static int
s_org_list (mitra_verb_args_t *args)
{
    mitra_table_t *table = mitra_table_new (6);
    mitra_table_header (table, "ORG", "NAME", "KIND", "COUNTRY", "FOCUS", "VALUES");
    uint32_t count;
    int rc = mitra_verbs_query_pages (args, "org.list", "orgs", s_org_row, table, &count);
    if (rc == MITRA_EXIT_OK && !args->cli->json) {
        if (count)
            mitra_table_print (table, stdout, 0, mitra_view_color_wanted (stdout));
        else
            printf ("no organizations yet; register one with "
                    "'mitra org add ORG name=NAME kind=KIND'\n");
    }
    mitra_table_destroy (&table);
    return rc;
}

static const mitra_verb_t s_verbs [] = {
    { .name = "add", .kind = MITRA_SCHEMA_EVENT, .schema = "org.registered",
      .positional = { "org" }, .required = 1,
      .usage = "ORG name=NAME kind=KIND [field=value]...",
      .summary = "Register an organization that may take part in partnerships (org.registered).",
      .help =
        "ORG is the id you choose for it, a slug like ngo-hijau. kind is one of ngo,\n"
        "business, government, research, foundation, company, individual, other.\n"
        "\n"
        "  mitra org add ngo-hijau name='Yayasan Hijau' kind=ngo country=ID \\\n"
        "      focus=water,sanitation values=transparency,community \\\n"
        "      mission='Clean water for every village'\n",
      .done = "organization registered" },
    { .name = "update", .kind = MITRA_SCHEMA_EVENT, .schema = "org.updated",
      .positional = { "org" }, .required = 1,
      .usage = "ORG field=value...",
      .summary = "Change an organization's details; each field given replaces the old value "
                 "(org.updated).",
      .help =
        "A list is replaced as a whole: give every item.\n"
        "\n"
        "  mitra org update ngo-hijau values=transparency,equity,community\n",
      .done = "organization updated" },
    { .name = "show", .kind = MITRA_SCHEMA_QUERY, .schema = "org.get",
      .positional = { "org" }, .required = 1,
      .usage = "ORG",
      .summary = "Show an organization and the partnerships it is a member of (org.get).",
      .help = "  mitra org show ngo-hijau\n",
      .run = s_org_show },
    { .name = "list", .kind = MITRA_SCHEMA_QUERY, .schema = "org.list",
      .usage = "[from=ORG] [limit=N]",
      .summary = "List every registered organization (org.list).",
      .help =
        "Read from mitrad a page at a time; from=ORG and limit=N show only the page\n"
        "of at most N from ORG on. With --json, one organization per line.\n",
      .run = s_org_list },
    { .name = NULL }
};

static const mitra_noun_t s_noun = {
    .name = "org",
    .summary = "Register organizations and look them up.",
    .verbs = s_verbs,
};

static int
s_org (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    (void) command;
    return mitra_verbs_dispatch (cli, &s_noun, argc, argv);
}

const mitra_cli_command_t mitra_cmd_org = {
    .name = "org",
    .run = s_org,
    .summary = "Organizations: add, update, show, list.",
    .usage = "add|update|show|list ...",
};
