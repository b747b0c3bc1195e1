/*  mitra_cli -- what every `mitra` command (and mitra-watch) shares:
    option parsing, finding the daemon, turning `key=value` arguments into
    a msgpack map with the help of the schema, sending, and printing
    replies and errors the same way everywhere.

    A command is one entry in the table in mitra.c; its code lives in a
    mitra_cmd_*.c file and uses only this module and libmitra. Nothing here
    exits the process: functions return an exit code for main to return.
*/
#ifndef MITRA_CLI_H
#define MITRA_CLI_H

#include "mitra.h"
#include "mitra_schema.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

//  Exit codes, documented in `mitra --help`.
#define MITRA_EXIT_OK           0
#define MITRA_EXIT_REJECTED     1       //  refused: by mitrad, or by the local schema check
#define MITRA_EXIT_USAGE        2       //  bad command line; nothing was sent
#define MITRA_EXIT_UNREACHABLE  3       //  mitrad did not answer
#define MITRA_EXIT_PROTOCOL     4       //  mitrad answered something that is not a reply
#define MITRA_EXIT_INTERRUPTED  130     //  SIGINT/SIGTERM while waiting

#define MITRA_DEFAULT_RUNTIME_DIR "/run/mitra"

typedef struct {
    const char *long_name;          //  without the dashes; NULL ends a table
    char short_name;                //  0 for none
    const char *arg_name;           //  NULL for a flag
    const char *help;
} mitra_cli_option_t;

//  The state a command runs with: the common options, resolved once.
typedef struct {
    const char *endpoint;           //  -e, or NULL
    const char *runtime_dir;        //  --runtime-dir, or NULL
    bool json;                      //  --json
    bool help;                      //  -h / --help was given
    int timeout_ms;                 //  --timeout, per try
    int retries;                    //  --retries
    const char *key_file;           //  --key: this client's NAME_secret, or NULL
    const char *server_key_file;    //  --server-key: the daemon's public certificate
    char resolved [1024];           //  the endpoint to use, once resolved
    char origin [64];               //  where `resolved` came from: "endpoint set by -e"
    //  The client configuration file (mitra_cli_endpoint reads it once)
    bool conf_read;
    char conf_path [1024];          //  "" when there is none
    char conf_endpoint [1024];
    char conf_key [1024];           //  paths made absolute against the file's directory
    char conf_server_key [1024];
} mitra_cli_t;

typedef struct mitra_cli_command_s mitra_cli_command_t;
typedef int (mitra_cli_run_fn) (mitra_cli_t *cli, const mitra_cli_command_t *command,
                                int argc, char **argv);

struct mitra_cli_command_s {
    const char *name;               //  "send"
    mitra_cli_run_fn *run;          //  argv[0] is the command name
    const char *summary;            //  one line for `mitra --help`
    const char *usage;              //  the arguments after `mitra NAME`
    const char *help;               //  paragraphs after the usage line, or NULL
    const mitra_cli_option_t *options;  //  the command's own, or NULL
};

//  Commands, defined in the mitra_cmd_*.c files.
extern const mitra_cli_command_t mitra_cmd_send;
extern const mitra_cli_command_t mitra_cmd_query;
extern const mitra_cli_command_t mitra_cmd_hello;
extern const mitra_cli_command_t mitra_cmd_log;
extern const mitra_cli_command_t mitra_cmd_backup;
extern const mitra_cli_command_t mitra_cmd_keygen;
//  ...and the commands for people (mitra_verbs.h has their convention)
extern const mitra_cli_command_t mitra_cmd_org;
extern const mitra_cli_command_t mitra_cmd_partnership;
extern const mitra_cli_command_t mitra_cmd_show;
extern const mitra_cli_command_t mitra_cmd_member;
extern const mitra_cli_command_t mitra_cmd_agreement;
extern const mitra_cli_command_t mitra_cmd_goal;
extern const mitra_cli_command_t mitra_cmd_milestone;
extern const mitra_cli_command_t mitra_cmd_evaluation;
extern const mitra_cli_command_t mitra_cmd_contact;
extern const mitra_cli_command_t mitra_cmd_contribution;
extern const mitra_cli_command_t mitra_cmd_reach;
extern const mitra_cli_command_t mitra_cmd_match;
extern const mitra_cli_command_t mitra_cmd_health;
extern const mitra_cli_command_t mitra_cmd_due;
extern const mitra_cli_command_t mitra_cmd_import;

