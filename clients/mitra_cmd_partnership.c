/*  mitra_cmd_partnership -- `mitra partnership propose|status|show|list`,
    `mitra member add|remove` and `mitra agreement draft|sign`: setting a
    partnership up and moving it along its lifecycle.

    agreement draft and sign may fill in what the partnership already
    says (the next version, the members' roles as terms, the current
    version to sign); each fills only schema fields, from partnership.get,
    and says what it filled.
*/
#include "mitra_verbs.h"
#include "mitra_view.h"
#include "mitra_codec.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

//  --------------------------------------------------------------------------
//  partnership list

//  A row of the table for a partnership.list summary.
static void
s_list_row (const msgpack_object *summary, void *arg)
{
    mitra_table_t *table = arg;
    char text [256];
    mitra_table_row (table);
    mitra_table_cell_str (table, MITRA_STYLE_PLAIN, summary, "partnership", "?");
    mitra_table_cell_str (table, MITRA_STYLE_PLAIN, summary, "name", "?");
    mitra_table_cell_str (table, MITRA_STYLE_PLAIN, summary, "type", "?");
    mitra_table_cell_str (table, MITRA_STYLE_PLAIN, summary, "status", "?");
    mitra_table_cell_str (table, MITRA_STYLE_PLAIN, summary, "lead", "?");
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "%lld",
                      mitra_view_int (summary, "members", 0));
    long long version = mitra_view_int (summary, "agreement_version", 0);
    bool in_force = mitra_view_bool (summary, "agreement_in_force");
    if (version == 0)
        mitra_table_cell (table, MITRA_STYLE_PLAIN, "none");
    else
        mitra_table_cell (table, in_force ? MITRA_STYLE_GREEN : MITRA_STYLE_YELLOW,
                          "v%lld %s", version, in_force ? "in force" : "unsigned");
    long long score = mitra_view_int (summary, "health_score", -1);
    if (score < 0)
        mitra_table_cell (table, MITRA_STYLE_PLAIN, "?");
    else
        mitra_table_cell (table, mitra_view_score_style (score), "%lld", score);
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s",
                      mitra_view_date (summary, "starts", text, sizeof text, "-"));
    mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s",
                      mitra_view_date (summary, "ends", text, sizeof text, "-"));
}

static int
s_list (mitra_verb_args_t *args)
{
    //  Filters are the items given before paging adds its own
    bool filtered = args->item_count > 0;
    mitra_table_t *table = mitra_table_new (10);
    mitra_table_header (table, "PARTNERSHIP", "NAME", "TYPE", "STATUS", "LEAD",
                        "MEMBERS", "AGREEMENT", "HEALTH", "STARTS", "ENDS");
    mitra_table_right (table, 5);
    mitra_table_right (table, 7);
    uint32_t count;
    int rc = mitra_verbs_query_pages (args, "partnership.list", "partnerships",
                                      s_list_row, table, &count);
    if (rc == MITRA_EXIT_OK && !args->cli->json) {
        if (count)
            mitra_table_print (table, stdout, 0, mitra_view_color_wanted (stdout));
        else
        if (filtered)
            printf ("no partnership matches\n");
        else
            printf ("no partnerships yet; propose one with 'mitra partnership propose P "
                    "name=NAME type=TYPE lead=ORG'\n");
    }
    mitra_table_destroy (&table);
    return rc;
}

//  --------------------------------------------------------------------------
//  agreement draft and sign

//  partnership.get of the partnership in args->positional[0].
static int
s_get (mitra_verb_args_t *args, mitra_reply_t **reply_p)
{
    char *item = NULL;
    if (asprintf (&item, "partnership=%s", args->positional [0]) < 0)
        return MITRA_EXIT_USAGE;
    int rc = mitra_verbs_query (args, "partnership.get", 1, &item, reply_p);
    free (item);
    return rc;
}

//  The term of `org` in `terms`, added (with only `org`) if absent.
static json_t *
s_term (json_t *terms, const char *org)
{
    size_t index;
    json_t *term;
    json_array_foreach (terms, index, term)
        if (strcmp (json_string_value (json_object_get (term, "org")), org) == 0)
            return term;
    return NULL;
}

