/*  mitra-watch -- mitrad's notifications, every one, in order: printed, or
    handed to a command, from any position and resumable.

    Built on libmitra's mitra_stream (the Clone pattern with gap repair and
    heartbeats), so it misses nothing while it runs; with --resume it also
    keeps its position on disk, written atomically after each notification
    it handled, so that a watcher killed at any moment starts again right
    after the last notification it finished.

    Delivery is at least once, in order: a notification is marked handled
    only after it was printed (and flushed) or its command exited 0, so a
    crash between the two repeats that one notification -- and only that
    one. stdout is flushed after every line because scripts read it through
    a pipe. Signals only set czmq's zsys_interrupted.
*/
#include "mitra_cli.h"

#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define S_RUN_SLICE_MS       1000
#define S_BACKOFF_FIRST_MS   200
#define S_BACKOFF_MAX_MS     30000

static const mitra_cli_option_t s_options [] = {
    { "endpoint", 'e', "ENDPOINT",
      "mitrad's request socket (env MITRA_ENDPOINT)" },
    { "runtime-dir", 0, "DIR",
      "use ipc://DIR/mitrad.sock (env MITRA_RUNTIME_DIR; default "
      MITRA_DEFAULT_RUNTIME_DIR ")" },
    { "pub-endpoint", 0, "ENDPOINT",
      "notification socket (env MITRA_PUB_ENDPOINT); default: the one mitrad names" },
    { "key", 0, "FILE", "tcp:// only: this client's CURVE key pair, NAME_secret from "
      "'mitra keygen' (env MITRA_KEY)" },
    { "server-key", 0, "FILE", "tcp:// only: mitrad's public certificate (env "
      "MITRA_SERVER_KEY)" },
    { "partnership", 'p', "P", "only notifications about partnership P" },
    { "since", 0, "SEQ", "start with notification SEQ (1: the whole log)" },
    { "resume", 'r', "FILE", "start after the seq stored in FILE; store each one handled" },
    { "json", 0, NULL, "print each notification as one JSON object per line" },
    { "exec", 'x', "CMD", "run CMD for each notification instead of printing it" },
    { "count", 'n', "N", "stop after N notifications" },
    { "verbose", 'v', NULL, "report repairs and reconnections on stderr" },
    { "help", 'h', NULL, "show this help" },
    { "version", 0, NULL, "print the version" },
    { NULL }
};
enum {
    S_ENDPOINT, S_RUNTIME_DIR, S_PUB_ENDPOINT, S_KEY, S_SERVER_KEY, S_PARTNERSHIP, S_SINCE,
    S_RESUME, S_JSON,
    S_EXEC, S_COUNT, S_VERBOSE, S_HELP, S_VERSION, S_OPTION_COUNT
};

typedef struct {
    const char *partnership;        //  keep only this partnership, or NULL
    const char *resume_path;        //  or NULL
    const char *command;            //  --exec, or NULL
    bool json;
    uint64_t count;                 //  0: no limit
    uint64_t handled;
    bool failed;                    //  the position could not be stored: stop
} s_watch_t;

