/*  mitra_cmd_work -- the commands that record a partnership's work:
    `mitra goal set|progress`, `mitra milestone add|progress|done|reschedule`,
    `mitra evaluation schedule|record`, `mitra contact log`,
    `mitra contribution add`, `mitra reach add`.

    Each verb is one event sent as given: only tables live here.
*/
#include "mitra_verbs.h"

static const mitra_verb_t s_goal_verbs [] = {
    { .name = "set", .kind = MITRA_SCHEMA_EVENT, .schema = "goal.set",
      .positional = { "partnership", "goal" }, .required = 2,
      .usage = "P GOAL title=TEXT target=N [metric=TEXT] [unit=TEXT] [due=DATE]",
      .summary = "Set a goal of a partnership, with a metric and a target (goal.set).",
      .help =
        "GOAL is the id you choose for it within the partnership, like g-wells.\n"
        "\n"
        "  mitra goal set p-water g-wells title='40 wells built' metric='wells completed' \\\n"
        "      target=40 unit=wells due=2029-06-30\n",
      .done = "goal set" },
    { .name = "progress", .kind = MITRA_SCHEMA_EVENT, .schema = "goal.progress",
      .positional = { "partnership", "goal", "value" }, .required = 3,
      .usage = "P GOAL VALUE [on=DATE] [note=TEXT]",
      .summary = "Record a goal's current value, a total, not an increment (goal.progress).",
      .help =
        "Reaching the target achieves the goal (a goal.achieved notification).\n"
        "\n"
        "  mitra goal progress p-water g-wells 12 on=2027-06-30 note='dry season'\n",
      .done = "goal progress recorded" },
    { .name = NULL }
};

static const mitra_verb_t s_milestone_verbs [] = {
    { .name = "add", .kind = MITRA_SCHEMA_EVENT, .schema = "milestone.added",
      .positional = { "partnership", "milestone" }, .required = 2,
      .usage = "P MILESTONE title=TEXT due=DATE [owner=ORG] [goal=GOAL]",
      .summary = "Add a milestone with a due date (milestone.added).",
      .help =
        "MILESTONE is the id you choose for it within the partnership, like m-1; owner\n"
        "is the member responsible; goal the goal it serves.\n"
        "\n"
        "  mitra milestone add p-water m-1 title='First 10 wells' due=2027-06-30 \\\n"
        "      owner=ngo-hijau goal=g-wells\n",
      .done = "milestone added" },
    { .name = "progress", .kind = MITRA_SCHEMA_EVENT, .schema = "milestone.progress",
      .positional = { "partnership", "milestone", "percent" }, .required = 3,
      .usage = "P MILESTONE PERCENT [on=DATE] [note=TEXT]",
      .summary = "Record how far a milestone is, 0 to 100; 100 completes it "
                 "(milestone.progress).",
      .help = "  mitra milestone progress p-water m-1 60 note='6 of 10 wells dug'\n",
      .done = "milestone progress recorded" },
    { .name = "done", .kind = MITRA_SCHEMA_EVENT, .schema = "milestone.completed",
      .positional = { "partnership", "milestone" }, .required = 2,
      .usage = "P MILESTONE [on=DATE] [note=TEXT]",
      .summary = "Mark a milestone as complete (milestone.completed).",
      .help = "  mitra milestone done p-water m-1 on=2027-06-20 note='handed over'\n",
      .done = "milestone completed" },
    { .name = "reschedule", .kind = MITRA_SCHEMA_EVENT, .schema = "milestone.rescheduled",
      .positional = { "partnership", "milestone", "due" }, .required = 3,
      .usage = "P MILESTONE DUE [reason=TEXT]",
      .summary = "Move a milestone's due date (milestone.rescheduled).",
      .help = "  mitra milestone reschedule p-water m-2 2027-09-30 reason='rainy season'\n",
      .done = "milestone rescheduled" },
    { .name = NULL }
};

static const mitra_verb_t s_evaluation_verbs [] = {
    { .name = "schedule", .kind = MITRA_SCHEMA_EVENT, .schema = "evaluation.scheduled",
      .positional = { "partnership" }, .required = 1,
      .usage = "P every=DURATION next=DATE [lead_days=N]",
      .summary = "Set (or replace) a partnership's evaluation cycle (evaluation.scheduled).",
      .help =
        "every is a duration: 90d, 12w, 3mo, 1y. lead_days: how long before the\n"
        "next evaluation it is announced (default 14).\n"
        "\n"
        "  mitra evaluation schedule p-water every=3mo next=2027-03-31\n",
      .done = "evaluation scheduled" },
    { .name = "record", .kind = MITRA_SCHEMA_EVENT, .schema = "evaluation.recorded",
      .positional = { "partnership" }, .required = 1,
      .usage = "P decision=DECISION scores.goals=N scores.trust=N scores.communication=N "
               "scores.resources=N scores.reach=N [on=DATE] [findings=TEXT] [actions=A,B]",
      .summary = "Record an evaluation with its scores (1 to 5) and decision "
                 "(evaluation.recorded).",
      .help =
        "decision is continue, adjust or conclude. Every score is 1 (poor) to 5\n"
        "(excellent). The next evaluation moves on by the cycle.\n"
        "\n"
        "  mitra evaluation record p-water on=2027-03-31 decision=adjust \\\n"
        "      scores.goals=4 scores.trust=5 scores.communication=3 \\\n"
        "      scores.resources=4 scores.reach=2 findings='slow start in the east' \\\n"
        "      actions='second drilling team,monthly calls'\n",
      .done = "evaluation recorded" },
    { .name = NULL }
};

