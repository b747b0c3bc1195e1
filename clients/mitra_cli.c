/*  mitra_cli -- options, finding the daemon, sending, and mapping outcomes
    onto exit codes and messages. (Arguments and output formats are in
    mitra_cli_format.c; both implement mitra_cli.h.)

    Every error message says what to fix, and goes to stderr; stdout holds
    only results, so that `--json` output can be piped.
*/
#include "mitra_cli.h"
#include "mitra_request_id.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_MAX_OPTIONS 32

static const mitra_cli_option_t s_common_options [] = {
    { "endpoint", 'e', "ENDPOINT",
      "mitrad's request socket (env MITRA_ENDPOINT)" },
    { "runtime-dir", 0, "DIR",
      "use ipc://DIR/mitrad.sock (env MITRA_RUNTIME_DIR; default " MITRA_DEFAULT_RUNTIME_DIR ")" },
    { "json", 0, NULL, "print JSON for scripts, one object per line" },
    { "timeout", 0, "MS", "wait this long for each try (default 5000)" },
    { "retries", 0, "N", "tries after the first one times out (default 3)" },
    { "key", 0, "FILE", "tcp:// only: this client's CURVE key pair, the NAME_secret file "
      "of 'mitra keygen' (env MITRA_KEY)" },
    { "server-key", 0, "FILE", "tcp:// only: mitrad's public certificate (env "
      "MITRA_SERVER_KEY)" },
    { "help", 'h', NULL, "show this help" },
    { NULL }
};

const mitra_cli_option_t *
mitra_cli_common_options (void)
{
    return s_common_options;
}

void
mitra_cli_init (mitra_cli_t *cli)
{
    memset (cli, 0, sizeof *cli);
    cli->timeout_ms = 5000;
    cli->retries = 3;
}

//  Find the option `arg` names; sets *name_len for `--name=value` forms.
static int
s_find_option (const mitra_cli_option_t *options, const char *arg, size_t *name_len)
{
    if (arg [1] == '-') {
        const char *name = arg + 2;
        const char *equals = strchr (name, '=');
        *name_len = equals ? (size_t) (equals - name) : strlen (name);
        for (int index = 0; options [index].long_name; index++)
            if (strlen (options [index].long_name) == *name_len
            &&  memcmp (options [index].long_name, name, *name_len) == 0)
                return index;
        return -1;
    }
    *name_len = 1;
    for (int index = 0; options [index].long_name; index++)
        if (options [index].short_name && options [index].short_name == arg [1])
            return index;
    return -1;
}

//  The parser behind mitra_cli_getopt and mitra_cli_parse_global. With
//  `stop`, parsing ends at the first positional argument, whose index goes
//  to *stop_index (argc if none), and argv is left as it is.
static int
s_getopt (const char *prog, const mitra_cli_option_t *options, int argc, char **argv,
          const char **values, int *npos_p, bool stop, int *stop_index)
{
    int npos = 0;
    bool options_done = false;
    for (int index = 0; options [index].long_name; index++)
        values [index] = NULL;
    if (stop)
        *stop_index = argc;
    for (int arg_index = 1; arg_index < argc; arg_index++) {
        char *arg = argv [arg_index];
        if (options_done || arg [0] != '-' || arg [1] == 0 || strcmp (arg, "--") == 0) {
            if (stop) {
                *stop_index = arg_index + (strcmp (arg, "--") == 0 && !options_done);
                break;
            }
            if (strcmp (arg, "--") == 0 && !options_done)
                options_done = true;
            else
                argv [++npos] = arg;
            continue;
        }
        size_t name_len;
        int found = s_find_option (options, arg, &name_len);
        if (found < 0) {
            fprintf (stderr, "%s: unknown option '%s' (see --help)\n", prog, arg);
            return -1;
        }
        const mitra_cli_option_t *option = &options [found];
        bool is_long = arg [1] == '-';
        const char *inline_value = is_long
            ? (arg [2 + name_len] == '=' ? arg + 3 + name_len : NULL)
            : (arg [2] ? arg + 2 : NULL);
        if (!option->arg_name) {
            if (inline_value) {
                fprintf (stderr, "%s: option '%s' takes no value\n", prog, arg);
                return -1;
            }
            values [found] = "";
        }
        else
        if (inline_value)
            values [found] = inline_value;
        else
        if (arg_index + 1 < argc)
            values [found] = argv [++arg_index];
        else {
            fprintf (stderr, "%s: option '%s' needs a value (%s)\n", prog, arg, option->arg_name);
            return -1;
        }
    }
    if (npos_p)
        *npos_p = npos;
    return 0;
}

