/*  bench_spawn -- the whole-process latency of a command, as a person at a
    terminal feels it: start, run, exit.

    bench_spawn -n RUNS [--warmup K] -- CMD ARGS...

    Runs CMD (looked up on PATH) K times unmeasured, then RUNS times
    measured, one after the other, each with posix_spawn and stdin, stdout
    and stderr on /dev/null, and times each from just before the spawn to
    the return of waitpid. An argument "{}" in ARGS (or containing it) gets
    the run's number, counted from 1 over warm-ups and runs together, so
    that each run can send a different value.

    Prints one line of JSON on stdout: runs, median_ms, p99_ms, min_ms,
    max_ms, mean_ms. Every run must exit 0: otherwise it says which run and
    how it ended on stderr, and exits 1 without figures -- it must never
    report a latency for a command that failed.
*/
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define S_MARK "{}"

static void
s_usage (void)
{
    fprintf (stderr, "usage: bench_spawn -n RUNS [--warmup K] -- CMD ARGS...\n"
                     "  times RUNS runs of CMD (after K unmeasured ones); \"{}\" in ARGS\n"
                     "  becomes the run number; prints one JSON line\n");
    exit (2);
}

static double
s_now_ms (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (double) now.tv_sec * 1e3 + (double) now.tv_nsec / 1e6;
}

static int
s_compare (const void *a, const void *b)
{
    double left = *(const double *) a, right = *(const double *) b;
    return (left > right) - (left < right);
}

//  `text` with every "{}" replaced by `number`; malloc'd.
static char *
s_substitute (const char *text, long number)
{
    char digits [24];
    snprintf (digits, sizeof digits, "%ld", number);
    size_t marks = 0;
    for (const char *at = strstr (text, S_MARK); at; at = strstr (at + 2, S_MARK))
        marks++;
    char *result = malloc (strlen (text) + marks * strlen (digits) + 1);
    if (!result)
        return NULL;
    char *out = result;
    const char *at;
    while ((at = strstr (text, S_MARK))) {
        memcpy (out, text, (size_t) (at - text));
        out += at - text;
        out = stpcpy (out, digits);
        text = at + 2;
    }
    strcpy (out, text);
    return result;
}

//  One run of argv (with "{}" replaced); its wall time in *ms_p. Returns 0
//  when it exited 0, else -1 after saying why.
static int
s_run (char **argv, int argc, long number, const posix_spawn_file_actions_t *actions,
       double *ms_p)
{
    char **args = calloc ((size_t) argc + 1, sizeof *args);
    int rc = -1;
    if (!args)
        goto out;
    for (int index = 0; index < argc; index++)
        if (!(args [index] = s_substitute (argv [index], number)))
            goto out;
    double started = s_now_ms ();
    pid_t pid;
    int err = posix_spawnp (&pid, args [0], actions, NULL, args, environ);
    if (err) {
        fprintf (stderr, "bench_spawn: cannot start %s: %s\n", args [0], strerror (err));
        goto out;
    }
    int status;
    while (waitpid (pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf (stderr, "bench_spawn: waitpid: %s\n", strerror (errno));
            goto out;
        }
    *ms_p = s_now_ms () - started;
    if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
        rc = 0;
    else
    if (WIFEXITED (status))
        fprintf (stderr, "bench_spawn: run %ld of %s exited with %d\n", number, args [0],
                 WEXITSTATUS (status));
    else
        fprintf (stderr, "bench_spawn: run %ld of %s ended by signal %d\n", number, args [0],
                 WTERMSIG (status));
out:
    if (args)
        for (int index = 0; index < argc; index++)
            free (args [index]);
    free (args);
    return rc;
}

int
main (int argc, char *argv [])
{
    long runs = 0, warmup = 0;
    static const struct option options [] = {
        { "runs", required_argument, NULL, 'n' },
        { "warmup", required_argument, NULL, 'w' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int option;
    while ((option = getopt_long (argc, argv, "+n:w:h", options, NULL)) != -1) {
        char *end;
        switch (option) {
            case 'n':
                runs = strtol (optarg, &end, 10);
                if (*end || runs < 1 || runs > 10000000)
                    s_usage ();
                break;
            case 'w':
                warmup = strtol (optarg, &end, 10);
                if (*end || warmup < 0 || warmup > 10000000)
                    s_usage ();
                break;
            default:
                s_usage ();
        }
    }
    //  getopt stops at "--" and consumes it
    if (runs < 1 || optind >= argc)
        s_usage ();
    char **command = argv + optind;
    int command_argc = argc - optind;

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init (&actions);
    posix_spawn_file_actions_addopen (&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen (&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen (&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);

    double *times = calloc ((size_t) runs, sizeof *times);
    int rc = 1;
    if (!times) {
        fprintf (stderr, "bench_spawn: out of memory\n");
        goto out;
    }
    for (long number = 1; number <= warmup + runs; number++) {
        double ms;
        if (s_run (command, command_argc, number, &actions, &ms))
            goto out;
        if (number > warmup)
            times [number - warmup - 1] = ms;
    }
    double sum = 0;
    for (long index = 0; index < runs; index++)
        sum += times [index];
    qsort (times, (size_t) runs, sizeof *times, s_compare);
    //  Nearest rank: the smallest time at or above the given share of runs
    long p99_rank = (runs * 99 + 99) / 100;
    double median = runs % 2 ? times [runs / 2]
                             : (times [runs / 2 - 1] + times [runs / 2]) / 2;
    printf ("{\"runs\":%ld,\"median_ms\":%.3f,\"p99_ms\":%.3f,\"min_ms\":%.3f,"
            "\"max_ms\":%.3f,\"mean_ms\":%.3f}\n", runs, median, times [p99_rank - 1],
            times [0], times [runs - 1], sum / (double) runs);
    rc = 0;
out:
    free (times);
    posix_spawn_file_actions_destroy (&actions);
    return rc;
}