static const mitra_verb_t s_contact_verbs [] = {
    { .name = "log", .kind = MITRA_SCHEMA_EVENT, .schema = "contact.logged",
      .positional = { "partnership", "org" }, .required = 2,
      .usage = "P ORG [on=DATE] [channel=TEXT] [summary=TEXT]",
      .summary = "Log a contact with a member (contact.logged).",
      .help =
        "A member not contacted for the partnership's stale_days (default 60)\n"
        "lowers its health.\n"
        "\n"
        "  mitra contact log p-water ngo-hijau channel=call summary='drilling schedule'\n",
      .done = "contact logged" },
    { .name = NULL }
};

static const mitra_verb_t s_contribution_verbs [] = {
    { .name = "add", .kind = MITRA_SCHEMA_EVENT, .schema = "contribution.recorded",
      .positional = { "partnership", "org" }, .required = 2,
      .usage = "P ORG kind=KIND amount=N unit=UNIT status=committed|delivered "
               "[on=DATE] [note=TEXT]",
      .summary = "Record a member's contribution, committed or delivered "
                 "(contribution.recorded).",
      .help =
        "kind is funds, staff_hours, expertise, in_kind or network. Amounts add up\n"
        "per member, kind and unit; 'mitra show' compares delivered with committed.\n"
        "\n"
        "  mitra contribution add p-water fdn-air kind=funds amount=120000 unit=USD \\\n"
        "      status=committed\n"
        "  mitra contribution add p-water fdn-air kind=funds amount=40000 unit=USD \\\n"
        "      status=delivered note='first tranche'\n",
      .done = "contribution recorded" },
    { .name = NULL }
};

static const mitra_verb_t s_reach_verbs [] = {
    { .name = "add", .kind = MITRA_SCHEMA_EVENT, .schema = "reach.recorded",
      .positional = { "partnership", "people" }, .required = 2,
      .usage = "P PEOPLE [on=DATE] [channel=TEXT] [note=TEXT]",
      .summary = "Record people reached; added to the partnership's total (reach.recorded).",
      .help = "  mitra reach add p-water 350 channel=workshop note='hygiene training'\n",
      .done = "reach recorded" },
    { .name = NULL }
};

#define S_NOUN(id, noun_name, noun_summary, verb_table, command_summary, command_usage)  \
    static const mitra_noun_t s_##id##_noun = {                                           \
        .name = noun_name, .summary = noun_summary, .verbs = verb_table };                \
    static int                                                                            \
    s_##id##_run (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc,         \
                  char **argv)                                                            \
    {                                                                                     \
        (void) command;                                                                   \
        return mitra_verbs_dispatch (cli, &s_##id##_noun, argc, argv);                    \
    }                                                                                     \
    const mitra_cli_command_t mitra_cmd_##id = {                                          \
        .name = noun_name, .run = s_##id##_run, .summary = command_summary,               \
        .usage = command_usage };

S_NOUN (goal, "goal", "Set a partnership's goals and record their progress.",
        s_goal_verbs, "Goals: set, progress.", "set|progress ...")
S_NOUN (milestone, "milestone",
        "Add milestones with due dates, record their progress, complete and move them.",
        s_milestone_verbs, "Milestones: add, progress, done, reschedule.",
        "add|progress|done|reschedule ...")
S_NOUN (evaluation, "evaluation", "Set a partnership's evaluation cycle and record evaluations.",
        s_evaluation_verbs, "Evaluations: schedule, record.", "schedule|record ...")
S_NOUN (contact, "contact", "Log contacts with a partnership's members.",
        s_contact_verbs, "Contacts with members: log.", "log ...")
S_NOUN (contribution, "contribution", "Record what members contribute, committed and delivered.",
        s_contribution_verbs, "Contributions: add.", "add ...")
S_NOUN (reach, "reach", "Record the people a partnership reaches.",
        s_reach_verbs, "People reached: add.", "add ...")