//  "a, b" -> ["a", "b"]
static json_t *
s_list_of (const char *text)
{
    json_t *list = json_array ();
    const char *start = text;
    while (list && *start) {
        const char *comma = strchr (start, ',');
        const char *end = comma ? comma : start + strlen (start);
        const char *first = start, *last = end;
        while (first < last && *first == ' ')
            first++;
        while (last > first && last [-1] == ' ')
            last--;
        json_array_append_new (list, json_stringn (first, (size_t) (last - first)));
        if (!comma)
            break;
        start = comma + 1;
    }
    return list;
}

//  The terms from the members (role, responsibilities), then the
//  `terms.ORG.FIELD=value` items applied on top (and removed from args).
static json_t *
s_default_terms (mitra_verb_args_t *args, const msgpack_object *partnership, int *exit_p)
{
    json_t *terms = json_array ();
    const msgpack_object *members = mitra_map_get (partnership, "members");
    for (uint32_t index = 0; terms && members && members->type == MSGPACK_OBJECT_ARRAY
                             && index < members->via.array.size; index++) {
        const msgpack_object *member = &members->via.array.ptr [index];
        char org [80], role [256];
        json_t *term = json_object ();
        json_object_set_new (term, "org", json_string (
            mitra_view_str (member, "org", org, sizeof org, "?")));
        json_object_set_new (term, "role", json_string (
            mitra_view_str (member, "role", role, sizeof role, "?")));
        const msgpack_object *duties = mitra_map_get (member, "responsibilities");
        if (duties && duties->type == MSGPACK_OBJECT_ARRAY && duties->via.array.size) {
            json_t *list = json_array ();
            for (uint32_t at = 0; at < duties->via.array.size; at++)
                if (duties->via.array.ptr [at].type == MSGPACK_OBJECT_STR)
                    json_array_append_new (list, json_stringn (
                        duties->via.array.ptr [at].via.str.ptr,
                        duties->via.array.ptr [at].via.str.size));
            json_object_set_new (term, "responsibilities", list);
        }
        json_array_append_new (terms, term);
    }
    for (int index = 0; terms && index < args->item_count; ) {
        const char *item = args->items [index];
        if (strncmp (item, "terms.", 6) != 0) {
            index++;
            continue;
        }
        //  terms.ORG.FIELD=value; a slug may hold '.', a FIELD never does
        const char *org = item + 6;
        const char *equals = strchr (org, '=');
        const char *dot = NULL;
        for (const char *cursor = org; equals && cursor < equals; cursor++)
            if (*cursor == '.')
                dot = cursor;
        char org_id [80], field [32];
        if (!dot || !equals || dot == org || dot - org >= (int) sizeof org_id
        ||  equals - dot - 1 >= (int) sizeof field) {
            *exit_p = mitra_verbs_usage_error (args, "'%s': give a term's field as "
                                               "terms.ORG.FIELD=value, FIELD one of role, "
                                               "responsibilities, commitments", item);
            json_decref (terms);
            return NULL;
        }
        snprintf (org_id, sizeof org_id, "%.*s", (int) (dot - org), org);
        snprintf (field, sizeof field, "%.*s", (int) (equals - dot - 1), dot + 1);
        json_t *term = s_term (terms, org_id);
        if (!term) {
            char message [200];
            snprintf (message, sizeof message, "%s is not a member of %s, so the agreement "
                      "cannot give it terms", org_id, args->positional [0]);
            mitra_cli_print_error ("not_found", message, "terms");
            fprintf (stderr, "hint: add it first with 'mitra member add %s %s role=ROLE'\n",
                     args->positional [0], org_id);
            *exit_p = MITRA_EXIT_REJECTED;
            json_decref (terms);
            return NULL;
        }
        if (strcmp (field, "role") == 0)
            json_object_set_new (term, "role", json_string (equals + 1));
        else
        if (strcmp (field, "responsibilities") == 0 || strcmp (field, "commitments") == 0)
            json_object_set_new (term, field, s_list_of (equals + 1));
        else {
            *exit_p = mitra_verbs_usage_error (args, "'%s': a term has the fields role, "
                                               "responsibilities and commitments", item);
            json_decref (terms);
            return NULL;
        }
        mitra_verbs_remove_item (args, index);
    }
    return terms;
}