//  Defaults: no endpoint chosen, human output, 5000 ms, 3 retries.
void mitra_cli_init (mitra_cli_t *cli);

//  Parse options against one table (NULL-terminated by long_name). Accepts
//  `--name`, `--name=value`, `--name value`, `-x value`, `-xvalue`; `--`
//  ends the options. values[i] gets option i's argument ("" for a flag;
//  NULL when not given; the last one wins). Positional arguments are moved
//  to argv[1..*npos_p], in order (argv[0] is left alone). Returns 0, or -1
//  after printing "PROG: ..." to stderr.
int mitra_cli_getopt (const char *prog, const mitra_cli_option_t *options,
                      int argc, char **argv, const char **values, int *npos_p);

//  Parse a command's arguments: the common options (-e, --runtime-dir,
//  --json, --timeout, --retries, -h) anywhere, plus `command->options`
//  into `values`. Returns 0, or MITRA_EXIT_USAGE after printing why.
int mitra_cli_parse (mitra_cli_t *cli, const mitra_cli_command_t *command,
                     int argc, char **argv, const char **values, int *npos_p);

//  The start of most commands: mitra_cli_parse, then --help answered.
//  Returns MITRA_CLI_RUN when the command should go on; otherwise the exit
//  code to return at once (usage error, or 0 after printing the help).
#define MITRA_CLI_RUN (-1)
int mitra_cli_start (mitra_cli_t *cli, const mitra_cli_command_t *command,
                     int argc, char **argv, const char **values, int *npos_p);

//  Parse the common options (and --version) that come before the command
//  name. Returns the index of the command name in argv (argc when there is
//  none), or -1 after printing why. Sets *version if --version was given.
int mitra_cli_parse_global (mitra_cli_t *cli, int argc, char **argv, bool *version);

//  Apply one common option by long name (as mitra_cli_parse does); returns
//  0, or -1 after printing why the value is bad.
int mitra_cli_set_common (mitra_cli_t *cli, const char *name, const char *value);

//  The common options' table, for mitra.c's own parsing and help.
const mitra_cli_option_t *mitra_cli_common_options (void);

//  Print an options table, one per line.
void mitra_cli_print_options (FILE *out, const mitra_cli_option_t *options);

//  `mitra NAME --help`: usage, help text, options.
void mitra_cli_print_help (const mitra_cli_command_t *command);