static void
s_print_usage (FILE *out)
{
    fprintf (out,
        "usage: mitra-watch [PREFIX...] [--partnership P] [--since SEQ | --resume FILE]\n"
        "                   [--json] [--exec CMD] [--count N] [-e ENDPOINT | --runtime-dir DIR]\n"
        "\n"
        "Every notification of mitrad's notification log, in order, with nothing\n"
        "missing and nothing twice: printed, or handed to a command. Notifications\n"
        "that ZeroMQ drops (a slow or stopped watcher, a restarted daemon) are read\n"
        "back from the log; when mitrad goes silent -- not even a heartbeat --\n"
        "mitra-watch reconnects and catches up on its own.\n"
        "\n"
        "A PREFIX selects topics: 'milestone.' every milestone notification,\n"
        "'event.' every accepted event, 'milestone.overdue/p-x' one kind for one\n"
        "partnership. No prefix: everything. --partnership P keeps only the\n"
        "notifications whose partnership is exactly P.\n"
        "\n"
        "Where it starts: --since SEQ with notification SEQ (--since 1: the whole\n"
        "log); --resume FILE right after the seq stored in FILE, or, when FILE does\n"
        "not exist yet, with what comes next (FILE is created at once). Without\n"
        "either: with what comes next. A SEQ older than mitrad keeps (its\n"
        "notifications/keep_days and keep_entries) is an error naming the oldest.\n"
        "\n"
        "Each line is  SEQ  TOPIC  AT  DATA  (DATA as compact JSON, '(late)' after a\n"
        "deadline published late); with --json, the whole notification as one JSON\n"
        "object per line.\n"
        "\n"
        "--exec CMD runs '/bin/sh -c CMD' for each notification, with the notification\n"
        "as JSON on its stdin and MITRA_TOPIC, MITRA_SEQ and MITRA_PARTNERSHIP (empty\n"
        "when none) in its environment, one at a time, in order. When CMD exits\n"
        "non-zero it is run again for the same notification after 0.2 s, 0.4 s, ...\n"
        "up to 30 s between tries, until it exits 0; only then comes the next.\n"
        "\n"
        "Delivery guarantee: at least once, in order. A notification counts as\n"
        "handled once its line is written or CMD exited 0; with --resume its seq is\n"
        "then stored (written to FILE.tmp, synced, renamed over FILE). After a crash\n"
        "or kill -9 the one notification being handled may come again; commands\n"
        "that must act once can skip a MITRA_SEQ they have already done.\n"
        "\n"
        "options:\n");
    mitra_cli_print_options (out, s_options);
    fprintf (out,
        "\n"
        "environment:\n"
        "  MITRA_ENDPOINT      request endpoint, e.g. ipc:///run/mitra/mitrad.sock\n"
        "  MITRA_PUB_ENDPOINT  notification endpoint, if not the one mitrad names\n"
        "  MITRA_RUNTIME_DIR   directory of mitrad's sockets (default "
        MITRA_DEFAULT_RUNTIME_DIR ")\n"
        "\n"
        "exit status: 0 when interrupted or after N notifications; 1 the notifications\n"
        "asked for are no longer kept, or mitrad refused; 2 usage error or the resume\n"
        "file cannot be read or written; 3 the ZeroMQ context went away.\n");
}

//  --- the resume file

//  Read the position from `path`. Returns 1 when there is no such file, 0
//  with *position set, -1 after printing why.
static int
s_resume_read (const char *path, uint64_t *position)
{
    FILE *file = fopen (path, "r");
    if (!file) {
        if (errno == ENOENT)
            return 1;
        fprintf (stderr, "mitra-watch: cannot read %s: %s\n", path, strerror (errno));
        return -1;
    }
    char text [64] = "";
    bool ok = fgets (text, sizeof text, file) != NULL;
    fclose (file);
    text [strcspn (text, "\n")] = 0;
    if (!ok || mitra_cli_parse_uint (text, 0, UINT64_MAX - 1, position)) {
        fprintf (stderr, "mitra-watch: %s does not hold a seq (it holds '%s'); "
                 "remove it to start afresh\n", path, text);
        return -1;
    }
    return 0;
}

//  Store `position` in `path` so that a crash at any moment leaves either
//  the old or the new seq: write a temporary file, sync it, rename it over
//  the old one, sync the directory. Returns 0, or -1 after printing why.
static int
s_resume_write (const char *path, uint64_t position)
{
    char temporary [PATH_MAX], directory [PATH_MAX];
    if (snprintf (temporary, sizeof temporary, "%s.tmp", path) >= (int) sizeof temporary) {
        fprintf (stderr, "mitra-watch: resume file name too long: %s\n", path);
        return -1;
    }
    snprintf (directory, sizeof directory, "%s", path);
    char text [32];
    int length = snprintf (text, sizeof text, "%llu\n", (unsigned long long) position);
    int fd = open (temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0
    ||  write (fd, text, (size_t) length) != length
    ||  fsync (fd)
    ||  close (fd)) {
        fprintf (stderr, "mitra-watch: cannot write %s: %s\n", temporary, strerror (errno));
        if (fd >= 0)
            close (fd);
        return -1;
    }
    if (rename (temporary, path)) {
        fprintf (stderr, "mitra-watch: cannot rename %s to %s: %s\n", temporary, path,
                 strerror (errno));
        return -1;
    }
    int dir_fd = open (dirname (directory), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || fsync (dir_fd)) {
        fprintf (stderr, "mitra-watch: cannot sync the directory of %s: %s\n", path,
                 strerror (errno));
        if (dir_fd >= 0)
            close (dir_fd);
        return -1;
    }
    close (dir_fd);
    return 0;
}

//  --- handling one notification

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

