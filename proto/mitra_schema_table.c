/*  mitra_schema_table -- the data of the schema: every event type and query
    with its fields, kinds, limits and one-line docs. No code lives here but
    the accessor; the validator is in mitra_schema.c.

    Adding an event type: a field array and one line in s_schemas, a section
    in PROTOCOL.md (test_protocol_doc checks it), and a handler in the
    daemon's model (mitra_model.c's tables).

    Whether a referenced record exists, and rules across fields (ends not
    before starts), are the model's business: the table only says what one
    value may be.
*/
#include "mitra_schema.h"

#include <stddef.h>

#define S_END { .name = NULL }

static const char *const s_org_kinds [] = {
    "ngo", "business", "government", "research", "foundation", "company",
    "individual", "other", NULL
};

//  org.registered and org.updated share their fields; only `required` differs.
#define S_ORG_FIELDS(all_required)                                            \
    { .name = "org", .kind = MITRA_FIELD_SLUG, .required = true,              \
      .doc = "the organization's id, chosen by you, like ngo-hijau" },        \
    { .name = "name", .kind = MITRA_FIELD_TEXT, .required = all_required,     \
      .max_len = 200, .doc = "the organization's display name" },             \
    { .name = "kind", .kind = MITRA_FIELD_ENUM, .required = all_required,     \
      .values = s_org_kinds, .doc = "what kind of organization it is" },      \
    { .name = "mission", .kind = MITRA_FIELD_TEXT, .max_len = 2000,           \
      .doc = "its mission, in a sentence or a paragraph" },                   \
    { .name = "focus", .kind = MITRA_FIELD_TEXT_LIST, .max_len = 100,         \
      .max_items = 32, .doc = "focus areas, like water or education" },       \
    { .name = "values", .kind = MITRA_FIELD_TEXT_LIST, .max_len = 100,        \
      .max_items = 32, .doc = "values it holds, like transparency" },         \
    { .name = "country", .kind = MITRA_FIELD_TEXT, .max_len = 64,             \
      .doc = "country where it is based, like Indonesia" },                   \
    S_END

static const mitra_field_t s_org_registered [] = { S_ORG_FIELDS (true) };
static const mitra_field_t s_org_updated [] = { S_ORG_FIELDS (false) };

static const mitra_field_t s_no_args [] = { S_END };

//  --------------------------------------------------------------------------
//  Partnerships and their members

static const char *const s_partnership_types [] = {
    "strategic", "operational", "advocacy", "funding", NULL
};

//  The lifecycle; mitra_partnerships.c holds the allowed transitions.
static const char *const s_partnership_statuses [] = {
    "proposed", "negotiating", "active", "on_hold", "concluded", "terminated", NULL
};