int
mitra_cli_getopt (const char *prog, const mitra_cli_option_t *options,
                  int argc, char **argv, const char **values, int *npos_p)
{
    return s_getopt (prog, options, argc, argv, values, npos_p, false, NULL);
}

static bool
s_streq (const char *a, const char *b)
{
    return strcmp (a, b) == 0;
}

int
mitra_cli_set_common (mitra_cli_t *cli, const char *name, const char *value)
{
    uint64_t number;
    if (s_streq (name, "endpoint"))
        cli->endpoint = value;
    else
    if (s_streq (name, "key"))
        cli->key_file = value;
    else
    if (s_streq (name, "server-key"))
        cli->server_key_file = value;
    else
    if (s_streq (name, "runtime-dir"))
        cli->runtime_dir = value;
    else
    if (s_streq (name, "json"))
        cli->json = true;
    else
    if (s_streq (name, "help"))
        cli->help = true;
    else
    if (s_streq (name, "timeout")) {
        if (mitra_cli_parse_uint (value, 1, 24 * 3600 * 1000, &number)) {
            fprintf (stderr, "mitra: --timeout takes milliseconds from 1 to 86400000, not '%s'\n",
                     value);
            return -1;
        }
        cli->timeout_ms = (int) number;
    }
    else
    if (s_streq (name, "retries")) {
        if (mitra_cli_parse_uint (value, 0, 100, &number)) {
            fprintf (stderr, "mitra: --retries takes a number from 0 to 100, not '%s'\n", value);
            return -1;
        }
        cli->retries = (int) number;
    }
    return 0;
}

int
mitra_cli_parse_global (mitra_cli_t *cli, int argc, char **argv, bool *version)
{
    mitra_cli_option_t table [S_MAX_OPTIONS + 1];
    const char *values [S_MAX_OPTIONS + 1];
    int count = 0;
    while (s_common_options [count].long_name)
        table [count] = s_common_options [count], count++;
    table [count] = (mitra_cli_option_t) { "version", 0, NULL, "print the version" };
    table [count + 1] = (mitra_cli_option_t) { NULL };
    int command_index;
    if (s_getopt ("mitra", table, argc, argv, values, NULL, true, &command_index))
        return -1;
    for (int index = 0; index < count; index++)
        if (values [index] && mitra_cli_set_common (cli, table [index].long_name, values [index]))
            return -1;
    *version = values [count] != NULL;
    return command_index;
}

int
mitra_cli_parse (mitra_cli_t *cli, const mitra_cli_command_t *command,
                 int argc, char **argv, const char **values, int *npos_p)
{
    //  One table of the common options followed by the command's own
    mitra_cli_option_t table [S_MAX_OPTIONS + 1];
    const char *all_values [S_MAX_OPTIONS + 1];
    int common_count = 0, own_count = 0;
    while (s_common_options [common_count].long_name)
        table [common_count] = s_common_options [common_count], common_count++;
    while (command->options && command->options [own_count].long_name) {
        assert (common_count + own_count < S_MAX_OPTIONS);
        table [common_count + own_count] = command->options [own_count];
        own_count++;
    }
    table [common_count + own_count] = (mitra_cli_option_t) { NULL };

    char prog [64];
    snprintf (prog, sizeof prog, "mitra %s", command->name);
    if (mitra_cli_getopt (prog, table, argc, argv, all_values, npos_p))
        return MITRA_EXIT_USAGE;
    for (int index = 0; index < common_count; index++)
        if (all_values [index]
        &&  mitra_cli_set_common (cli, table [index].long_name, all_values [index]))
            return MITRA_EXIT_USAGE;
    for (int index = 0; index < own_count; index++)
        values [index] = all_values [common_count + index];
    return 0;
}