//  The environment for CMD: ours without any MITRA_TOPIC, MITRA_SEQ or
//  MITRA_PARTNERSHIP, then those three. Built before spawning because a
//  child of a threaded process may not allocate. Free with free ().
static char **
s_command_environment (mitra_notification_t *notification, char *storage, size_t size)
{
    size_t count = 0;
    while (environ [count])
        count++;
    char **env = calloc (count + 4, sizeof *env);
    if (!env)
        return NULL;
    size_t used = 0;
    for (size_t index = 0; index < count; index++)
        if (strncmp (environ [index], "MITRA_TOPIC=", 12)
        &&  strncmp (environ [index], "MITRA_SEQ=", 10)
        &&  strncmp (environ [index], "MITRA_PARTNERSHIP=", 18))
            env [used++] = environ [index];
    const char *partnership = mitra_notification_partnership (notification);
    int topic_length = snprintf (storage, size, "MITRA_TOPIC=%s", mitra_notification_topic (notification));
    int seq_length = snprintf (storage + topic_length + 1, size - (size_t) topic_length - 1,
                               "MITRA_SEQ=%llu",
                               (unsigned long long) mitra_notification_seq (notification));
    snprintf (storage + topic_length + seq_length + 2,
              size - (size_t) topic_length - (size_t) seq_length - 2,
              "MITRA_PARTNERSHIP=%s", partnership ? partnership : "");
    env [used++] = storage;
    env [used++] = storage + topic_length + 1;
    env [used++] = storage + topic_length + seq_length + 2;
    return env;
}

