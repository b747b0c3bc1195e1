/*  mitra_cmd_show -- `mitra show P`: the story of one partnership at a
    glance, from one partnership.get: who, what for and where it stands;
    its health and why; the members with their roles and last contact; the
    agreement and who has signed; goals and milestones with progress bars
    and due dates; evaluations; contributions committed against delivered;
    people reached.

    Only the daemon's answer is shown: the flags it computes (overdue, in
    force) are used as given. The client's own clock only marks goals past
    their due date, expired agreements and silent members, which the
    daemon leaves to the health explanations.
*/
#include "mitra_verbs.h"
#include "mitra_view.h"
#include "mitra_codec.h"
#include "mitra_time.h"

#include <string.h>

#define S_BAR_WIDTH 10

//  A section's title: "Members (2)", "Evaluations (1 recorded)", "Reach".
static void
s_section (bool color, const char *title, long long count, const char *what)
{
    printf ("\n");
    if (count >= 0)
        mitra_view_styled (stdout, color, MITRA_STYLE_BOLD, "%s (%lld%s%s)", title, count,
                           what ? " " : "", what ? what : "");
    else
        mitra_view_styled (stdout, color, MITRA_STYLE_BOLD, "%s", title);
    printf ("\n");
}

static long long
s_count (const msgpack_object *list)
{
    return list && list->type == MSGPACK_OBJECT_ARRAY ? (long long) list->via.array.size : 0;
}

//  Days since 1970 of a date field; -1 when absent or not a date.
static long long
s_day (const msgpack_object *map, const char *key)
{
    const msgpack_object *value = map ? mitra_map_get (map, key) : NULL;
    int64_t days;
    if (value && value->type == MSGPACK_OBJECT_STR
    &&  mitra_date_parse (value->via.str.ptr, value->via.str.size > 10 ? 10 : value->via.str.size,
                          &days) == 0)
        return days;
    return -1;
}

//  A concluded or terminated partnership takes nothing new: no hints then.
static bool
s_closed (const msgpack_object *p)
{
    const msgpack_object *status = mitra_map_get (p, "status");
    return mitra_obj_str_eq (status, "concluded") || mitra_obj_str_eq (status, "terminated");
}

static long long
s_today (void)
{
    return mitra_time_now_ms () / 86400000;
}

//  "[#######---]  70%"
static void
s_progress (mitra_table_t *table, mitra_style_t style, long long percent)
{
    char bar [S_BAR_WIDTH + 3];
    mitra_view_bar (bar, sizeof bar, percent, S_BAR_WIDTH);
    mitra_table_cell (table, style, "%s %3lld%%", bar, percent);
}

static void
s_kv (mitra_table_t *table, const char *key, mitra_style_t style, const char *value)
{
    mitra_table_row (table);
    mitra_table_cell (table, MITRA_STYLE_DIM, "%s", key);
    mitra_table_cell (table, style, "%s", value);
}

void
mitra_cmd_show_health (FILE *out, const msgpack_object *entry, bool color, bool title)
{
    long long score = mitra_view_int (entry, "score", 0);
    char bar [S_BAR_WIDTH + 3], name [256], id [80], status [32], as_of [16];
    mitra_view_bar (bar, sizeof bar, score, S_BAR_WIDTH);
    if (title) {
        mitra_view_styled (out, color, MITRA_STYLE_BOLD, "%s",
                           mitra_view_str (entry, "name", name, sizeof name, "?"));
        fprintf (out, " (%s), %s: health ", mitra_view_str (entry, "partnership", id, sizeof id, "?"),
                 mitra_view_str (entry, "status", status, sizeof status, "?"));
    }
    else {
        mitra_view_styled (out, color, MITRA_STYLE_BOLD, "Health");
        fputc (' ', out);
    }
    mitra_view_styled (out, color, mitra_view_score_style (score), "%lld/100 %s", score, bar);
    fprintf (out, "  as of %s\n", mitra_view_date (entry, "as_of", as_of, sizeof as_of, "?"));
    const msgpack_object *components = mitra_map_get (entry, "components");
    mitra_table_t *table = mitra_table_new (4);
    mitra_table_header (table, "COMPONENT", "SCORE", "WEIGHT", "WHY");
    mitra_table_right (table, 1);
    mitra_table_right (table, 2);
    for (long long index = 0; index < s_count (components); index++) {
        const msgpack_object *component = &components->via.array.ptr [index];
        long long part = mitra_view_int (component, "score", 0);
        mitra_table_row (table);
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, component, "component", "?");
        mitra_table_cell (table, mitra_view_score_style (part), "%lld", part);
        mitra_table_cell (table, MITRA_STYLE_PLAIN, "%lld%%",
                          mitra_view_int (component, "weight", 0));
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, component, "explanation", "");
    }
    mitra_table_print (table, out, 2, color);
    mitra_table_destroy (&table);
}