int
mitra_cli_start (mitra_cli_t *cli, const mitra_cli_command_t *command,
                 int argc, char **argv, const char **values, int *npos_p)
{
    int rc = mitra_cli_parse (cli, command, argc, argv, values, npos_p);
    if (rc)
        return rc;
    if (cli->help) {
        mitra_cli_print_help (command);
        return MITRA_EXIT_OK;
    }
    return MITRA_CLI_RUN;
}

void
mitra_cli_print_options (FILE *out, const mitra_cli_option_t *options)
{
    for (int index = 0; options && options [index].long_name; index++) {
        const mitra_cli_option_t *option = &options [index];
        char left [64];
        if (option->short_name)
            snprintf (left, sizeof left, "-%c, --%s%s%s", option->short_name, option->long_name,
                      option->arg_name ? " " : "", option->arg_name ? option->arg_name : "");
        else
            snprintf (left, sizeof left, "    --%s%s%s", option->long_name,
                      option->arg_name ? " " : "", option->arg_name ? option->arg_name : "");
        fprintf (out, "  %-26s %s\n", left, option->help);
    }
}

void
mitra_cli_print_help (const mitra_cli_command_t *command)
{
    printf ("usage: mitra %s%s%s\n\n%s\n", command->name, *command->usage ? " " : "",
            command->usage, command->summary);
    if (command->help)
        printf ("\n%s", command->help);
    if (command->options && command->options [0].long_name) {
        printf ("\noptions:\n");
        mitra_cli_print_options (stdout, command->options);
    }
    printf ("\ncommon options:\n");
    mitra_cli_print_options (stdout, s_common_options);
}

int
mitra_cli_usage_error (const mitra_cli_command_t *command, const char *format, ...)
{
    fprintf (stderr, "mitra %s: ", command->name);
    va_list args;
    va_start (args, format);
    vfprintf (stderr, format, args);
    va_end (args);
    fprintf (stderr, "\nusage: mitra %s%s%s\n(see 'mitra %s --help')\n",
             command->name, *command->usage ? " " : "", command->usage, command->name);
    return MITRA_EXIT_USAGE;
}

//  A path from the client configuration file, relative to its directory.
static void
s_conf_path (const char *conf_path, const char *value, char *path, size_t size)
{
    const char *slash = strrchr (conf_path, '/');
    if (value [0] == '/' || !slash)
        snprintf (path, size, "%s", value);
    else
        snprintf (path, size, "%.*s/%s", (int) (slash - conf_path), conf_path, value);
}

//  Read the client configuration file once. -1 after printing why.
static int
s_read_client_conf (mitra_cli_t *cli)
{
    if (cli->conf_read)
        return 0;
    cli->conf_read = true;
    const char *env = getenv ("MITRA_CLIENT_CONF");
    const char *xdg = getenv ("XDG_CONFIG_HOME");
    const char *home = getenv ("HOME");
    char path [1024] = "";
    if (env && *env)
        snprintf (path, sizeof path, "%s", env);
    else
    if (xdg && *xdg)
        snprintf (path, sizeof path, "%s/mitra/client.conf", xdg);
    else
    if (home && *home)
        snprintf (path, sizeof path, "%s/.config/mitra/client.conf", home);
    struct stat st;
    if (!*path || stat (path, &st)) {
        if (env && *env) {
            fprintf (stderr, "error: MITRA_CLIENT_CONF names %s, which does not exist\n", path);
            return -1;
        }
        return 0;
    }
    zconfig_t *root = zconfig_load (path);
    if (!root) {
        fprintf (stderr, "error: %s is not valid ZPL (a section `client`, keys indented by "
                         "4 spaces)\n", path);
        return -1;
    }
    int rc = 0;
    for (zconfig_t *section = zconfig_child (root); section && rc == 0;
         section = zconfig_next (section)) {
        if (!s_streq (zconfig_name (section), "client")) {
            fprintf (stderr, "error: %s: unknown section '%s'; the only one is 'client'\n",
                     path, zconfig_name (section));
            rc = -1;
        }
        for (zconfig_t *item = zconfig_child (section); item && rc == 0;
             item = zconfig_next (item)) {
            const char *name = zconfig_name (item);
            const char *value = zconfig_value (item) ? zconfig_value (item) : "";
            if (s_streq (name, "endpoint"))
                snprintf (cli->conf_endpoint, sizeof cli->conf_endpoint, "%s", value);
            else
            if (s_streq (name, "key"))
                s_conf_path (path, value, cli->conf_key, sizeof cli->conf_key);
            else
            if (s_streq (name, "server_key"))
                s_conf_path (path, value, cli->conf_server_key, sizeof cli->conf_server_key);
            else {
                fprintf (stderr, "error: %s: unknown key 'client/%s'; the keys are endpoint, "
                                 "key and server_key\n", path, name);
                rc = -1;
            }
        }
    }
    zconfig_destroy (&root);
    if (rc == 0)
        snprintf (cli->conf_path, sizeof cli->conf_path, "%s", path);
    return rc;
}

