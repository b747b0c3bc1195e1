/*  mitra_verbs -- the argument convention of the commands for people, and
    what they share: help from the schema, sending, hints on refusals.
    See mitra_verbs.h for the convention itself.

    Nothing here knows a particular verb: the tables in the mitra_cmd_*.c
    files do. Every message names what to type instead.
*/
#include "mitra_verbs.h"
#include "mitra_json.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const mitra_cli_option_t s_event_options [] = {
    { "id", 0, "ID", "request id, to retry without recording the event twice "
                     "(default: a fresh one)" },
    { NULL }
};

static const mitra_cli_option_t *
s_options (const mitra_verb_t *verb)
{
    if (verb->options)
        return verb->options;
    return verb->kind == MITRA_SCHEMA_EVENT ? s_event_options : NULL;
}

//  The placeholder of a positional field in messages: P for the
//  partnership (the name everyone uses), else the name in capitals.
static void
s_placeholder (const char *field, char *buffer, size_t size)
{
    if (strcmp (field, "partnership") == 0) {
        snprintf (buffer, size, "P");
        return;
    }
    size_t index = 0;
    for (; field [index] && index + 1 < size; index++)
        buffer [index] = (char) toupper ((unsigned char) field [index]);
    buffer [index] = 0;
}

//  Length of the key of a `key=value` or `key:=JSON` item, 0 if `arg` is
//  not one (then it is a positional argument).
static size_t
s_item_key_len (const char *arg)
{
    const char *equals = strchr (arg, '=');
    if (!equals || equals == arg)
        return 0;
    size_t len = (size_t) (equals - arg);
    if (arg [len - 1] == ':')
        len--;
    if (len == 0)
        return 0;
    for (size_t index = 0; index < len; index++)
        if (!isalnum ((unsigned char) arg [index]) && !strchr ("_.-", arg [index]))
            return 0;
    return len;
}

//  The schema field an item's key starts with (before any '.').
static const mitra_field_t *
s_item_field (const mitra_schema_t *schema, const char *item, size_t key_len)
{
    char head [64];
    size_t len = strcspn (item, ".[");
    if (len > key_len)
        len = key_len;
    if (len >= sizeof head)
        return NULL;
    memcpy (head, item, len);
    head [len] = 0;
    return mitra_schema_field (schema->fields, head);
}

static void
s_print_field_names (FILE *out, const mitra_schema_t *schema)
{
    for (const mitra_field_t *field = schema->fields; field && field->name; field++)
        fprintf (out, "%s%s", field == schema->fields ? "" : ", ", field->name);
}

int
mitra_verbs_usage_error (mitra_verb_args_t *args, const char *format, ...)
{
    fprintf (stderr, "mitra %s: ", args->name);
    va_list list;
    va_start (list, format);
    vfprintf (stderr, format, list);
    va_end (list);
    fprintf (stderr, "\nusage: mitra %s%s%s\n(see 'mitra %s --help')\n", args->name,
             *args->verb->usage ? " " : "", args->verb->usage, args->name);
    return MITRA_EXIT_USAGE;
}

int
mitra_verbs_add_item (mitra_verb_args_t *args, const char *format, ...)
{
    char **items = realloc (args->items, (size_t) (args->item_count + 1) * sizeof *items);
    if (!items)
        return -1;
    args->items = items;
    va_list list;
    va_start (list, format);
    int rc = vasprintf (&items [args->item_count], format, list);
    va_end (list);
    if (rc < 0)
        return -1;
    args->item_count++;
    return 0;
}

void
mitra_verbs_remove_item (mitra_verb_args_t *args, int index)
{
    free (args->items [index]);
    memmove (&args->items [index], &args->items [index + 1],
             (size_t) (args->item_count - index - 1) * sizeof *args->items);
    args->item_count--;
}

int
mitra_verbs_find_item (mitra_verb_args_t *args, const char *name)
{
    size_t len = strlen (name);
    for (int index = 0; index < args->item_count; index++) {
        const char *item = args->items [index];
        if (strncmp (item, name, len) == 0
        &&  (item [len] == '=' || (item [len] == ':' && item [len + 1] == '=')))
            return index;
    }
    return -1;
}