static void
s_header (const msgpack_object *p, bool color)
{
    char name [256], id [80], text [2048], lead [80], lead_name [256] = "";
    mitra_view_styled (stdout, color, MITRA_STYLE_BOLD, "%s",
                       mitra_view_str (p, "name", name, sizeof name, "?"));
    printf (" (%s)\n", mitra_view_str (p, "partnership", id, sizeof id, "?"));
    mitra_table_t *table = mitra_table_new (2);
    s_kv (table, "type", MITRA_STYLE_PLAIN, mitra_view_str (p, "type", text, sizeof text, "?"));
    char status [32], since [16], reason [1100];
    mitra_view_str (p, "status", status, sizeof status, "?");
    mitra_view_date (p, "status_since", since, sizeof since, "?");
    mitra_view_str (p, "status_reason", reason, sizeof reason, "");
    snprintf (text, sizeof text, "%s since %s%s%s%s", status, since,
              *reason ? " (" : "", reason, *reason ? ")" : "");
    bool closed = strcmp (status, "concluded") == 0 || strcmp (status, "terminated") == 0;
    s_kv (table, "status", strcmp (status, "active") == 0 ? MITRA_STYLE_GREEN
                         : strcmp (status, "on_hold") == 0 || closed ? MITRA_STYLE_YELLOW
                         : MITRA_STYLE_PLAIN, text);
    mitra_view_str (p, "lead", lead, sizeof lead, "?");
    const msgpack_object *members = mitra_map_get (p, "members");
    for (long long index = 0; index < s_count (members); index++)
        if (mitra_view_bool (&members->via.array.ptr [index], "lead"))
            mitra_view_str (&members->via.array.ptr [index], "name", lead_name,
                            sizeof lead_name, "");
    snprintf (text, sizeof text, "%s%s%s", lead, *lead_name ? ", " : "", lead_name);
    s_kv (table, "lead", MITRA_STYLE_PLAIN, text);
    char starts [16], ends [16];
    mitra_view_date (p, "starts", starts, sizeof starts, "");
    mitra_view_date (p, "ends", ends, sizeof ends, "");
    if (*starts && *ends)
        snprintf (text, sizeof text, "%s to %s", starts, ends);
    else
        snprintf (text, sizeof text, "%s%s%s%s", *starts ? "from " : "", starts,
                  *ends ? "until " : "", *ends ? ends : *starts ? "" : "-");
    s_kv (table, "dates", MITRA_STYLE_PLAIN, text);
    s_kv (table, "proposed", MITRA_STYLE_PLAIN,
          mitra_view_date (p, "proposed_at", text, sizeof text, "?"));
    s_kv (table, "purpose", MITRA_STYLE_PLAIN,
          mitra_view_str (p, "purpose", text, sizeof text, "-"));
    mitra_table_print (table, stdout, 2, color);
    mitra_table_destroy (&table);
}