static int
s_agreement_draft (mitra_verb_args_t *args)
{
    bool has_version = mitra_verbs_find_item (args, "version") >= 0;
    bool has_terms = mitra_verbs_find_item (args, "terms") >= 0;
    bool term_items = false;
    for (int index = 0; index < args->item_count; index++)
        term_items |= strncmp (args->items [index], "terms.", 6) == 0;
    if (has_terms && term_items)
        return mitra_verbs_usage_error (args, "give the terms either whole (terms:='[...]') "
                                        "or as terms.ORG.FIELD=value changes to the members' "
                                        "roles, not both");
    mitra_reply_t *reply = NULL;
    int rc = MITRA_EXIT_OK;
    char filled [512] = "";
    if (!has_version || !has_terms) {
        rc = s_get (args, &reply);
        if (rc)
            return rc;
        const msgpack_object *partnership = mitra_reply_result (reply);
        if (!has_version) {
            const msgpack_object *agreement = mitra_map_get (partnership, "agreement");
            long long next = mitra_view_int (agreement, "version", 0) + 1;
            mitra_verbs_add_item (args, "version=%lld", next);
            snprintf (filled, sizeof filled, "version %lld", next);
        }
        if (!has_terms) {
            json_t *terms = s_default_terms (args, partnership, &rc);
            if (!terms)
                goto out;
            char *text = json_dumps (terms, JSON_COMPACT);
            mitra_verbs_add_item (args, "terms:=%s", text ? text : "[]");
            free (text);
            size_t index;
            json_t *term;
            size_t used = strlen (filled);
            snprintf (filled + used, sizeof filled - used, "%sterms for", used ? "; " : "");
            json_array_foreach (terms, index, term) {
                used = strlen (filled);
                snprintf (filled + used, sizeof filled - used, "%s %s (%s)", index ? "," : "",
                          json_string_value (json_object_get (term, "org")),
                          json_string_value (json_object_get (term, "role")));
            }
            json_decref (terms);
        }
    }
    rc = mitra_verbs_send (args);
    if (rc == MITRA_EXIT_OK && !args->cli->json) {
        if (*filled)
            printf ("  %s\n", filled);
        printf ("  next: each member signs with 'mitra agreement sign %s ORG "
                "signatory=NAME'\n", args->positional [0]);
    }
out:
    mitra_reply_destroy (&reply);
    return rc;
}

static int
s_agreement_sign (mitra_verb_args_t *args)
{
    int rc;
    mitra_reply_t *reply = NULL;
    if (mitra_verbs_find_item (args, "version") < 0) {
        rc = s_get (args, &reply);
        if (rc)
            return rc;
        const msgpack_object *agreement = mitra_map_get (mitra_reply_result (reply), "agreement");
        long long version = mitra_view_int (agreement, "version", 0);
        mitra_reply_destroy (&reply);
        if (version == 0) {
            char message [200];
            snprintf (message, sizeof message, "%s has no agreement to sign yet",
                      args->positional [0]);
            mitra_cli_print_error ("not_found", message, "version");
            fprintf (stderr, "hint: draft one with 'mitra agreement draft %s "
                             "effective=YYYY-MM-DD'\n", args->positional [0]);
            return MITRA_EXIT_REJECTED;
        }
        mitra_verbs_add_item (args, "version=%lld", version);
    }
    rc = mitra_verbs_send (args);
    if (rc != MITRA_EXIT_OK || args->cli->json)
        return rc;
    //  Say where the signatures stand: in force, or who is still to sign
    if (s_get (args, &reply) == MITRA_EXIT_OK) {
        const msgpack_object *agreement = mitra_map_get (mitra_reply_result (reply), "agreement");
        char waiting [512];
        mitra_view_join (agreement, "unsigned", ", ", waiting, sizeof waiting, "");
        if (mitra_view_bool (agreement, "in_force"))
            printf ("  agreement version %lld is in force: every member has signed\n",
                    mitra_view_int (agreement, "version", 0));
        else
            printf ("  agreement version %lld still needs the signature of: %s\n",
                    mitra_view_int (agreement, "version", 0), waiting);
        mitra_reply_destroy (&reply);
    }
    return MITRA_EXIT_OK;
}

