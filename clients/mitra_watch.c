/*  mitra-watch -- print mitrad's notifications as they arrive.

    Subscribes to the PUB socket with the given topic prefixes and prints
    one line per notification until SIGINT/SIGTERM or --count. stdout is
    flushed after every line because scripts and tests read it through a
    pipe. Signals only set czmq's zsys_interrupted; the receive loop waits
    in short slices so that it notices promptly.
*/
#include "mitra_cli.h"

#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define S_WAIT_SLICE_MS 200

static const mitra_cli_option_t s_options [] = {
    { "endpoint", 'e', "ENDPOINT",
      "mitrad's notification socket (env MITRA_PUB_ENDPOINT)" },
    { "runtime-dir", 0, "DIR",
      "use ipc://DIR/mitrad-pub.sock (env MITRA_RUNTIME_DIR; default "
      MITRA_DEFAULT_RUNTIME_DIR ")" },
    { "json", 0, NULL, "print each notification as one JSON object per line" },
    { "count", 'n', "N", "stop after N notifications" },
    { "help", 'h', NULL, "show this help" },
    { "version", 0, NULL, "print the version" },
    { NULL }
};
enum { S_ENDPOINT, S_RUNTIME_DIR, S_JSON, S_COUNT, S_HELP, S_VERSION, S_OPTION_COUNT };

static void
s_print_usage (FILE *out)
{
    fprintf (out,
        "usage: mitra-watch [-e ENDPOINT | --runtime-dir DIR] [--json] [--count N] [PREFIX]...\n"
        "\n"
        "Print mitrad's notifications as they arrive, until interrupted.\n"
        "\n"
        "A PREFIX selects topics: 'milestone.' every milestone notification,\n"
        "'event.' every accepted event, 'milestone.overdue/p-x' one kind for one\n"
        "partnership. No prefix: everything. Only what is published after\n"
        "mitra-watch has connected is shown.\n"
        "\n"
        "Each line is  SEQ  TOPIC  AT  DATA  (DATA as compact JSON, '(late)' after a\n"
        "deadline published late); with --json, the whole notification as JSON.\n"
        "\n"
        "options:\n");
    mitra_cli_print_options (out, s_options);
    fprintf (out,
        "\n"
        "environment:\n"
        "  MITRA_PUB_ENDPOINT  notification endpoint, e.g. ipc:///run/mitra/mitrad-pub.sock\n"
        "  MITRA_RUNTIME_DIR   directory of mitrad's sockets (default "
        MITRA_DEFAULT_RUNTIME_DIR ")\n"
        "\n"
        "exit status: 0 when interrupted or after N notifications, 2 usage error.\n");
}

static void
s_print (mitra_notification_t *notification, bool json)
{
    if (json) {
        char *text = mitra_notification_json (notification);
        printf ("%s\n", text ? text : "{}");
        free (text);
    }
    else {
        char *data = mitra_notification_data_json (notification);
        printf ("%llu  %s  %s  %s%s\n",
                (unsigned long long) mitra_notification_seq (notification),
                mitra_notification_topic (notification),
                *mitra_notification_at (notification) ? mitra_notification_at (notification) : "-",
                data ? data : "{}",
                mitra_notification_late (notification) ? "  (late)" : "");
        free (data);
    }
    fflush (stdout);
}

int
main (int argc, char **argv)
{
    //  Installs czmq's SIGINT/SIGTERM handler before anything can block
    zsys_init ();

    const char *values [S_OPTION_COUNT];
    int npos;
    if (mitra_cli_getopt ("mitra-watch", s_options, argc, argv, values, &npos))
        return MITRA_EXIT_USAGE;
    if (values [S_HELP]) {
        s_print_usage (stdout);
        return MITRA_EXIT_OK;
    }
    if (values [S_VERSION]) {
        printf ("mitra-watch %s\n", MITRA_VERSION);
        return MITRA_EXIT_OK;
    }
    uint64_t count = 0;
    if (values [S_COUNT] && mitra_cli_parse_uint (values [S_COUNT], 1, UINT64_MAX, &count)) {
        fprintf (stderr, "mitra-watch: --count takes a positive number, not '%s'\n",
                 values [S_COUNT]);
        return MITRA_EXIT_USAGE;
    }
    mitra_cli_t cli;
    mitra_cli_init (&cli);
    cli.endpoint = values [S_ENDPOINT];
    cli.runtime_dir = values [S_RUNTIME_DIR];
    const char *endpoint = mitra_cli_endpoint (&cli, "MITRA_PUB_ENDPOINT", "mitrad-pub.sock");
    if (!endpoint)
        return MITRA_EXIT_USAGE;

    //  A subscriber may well start before the daemon: warn, then wait.
    struct stat st;
    if (strncmp (endpoint, "ipc://", 6) == 0 && endpoint [6] && endpoint [6] != '@'
    &&  stat (endpoint + 6, &st) != 0)
        fprintf (stderr, "mitra-watch: no socket at %s (%s) yet; waiting for mitrad\n",
                 endpoint + 6, cli.origin);

    //  positional arguments are now argv [1..npos]; the list must end in NULL
    const char **prefixes = calloc ((size_t) npos + 1, sizeof *prefixes);
    if (!prefixes)
        return MITRA_EXIT_UNREACHABLE;
    for (int index = 0; index < npos; index++)
        prefixes [index] = argv [index + 1];
    mitra_sub_t *sub = mitra_sub_new (endpoint, prefixes);
    free (prefixes);
    if (!sub) {
        fprintf (stderr, "mitra-watch: cannot use endpoint '%s' (%s): %s\n",
                 endpoint, cli.origin, strerror (errno));
        return MITRA_EXIT_USAGE;
    }
    int exit_code = MITRA_EXIT_OK;
    uint64_t received = 0;
    while (!zsys_interrupted && (count == 0 || received < count)) {
        mitra_notification_t *notification;
        int rc = mitra_sub_recv (sub, S_WAIT_SLICE_MS, &notification);
        if (rc == MITRA_RC_OK) {
            s_print (notification, values [S_JSON] != NULL);
            mitra_notification_destroy (&notification);
            received++;
        }
        else
        if (rc == MITRA_RC_PROTOCOL)
            fprintf (stderr, "mitra-watch: skipped a message: %s\n", mitra_sub_last_error (sub));
        else
        if (rc == MITRA_RC_UNREACHABLE) {
            fprintf (stderr, "mitra-watch: the ZeroMQ context went away\n");
            exit_code = MITRA_EXIT_UNREACHABLE;
            break;
        }
    }
    mitra_sub_destroy (&sub);
    return exit_code;
}