//  Run the command once for `notification`. Returns its exit status (0 is
//  success), or -1 after printing why it could not run.
static int
s_run_command (const char *command, mitra_notification_t *notification)
{
    //  The JSON text and a newline (written over its terminator)
    char *json = mitra_notification_json (notification);
    char *line = json ? realloc (json, strlen (json) + 2) : NULL;
    if (line)
        json = line;
    char storage [1024];
    char **env = s_command_environment (notification, storage, sizeof storage);
    int fds [2] = { -1, -1 };
    int status = -1;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init (&actions);
    posix_spawnattr_init (&attributes);
    if (!line || !env || pipe2 (fds, O_CLOEXEC)) {
        fprintf (stderr, "mitra-watch: cannot prepare the command: %s\n", strerror (errno));
        goto out;
    }
    //  The body goes into the pipe before the command starts, so that the
    //  command reads all of it even if we are killed right after spawning
    size_t length = strlen (json), written = 0;
    json [length++] = '\n';
    if (length > 65536)
        fcntl (fds [1], F_SETPIPE_SZ, (int) (length < (1 << 20) ? length : (1 << 20)));
    fcntl (fds [1], F_SETFL, O_NONBLOCK);
    ssize_t bytes = write (fds [1], json, length);
    if (bytes > 0)
        written = (size_t) bytes;
    fcntl (fds [1], F_SETFL, 0);
    //  We ignore SIGPIPE; the command should not inherit that
    sigset_t defaults;
    sigemptyset (&defaults);
    sigaddset (&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault (&attributes, &defaults);
    posix_spawnattr_setflags (&attributes, POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_adddup2 (&actions, fds [0], STDIN_FILENO);
    char *argv [] = { "/bin/sh", "-c", (char *) command, NULL };
    pid_t pid;
    int rc = posix_spawn (&pid, "/bin/sh", &actions, &attributes, argv, env);
    close (fds [0]);
    fds [0] = -1;
    if (rc) {
        fprintf (stderr, "mitra-watch: cannot run /bin/sh: %s\n", strerror (rc));
        goto out;
    }
    //  The rest of a large body; a command that does not read its stdin
    //  closes the pipe: EPIPE, fine
    while (written < length) {
        bytes = write (fds [1], json + written, length - written);
        if (bytes < 0 && errno == EINTR)
            continue;
        if (bytes <= 0)
            break;
        written += (size_t) bytes;
    }
    close (fds [1]);
    fds [1] = -1;
    int wait_status;
    while (waitpid (pid, &wait_status, 0) < 0)
        if (errno != EINTR) {
            fprintf (stderr, "mitra-watch: lost the command: %s\n", strerror (errno));
            goto out;
        }
    status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
out:
    if (fds [0] >= 0)
        close (fds [0]);
    if (fds [1] >= 0)
        close (fds [1]);
    posix_spawn_file_actions_destroy (&actions);
    posix_spawnattr_destroy (&attributes);
    free (env);
    free (json);
    return status;
}

//  Run the command until it exits 0, backing off between tries. False
//  when interrupted first.
static bool
s_exec (const char *command, mitra_notification_t *notification)
{
    int backoff_ms = S_BACKOFF_FIRST_MS;
    while (true) {
        int status = s_run_command (command, notification);
        if (status == 0)
            return true;
        fprintf (stderr, "mitra-watch: command %s for seq %llu; trying again in %.1f s\n",
                 status < 0 ? "did not run" : "failed",
                 (unsigned long long) mitra_notification_seq (notification), backoff_ms / 1000.0);
        for (int slept = 0; slept < backoff_ms; slept += 50) {
            if (zsys_interrupted)
                return false;
            zclock_sleep (50);
        }
        backoff_ms = backoff_ms * 2 > S_BACKOFF_MAX_MS ? S_BACKOFF_MAX_MS : backoff_ms * 2;
    }
}

static mitra_stream_action_t
s_on_notification (mitra_notification_t *notification, void *arg)
{
    s_watch_t *watch = arg;
    if (watch->partnership) {
        const char *partnership = mitra_notification_partnership (notification);
        if (!partnership || strcmp (partnership, watch->partnership))
            return MITRA_STREAM_NEXT;
    }
    if (watch->command) {
        if (!s_exec (watch->command, notification))
            return MITRA_STREAM_RETRY;
    }
    else
        s_print (notification, watch->json);
    if (watch->resume_path
    &&  s_resume_write (watch->resume_path, mitra_notification_seq (notification))) {
        watch->failed = true;
        return MITRA_STREAM_RETRY;
    }
    watch->handled++;
    return watch->count && watch->handled >= watch->count ? MITRA_STREAM_STOP : MITRA_STREAM_NEXT;
}

//  --- main

static void
s_report (mitra_stream_t *stream)
{
    mitra_stream_stats_t stats;
    mitra_stream_stats (stream, &stats);
    fprintf (stderr, "mitra-watch: position %llu; delivered %llu (live %llu, replayed %llu), "
             "gaps %llu, lost tails %llu, duplicates dropped %llu, pages %llu, "
             "heartbeats %llu, reconnects %llu\n",
             (unsigned long long) mitra_stream_position (stream),
             (unsigned long long) stats.delivered, (unsigned long long) stats.live,
             (unsigned long long) stats.replayed, (unsigned long long) stats.gaps,
             (unsigned long long) stats.tails, (unsigned long long) stats.duplicates,
             (unsigned long long) stats.pages, (unsigned long long) stats.heartbeats,
             (unsigned long long) stats.reconnects);
}

int
main (int argc, char **argv)
{
    //  Installs czmq's SIGINT/SIGTERM handler before anything can block
    zsys_init ();
    signal (SIGPIPE, SIG_IGN);

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
    s_watch_t watch = {
        .partnership = values [S_PARTNERSHIP], .resume_path = values [S_RESUME],
        .command = values [S_EXEC], .json = values [S_JSON] != NULL
    };
    if (values [S_COUNT] && mitra_cli_parse_uint (values [S_COUNT], 1, UINT64_MAX, &watch.count)) {
        fprintf (stderr, "mitra-watch: --count takes a positive number, not '%s'\n",
                 values [S_COUNT]);
        return MITRA_EXIT_USAGE;
    }
    if (values [S_SINCE] && values [S_RESUME]) {
        fprintf (stderr, "mitra-watch: give --since or --resume, not both\n");
        return MITRA_EXIT_USAGE;
    }
    if ((watch.partnership && !*watch.partnership) || (watch.command && !*watch.command)
    ||  (watch.resume_path && !*watch.resume_path)) {
        fprintf (stderr, "mitra-watch: --partnership, --exec and --resume take a non-empty value\n");
        return MITRA_EXIT_USAGE;
    }
    if (npos > 16) {
        fprintf (stderr, "mitra-watch: at most 16 prefixes\n");
        return MITRA_EXIT_USAGE;
    }
    uint64_t position = MITRA_STREAM_LIVE;
    if (values [S_SINCE]) {
        uint64_t since;
        if (mitra_cli_parse_uint (values [S_SINCE], 1, UINT64_MAX - 1, &since)) {
            fprintf (stderr, "mitra-watch: --since takes a seq (1 or more), not '%s'\n",
                     values [S_SINCE]);
            return MITRA_EXIT_USAGE;
        }
        position = since - 1;
    }
    bool resume_missing = false;
    if (watch.resume_path) {
        int rc = s_resume_read (watch.resume_path, &position);
        if (rc < 0)
            return MITRA_EXIT_USAGE;
        resume_missing = rc == 1;
    }
    mitra_cli_t cli;
    mitra_cli_init (&cli);
    cli.endpoint = values [S_ENDPOINT];
    cli.runtime_dir = values [S_RUNTIME_DIR];
    cli.key_file = values [S_KEY];
    cli.server_key_file = values [S_SERVER_KEY];
    const char *endpoint = mitra_cli_endpoint (&cli, "MITRA_ENDPOINT", "mitrad.sock");
    if (!endpoint)
        return MITRA_EXIT_USAGE;
    mitra_curve_keys_t keys;
    bool curve;
    if (mitra_cli_curve_keys (&cli, endpoint, &keys, &curve))
        return MITRA_EXIT_USAGE;
    const char *pub_endpoint = values [S_PUB_ENDPOINT];
    if (!pub_endpoint && getenv ("MITRA_PUB_ENDPOINT") && *getenv ("MITRA_PUB_ENDPOINT"))
        pub_endpoint = getenv ("MITRA_PUB_ENDPOINT");

    //  A watcher may well start before the daemon: say so, then wait
    struct stat st;
    if (strncmp (endpoint, "ipc://", 6) == 0 && endpoint [6] && endpoint [6] != '@'
    &&  stat (endpoint + 6, &st) != 0)
        fprintf (stderr, "mitra-watch: no socket at %s (%s) yet; waiting for mitrad\n",
                 endpoint + 6, cli.origin);

    //  Positional arguments are now argv [1..npos]; the list ends in NULL
    const char *prefixes [17] = { NULL };
    for (int index = 0; index < npos; index++)
        prefixes [index] = argv [index + 1];
    mitra_stream_options_t options;
    mitra_stream_options_init (&options);
    options.prefixes = prefixes;
    options.pub_endpoint = pub_endpoint;
    options.curve = curve ? &keys : NULL;
    mitra_stream_t *stream = mitra_stream_new (endpoint, position, &options);
    memset (&keys, 0, sizeof keys);
    if (!stream) {
        fprintf (stderr, "mitra-watch: cannot watch '%s' (%s): %s\n", endpoint, cli.origin,
                 errno == EINVAL ? "bad endpoint, or a prefix longer than 128 bytes"
                                 : strerror (errno));
        return MITRA_EXIT_USAGE;
    }
    int exit_code = MITRA_EXIT_OK;
    bool verbose = values [S_VERBOSE] != NULL;
    mitra_stream_stats_t seen = { 0 };
    while (true) {
        int rc = mitra_stream_run (stream, s_on_notification, &watch, S_RUN_SLICE_MS);
        //  A new resume file holds the live start as soon as it is known,
        //  so that a restart misses nothing that came after
        if (resume_missing && mitra_stream_position (stream) != MITRA_STREAM_LIVE) {
            if (s_resume_write (watch.resume_path, mitra_stream_position (stream))) {
                exit_code = MITRA_EXIT_USAGE;
                break;
            }
            resume_missing = false;
        }
        mitra_stream_stats_t stats;
        mitra_stream_stats (stream, &stats);
        if (verbose && (stats.reconnects > seen.reconnects || stats.gaps > seen.gaps
                        || stats.tails > seen.tails)) {
            if (stats.reconnects > seen.reconnects)
                fprintf (stderr, "mitra-watch: %s\n", mitra_stream_last_error (stream));
            s_report (stream);
        }
        if (stats.behind > seen.behind)
            fprintf (stderr, "mitra-watch: warning: %s\n", mitra_stream_last_error (stream));
        seen = stats;
        if (watch.failed) {
            exit_code = MITRA_EXIT_USAGE;
            break;
        }
        if (rc == MITRA_RC_TIMEOUT)
            continue;
        if (rc == MITRA_RC_OK && watch.count && watch.handled >= watch.count)
            break;
        if (rc == MITRA_RC_OK)
            continue;
        if (rc == MITRA_RC_REJECTED) {
            if (mitra_stream_oldest (stream))
                fprintf (stderr, "mitra-watch: notification %llu is no longer kept by mitrad "
                         "(retention); the oldest kept is %llu (use --since %llu to start there)\n",
                         (unsigned long long) mitra_stream_position (stream) + 1,
                         (unsigned long long) mitra_stream_oldest (stream),
                         (unsigned long long) mitra_stream_oldest (stream));
            else
                fprintf (stderr, "mitra-watch: mitrad refused the replay: %s\n",
                         mitra_stream_last_error (stream));
            exit_code = MITRA_EXIT_REJECTED;
        }
        else
        if (rc == MITRA_RC_UNREACHABLE) {
            fprintf (stderr, "mitra-watch: the ZeroMQ context went away\n");
            exit_code = MITRA_EXIT_UNREACHABLE;
        }
        break;
    }
    if (verbose)
        s_report (stream);
    mitra_stream_destroy (&stream);
    return exit_code;
}