//  Print "mitra NAME: <message>" and a pointer to --help on stderr;
//  returns MITRA_EXIT_USAGE.
int mitra_cli_usage_error (const mitra_cli_command_t *command, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  The request endpoint: -e, --runtime-dir, $MITRA_ENDPOINT,
//  $MITRA_RUNTIME_DIR, `endpoint` in the client configuration file, or
//  ipc:///run/mitra/mitrad.sock, in that order. `socket_name` is the file
//  in a runtime dir ("mitrad.sock"). NULL after printing why (both -e and
//  --runtime-dir given, or a client configuration file that is not valid).
//
//  The client configuration file is $MITRA_CLIENT_CONF, else
//  $XDG_CONFIG_HOME/mitra/client.conf, else ~/.config/mitra/client.conf;
//  ZPL, one section `client` with `endpoint`, `key` and `server_key`
//  (relative paths are taken from the file's directory). Absent is fine.
const char *mitra_cli_endpoint (mitra_cli_t *cli, const char *endpoint_env,
                                const char *socket_name);

//  The CURVE keys for `endpoint` (as mitra_cli_endpoint resolved it): for
//  a tcp:// endpoint, --key and --server-key, else $MITRA_KEY and
//  $MITRA_SERVER_KEY, else `key` and `server_key` of the client
//  configuration file, loaded into `keys` with *use set; for any other
//  endpoint *use is false. Returns 0, or -1 after printing what is missing
//  or wrong.
int mitra_cli_curve_keys (mitra_cli_t *cli, const char *endpoint, mitra_curve_keys_t *keys,
                          bool *use);

//  A client for the request endpoint. Fails fast, without a network
//  round, when an ipc socket file is missing or not writable by us.
//  Returns NULL after printing why, with the exit code in *exit_p.
mitra_client_t *mitra_cli_connect (mitra_cli_t *cli, int *exit_p);

//  Map what a request came to onto an exit code, printing errors (and, for
//  a rejection under --json, the reply on stdout). Prints nothing for OK.
int mitra_cli_outcome (mitra_cli_t *cli, mitra_client_t *client, int rc, mitra_reply_t *reply);

//  Print "error: CODE: MESSAGE (field F)" on stderr; `field` may be NULL.
void mitra_cli_print_error (const char *code, const char *message, const char *field);

//  Build a msgpack map from arguments, in order: `key=value` gives a string
//  and `key:=JSON` any JSON value (HTTPie's convention). With `fields` (a
//  schema's field table, or NULL), a `=` value is converted to what the
//  field holds: INT/NUMBER fields take numbers, BOOL true/false/yes/no/
//  on/off/1/0, *_LIST a comma-separated list. A value that does not
//  convert stays a string for the validator to refuse by name. Appends to
//  `sbuf`. Returns 0, or -1 with a message for the user in `error`: an
//  argument without `=`, an empty or repeated key, invalid JSON after
//  `:=`, or an object field given with `=`.
int mitra_cli_build_map (const mitra_field_t *fields, int count, char *const *items,
                         msgpack_sbuffer *sbuf, char *error, size_t error_size);

//  Check a body (msgpack map, or NULL for a query without args) the way
//  mitrad will, with its default limits. Returns 0, or -1 with `err` set.
int mitra_cli_validate (const mitra_schema_t *schema, const void *data, size_t size,
                        mitra_error_t *err);

//  The names of every event type or query with their one-line docs.
void mitra_cli_print_names (FILE *out, mitra_schema_kind_t kind);

//  A schema entry's fields: name, kind, required, doc.
void mitra_cli_print_fields (FILE *out, const mitra_schema_t *schema);

//  Send event `type` built from `key=value` items, print the outcome and
//  return the exit code. `request_id` NULL means a fresh one. This is the
//  whole of `mitra send`; commands like `org add` build on it.
int mitra_cli_send_event (mitra_cli_t *cli, const char *type, int count, char *const *items,
                          const char *request_id);

//  Run query `q` with `args` (msgpack map or NULL), checked against the
//  schema when the query is known locally. Prints errors and returns the
//  exit code; on MITRA_EXIT_OK *reply_p holds the reply (caller destroys).
int mitra_cli_query (mitra_cli_t *cli, const char *q, const void *args, size_t size,
                     mitra_reply_t **reply_p);

//  Print `obj` as JSON and a newline on stdout, compact or indented by 2.
//  Returns 0, or -1 (error printed) if it has no JSON form.
int mitra_cli_print_json (const msgpack_object *obj, bool indent);

//  Print one value for people: strings bare unless they need quotes,
//  lists of plain strings comma-separated, anything else compact JSON;
//  cut to about `max_len` bytes (0 = no limit) with "...".
void mitra_cli_print_value (FILE *out, const msgpack_object *obj, size_t max_len);

//  Print a map as `key=value key=value ...` (values as above, each cut to
//  `max_len`).
void mitra_cli_print_summary (FILE *out, const msgpack_object *map, size_t max_len);

//  Print a map as aligned `key  value` lines.
void mitra_cli_print_record (FILE *out, const msgpack_object *map);

//  Parse a decimal unsigned integer within [min, max]; -1 if it is not one.
int mitra_cli_parse_uint (const char *text, uint64_t min, uint64_t max, uint64_t *value);

#ifdef __cplusplus
}
#endif

#endif