static void
s_members (const msgpack_object *p, bool color)
{
    const msgpack_object *members = mitra_map_get (p, "members");
    long long stale_days = mitra_view_int (p, "stale_days", 60);
    s_section (color, "Members", s_count (members), NULL);
    mitra_table_t *table = mitra_table_new (5);
    mitra_table_header (table, "ORG", "NAME", "ROLE", "LAST CONTACT", "RESPONSIBILITIES");
    for (long long index = 0; index < s_count (members); index++) {
        const msgpack_object *member = &members->via.array.ptr [index];
        char text [2048], role [256], contact [16];
        mitra_table_row (table);
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, member, "org", "?");
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, member, "name", "?");
        mitra_view_str (member, "role", role, sizeof role, "?");
        mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s%s", role,
                          mitra_view_bool (member, "lead") && strcmp (role, "lead") != 0
                          ? " (lead)" : "");
        //  Silence counts from the joining of a member never contacted
        long long since = s_day (member, "last_contact");
        if (since < 0)
            since = s_day (member, "joined_at");
        bool silent = since >= 0 && s_today () - since > stale_days;
        mitra_view_date (member, "last_contact", contact, sizeof contact, "never");
        mitra_table_cell (table, silent ? MITRA_STYLE_YELLOW : MITRA_STYLE_PLAIN, "%s%s",
                          contact, silent ? " (silent)" : "");
        mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s",
                          mitra_view_join (member, "responsibilities", "; ", text, sizeof text,
                                           "-"));
        mitra_view_join (member, "expectations", "; ", text, sizeof text, "");
        if (*text)
            mitra_table_note (table, MITRA_STYLE_DIM, "expects: %s", text);
    }
    mitra_table_print (table, stdout, 2, color);
    mitra_table_destroy (&table);
}

//  The signature of `org` in the agreement, NULL if none.
static const msgpack_object *
s_signature (const msgpack_object *agreement, const char *org)
{
    const msgpack_object *signatures = mitra_map_get (agreement, "signatures");
    for (long long index = 0; index < s_count (signatures); index++)
        if (mitra_obj_str_eq (mitra_map_get (&signatures->via.array.ptr [index], "org"), org))
            return &signatures->via.array.ptr [index];
    return NULL;
}

static void
s_agreement (const msgpack_object *p, bool color)
{
    char id [80], text [2048];
    mitra_view_str (p, "partnership", id, sizeof id, "?");
    const msgpack_object *agreement = mitra_map_get (p, "agreement");
    if (!agreement || agreement->type != MSGPACK_OBJECT_MAP) {
        s_section (color, "Agreement", -1, NULL);
        if (s_closed (p))
            printf ("  none\n");
        else
            printf ("  none yet; draft one with 'mitra agreement draft %s "
                    "effective=YYYY-MM-DD'\n", id);
        return;
    }
    long long version = mitra_view_int (agreement, "version", 0);
    bool in_force = mitra_view_bool (agreement, "in_force");
    long long expires = s_day (agreement, "expires");
    bool expired = expires >= 0 && expires < s_today ();
    printf ("\n");
    mitra_view_styled (stdout, color, MITRA_STYLE_BOLD, "Agreement version %lld", version);
    printf (": ");
    mitra_view_join (agreement, "unsigned", ", ", text, sizeof text, "");
    if (expired)
        mitra_view_styled (stdout, color, MITRA_STYLE_RED, "EXPIRED");
    else
    if (in_force)
        mitra_view_styled (stdout, color, MITRA_STYLE_GREEN, "in force");
    else
        mitra_view_styled (stdout, color, MITRA_STYLE_YELLOW, "NOT in force, waiting for %s",
                           *text ? text : "terms for every member");
    printf ("\n");
    char effective [16], until [16];
    mitra_view_date (agreement, "effective", effective, sizeof effective, "?");
    mitra_view_date (agreement, "expires", until, sizeof until, "");
    long long notice = mitra_view_int (agreement, "notice_days", -1);
    printf ("  effective %s, %s%s", effective, *until ? "expires " : "no expiry", until);
    if (notice >= 0)
        printf (", notice %lld days", notice);
    printf ("\n");
    mitra_view_str (agreement, "document", text, sizeof text, "");
    if (*text)
        printf ("  document %s\n", text);

    //  One row per term, with its signature
    const msgpack_object *terms = mitra_map_get (agreement, "terms");
    mitra_table_t *table = mitra_table_new (4);
    mitra_table_header (table, "ORG", "ROLE", "SIGNED", "COMMITMENTS");
    for (long long index = 0; index < s_count (terms); index++) {
        const msgpack_object *term = &terms->via.array.ptr [index];
        char org [80], date [16], signatory [256];
        mitra_view_str (term, "org", org, sizeof org, "?");
        mitra_table_row (table);
        mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s", org);
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, term, "role", "?");
        const msgpack_object *signature = s_signature (agreement, org);
        if (signature)
            mitra_table_cell (table, MITRA_STYLE_GREEN, "%s by %s",
                              mitra_view_date (signature, "signed_on", date, sizeof date, "?"),
                              mitra_view_str (signature, "signatory", signatory,
                                              sizeof signatory, "?"));
        else
            mitra_table_cell (table, MITRA_STYLE_YELLOW, "not yet");
        mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s",
                          mitra_view_join (term, "commitments", "; ", text, sizeof text, "-"));
    }
    mitra_table_print (table, stdout, 2, color);
    mitra_table_destroy (&table);
}