int
mitra_cli_curve_keys (mitra_cli_t *cli, const char *endpoint, mitra_curve_keys_t *keys,
                      bool *use)
{
    *use = false;
    if (strncmp (endpoint, "tcp://", 6) != 0)
        return 0;
    if (s_read_client_conf (cli))
        return -1;
    const char *env_key = getenv ("MITRA_KEY");
    const char *env_server_key = getenv ("MITRA_SERVER_KEY");
    const char *key_file = cli->key_file ? cli->key_file
                         : env_key && *env_key ? env_key
                         : *cli->conf_key ? cli->conf_key : NULL;
    const char *server_key_file = cli->server_key_file ? cli->server_key_file
                                : env_server_key && *env_server_key ? env_server_key
                                : *cli->conf_server_key ? cli->conf_server_key : NULL;
    if (!key_file || !server_key_file) {
        fprintf (stderr, "error: %s is a TCP endpoint, which needs CURVE keys: --key FILE (this "
                         "client's NAME_secret from 'mitra keygen NAME') and --server-key FILE "
                         "(mitrad's public certificate), or MITRA_KEY and MITRA_SERVER_KEY, or "
                         "key and server_key in the client configuration file\n", endpoint);
        return -1;
    }
    char error [512];
    if (mitra_curve_keys_load (keys, key_file, server_key_file, error, sizeof error)) {
        fprintf (stderr, "error: %s\n", error);
        return -1;
    }
    *use = true;
    return 0;
}

const char *
mitra_cli_endpoint (mitra_cli_t *cli, const char *endpoint_env, const char *socket_name)
{
    const char *runtime_dir = NULL;
    if (cli->endpoint && cli->runtime_dir) {
        fprintf (stderr, "error: give either -e ENDPOINT or --runtime-dir DIR, not both\n");
        return NULL;
    }
    if (s_read_client_conf (cli))
        return NULL;
    const char *env_endpoint = getenv (endpoint_env);
    const char *env_runtime = getenv ("MITRA_RUNTIME_DIR");
    if (cli->endpoint) {
        snprintf (cli->resolved, sizeof cli->resolved, "%s", cli->endpoint);
        snprintf (cli->origin, sizeof cli->origin, "endpoint set by -e");
    }
    else
    if (cli->runtime_dir) {
        runtime_dir = cli->runtime_dir;
        snprintf (cli->origin, sizeof cli->origin, "endpoint set by --runtime-dir");
    }
    else
    if (env_endpoint && *env_endpoint) {
        snprintf (cli->resolved, sizeof cli->resolved, "%s", env_endpoint);
        snprintf (cli->origin, sizeof cli->origin, "endpoint set by %s", endpoint_env);
    }
    else
    if (env_runtime && *env_runtime) {
        runtime_dir = env_runtime;
        snprintf (cli->origin, sizeof cli->origin, "endpoint set by MITRA_RUNTIME_DIR");
    }
    else
    if (*cli->conf_endpoint) {
        snprintf (cli->resolved, sizeof cli->resolved, "%s", cli->conf_endpoint);
        snprintf (cli->origin, sizeof cli->origin, "endpoint set by %.40s",
                  strrchr (cli->conf_path, '/') ? strrchr (cli->conf_path, '/') + 1
                                                : cli->conf_path);
    }
    else {
        runtime_dir = MITRA_DEFAULT_RUNTIME_DIR;
        snprintf (cli->origin, sizeof cli->origin, "the default endpoint");
    }
    if (runtime_dir) {
        size_t len = strlen (runtime_dir);
        while (len > 1 && runtime_dir [len - 1] == '/')
            len--;
        snprintf (cli->resolved, sizeof cli->resolved, "ipc://%.*s/%s",
                  (int) len, runtime_dir, socket_name);
    }
    return cli->resolved;
}