//  `--field VALUE` and `--field=VALUE` become `field=VALUE` when `field`
//  (with '-' read as '_') is a field of the schema and not an option.
//  Writes the new argument list to *out_p (argv[0] kept); the strings made
//  are listed in *owned_p for the caller to free.
static int
s_translate (mitra_verb_args_t *args, int argc, char **argv, char ***out_p,
             char ***owned_p, int *owned_count)
{
    char **out = calloc ((size_t) argc + 1, sizeof *out);
    char **owned = calloc ((size_t) argc + 1, sizeof *owned);
    if (!out || !owned) {
        free (out);
        free (owned);
        fprintf (stderr, "error: out of memory\n");
        return -1;
    }
    *out_p = out;
    *owned_p = owned;
    const mitra_cli_option_t *tables [2] = { mitra_cli_common_options (), s_options (args->verb) };
    int count = 0;
    out [count++] = argv [0];
    bool options_done = false;
    for (int index = 1; index < argc; index++) {
        const char *arg = argv [index];
        if (options_done || arg [0] != '-' || strcmp (arg, "-") == 0) {
            out [count++] = argv [index];
            continue;
        }
        if (strcmp (arg, "--") == 0) {
            options_done = true;
            out [count++] = argv [index];
            continue;
        }
        //  An option of ours: keep it, with its separate value if any
        const mitra_cli_option_t *option = NULL;
        const char *name = arg [1] == '-' ? arg + 2 : NULL;
        size_t name_len = name ? strcspn (name, "=") : 0;
        for (int table = 0; table < 2 && !option; table++)
            for (int row = 0; tables [table] && tables [table][row].long_name; row++) {
                const mitra_cli_option_t *candidate = &tables [table][row];
                if (name ? strlen (candidate->long_name) == name_len
                           && memcmp (candidate->long_name, name, name_len) == 0
                         : candidate->short_name && candidate->short_name == arg [1]) {
                    option = candidate;
                    break;
                }
            }
        bool inline_value = name ? name [name_len] == '=' : arg [2] != 0;
        if (option || !name) {
            out [count++] = argv [index];
            if (option && option->arg_name && !inline_value && index + 1 < argc)
                out [count++] = argv [++index];
            continue;
        }
        //  A field: --notice-days 30 -> notice_days=30
        char field [96];
        if (name_len == 0 || name_len >= sizeof field) {
            out [count++] = argv [index];
            continue;
        }
        for (size_t at = 0; at < name_len; at++)
            field [at] = name [at] == '-' ? '_' : name [at];
        field [name_len] = 0;
        size_t head_len = strcspn (field, ".");
        char head [96];
        memcpy (head, field, head_len);
        head [head_len] = 0;
        if (!mitra_schema_field (args->schema->fields, head)) {
            fprintf (stderr, "mitra %s: --%.*s is neither an option nor a field of %s; "
                     "its fields are: ", args->name, (int) name_len, name, args->verb->schema);
            s_print_field_names (stderr, args->schema);
            fprintf (stderr, "\n(see 'mitra %s --help')\n", args->name);
            return -1;
        }
        const char *value;
        if (inline_value)
            value = name + name_len + 1;
        else
        if (index + 1 < argc)
            value = argv [++index];
        else {
            mitra_verbs_usage_error (args, "--%.*s needs a value", (int) name_len, name);
            return -1;
        }
        char *item = NULL;
        if (asprintf (&item, "%s=%s", field, value) < 0) {
            fprintf (stderr, "error: out of memory\n");
            return -1;
        }
        owned [(*owned_count)++] = item;
        out [count++] = item;
    }
    out [count] = NULL;
    return count;
}