static void
s_goals (const msgpack_object *p, bool color)
{
    const msgpack_object *goals = mitra_map_get (p, "goals");
    s_section (color, "Goals", s_count (goals), NULL);
    if (s_count (goals) == 0) {
        char id [80];
        if (s_closed (p))
            printf ("  none\n");
        else
            printf ("  none yet; set one with 'mitra goal set %s GOAL title=TEXT target=N'\n",
                    mitra_view_str (p, "partnership", id, sizeof id, "P"));
        return;
    }
    mitra_table_t *table = mitra_table_new (6);
    mitra_table_header (table, "GOAL", "TITLE", "PROGRESS", "VALUE", "DUE", "");
    for (long long index = 0; index < s_count (goals); index++) {
        const msgpack_object *goal = &goals->via.array.ptr [index];
        char text [1024], value [64], target [64], unit [64], date [16];
        bool achieved = mitra_view_bool (goal, "achieved");
        long long due = s_day (goal, "due");
        bool late = !achieved && due >= 0 && due < s_today ();
        mitra_table_row (table);
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, goal, "goal", "?");
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, goal, "title", "?");
        s_progress (table, achieved ? MITRA_STYLE_GREEN : MITRA_STYLE_PLAIN,
                    mitra_view_int (goal, "progress", 0));
        mitra_view_number (mitra_map_get (goal, "value"), value, sizeof value);
        mitra_view_number (mitra_map_get (goal, "target"), target, sizeof target);
        mitra_view_str (goal, "unit", unit, sizeof unit, "");
        mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s of %s%s%s", value, target,
                          *unit ? " " : "", unit);
        mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s",
                          mitra_view_date (goal, "due", date, sizeof date, "-"));
        if (achieved)
            mitra_table_cell (table, MITRA_STYLE_GREEN, "achieved %s",
                              mitra_view_date (goal, "achieved_on", date, sizeof date, "?"));
        else
            mitra_table_cell (table, MITRA_STYLE_RED, "%s", late ? "PAST DUE" : "");
        mitra_view_str (goal, "note", text, sizeof text, "");
        if (*text)
            mitra_table_note (table, MITRA_STYLE_DIM, "note: %s", text);
    }
    mitra_table_print (table, stdout, 2, color);
    mitra_table_destroy (&table);
}

static void
s_milestones (const msgpack_object *p, bool color)
{
    const msgpack_object *milestones = mitra_map_get (p, "milestones");
    s_section (color, "Milestones", s_count (milestones), NULL);
    if (s_count (milestones) == 0) {
        char id [80];
        if (s_closed (p))
            printf ("  none\n");
        else
            printf ("  none yet; add one with 'mitra milestone add %s MILESTONE title=TEXT "
                    "due=YYYY-MM-DD'\n", mitra_view_str (p, "partnership", id, sizeof id, "P"));
        return;
    }
    mitra_table_t *table = mitra_table_new (7);
    mitra_table_header (table, "MILESTONE", "TITLE", "PROGRESS", "DUE", "OWNER", "GOAL", "");
    for (long long index = 0; index < s_count (milestones); index++) {
        const msgpack_object *milestone = &milestones->via.array.ptr [index];
        char text [1024], date [16], original [16];
        bool completed = mitra_view_bool (milestone, "completed");
        bool overdue = mitra_view_bool (milestone, "overdue");
        mitra_table_row (table);
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, milestone, "milestone", "?");
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, milestone, "title", "?");
        s_progress (table, completed ? MITRA_STYLE_GREEN : overdue ? MITRA_STYLE_RED
                                     : MITRA_STYLE_PLAIN,
                    mitra_view_int (milestone, "percent", 0));
        mitra_table_cell (table, overdue ? MITRA_STYLE_RED : MITRA_STYLE_PLAIN, "%s",
                          mitra_view_date (milestone, "due", date, sizeof date, "?"));
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, milestone, "owner", "-");
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, milestone, "goal", "-");
        if (completed) {
            long long done = s_day (milestone, "completed_on");
            bool late = done > s_day (milestone, "due");
            mitra_table_cell (table, late ? MITRA_STYLE_YELLOW : MITRA_STYLE_GREEN,
                              "done %s%s",
                              mitra_view_date (milestone, "completed_on", date, sizeof date, "?"),
                              late ? " (late)" : "");
        }
        else
            mitra_table_cell (table, MITRA_STYLE_RED, "%s", overdue ? "OVERDUE" : "");
        long long moves = mitra_view_int (milestone, "reschedules", 0);
        if (moves > 0) {
            mitra_view_str (milestone, "reason", text, sizeof text, "");
            mitra_table_note (table, MITRA_STYLE_DIM, "moved %lld time%s from %s%s%s", moves,
                              moves == 1 ? "" : "s",
                              mitra_view_date (milestone, "original_due", original,
                                               sizeof original, "?"),
                              *text ? ": " : "", text);
        }
    }
    mitra_table_print (table, stdout, 2, color);
    mitra_table_destroy (&table);
}