//  --------------------------------------------------------------------------
//  The tables

static const mitra_verb_t s_partnership_verbs [] = {
    { .name = "propose", .kind = MITRA_SCHEMA_EVENT, .schema = "partnership.proposed",
      .positional = { "partnership" }, .required = 1,
      .usage = "P name=NAME type=TYPE lead=ORG [purpose=TEXT] [starts=DATE] [ends=DATE]",
      .summary = "Propose a partnership led by a registered organization "
                 "(partnership.proposed).",
      .help =
        "P is the id you choose for it, a slug like p-clean-water. type is strategic,\n"
        "operational, advocacy or funding. The lead becomes the first member, with\n"
        "the role 'lead'. The partnership starts in status 'proposed'.\n"
        "\n"
        "  mitra partnership propose p-water name='Clean Water for Sumba' type=funding \\\n"
        "      lead=fdn-air purpose='Wells and sanitation in 40 villages' \\\n"
        "      starts=2027-01-01 ends=2029-12-31\n",
      .done = "partnership proposed" },
    { .name = "status", .kind = MITRA_SCHEMA_EVENT, .schema = "partnership.status_changed",
      .positional = { "partnership", "status" }, .required = 2,
      .usage = "P STATUS [reason=TEXT]",
      .summary = "Move a partnership along its lifecycle (partnership.status_changed).",
      .help =
        "The lifecycle: proposed -> negotiating -> active -> on_hold -> concluded or\n"
        "terminated. Allowed: proposed to negotiating or terminated; negotiating to\n"
        "active or terminated; active to on_hold, concluded or terminated; on_hold to\n"
        "active, concluded or terminated. concluded and terminated are final.\n"
        "'active' needs at least two members and the current agreement signed by\n"
        "every member (see 'mitra agreement').\n"
        "\n"
        "  mitra partnership status p-water negotiating\n"
        "  mitra partnership status p-water active --reason 'agreement signed by all'\n",
      .done = "status changed" },
    { .name = "show", .kind = MITRA_SCHEMA_QUERY, .schema = "partnership.get",
      .positional = { "partnership" }, .required = 1,
      .usage = "P",
      .summary = "Show the whole story of a partnership (partnership.get); "
                 "'mitra show P' is the same.",
      .help = "See 'mitra show --help'.\n",
      .run = mitra_cmd_show_run },
    { .name = "list", .kind = MITRA_SCHEMA_QUERY, .schema = "partnership.list",
      .usage = "[type=TYPE] [status=STATUS] [org=ORG] [from=P] [limit=N]",
      .summary = "List partnerships, optionally only of a type, in a status, or with a "
                 "member (partnership.list).",
      .help =
        "Filters combine: every one given must hold. Each row shows the lead, how\n"
        "many members, the current agreement version and whether it is in force,\n"
        "and the health score (0..100; 'mitra health P' explains it). Read from\n"
        "mitrad a page at a time; from=P and limit=N show only the page of at most\n"
        "N from P on.\n"
        "\n"
        "  mitra partnership list\n"
        "  mitra partnership list --type funding --status active\n"
        "  mitra partnership list org=ngo-hijau\n",
      .run = s_list },
    { .name = NULL }
};

static const mitra_verb_t s_member_verbs [] = {
    { .name = "add", .kind = MITRA_SCHEMA_EVENT, .schema = "partnership.member_added",
      .positional = { "partnership", "org" }, .required = 2,
      .usage = "P ORG role=ROLE [responsibilities=A,B] [expectations=A,B]",
      .summary = "Add a registered organization to a partnership, with its role "
                 "(partnership.member_added).",
      .help =
        "Lists take a,b,c; an item that holds a comma needs JSON:\n"
        "responsibilities:='[\"wells, latrines\", \"training\"]'.\n"
        "\n"
        "  mitra member add p-water ngo-hijau role=implementer \\\n"
        "      responsibilities='build wells,train water committees' \\\n"
        "      expectations='funds on time'\n",
      .done = "member added" },
    { .name = "remove", .kind = MITRA_SCHEMA_EVENT, .schema = "partnership.member_removed",
      .positional = { "partnership", "org" }, .required = 2,
      .usage = "P ORG [new_lead=ORG] [reason=TEXT]",
      .summary = "Remove a member from a partnership; removing the lead needs new_lead "
                 "(partnership.member_removed).",
      .help =
        "Its contributions stay recorded. An active partnership keeps at least two\n"
        "members.\n"
        "\n"
        "  mitra member remove p-water ngo-laut reason='moved to another programme'\n"
        "  mitra member remove p-water fdn-air new_lead=ngo-hijau\n",
      .done = "member removed" },
    { .name = NULL }
};