//  Items `field.sub=value` for an OBJECT field become one `field:=JSON`.
static int
s_merge_objects (mitra_verb_args_t *args)
{
    for (const mitra_field_t *field = args->schema->fields; field && field->name; field++) {
        if (field->kind != MITRA_FIELD_OBJECT)
            continue;
        size_t len = strlen (field->name);
        json_t *object = NULL;
        for (int index = 0; index < args->item_count; ) {
            const char *item = args->items [index];
            if (strncmp (item, field->name, len) != 0 || item [len] != '.') {
                index++;
                continue;
            }
            const char *sub = item + len + 1;
            size_t sub_len = strcspn (sub, "=");
            char name [64];
            snprintf (name, sizeof name, "%.*s", (int) sub_len, sub);
            const mitra_field_t *inner = mitra_schema_field (field->fields, name);
            if (!inner || !sub [sub_len]) {
                char names [256] = "";
                for (const mitra_field_t *at = field->fields; at->name; at++)
                    snprintf (names + strlen (names), sizeof names - strlen (names), "%s%s.%s",
                              at == field->fields ? "" : ", ", field->name, at->name);
                json_decref (object);
                return mitra_verbs_usage_error (args, "%s has no field '%s'; its fields are %s",
                                                field->name, name, names);
            }
            //  A number where the schema wants one; anything else stays text
            //  for the validator to name
            const char *value = sub + sub_len + 1;
            char *end = NULL;
            long long integer = strtoll (value, &end, 10);
            bool numeric = inner->kind == MITRA_FIELD_INT || inner->kind == MITRA_FIELD_NUMBER;
            json_t *json = numeric && *value && end && !*end
                         ? json_integer (integer) : json_string (value);
            if (!object)
                object = json_object ();
            if (!object || !json) {
                json_decref (json);
                json_decref (object);
                return mitra_verbs_usage_error (args, "%s: the value is not valid UTF-8", item);
            }
            json_object_set_new (object, name, json);
            mitra_verbs_remove_item (args, index);
        }
        if (!object)
            continue;
        if (mitra_verbs_find_item (args, field->name) >= 0) {
            json_decref (object);
            return mitra_verbs_usage_error (args, "give %s either whole (%s:='{...}') or "
                                            "field by field (%s.x=...), not both",
                                            field->name, field->name, field->name);
        }
        char *text = json_dumps (object, JSON_COMPACT);
        json_decref (object);
        int rc = text ? mitra_verbs_add_item (args, "%s:=%s", field->name, text) : -1;
        free (text);
        if (rc)
            return MITRA_EXIT_USAGE;
    }
    return 0;
}

static void
s_print_verb_help (mitra_verb_args_t *args)
{
    const mitra_verb_t *verb = args->verb;
    printf ("usage: mitra %s%s%s\n\n%s\n", args->name, *verb->usage ? " " : "", verb->usage,
            verb->summary);
    if (verb->help)
        printf ("\n%s", verb->help);
    mitra_cli_print_fields (stdout, args->schema);
    printf ("\nFields are given as field=value or --field VALUE; lists as a,b,c;\n"
            "a field of an object as field.name=value; field:=JSON takes any JSON value.\n");
    const mitra_cli_option_t *options = s_options (verb);
    if (options && options [0].long_name) {
        printf ("\noptions:\n");
        mitra_cli_print_options (stdout, options);
    }
    printf ("\ncommon options:\n");
    mitra_cli_print_options (stdout, mitra_cli_common_options ());
}

static int s_run (mitra_cli_t *cli, const char *noun, const mitra_verb_t *verb,
                  int argc, char **argv);

int
mitra_verbs_run (mitra_cli_t *cli, const mitra_verb_t *verb, int argc, char **argv)
{
    return s_run (cli, NULL, verb, argc, argv);
}

static void
s_print_noun_help (FILE *out, const mitra_noun_t *noun)
{
    fprintf (out, "usage: mitra %s VERB [ARG]...\n\n%s\n\nverbs:\n", noun->name, noun->summary);
    for (const mitra_verb_t *verb = noun->verbs; verb->name; verb++)
        fprintf (out, "  mitra %s %s%s%s\n      %s\n", noun->name, verb->name,
                 *verb->usage ? " " : "", verb->usage, verb->summary);
    fprintf (out, "\nRun 'mitra %s VERB --help' for a verb's fields and examples.\n", noun->name);
}