static void
s_evaluation (const msgpack_object *p, bool color)
{
    const msgpack_object *evaluation = mitra_map_get (p, "evaluation");
    const msgpack_object *schedule = mitra_map_get (evaluation, "schedule");
    const msgpack_object *last = mitra_map_get (evaluation, "last");
    long long count = mitra_view_int (evaluation, "count", 0);
    char id [80], text [4096], date [16];
    mitra_view_str (p, "partnership", id, sizeof id, "?");
    s_section (color, "Evaluations", count, "recorded");
    mitra_table_t *table = mitra_table_new (2);
    if (last && last->type == MSGPACK_OBJECT_MAP) {
        const msgpack_object *scores = mitra_map_get (last, "scores");
        char decision [32];
        snprintf (text, sizeof text, "%s, decision %s; scores goals %lld, trust %lld, "
                  "communication %lld, resources %lld, reach %lld",
                  mitra_view_date (last, "on", date, sizeof date, "?"),
                  mitra_view_str (last, "decision", decision, sizeof decision, "?"),
                  mitra_view_int (scores, "goals", 0), mitra_view_int (scores, "trust", 0),
                  mitra_view_int (scores, "communication", 0),
                  mitra_view_int (scores, "resources", 0), mitra_view_int (scores, "reach", 0));
        s_kv (table, "last", MITRA_STYLE_PLAIN, text);
        mitra_view_str (last, "findings", text, sizeof text, "");
        if (*text)
            mitra_table_note (table, MITRA_STYLE_PLAIN, "findings: %s", text);
        mitra_view_join (last, "actions", "; ", text, sizeof text, "");
        if (*text)
            mitra_table_note (table, MITRA_STYLE_PLAIN, "actions: %s", text);
    }
    else
        s_kv (table, "last", MITRA_STYLE_PLAIN, "none yet");
    if (schedule && schedule->type == MSGPACK_OBJECT_MAP) {
        bool overdue = mitra_view_bool (schedule, "overdue");
        char every [32];
        snprintf (text, sizeof text, "%s, every %s%s",
                  mitra_view_date (schedule, "next", date, sizeof date, "?"),
                  mitra_view_str (schedule, "every", every, sizeof every, "?"),
                  overdue ? "  OVERDUE" : "");
        s_kv (table, "next", overdue ? MITRA_STYLE_RED : MITRA_STYLE_PLAIN, text);
    }
    else
    if (s_closed (p))
        s_kv (table, "next", MITRA_STYLE_PLAIN, "none scheduled");
    else {
        snprintf (text, sizeof text, "none scheduled; set a cycle with 'mitra evaluation "
                  "schedule %s every=3mo next=YYYY-MM-DD'", id);
        s_kv (table, "next", MITRA_STYLE_YELLOW, text);
    }
    mitra_table_print (table, stdout, 2, color);
    mitra_table_destroy (&table);
}