static const mitra_verb_t s_agreement_verbs [] = {
    { .name = "draft", .kind = MITRA_SCHEMA_EVENT, .schema = "agreement.drafted",
      .positional = { "partnership" }, .required = 1,
      .usage = "P effective=DATE [expires=DATE] [notice_days=N] [document=URI] [sha256=HEX] "
               "[version=N] [terms.ORG.FIELD=VALUE]... [terms:=JSON]",
      .summary = "Draft a new version of a partnership's agreement (agreement.drafted).",
      .help =
        "version defaults to the current version plus one (1 for the first). The\n"
        "terms default to every current member's role and responsibilities, as\n"
        "recorded by 'mitra member add'; change or add to them per member with\n"
        "terms.ORG.role=..., terms.ORG.responsibilities=a,b and\n"
        "terms.ORG.commitments=a,b, or give them all as JSON with terms:='[...]'.\n"
        "A new version needs every member's signature again.\n"
        "\n"
        "  mitra agreement draft p-water effective=2027-01-01 expires=2029-12-31 \\\n"
        "      notice_days=90 document=https://example.org/mou-v1.pdf \\\n"
        "      terms.fdn-air.commitments='USD 120000 over 3 years' \\\n"
        "      terms.ngo-hijau.commitments='40 wells,quarterly reports'\n",
      .done = "agreement drafted",
      .run = s_agreement_draft },
    { .name = "sign", .kind = MITRA_SCHEMA_EVENT, .schema = "agreement.signed",
      .positional = { "partnership", "org" }, .required = 2,
      .usage = "P ORG signatory=NAME [signed_on=DATE] [version=N]",
      .summary = "Record a member's signature of the current agreement version "
                 "(agreement.signed).",
      .help =
        "version defaults to the current version. When every member has signed,\n"
        "the agreement is in force and the partnership can become active.\n"
        "\n"
        "  mitra agreement sign p-water ngo-hijau signatory='Budi Santoso' "
        "signed_on=2027-01-05\n",
      .done = "agreement signed",
      .run = s_agreement_sign },
    { .name = NULL }
};

static const mitra_noun_t s_partnership = {
    .name = "partnership",
    .summary = "Propose partnerships, move them along their lifecycle, show and list them.",
    .verbs = s_partnership_verbs,
};

static const mitra_noun_t s_member = {
    .name = "member",
    .summary = "Add organizations to a partnership, and remove them.",
    .verbs = s_member_verbs,
};

static const mitra_noun_t s_agreement = {
    .name = "agreement",
    .summary = "Draft a partnership's written agreement, and record each member's signature.",
    .verbs = s_agreement_verbs,
};

static int
s_partnership_run (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    (void) command;
    return mitra_verbs_dispatch (cli, &s_partnership, argc, argv);
}

static int
s_member_run (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    (void) command;
    return mitra_verbs_dispatch (cli, &s_member, argc, argv);
}

static int
s_agreement_run (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    (void) command;
    return mitra_verbs_dispatch (cli, &s_agreement, argc, argv);
}

const mitra_cli_command_t mitra_cmd_partnership = {
    .name = "partnership",
    .run = s_partnership_run,
    .summary = "Partnerships: propose, status, show, list.",
    .usage = "propose|status|show|list ...",
};

const mitra_cli_command_t mitra_cmd_member = {
    .name = "member",
    .run = s_member_run,
    .summary = "Members of a partnership: add, remove.",
    .usage = "add|remove ...",
};

const mitra_cli_command_t mitra_cmd_agreement = {
    .name = "agreement",
    .run = s_agreement_run,
    .summary = "A partnership's agreement: draft, sign.",
    .usage = "draft|sign ...",
};