int
mitra_verbs_dispatch (mitra_cli_t *cli, const mitra_noun_t *noun, int argc, char **argv)
{
    //  The verb is the first argument that is neither an option nor the
    //  value of a common option
    int verb_index = 0;
    bool help = cli->help;
    for (int index = 1; index < argc && !verb_index; index++) {
        const char *arg = argv [index];
        if (strcmp (arg, "-h") == 0 || strcmp (arg, "--help") == 0)
            help = true;
        else
        if (arg [0] != '-' || strcmp (arg, "-") == 0)
            verb_index = index;
        else
        if (strchr (arg, '=') == NULL)
            for (const mitra_cli_option_t *option = mitra_cli_common_options ();
                 option->long_name; option++)
                if (option->arg_name && index + 1 < argc
                &&  ((arg [1] == '-' && strcmp (arg + 2, option->long_name) == 0)
                  || (arg [1] == option->short_name && arg [2] == 0))) {
                    index++;
                    break;
                }
    }
    if (!verb_index) {
        if (help) {
            s_print_noun_help (stdout, noun);
            return MITRA_EXIT_OK;
        }
        s_print_noun_help (stderr, noun);
        fprintf (stderr, "\nmitra %s: which verb?\n", noun->name);
        return MITRA_EXIT_USAGE;
    }
    const mitra_verb_t *verb = noun->verbs;
    while (verb->name && strcmp (verb->name, argv [verb_index]) != 0)
        verb++;
    if (!verb->name) {
        fprintf (stderr, "mitra %s: no verb '%s'; the verbs are:", noun->name, argv [verb_index]);
        for (verb = noun->verbs; verb->name; verb++)
            fprintf (stderr, " %s", verb->name);
        fprintf (stderr, "\n(see 'mitra %s --help')\n", noun->name);
        return MITRA_EXIT_USAGE;
    }
    //  argv without the verb
    char **rest = calloc ((size_t) argc, sizeof *rest);
    if (!rest) {
        fprintf (stderr, "error: out of memory\n");
        return MITRA_EXIT_USAGE;
    }
    int count = 0;
    for (int index = 0; index < argc; index++)
        if (index != verb_index)
            rest [count++] = argv [index];
    int rc = s_run (cli, noun->name, verb, count, rest);
    free (rest);
    return rc;
}