static void
s_contributions (const msgpack_object *p, bool color)
{
    const msgpack_object *contributions = mitra_map_get (p, "contributions");
    s_section (color, "Contributions", -1, NULL);
    if (s_count (contributions) == 0) {
        printf ("  none recorded\n");
        return;
    }
    mitra_table_t *table = mitra_table_new (5);
    mitra_table_header (table, "ORG", "KIND", "COMMITTED", "DELIVERED", "PROGRESS");
    mitra_table_right (table, 2);
    mitra_table_right (table, 3);
    for (long long index = 0; index < s_count (contributions); index++) {
        const msgpack_object *sum = &contributions->via.array.ptr [index];
        char unit [64], committed [64], delivered [64];
        mitra_view_str (sum, "unit", unit, sizeof unit, "");
        mitra_view_number (mitra_map_get (sum, "committed"), committed, sizeof committed);
        mitra_view_number (mitra_map_get (sum, "delivered"), delivered, sizeof delivered);
        mitra_table_row (table);
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, sum, "org", "?");
        mitra_table_cell_str (table, MITRA_STYLE_PLAIN, sum, "kind", "?");
        mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s %s", committed, unit);
        mitra_table_cell (table, MITRA_STYLE_PLAIN, "%s %s", delivered, unit);
        double promised = 0, given = 0;
        mitra_obj_number (mitra_map_get (sum, "committed"), &promised);
        mitra_obj_number (mitra_map_get (sum, "delivered"), &given);
        if (promised > 0) {
            long long percent = (long long) (100 * given / promised);
            s_progress (table, percent >= 100 ? MITRA_STYLE_GREEN : MITRA_STYLE_PLAIN,
                        percent > 100 ? 100 : percent);
        }
        else
            mitra_table_cell (table, MITRA_STYLE_PLAIN, "nothing committed");
    }
    mitra_table_print (table, stdout, 2, color);
    mitra_table_destroy (&table);
}

int
mitra_cmd_show_run (mitra_verb_args_t *args)
{
    mitra_reply_t *reply = NULL;
    int rc = mitra_verbs_query (args, "partnership.get", args->item_count, args->items, &reply);
    if (rc)
        return rc;
    const msgpack_object *p = mitra_reply_result (reply);
    if (args->cli->json) {
        rc = mitra_verbs_print_json (p);
        mitra_reply_destroy (&reply);
        return rc;
    }
    bool color = mitra_view_color_wanted (stdout);
    s_header (p, color);
    printf ("\n");
    mitra_cmd_show_health (stdout, mitra_map_get (p, "health"), color, false);
    s_members (p, color);
    s_agreement (p, color);
    s_goals (p, color);
    s_milestones (p, color);
    s_evaluation (p, color);
    s_contributions (p, color);
    const msgpack_object *reach = mitra_map_get (p, "reach");
    char total [64];
    mitra_view_number (mitra_map_get (reach, "total"), total, sizeof total);
    long long records = mitra_view_int (reach, "records", 0);
    printf ("\n");
    mitra_view_styled (stdout, color, MITRA_STYLE_BOLD, "Reach");
    printf (" %s people (%lld record%s)\n", total, records, records == 1 ? "" : "s");
    mitra_reply_destroy (&reply);
    return MITRA_EXIT_OK;
}

static const mitra_verb_t s_show_verb = {
    .name = "show", .kind = MITRA_SCHEMA_QUERY, .schema = "partnership.get",
    .positional = { "partnership" }, .required = 1,
    .usage = "P",
    .summary = "Show the whole story of a partnership at a glance (partnership.get).",
    .help =
        "In order: the header (name, type, status and since when, lead, dates,\n"
        "purpose); the health score with each component explained; the members with\n"
        "their roles, responsibilities and last contact (silent: none within the\n"
        "partnership's stale_days); the current agreement: in force or who has still\n"
        "to sign, expiry, each member's role and commitments; goals and milestones\n"
        "with progress bars and due dates (OVERDUE marked); the last and next\n"
        "evaluation; contributions, committed against delivered, per member; the\n"
        "people reached. Colour only on a terminal, and never with NO_COLOR set.\n"
        "--json prints the partnership.get result on one line.\n"
        "\n"
        "  mitra show p-water\n",
    .run = mitra_cmd_show_run,
};

static int
s_show (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    (void) command;
    return mitra_verbs_run (cli, &s_show_verb, argc, argv);
}

const mitra_cli_command_t mitra_cmd_show = {
    .name = "show",
    .run = s_show,
    .summary = "Show a partnership at a glance (same as 'partnership show').",
    .usage = "P",
};