static void
s_print_daemon_hint (void)
{
    fprintf (stderr, "hint: check that mitrad runs (systemctl status mitrad), or point at it "
                     "with -e ENDPOINT, --runtime-dir DIR or MITRA_RUNTIME_DIR\n");
}

mitra_client_t *
mitra_cli_connect (mitra_cli_t *cli, int *exit_p)
{
    const char *endpoint = mitra_cli_endpoint (cli, "MITRA_ENDPOINT", "mitrad.sock");
    if (!endpoint) {
        *exit_p = MITRA_EXIT_USAGE;
        return NULL;
    }
    //  A missing socket file means no daemon: say so now rather than after
    //  every retry. Abstract sockets (ipc://@name) have no file to check.
    if (strncmp (endpoint, "ipc://", 6) == 0 && endpoint [6] && endpoint [6] != '@') {
        const char *path = endpoint + 6;
        struct stat st;
        if (stat (path, &st) && errno == ENOENT) {
            fprintf (stderr, "error: mitrad is not running at %s (%s): no socket at %s\n",
                     endpoint, cli->origin, path);
            s_print_daemon_hint ();
            *exit_p = MITRA_EXIT_UNREACHABLE;
            return NULL;
        }
        if (access (path, W_OK) && errno == EACCES) {
            fprintf (stderr, "error: no permission to use %s (%s); mitrad's socket is "
                             "open to its owner and group\n", path, cli->origin);
            *exit_p = MITRA_EXIT_UNREACHABLE;
            return NULL;
        }
    }
    mitra_curve_keys_t keys;
    bool curve;
    if (mitra_cli_curve_keys (cli, endpoint, &keys, &curve)) {
        *exit_p = MITRA_EXIT_USAGE;
        return NULL;
    }
    mitra_client_options_t opts;
    mitra_client_options_init (&opts);
    opts.timeout_ms = cli->timeout_ms;
    opts.retries = cli->retries;
    if (curve) {
        opts.curve_server_key = keys.server_key;
        opts.curve_public_key = keys.public_key;
        opts.curve_secret_key = keys.secret_key;
    }
    mitra_client_t *client = mitra_client_new (endpoint, &opts);
    memset (&keys, 0, sizeof keys);
    if (!client) {
        fprintf (stderr, "error: cannot use endpoint '%s' (%s): %s\n",
                 endpoint, cli->origin, strerror (errno));
        *exit_p = errno == EINVAL || errno == EPROTONOSUPPORT
                ? MITRA_EXIT_USAGE : MITRA_EXIT_UNREACHABLE;
        return NULL;
    }
    return client;
}

void
mitra_cli_print_error (const char *code, const char *message, const char *field)
{
    if (field && *field)
        fprintf (stderr, "error: %s: %s (field %s)\n", code, message, field);
    else
        fprintf (stderr, "error: %s: %s\n", code, message);
}

int
mitra_cli_outcome (mitra_cli_t *cli, mitra_client_t *client, int rc, mitra_reply_t *reply)
{
    switch (rc) {
        case MITRA_RC_OK:
            return MITRA_EXIT_OK;
        case MITRA_RC_REJECTED:
            if (cli->json) {
                char *text = mitra_reply_json (reply);
                if (text)
                    printf ("%s\n", text);
                free (text);
            }
            mitra_cli_print_error (mitra_reply_error_code (reply),
                                   mitra_reply_error_message (reply),
                                   mitra_reply_error_field (reply));
            return MITRA_EXIT_REJECTED;
        case MITRA_RC_UNREACHABLE:
            fprintf (stderr, "error: mitrad is not answering: %s (%s)\n",
                     mitra_client_last_error (client), cli->origin);
            s_print_daemon_hint ();
            return MITRA_EXIT_UNREACHABLE;
        case MITRA_RC_INTERRUPTED:
            fprintf (stderr, "interrupted\n");
            return MITRA_EXIT_INTERRUPTED;
        case MITRA_RC_INVALID:
            fprintf (stderr, "error: %s\n", mitra_client_last_error (client));
            return MITRA_EXIT_USAGE;
        default:
            fprintf (stderr, "error: %s\n", mitra_client_last_error (client));
            return MITRA_EXIT_PROTOCOL;
    }
}