static int
s_run (mitra_cli_t *cli, const char *noun, const mitra_verb_t *verb, int argc, char **argv)
{
    mitra_verb_args_t args;
    memset (&args, 0, sizeof args);
    args.cli = cli;
    args.verb = verb;
    args.schema = mitra_schema_find (verb->kind, verb->schema);
    if (noun)
        snprintf (args.name, sizeof args.name, "%s %s", noun, verb->name);
    else
        snprintf (args.name, sizeof args.name, "%s", verb->name);
    args.command.name = args.name;
    args.command.summary = verb->summary;
    args.command.usage = verb->usage;
    args.command.help = verb->help;
    args.command.options = s_options (verb);
    if (!args.schema) {
        //  A verb naming a type the schema lacks is a bug in the tables
        fprintf (stderr, "error: %s has no schema entry '%s'\n", args.name, verb->schema);
        return MITRA_EXIT_USAGE;
    }

    char **translated = NULL, **owned = NULL;
    int owned_count = 0;
    int exit_code = MITRA_EXIT_USAGE;
    int count = s_translate (&args, argc, argv, &translated, &owned, &owned_count);
    if (count < 0)
        goto out;
    int npos;
    if (mitra_cli_parse (cli, &args.command, count, translated, args.values, &npos))
        goto out;
    if (cli->help) {
        s_print_verb_help (&args);
        exit_code = MITRA_EXIT_OK;
        goto out;
    }
    const mitra_cli_option_t *options = s_options (verb);
    if (options == s_event_options)
        args.request_id = args.values [0];

    //  Positional ids first, as the fields they name; then the items
    int positional = 0;
    for (int index = 1; index <= npos; index++) {
        const char *arg = translated [index];
        size_t key_len = s_item_key_len (arg);
        if (key_len) {
            const mitra_field_t *field = s_item_field (args.schema, arg, key_len);
            bool dotted_list = field && field->kind == MITRA_FIELD_OBJECT_LIST
                            && arg [strlen (field->name)] == '.' && verb->run;
            if (!field || (arg [strlen (field->name)] == '.'
                           && field->kind != MITRA_FIELD_OBJECT && !dotted_list)) {
                fprintf (stderr, "mitra %s: '%.*s' is not a field of %s; its fields are: ",
                         args.name, (int) key_len, arg, verb->schema);
                s_print_field_names (stderr, args.schema);
                fprintf (stderr, "\n(see 'mitra %s --help')\n", args.name);
                goto out;
            }
            continue;
        }
        if (positional >= MITRA_VERB_MAX_POSITIONAL || !verb->positional [positional]) {
            char names [128] = "";
            for (int at = 0; at < positional; at++) {
                char placeholder [32];
                s_placeholder (verb->positional [at], placeholder, sizeof placeholder);
                snprintf (names + strlen (names), sizeof names - strlen (names), "%s%s",
                          at ? " " : "", placeholder);
            }
            mitra_verbs_usage_error (&args, "unexpected argument '%s': %s%sfields are given "
                                     "as field=value (quote values with spaces: "
                                     "name='Two words')", arg, names,
                                     *names ? " is followed by fields; " : "");
            goto out;
        }
        args.positional [positional++] = arg;
    }
    for (int index = 0; index < positional; index++)
        if (mitra_verbs_add_item (&args, "%s=%s", verb->positional [index], args.positional [index]))
            goto out;
    for (int index = 1; index <= npos; index++)
        if (s_item_key_len (translated [index])
        &&  mitra_verbs_add_item (&args, "%s", translated [index]))
            goto out;
    //  A missing id may have been given by name instead (--org ngo-hijau)
    for (int index = positional; index < verb->required; index++) {
        if (mitra_verbs_find_item (&args, verb->positional [index]) >= 0)
            continue;
        char placeholder [32];
        s_placeholder (verb->positional [index], placeholder, sizeof placeholder);
        const mitra_field_t *field = mitra_schema_field (args.schema->fields,
                                                         verb->positional [index]);
        mitra_verbs_usage_error (&args, "missing %s: %s", placeholder,
                                 field && field->doc ? field->doc : verb->positional [index]);
        goto out;
    }
    if (s_merge_objects (&args))
        goto out;
    exit_code = verb->run ? verb->run (&args) : mitra_verbs_send (&args);
out:
    for (int index = 0; index < args.item_count; index++)
        free (args.items [index]);
    free (args.items);
    for (int index = 0; index < owned_count; index++)
        free (owned [index]);
    free (owned);
    free (translated);
    mitra_client_destroy (&args.client);
    return exit_code;
}

mitra_client_t *
mitra_verbs_client (mitra_verb_args_t *args, int *exit_p)
{
    if (!args->client)
        args->client = mitra_cli_connect (args->cli, exit_p);
    return args->client;
}

//  The next step after a refusal, when there is an obvious one.
static void
s_hint (mitra_verb_args_t *args, const char *code, const char *field)
{
    if (!code || !field)
        return;
    const char *type = args->verb->schema;
    int item = mitra_verbs_find_item (args, "partnership");
    const char *partnership = item >= 0 && args->items [item][11] == '='
                            ? args->items [item] + 12 : NULL;
    bool org_field = strcmp (field, "org") == 0 || strcmp (field, "lead") == 0
                  || strcmp (field, "new_lead") == 0 || strcmp (field, "owner") == 0
                  || strncmp (field, "terms[", 6) == 0;
    //  Where an org must be registered, and where it must be a member
    bool registration = strcmp (field, "lead") == 0
                     || strcmp (type, "partnership.member_added") == 0
                     || strncmp (type, "org.", 4) == 0 || strcmp (type, "match") == 0
                     || strcmp (type, "partnership.list") == 0;
    if (strcmp (code, "missing_field") == 0 && !strchr (field, '.') && !strchr (field, '['))
        fprintf (stderr, "hint: add %s=VALUE ('mitra %s --help' lists the fields)\n",
                 field, args->name);
    else
    if (strcmp (code, "invalid_field") == 0 && !strchr (field, '['))
        fprintf (stderr, "hint: 'mitra %s --help' says what each field takes\n", args->name);
    else
    if (strcmp (code, "not_found") == 0 && strcmp (field, "partnership") == 0)
        fprintf (stderr, "hint: 'mitra partnership list' shows the partnerships\n");
    else
    if (strcmp (code, "not_found") == 0 && org_field && registration)
        fprintf (stderr, "hint: 'mitra org list' shows the registered organizations; register "
                         "one with 'mitra org add ORG name=NAME kind=KIND'\n");
    else
    if (strcmp (code, "not_found") == 0 && org_field && partnership)
        fprintf (stderr, "hint: 'mitra show %s' lists its members; add one with "
                         "'mitra member add %s ORG role=ROLE'\n", partnership, partnership);
    else
    if ((strcmp (code, "not_found") == 0 || strcmp (code, "conflict") == 0) && partnership
    &&  (strcmp (field, "goal") == 0 || strcmp (field, "milestone") == 0
      || strcmp (field, "version") == 0))
        fprintf (stderr, "hint: 'mitra show %s' shows its goals, milestones and agreement\n",
                 partnership);
}