static const mitra_field_t s_partnership_proposed [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership's id, chosen by you, like p-clean-water" },
    { .name = "name", .kind = MITRA_FIELD_TEXT, .required = true, .max_len = 200,
      .doc = "the partnership's display name" },
    { .name = "type", .kind = MITRA_FIELD_ENUM, .required = true, .values = s_partnership_types,
      .doc = "the kind of partnership: strategic, operational, advocacy or funding" },
    { .name = "lead", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the registered organization that leads it; it becomes the first member" },
    { .name = "purpose", .kind = MITRA_FIELD_TEXT, .max_len = 2000,
      .doc = "what the partnership is for, in a sentence or a paragraph" },
    { .name = "starts", .kind = MITRA_FIELD_DATE,
      .doc = "the planned start date, like 2026-01-01" },
    { .name = "ends", .kind = MITRA_FIELD_DATE,
      .doc = "the planned end date; not before starts" },
    { .name = "stale_days", .kind = MITRA_FIELD_INT, .min = 1, .max = 3650,
      .doc = "days without a logged contact before a member counts as silent (default 60)" },
    { .name = "milestone_lead_days", .kind = MITRA_FIELD_INT, .min = 0, .max = 365,
      .doc = "days before a milestone's due date to warn that it is due soon (default 14)" },
    S_END
};

static const mitra_field_t s_member_added [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership the organization joins" },
    { .name = "org", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the registered organization that joins" },
    { .name = "role", .kind = MITRA_FIELD_TEXT, .required = true, .max_len = 100,
      .doc = "its role in the partnership, like funder or implementer" },
    { .name = "responsibilities", .kind = MITRA_FIELD_TEXT_LIST, .max_len = 500,
      .max_items = 32, .doc = "what it is responsible for, one item per entry" },
    { .name = "expectations", .kind = MITRA_FIELD_TEXT_LIST, .max_len = 500,
      .max_items = 32, .doc = "what it expects from the partnership, one item per entry" },
    S_END
};

static const mitra_field_t s_member_removed [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership the organization leaves" },
    { .name = "org", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the member that leaves" },
    { .name = "new_lead", .kind = MITRA_FIELD_SLUG,
      .doc = "required when org is the lead: another member that becomes the lead" },
    { .name = "reason", .kind = MITRA_FIELD_TEXT, .max_len = 1000,
      .doc = "why the organization leaves" },
    S_END
};

static const mitra_field_t s_status_changed [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership whose status changes" },
    { .name = "status", .kind = MITRA_FIELD_ENUM, .required = true,
      .values = s_partnership_statuses,
      .doc = "the new status; only the transitions of the lifecycle are allowed" },
    { .name = "reason", .kind = MITRA_FIELD_TEXT, .max_len = 1000,
      .doc = "why the status changes" },
    S_END
};

//  --------------------------------------------------------------------------
//  Agreements

static const mitra_field_t s_agreement_term [] = {
    { .name = "org", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the member these terms are for" },
    { .name = "role", .kind = MITRA_FIELD_TEXT, .required = true, .max_len = 100,
      .doc = "its role under the agreement" },
    { .name = "responsibilities", .kind = MITRA_FIELD_TEXT_LIST, .max_len = 500,
      .max_items = 32, .doc = "what it is responsible for" },
    { .name = "commitments", .kind = MITRA_FIELD_TEXT_LIST, .max_len = 500,
      .max_items = 32, .doc = "what it commits to contribute or deliver" },
    S_END
};

static const mitra_field_t s_agreement_drafted [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership the agreement governs" },
    { .name = "version", .kind = MITRA_FIELD_INT, .required = true, .min = 1, .max = 999999,
      .doc = "the agreement's version; greater than every version drafted before" },
    { .name = "document", .kind = MITRA_FIELD_TEXT, .max_len = 2048,
      .doc = "where the signed text lives, a URI like https://example.org/mou-v1.pdf" },
    { .name = "sha256", .kind = MITRA_FIELD_TEXT, .max_len = 64,
      .doc = "SHA-256 of the document, 64 hex digits" },
    { .name = "effective", .kind = MITRA_FIELD_DATE, .required = true,
      .doc = "the date the agreement takes effect" },
    { .name = "expires", .kind = MITRA_FIELD_DATE,
      .doc = "the date it expires; after effective" },
    { .name = "notice_days", .kind = MITRA_FIELD_INT, .min = 0, .max = 3650,
      .doc = "days of notice before expiry to renew or end it" },
    { .name = "terms", .kind = MITRA_FIELD_OBJECT_LIST, .required = true, .max_items = 64,
      .fields = s_agreement_term,
      .doc = "each member's role, responsibilities and commitments, one map per member" },
    S_END
};

static const mitra_field_t s_agreement_signed [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership of the agreement" },
    { .name = "version", .kind = MITRA_FIELD_INT, .required = true, .min = 1, .max = 999999,
      .doc = "the version signed; must be the current one" },
    { .name = "org", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the member that signs; its terms must be in this version" },
    { .name = "signatory", .kind = MITRA_FIELD_TEXT, .required = true, .max_len = 200,
      .doc = "the person who signed for the organization" },
    { .name = "signed_on", .kind = MITRA_FIELD_DATE,
      .doc = "the date of the signature (default: the day the event is received)" },
    S_END
};

//  --------------------------------------------------------------------------
//  Goals and milestones

static const mitra_field_t s_goal_set [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership the goal belongs to" },
    { .name = "goal", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the goal's id within the partnership, like g-wells" },
    { .name = "title", .kind = MITRA_FIELD_TEXT, .required = true, .max_len = 200,
      .doc = "what the goal is, like 40 wells built" },
    { .name = "metric", .kind = MITRA_FIELD_TEXT, .max_len = 200,
      .doc = "what is measured, like wells completed" },
    { .name = "target", .kind = MITRA_FIELD_NUMBER, .required = true, .min = 0,
      .max = 1e15, .doc = "the value of the metric that achieves the goal" },
    { .name = "unit", .kind = MITRA_FIELD_TEXT, .max_len = 32,
      .doc = "the metric's unit, like wells or people" },
    { .name = "due", .kind = MITRA_FIELD_DATE,
      .doc = "when the goal should be achieved" },
    S_END
};

static const mitra_field_t s_goal_progress [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership of the goal" },
    { .name = "goal", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the goal" },
    { .name = "value", .kind = MITRA_FIELD_NUMBER, .required = true, .min = 0, .max = 1e15,
      .doc = "the metric's current value (a total, not an increment)" },
    { .name = "on", .kind = MITRA_FIELD_DATE,
      .doc = "the date of the measurement (default: the day the event is received)" },
    { .name = "note", .kind = MITRA_FIELD_TEXT, .max_len = 1000,
      .doc = "a remark on the progress" },
    S_END
};

static const mitra_field_t s_milestone_added [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership the milestone belongs to" },
    { .name = "milestone", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the milestone's id within the partnership, like m-1" },
    { .name = "title", .kind = MITRA_FIELD_TEXT, .required = true, .max_len = 200,
      .doc = "what is to be reached, like first 10 wells" },
    { .name = "due", .kind = MITRA_FIELD_DATE, .required = true,
      .doc = "the date it is due" },
    { .name = "owner", .kind = MITRA_FIELD_SLUG,
      .doc = "the member responsible for it" },
    { .name = "goal", .kind = MITRA_FIELD_SLUG,
      .doc = "the goal of the partnership it serves" },
    S_END
};

static const mitra_field_t s_milestone_progress [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership of the milestone" },
    { .name = "milestone", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the milestone" },
    { .name = "percent", .kind = MITRA_FIELD_INT, .required = true, .min = 0, .max = 100,
      .doc = "how far it is, 0 to 100; 100 completes it" },
    { .name = "on", .kind = MITRA_FIELD_DATE,
      .doc = "the date of the assessment (default: the day the event is received)" },
    { .name = "note", .kind = MITRA_FIELD_TEXT, .max_len = 1000,
      .doc = "a remark on the progress" },
    S_END
};

static const mitra_field_t s_milestone_completed [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership of the milestone" },
    { .name = "milestone", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the milestone that is complete" },
    { .name = "on", .kind = MITRA_FIELD_DATE,
      .doc = "the date it was completed (default: the day the event is received)" },
    { .name = "note", .kind = MITRA_FIELD_TEXT, .max_len = 1000,
      .doc = "a remark on the result" },
    S_END
};

static const mitra_field_t s_milestone_rescheduled [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership of the milestone" },
    { .name = "milestone", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the milestone that moves" },
    { .name = "due", .kind = MITRA_FIELD_DATE, .required = true,
      .doc = "its new due date" },
    { .name = "reason", .kind = MITRA_FIELD_TEXT, .max_len = 1000,
      .doc = "why it moves" },
    S_END
};

//  --------------------------------------------------------------------------
//  Evaluations

static const char *const s_decisions [] = { "continue", "adjust", "conclude", NULL };

static const mitra_field_t s_evaluation_scheduled [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership to evaluate" },
    { .name = "every", .kind = MITRA_FIELD_DURATION, .required = true,
      .doc = "how often, like 3mo or 90d" },
    { .name = "next", .kind = MITRA_FIELD_DATE, .required = true,
      .doc = "the date of the next evaluation" },
    { .name = "lead_days", .kind = MITRA_FIELD_INT, .min = 0, .max = 365,
      .doc = "days before the next evaluation to announce it (default 14)" },
    S_END
};

//  Each score is 1 (poor) to 5 (excellent).
#define S_SCORE(score_name, what)                                             \
    { .name = score_name, .kind = MITRA_FIELD_INT, .required = true, .min = 1, .max = 5, \
      .doc = what }

static const mitra_field_t s_evaluation_scores [] = {
    S_SCORE ("goals", "progress toward the goals, 1 (poor) to 5 (excellent)"),
    S_SCORE ("trust", "trust between the members, 1 to 5"),
    S_SCORE ("communication", "quality of communication, 1 to 5"),
    S_SCORE ("resources", "resources pooled and used, 1 to 5"),
    S_SCORE ("reach", "people and places reached, 1 to 5"),
    S_END
};

static const mitra_field_t s_evaluation_recorded [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership evaluated" },
    { .name = "on", .kind = MITRA_FIELD_DATE,
      .doc = "the date of the evaluation (default: the day the event is received)" },
    { .name = "scores", .kind = MITRA_FIELD_OBJECT, .required = true,
      .fields = s_evaluation_scores,
      .doc = "scores 1..5 for goals, trust, communication, resources and reach" },
    { .name = "findings", .kind = MITRA_FIELD_TEXT, .max_len = 4000,
      .doc = "what the evaluation found" },
    { .name = "decision", .kind = MITRA_FIELD_ENUM, .required = true, .values = s_decisions,
      .doc = "what was decided: continue, adjust or conclude" },
    { .name = "actions", .kind = MITRA_FIELD_TEXT_LIST, .max_len = 500, .max_items = 32,
      .doc = "the actions agreed, one per entry" },
    S_END
};

//  --------------------------------------------------------------------------
//  Contacts, contributions, reach

static const char *const s_contribution_kinds [] = {
    "funds", "staff_hours", "expertise", "in_kind", "network", NULL
};
static const char *const s_contribution_statuses [] = { "committed", "delivered", NULL };

static const mitra_field_t s_contact_logged [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership the contact was about" },
    { .name = "org", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the member contacted" },
    { .name = "on", .kind = MITRA_FIELD_DATE,
      .doc = "the date of the contact (default: the day the event is received)" },
    { .name = "channel", .kind = MITRA_FIELD_TEXT, .max_len = 64,
      .doc = "how, like meeting, call or email" },
    { .name = "summary", .kind = MITRA_FIELD_TEXT, .max_len = 2000,
      .doc = "what was discussed" },
    S_END
};

static const mitra_field_t s_contribution_recorded [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership contributed to" },
    { .name = "org", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the member that contributes" },
    { .name = "kind", .kind = MITRA_FIELD_ENUM, .required = true, .values = s_contribution_kinds,
      .doc = "what is contributed: funds, staff_hours, expertise, in_kind or network" },
    { .name = "amount", .kind = MITRA_FIELD_NUMBER, .required = true, .min = 0, .max = 1e15,
      .doc = "how much, in unit" },
    { .name = "unit", .kind = MITRA_FIELD_TEXT, .required = true, .max_len = 32,
      .doc = "the unit of amount, like USD or hours" },
    { .name = "status", .kind = MITRA_FIELD_ENUM, .required = true,
      .values = s_contribution_statuses,
      .doc = "committed (promised) or delivered (given)" },
    { .name = "on", .kind = MITRA_FIELD_DATE,
      .doc = "the date of the commitment or delivery (default: the day the event is received)" },
    { .name = "note", .kind = MITRA_FIELD_TEXT, .max_len = 1000,
      .doc = "a remark, like the tranche or invoice" },
    S_END
};

static const mitra_field_t s_reach_recorded [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership whose reach is recorded" },
    { .name = "on", .kind = MITRA_FIELD_DATE,
      .doc = "the date of the count (default: the day the event is received)" },
    { .name = "people", .kind = MITRA_FIELD_INT, .required = true, .min = 0, .max = 1e12,
      .doc = "people reached in this record, added to the total" },
    { .name = "channel", .kind = MITRA_FIELD_TEXT, .max_len = 64,
      .doc = "how they were reached, like workshop or radio" },
    { .name = "note", .kind = MITRA_FIELD_TEXT, .max_len = 1000,
      .doc = "a remark on the count" },
    S_END
};

//  --------------------------------------------------------------------------
//  Query arguments

static const mitra_field_t s_log_args [] = {
    { .name = "since", .kind = MITRA_FIELD_INT, .min = 1, .max = MITRA_SCHEMA_NO_UPPER_BOUND,
      .doc = "first event-log sequence number to return (default 1)" },
    { .name = "limit", .kind = MITRA_FIELD_INT, .min = 1, .max = 1000,
      .doc = "most events to return in one page (default 100)" },
    { .name = "type", .kind = MITRA_FIELD_TEXT, .max_len = 63,
      .doc = "only events of this type, like org.registered" },
    S_END
};

static const mitra_field_t s_notifications_args [] = {
    { .name = "since", .kind = MITRA_FIELD_INT, .min = 1, .max = MITRA_SCHEMA_NO_UPPER_BOUND,
      .doc = "first notification-log sequence number to return (default 1)" },
    { .name = "limit", .kind = MITRA_FIELD_INT, .min = 1, .max = 1000,
      .doc = "most notifications to return in one page (default 100)" },
    { .name = "prefix", .kind = MITRA_FIELD_TEXT_LIST, .max_len = 128, .max_items = 16,
      .doc = "only topics starting with one of these, like milestone." },
    S_END
};

static const mitra_field_t s_backup_args [] = {
    { .name = "path", .kind = MITRA_FIELD_TEXT, .required = true, .max_len = 1024,
      .doc = "absolute path of a new directory on the daemon's machine for the copy" },
    S_END
};

//  The paging of a listing by slug (daemon: mitra_model_page_scan)
#define S_PAGE_FIELDS(what)                                                     \
    { .name = "from", .kind = MITRA_FIELD_SLUG,                               \
      .doc = "first " what " of the page: the `next` of the page before "     \
             "(default: the first)" },                                        \
    { .name = "limit", .kind = MITRA_FIELD_INT, .min = 1, .max = 1000,        \
      .doc = "most " what "s in the page (default 100)" }

static const mitra_field_t s_org_list_args [] = {
    S_PAGE_FIELDS ("organization"),
    S_END
};

static const mitra_field_t s_org_get_args [] = {
    { .name = "org", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the id of the organization to return" },
    S_END
};

static const mitra_field_t s_partnership_get_args [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership to show" },
    S_END
};

static const mitra_field_t s_partnership_list_args [] = {
    { .name = "type", .kind = MITRA_FIELD_ENUM, .values = s_partnership_types,
      .doc = "only partnerships of this type" },
    { .name = "status", .kind = MITRA_FIELD_ENUM, .values = s_partnership_statuses,
      .doc = "only partnerships in this status" },
    { .name = "org", .kind = MITRA_FIELD_SLUG,
      .doc = "only partnerships this organization is a member of" },
    S_PAGE_FIELDS ("partnership"),
    S_END
};

static const mitra_field_t s_match_args [] = {
    { .name = "org", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the organization looking for partners" },
    { .name = "limit", .kind = MITRA_FIELD_INT, .min = 1, .max = 100,
      .doc = "most candidates to return (default 10)" },
    S_END
};

static const mitra_field_t s_health_args [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG,
      .doc = "only this partnership (default: every partnership, a page at a time)" },
    S_PAGE_FIELDS ("partnership"),
    S_END
};

static const mitra_field_t s_due_args [] = {
    { .name = "within", .kind = MITRA_FIELD_DURATION,
      .doc = "only pending deadlines falling due within this long from today, like 30d" },
    { .name = "partnership", .kind = MITRA_FIELD_SLUG,
      .doc = "only this partnership's deadlines" },
    { .name = "overdue", .kind = MITRA_FIELD_BOOL,
      .doc = "true: only overdue deadlines, none pending" },
    { .name = "limit", .kind = MITRA_FIELD_INT, .min = 1, .max = 10000,
      .doc = "most deadlines to return (default 1000)" },
    S_END
};

static const mitra_field_t s_events_args [] = {
    { .name = "partnership", .kind = MITRA_FIELD_SLUG, .required = true,
      .doc = "the partnership whose events to return" },
    { .name = "since", .kind = MITRA_FIELD_INT, .min = 1, .max = MITRA_SCHEMA_NO_UPPER_BOUND,
      .doc = "first event-log sequence number to look at (default 1)" },
    { .name = "limit", .kind = MITRA_FIELD_INT, .min = 1, .max = 1000,
      .doc = "most events to return in one page (default 100)" },
    S_END
};

static const mitra_schema_t s_schemas [] = {
    { MITRA_SCHEMA_EVENT, "org.registered", s_org_registered,
      "register an organization that may take part in partnerships" },
    { MITRA_SCHEMA_EVENT, "org.updated", s_org_updated,
      "change an organization's details; the fields given replace the old ones" },
    { MITRA_SCHEMA_EVENT, "partnership.proposed", s_partnership_proposed,
      "propose a partnership led by a registered organization" },
    { MITRA_SCHEMA_EVENT, "partnership.member_added", s_member_added,
      "add a registered organization to a partnership, with its role" },
    { MITRA_SCHEMA_EVENT, "partnership.member_removed", s_member_removed,
      "remove a member from a partnership; the lead needs a new_lead" },
    { MITRA_SCHEMA_EVENT, "partnership.status_changed", s_status_changed,
      "move a partnership along its lifecycle" },
    { MITRA_SCHEMA_EVENT, "agreement.drafted", s_agreement_drafted,
      "draft a new version of a partnership's agreement" },
    { MITRA_SCHEMA_EVENT, "agreement.signed", s_agreement_signed,
      "record a member's signature of the current agreement version" },
    { MITRA_SCHEMA_EVENT, "goal.set", s_goal_set,
      "set a goal with a metric and a target" },
    { MITRA_SCHEMA_EVENT, "goal.progress", s_goal_progress,
      "record a goal's current value" },
    { MITRA_SCHEMA_EVENT, "milestone.added", s_milestone_added,
      "add a milestone with a due date" },
    { MITRA_SCHEMA_EVENT, "milestone.progress", s_milestone_progress,
      "record how far a milestone is, in percent" },
    { MITRA_SCHEMA_EVENT, "milestone.completed", s_milestone_completed,
      "mark a milestone as complete" },
    { MITRA_SCHEMA_EVENT, "milestone.rescheduled", s_milestone_rescheduled,
      "move a milestone's due date" },
    { MITRA_SCHEMA_EVENT, "evaluation.scheduled", s_evaluation_scheduled,
      "set a partnership's evaluation cycle" },
    { MITRA_SCHEMA_EVENT, "evaluation.recorded", s_evaluation_recorded,
      "record an evaluation with its scores and decision" },
    { MITRA_SCHEMA_EVENT, "contact.logged", s_contact_logged,
      "log a contact with a member" },
    { MITRA_SCHEMA_EVENT, "contribution.recorded", s_contribution_recorded,
      "record a member's contribution, committed or delivered" },
    { MITRA_SCHEMA_EVENT, "reach.recorded", s_reach_recorded,
      "record people reached" },
    { MITRA_SCHEMA_QUERY, "backup", s_backup_args,
      "write a compacted, synced copy of the store while serving (local administrators)" },
    { MITRA_SCHEMA_QUERY, "hello", s_no_args,
      "the daemon's version, protocol and current sequence numbers" },
    { MITRA_SCHEMA_QUERY, "log", s_log_args,
      "a page of the event log" },
    { MITRA_SCHEMA_QUERY, "notifications", s_notifications_args,
      "a page of the notification log, to replay what a subscriber missed" },
    { MITRA_SCHEMA_QUERY, "org.get", s_org_get_args,
      "one organization's record" },
    { MITRA_SCHEMA_QUERY, "org.list", s_org_list_args,
      "the organizations' records, a page at a time" },
    { MITRA_SCHEMA_QUERY, "partnership.get", s_partnership_get_args,
      "the full picture of one partnership" },
    { MITRA_SCHEMA_QUERY, "partnership.list", s_partnership_list_args,
      "partnerships, optionally filtered by type, status or member" },
    { MITRA_SCHEMA_QUERY, "match", s_match_args,
      "candidate partners for an organization, ranked by alignment" },
    { MITRA_SCHEMA_QUERY, "health", s_health_args,
      "a 0..100 health score per partnership, with its components" },
    { MITRA_SCHEMA_QUERY, "events", s_events_args,
      "the audit trail of one partnership: a page of its events" },
    { MITRA_SCHEMA_QUERY, "due", s_due_args,
      "upcoming and overdue deadlines, soonest first" },
};


#define S_SCHEMA_COUNT (sizeof s_schemas / sizeof s_schemas [0])

const mitra_schema_t *
mitra_schema_all (size_t *count)
{
    if (count)
        *count = S_SCHEMA_COUNT;
    return s_schemas;
}