int
mitra_cli_send_event (mitra_cli_t *cli, const char *type, int count, char *const *items,
                      const char *request_id)
{
    const mitra_schema_t *schema = mitra_schema_find (MITRA_SCHEMA_EVENT, type);
    if (!schema) {
        fprintf (stderr, "error: unknown event type '%s'; the known types are:\n", type);
        mitra_cli_print_names (stderr, MITRA_SCHEMA_EVENT);
        return MITRA_EXIT_USAGE;
    }
    if (request_id && !mitra_request_id_valid (request_id)) {
        fprintf (stderr, "error: a request id is 1..%d visible ASCII characters, not '%s'\n",
                 MITRA_REQUEST_ID_MAX, request_id);
        return MITRA_EXIT_USAGE;
    }
    int exit_code;
    mitra_client_t *client = NULL;
    mitra_reply_t *reply = NULL;
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    char why [512];
    if (mitra_cli_build_map (schema->fields, count, items, &sbuf, why, sizeof why)) {
        fprintf (stderr, "error: %s\n(see 'mitra send %s --help' for its fields)\n", why, type);
        exit_code = MITRA_EXIT_USAGE;
        goto out;
    }
    mitra_error_t err;
    if (mitra_cli_validate (schema, sbuf.data, sbuf.size, &err)) {
        mitra_cli_print_error (mitra_error_code_name (err.code), err.message, err.field);
        exit_code = MITRA_EXIT_REJECTED;
        goto out;
    }
    client = mitra_cli_connect (cli, &exit_code);
    if (!client)
        goto out;
    int rc = mitra_client_event_with_id (client, request_id, type, sbuf.data, sbuf.size, &reply);
    exit_code = mitra_cli_outcome (cli, client, rc, reply);
    if (rc == MITRA_RC_OK) {
        if (cli->json) {
            char *text = mitra_reply_json (reply);
            printf ("%s\n", text ? text : "{}");
            free (text);
        }
        else
            printf ("accepted: event %llu (%s)\n",
                    (unsigned long long) mitra_reply_seq (reply), type);
    }
    else
    if (rc == MITRA_RC_UNREACHABLE || rc == MITRA_RC_INTERRUPTED)
        //  The event may have been applied with only the reply lost: the
        //  same id makes a second send safe.
        fprintf (stderr, "note: the event may or may not have been recorded; to retry "
                         "without recording it twice, add --id %s\n",
                 mitra_client_last_request_id (client));
out:
    mitra_reply_destroy (&reply);
    mitra_client_destroy (&client);
    msgpack_sbuffer_destroy (&sbuf);
    return exit_code;
}

int
mitra_cli_query (mitra_cli_t *cli, const char *q, const void *args, size_t size,
                 mitra_reply_t **reply_p)
{
    *reply_p = NULL;
    const mitra_schema_t *schema = mitra_schema_find (MITRA_SCHEMA_QUERY, q);
    mitra_error_t err;
    if (schema && mitra_cli_validate (schema, args, size, &err)) {
        mitra_cli_print_error (mitra_error_code_name (err.code), err.message, err.field);
        return MITRA_EXIT_REJECTED;
    }
    int exit_code;
    mitra_client_t *client = mitra_cli_connect (cli, &exit_code);
    if (!client)
        return exit_code;
    mitra_reply_t *reply = NULL;
    int rc = mitra_client_query (client, q, args, size, &reply);
    exit_code = mitra_cli_outcome (cli, client, rc, reply);
    if (rc == MITRA_RC_OK && !mitra_reply_result (reply)) {
        fprintf (stderr, "error: the reply to query '%s' has no result\n", q);
        exit_code = MITRA_EXIT_PROTOCOL;
    }
    if (exit_code == MITRA_EXIT_OK)
        *reply_p = reply;
    else
        mitra_reply_destroy (&reply);
    mitra_client_destroy (&client);
    return exit_code;
}