int
mitra_verbs_send (mitra_verb_args_t *args)
{
    mitra_cli_t *cli = args->cli;
    const char *type = args->verb->schema;
    int exit_code;
    mitra_reply_t *reply = NULL;
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    char why [512];
    if (mitra_cli_build_map (args->schema->fields, args->item_count, args->items,
                             &sbuf, why, sizeof why)) {
        exit_code = mitra_verbs_usage_error (args, "%s", why);
        goto out;
    }
    mitra_error_t err;
    if (mitra_cli_validate (args->schema, sbuf.data, sbuf.size, &err)) {
        mitra_cli_print_error (mitra_error_code_name (err.code), err.message, err.field);
        s_hint (args, mitra_error_code_name (err.code), err.field);
        exit_code = MITRA_EXIT_REJECTED;
        goto out;
    }
    mitra_client_t *client = mitra_verbs_client (args, &exit_code);
    if (!client)
        goto out;
    int rc = mitra_client_event_with_id (client, args->request_id, type,
                                         sbuf.data, sbuf.size, &reply);
    exit_code = mitra_cli_outcome (cli, client, rc, reply);
    if (rc == MITRA_RC_REJECTED)
        s_hint (args, mitra_reply_error_code (reply), mitra_reply_error_field (reply));
    else
    if (rc == MITRA_RC_OK) {
        if (cli->json) {
            char *text = mitra_reply_json (reply);
            printf ("%s\n", text ? text : "{}");
            free (text);
        }
        else {
            //  The ids, whether given in place or by name
            printf ("%s:", args->verb->done ? args->verb->done : type);
            for (int index = 0; index < MITRA_VERB_MAX_POSITIONAL
                                && args->verb->positional [index]; index++) {
                int item = mitra_verbs_find_item (args, args->verb->positional [index]);
                const char *equals = item >= 0 ? strchr (args->items [item], '=') : NULL;
                if (equals && equals [-1] != ':')
                    printf (" %s", equals + 1);
            }
            printf (" (event %llu)\n", (unsigned long long) mitra_reply_seq (reply));
        }
    }
    else
    if (rc == MITRA_RC_UNREACHABLE || rc == MITRA_RC_INTERRUPTED)
        fprintf (stderr, "note: the event may or may not have been recorded; to retry "
                         "without recording it twice, add --id %s\n",
                 mitra_client_last_request_id (client));
out:
    mitra_reply_destroy (&reply);
    msgpack_sbuffer_destroy (&sbuf);
    return exit_code;
}

