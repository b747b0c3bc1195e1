/*  mitra_verbs -- the commands for people (`mitra org add`, `mitra member
    add`, `mitra show`, ...): one table row per verb, one argument
    convention for all of them, and the sending, hints and printing they
    share.

    The convention: the ids that always come first are positional (the
    partnership, then the org, goal or milestone it concerns, then for a
    few verbs the one value the verb is about: a status, a percent, a new
    due date). Every other argument is a field of the event or query, named
    as in the schema: `field=value` or `--field VALUE` (`--field=VALUE`,
    and `-` for `_` in the name); `a,b,c` for lists; `field.sub=value` for
    a field of an object (scores.trust=4); `field:=JSON` for any JSON
    value. Positional ids become the fields they name, so a verb sends
    exactly the schema's fields and the daemon's error names one of them.

    Command-line mistakes (a missing id, an unknown field, a stray word)
    are usage errors, exit 2, found before anything is sent. What the
    schema or the daemon refuses is exit 1, with the same error code and
    message from either, and a hint when there is an obvious next step.
*/
#ifndef MITRA_VERBS_H
#define MITRA_VERBS_H

#include "mitra_cli.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MITRA_VERB_MAX_POSITIONAL 4
#define MITRA_VERB_MAX_OPTIONS    8

typedef struct mitra_verb_s mitra_verb_t;
typedef struct mitra_verb_args_s mitra_verb_args_t;

//  A verb's own work, when sending its event as given is not all of it.
//  Returns an exit code.
typedef int (mitra_verb_fn) (mitra_verb_args_t *args);

struct mitra_verb_s {
    const char *name;               //  "add"; NULL ends a table
    mitra_schema_kind_t kind;       //  event or query
    const char *schema;             //  "partnership.member_added"
    //  Field names taken positionally, in order; the first `required` of
    //  them must be given.
    const char *positional [MITRA_VERB_MAX_POSITIONAL + 1];
    int required;
    const char *usage;              //  after `mitra NOUN VERB`
    const char *summary;            //  one line
    const char *help;               //  examples and notes, or NULL
    const char *done;               //  events: "member added" on success
    const mitra_cli_option_t *options;  //  NULL: events take --id, queries nothing
    mitra_verb_fn *run;             //  NULL: send the event as given
};

typedef struct {
    const char *name;               //  "member"
    const char *summary;
    const mitra_verb_t *verbs;      //  ended by { .name = NULL }
} mitra_noun_t;

struct mitra_verb_args_s {
    mitra_cli_t *cli;
    const mitra_verb_t *verb;
    const mitra_schema_t *schema;
    mitra_cli_command_t command;    //  named "NOUN VERB", for messages
    char name [64];
    //  Positional values by index in verb->positional; NULL when not given
    const char *positional [MITRA_VERB_MAX_POSITIONAL];
    //  Field items, `field=value` or `field:=JSON`: the positional ones
    //  first, then the others in the order given. Owned by the args.
    char **items;
    int item_count;
    //  The verb's own options, by index in its table ("" for a flag)
    const char *values [MITRA_VERB_MAX_OPTIONS];
    const char *request_id;         //  --id, or NULL
    mitra_client_t *client;         //  connected on first use, then reused
};

//  Run `mitra NOUN VERB ...`: argv[0] is the noun, the verb is its first
//  positional argument. Handles --help for the noun and each verb.
int mitra_verbs_dispatch (mitra_cli_t *cli, const mitra_noun_t *noun, int argc, char **argv);

//  Run one verb as a command of its own (`mitra show P`): argv[0] is the
//  command name, used as the verb's name in messages.
int mitra_verbs_run (mitra_cli_t *cli, const mitra_verb_t *verb, int argc, char **argv);

//  The client, connected on first call. NULL after printing why, with the
//  exit code in *exit_p.
mitra_client_t *mitra_verbs_client (mitra_verb_args_t *args, int *exit_p);

//  Send the verb's event built from args->items, print the outcome (and a
//  hint when refused) and return the exit code.
int mitra_verbs_send (mitra_verb_args_t *args);

//  Run query `q` with args built from `items` (none: no args), printing
//  errors. On MITRA_EXIT_OK *reply_p holds the reply; the caller destroys.
int mitra_verbs_query (mitra_verb_args_t *args, const char *q, int count, char *const *items,
                       mitra_reply_t **reply_p);

//  Called with each entry of a paged query's listing, for people.
typedef void (mitra_verb_entry_fn) (const msgpack_object *entry, void *arg);

//  Run the paged query `q` (org.list, partnership.list, health) with
//  args->items, following `next` until the listing is over -- unless the
//  items give `from` or `limit`, which ask for that one page: then a
//  following page is named on stderr. Each entry of the `key` arrays is
//  printed as a line of JSON with --json, else given to `entry`; *count_p
//  is set to how many there were. Returns an exit code.
int mitra_verbs_query_pages (mitra_verb_args_t *args, const char *q, const char *key,
                             mitra_verb_entry_fn *entry, void *arg, uint32_t *count_p);

//  Append a field item (printf-style: "version=%d"); -1 if out of memory.
int mitra_verbs_add_item (mitra_verb_args_t *args, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Remove the item at `index` (the caller owns nothing after).
void mitra_verbs_remove_item (mitra_verb_args_t *args, int index);

//  The item giving field `name` (`name=` or `name:=`), -1 if none.
int mitra_verbs_find_item (mitra_verb_args_t *args, const char *name);

//  Print `mitra NOUN VERB: message` and the usage line; returns
//  MITRA_EXIT_USAGE.
int mitra_verbs_usage_error (mitra_verb_args_t *args, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Print the `--json` form of a result: `obj` compact on one line.
//  Returns an exit code.
int mitra_verbs_print_json (const msgpack_object *obj);

//  --------------------------------------------------------------------------
//  Shared between the command files

//  `mitra show P` and `mitra partnership show P`: the whole story of one
//  partnership (mitra_cmd_show.c). args->items holds partnership=P.
int mitra_cmd_show_run (mitra_verb_args_t *args);

//  The health of one partnership, a `health` entry, as a headline and a
//  table of its components, each explained (mitra_cmd_show.c).
void mitra_cmd_show_health (FILE *out, const msgpack_object *entry, bool color, bool title);

#ifdef __cplusplus
}
#endif

#endif