int
mitra_verbs_query (mitra_verb_args_t *args, const char *q, int count, char *const *items,
                   mitra_reply_t **reply_p)
{
    *reply_p = NULL;
    const mitra_schema_t *schema = mitra_schema_find (MITRA_SCHEMA_QUERY, q);
    if (!schema) {
        fprintf (stderr, "error: unknown query '%s'\n", q);
        return MITRA_EXIT_USAGE;
    }
    int exit_code;
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    char why [512];
    if (mitra_cli_build_map (schema->fields, count, items, &sbuf, why, sizeof why)) {
        exit_code = mitra_verbs_usage_error (args, "%s", why);
        goto out;
    }
    const void *data = count ? sbuf.data : NULL;
    mitra_error_t err;
    if (mitra_cli_validate (schema, data, sbuf.size, &err)) {
        mitra_cli_print_error (mitra_error_code_name (err.code), err.message, err.field);
        s_hint (args, mitra_error_code_name (err.code), err.field);
        exit_code = MITRA_EXIT_REJECTED;
        goto out;
    }
    mitra_client_t *client = mitra_verbs_client (args, &exit_code);
    if (!client)
        goto out;
    mitra_reply_t *reply = NULL;
    int rc = mitra_client_query (client, q, data, sbuf.size, &reply);
    exit_code = mitra_cli_outcome (args->cli, client, rc, reply);
    if (rc == MITRA_RC_REJECTED)
        s_hint (args, mitra_reply_error_code (reply), mitra_reply_error_field (reply));
    if (rc == MITRA_RC_OK && !mitra_reply_result (reply)) {
        fprintf (stderr, "error: the reply to query '%s' has no result\n", q);
        exit_code = MITRA_EXIT_PROTOCOL;
    }
    if (exit_code == MITRA_EXIT_OK)
        *reply_p = reply;
    else
        mitra_reply_destroy (&reply);
out:
    msgpack_sbuffer_destroy (&sbuf);
    return exit_code;
}

//  Entries per page when the command follows the pages itself: the
//  daemon's default page, so each request holds it up no longer than any
//  other client's
#define S_PAGE_LIMIT 100

int
mitra_verbs_query_pages (mitra_verb_args_t *args, const char *q, const char *key,
                         mitra_verb_entry_fn *entry, void *arg, uint32_t *count_p)
{
    *count_p = 0;
    bool one_page = mitra_verbs_find_item (args, "from") >= 0
                 || mitra_verbs_find_item (args, "limit") >= 0;
    if (!one_page && mitra_verbs_add_item (args, "limit=%d", S_PAGE_LIMIT))
        return MITRA_EXIT_USAGE;
    char from [80] = "";
    while (true) {
        mitra_reply_t *reply = NULL;
        int rc = mitra_verbs_query (args, q, args->item_count, args->items, &reply);
        if (rc)
            return rc;
        const msgpack_object *result = mitra_reply_result (reply);
        const msgpack_object *list = mitra_map_get (result, key);
        const msgpack_object *next = mitra_map_get (result, "next");
        char next_id [80] = "";
        if (!list || list->type != MSGPACK_OBJECT_ARRAY) {
            fprintf (stderr, "error: the %s reply has no list of %s\n", q, key);
            rc = MITRA_EXIT_PROTOCOL;
        }
        else
        //  Each page must start after the one before, or this would not end
        if (next && next->type != MSGPACK_OBJECT_NIL
        &&  (mitra_obj_str_copy (next, next_id, sizeof next_id) || strcmp (next_id, from) <= 0)) {
            fprintf (stderr, "error: the %s reply's next is not an id after the page\n", q);
            rc = MITRA_EXIT_PROTOCOL;
        }
        else
            for (uint32_t index = 0; index < list->via.array.size && rc == 0; index++) {
                const msgpack_object *item = &list->via.array.ptr [index];
                if (args->cli->json)
                    rc = mitra_verbs_print_json (item);
                else
                    entry (item, arg);
                ++*count_p;
            }
        mitra_reply_destroy (&reply);
        if (rc || !*next_id)
            return rc;
        if (one_page) {
            fprintf (stderr, "(more %s follow: add from=%s for the next page)\n", key, next_id);
            return MITRA_EXIT_OK;
        }
        int item = mitra_verbs_find_item (args, "from");
        if (item >= 0)
            mitra_verbs_remove_item (args, item);
        if (mitra_verbs_add_item (args, "from=%s", next_id))
            return MITRA_EXIT_USAGE;
        memcpy (from, next_id, sizeof from);
    }
}

int
mitra_verbs_print_json (const msgpack_object *obj)
{
    return mitra_cli_print_json (obj, false) ? MITRA_EXIT_PROTOCOL : MITRA_EXIT_OK;
}
