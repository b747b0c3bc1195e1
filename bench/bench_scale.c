/*  bench_scale -- what mitrad costs as its store grows: 1k, 100k and 1M
    partnerships with ten events each (issue #9, item 5).

    fill     Build a store the way mitrad builds it, through its engine
             (bench_scale_store.c says what the store holds).
    measure  One start of the real mitrad on such a store: time from just
             before fork to "READY=1" on a NOTIFY_SOCKET of our own, RSS
             after READY, a query mix over its ipc socket (each query
             timed), RSS again, SIGTERM by PID and exit status 0. Then, with
             the daemon gone, the data file's size and the next-deadline
             lookup as the engine does it after every batch (a read
             transaction and the first key of the due index).

    Prints one JSON object per line on stdout. Exits non-zero, saying why on
    stderr, on any failure: it never reports figures from a failed run, and
    never leaves the daemon it started running.
*/
#include "bench_scale.h"
#include "bench_util.h"
#include "mitra_codec.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#define S_READY_TIMEOUT_MS 300000   //  a start slower than this is a failure, not a figure
#define S_QUERY_TIMEOUT_MS 120000
#define S_STOP_TIMEOUT_MS 30000

//  --- measure: one start of the real daemon

typedef struct {
    const char *state_dir;
    const char *mitrad;
    const char *tmp;
    uint64_t size;
    int run;
    int gets;
    int others;                 //  org.get, partnership.list, health, due: each this many
    int matches;
    double fill_s;
    bool cold;                  //  the data file out of the page cache before the start
} s_options_t;

typedef struct {
    char dir [4096];            //  ours: runtime dir, notify socket, daemon's stderr
    char log [4200];
    pid_t pid;
    int notify_fd;
    void *context;
    void *dealer;
    uint64_t requests;
} s_daemon_t;

typedef struct {
    uint64_t rss, anon, file, shmem, hwm;   //  kB
} s_rss_t;

//  The daemon we started, for the signal handler: interrupted, we stop it
//  before we go, so that no daemon outlives the benchmark.
static volatile pid_t s_started_pid = 0;

static void
s_on_signal (int signal_number)
{
    if (s_started_pid > 0)
        kill (s_started_pid, SIGTERM);
    _exit (128 + signal_number);
}

static int
s_rss_read (pid_t pid, s_rss_t *rss)
{
    char path [64], line [256];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *file = fopen (path, "r");
    if (!file)
        return bench_scale_fail ("cannot read %s", path);
    memset (rss, 0, sizeof *rss);
    struct {
        const char *name;
        uint64_t *value;
    } fields [] = {
        { "VmRSS:", &rss->rss }, { "RssAnon:", &rss->anon }, { "RssFile:", &rss->file },
        { "RssShmem:", &rss->shmem }, { "VmHWM:", &rss->hwm }
    };
    while (fgets (line, sizeof line, file))
        for (size_t index = 0; index < sizeof fields / sizeof fields [0]; index++) {
            size_t length = strlen (fields [index].name);
            if (strncmp (line, fields [index].name, length) == 0)
                *fields [index].value = strtoull (line + length, NULL, 10);
        }
    fclose (file);
    return rss->rss? 0: bench_scale_fail ("no VmRSS in %s", path);
}

//  Exited (reaped, *status set) within `timeout_ms`?
static bool
s_wait_exit (pid_t pid, int timeout_ms, int *status)
{
    for (int waited = 0; waited <= timeout_ms; waited += 5) {
        if (waitpid (pid, status, WNOHANG) == pid)
            return true;
        usleep (5000);
    }
    return false;
}

static void
s_daemon_log_show (const s_daemon_t *daemon)
{
    char command [4300];
    snprintf (command, sizeof command, "tail -n 20 '%s' >&2", daemon->log);
    if (system (command))
        fprintf (stderr, "bench_scale: (no daemon log)\n");
}

//  Whatever happened: no daemon left running, nothing left behind.
static void
s_daemon_clean (s_daemon_t *daemon)
{
    if (daemon->dealer)
        zmq_close (daemon->dealer);
    if (daemon->context)
        zmq_ctx_term (daemon->context);
    daemon->dealer = daemon->context = NULL;
    if (daemon->pid > 0) {
        int status;
        kill (daemon->pid, SIGTERM);
        if (!s_wait_exit (daemon->pid, S_STOP_TIMEOUT_MS, &status)) {
            kill (daemon->pid, SIGKILL);
            waitpid (daemon->pid, &status, 0);
        }
        daemon->pid = 0;
        s_started_pid = 0;
    }
    if (daemon->notify_fd >= 0)
        close (daemon->notify_fd);
    daemon->notify_fd = -1;
    if (*daemon->dir) {
        char command [4200];
        snprintf (command, sizeof command, "rm -rf '%s'", daemon->dir);
        if (system (command))
            fprintf (stderr, "bench_scale: could not remove %s\n", daemon->dir);
        *daemon->dir = 0;
    }
}

//  Fork and exec mitrad with our NOTIFY_SOCKET; wait for READY=1. Sets
//  *ready_ns to the time from just before the fork to its arrival.
static int
s_daemon_start (s_daemon_t *daemon, const s_options_t *options, uint64_t *ready_ns)
{
    snprintf (daemon->dir, sizeof daemon->dir, "%s/bench-scale-XXXXXX", options->tmp);
    if (!mkdtemp (daemon->dir)) {
        *daemon->dir = 0;
        return bench_scale_fail ("cannot make a directory in %s", options->tmp);
    }
    char runtime [4200], notify [4200];
    snprintf (runtime, sizeof runtime, "%s/run", daemon->dir);
    snprintf (notify, sizeof notify, "%s/notify", daemon->dir);
    snprintf (daemon->log, sizeof daemon->log, "%s/mitrad.log", daemon->dir);
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    if (strlen (notify) >= sizeof address.sun_path)
        return bench_scale_fail ("%s is too long for a socket path", notify);
    memcpy (address.sun_path, notify, strlen (notify) + 1);
    daemon->notify_fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (daemon->notify_fd < 0
    ||  bind (daemon->notify_fd, (struct sockaddr *) &address, sizeof address))
        return bench_scale_fail ("cannot bind %s: %s", notify, strerror (errno));
    setenv ("NOTIFY_SOCKET", notify, 1);

    uint64_t started = bench_now_ns ();
    daemon->pid = fork ();
    if (daemon->pid == 0) {
        int fd = open (daemon->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0)
            dup2 (fd, 2);
        execl (options->mitrad, options->mitrad, "--state-dir", options->state_dir,
               "--runtime-dir", runtime, (char *) NULL);
        _exit (127);
    }
    unsetenv ("NOTIFY_SOCKET");
    s_started_pid = daemon->pid;
    if (daemon->pid < 0) {
        daemon->pid = 0;
        return bench_scale_fail ("cannot fork: %s", strerror (errno));
    }
    //  Datagrams until READY=1 (STATUS= and others may come too)
    while (bench_now_ns () - started < (uint64_t) S_READY_TIMEOUT_MS * 1000000) {
        struct pollfd item = { .fd = daemon->notify_fd, .events = POLLIN };
        if (poll (&item, 1, 100) == 1) {
            char message [1024];
            ssize_t size = recv (daemon->notify_fd, message, sizeof message - 1, 0);
            uint64_t now = bench_now_ns ();
            if (size <= 0)
                continue;
            message [size] = 0;
            for (char *line = strtok (message, "\n"); line; line = strtok (NULL, "\n"))
                if (strcmp (line, "READY=1") == 0) {
                    *ready_ns = now - started;
                    //  The daemon sends STATUS= after every batch, and a
                    //  unix datagram sender blocks once ten wait unread:
                    //  from now on its sends fail at once instead
                    close (daemon->notify_fd);
                    daemon->notify_fd = -1;
                    unlink (notify);
                    return 0;
                }
        }
        int status;
        if (waitpid (daemon->pid, &status, WNOHANG) == daemon->pid) {
            daemon->pid = s_started_pid = 0;
            s_daemon_log_show (daemon);
            return bench_scale_fail ("%s exited at start (status %d)", options->mitrad, status);
        }
    }
    s_daemon_log_show (daemon);
    return bench_scale_fail ("%s sent no READY=1 within %d s", options->mitrad,
                             S_READY_TIMEOUT_MS / 1000);
}

static int
s_daemon_connect (s_daemon_t *daemon)
{
    char endpoint [4300];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/run/mitrad.sock", daemon->dir);
    daemon->context = zmq_ctx_new ();
    daemon->dealer = daemon->context? zmq_socket (daemon->context, ZMQ_DEALER): NULL;
    int zero = 0;
    if (!daemon->dealer
    ||  zmq_setsockopt (daemon->dealer, ZMQ_LINGER, &zero, sizeof zero)
    ||  zmq_connect (daemon->dealer, endpoint))
        return bench_scale_fail ("cannot connect to %s: %s", endpoint, zmq_strerror (zmq_errno ()));
    return 0;
}

//  One query, `args` a packed map or NULL; waits for its reply. Returns 0
//  when it is ok, and sets *elapsed_ns (send to decoded reply).
static int
s_query (s_daemon_t *daemon, const char *name, const msgpack_sbuffer *args, uint64_t *elapsed_ns)
{
    uint64_t started = bench_now_ns ();
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    char id [32];
    snprintf (id, sizeof id, "q-%llu", (unsigned long long) ++daemon->requests);
    msgpack_pack_map (&pk, args? 5: 4);
    mitra_pack_cstr (&pk, "v");
    msgpack_pack_uint32 (&pk, 1);
    bench_scale_pack_str (&pk, "id", id);
    bench_scale_pack_str (&pk, "op", "query");
    bench_scale_pack_str (&pk, "q", name);
    if (args) {
        mitra_pack_cstr (&pk, "args");
        msgpack_sbuffer_write (&sbuf, args->data, args->size);
    }
    int rc = zmq_send (daemon->dealer, sbuf.data, sbuf.size, 0) < 0? -1: 0;
    msgpack_sbuffer_destroy (&sbuf);
    zmq_pollitem_t item = { daemon->dealer, 0, ZMQ_POLLIN, 0 };
    if (rc || zmq_poll (&item, 1, S_QUERY_TIMEOUT_MS) != 1)
        return bench_scale_fail ("no reply to %s within %d s", name, S_QUERY_TIMEOUT_MS / 1000);
    zmq_msg_t reply;
    zmq_msg_init (&reply);
    rc = zmq_msg_recv (&reply, daemon->dealer, 0) < 0? -1: 0;
    if (rc == 0) {
        mitra_error_t err;
        //  Replies can be large (a match at 1M): no decoder limits but memory
        mitra_limits_t limits = { .max_size = 1u << 30, .max_depth = 32,
                                  .max_elements = 1u << 24, .max_objects = 1u << 26,
                                  .max_string = 1u << 28 };
        mitra_doc_t *doc = mitra_doc_decode (zmq_msg_data (&reply), zmq_msg_size (&reply),
                                             &limits, &err);
        const msgpack_object *root = doc? mitra_doc_root (doc): NULL;
        const msgpack_object *ok = mitra_map_get (root, "ok");
        const msgpack_object *reply_id = mitra_map_get (root, "id");
        if (!ok || ok->type != MSGPACK_OBJECT_BOOLEAN || !ok->via.boolean
        ||  !mitra_obj_str_eq (reply_id, id)) {
            const msgpack_object *error = mitra_map_get (root, "error");
            char message [256] = "";
            mitra_obj_str_copy (mitra_map_get (error, "message"), message, sizeof message);
            rc = bench_scale_fail ("%s: not ok: %s", name, doc? message: "undecodable reply");
        }
        mitra_doc_destroy (&doc);
    }
    zmq_msg_close (&reply);
    *elapsed_ns = bench_now_ns () - started;
    return rc;
}

//  In µs, of `count` samples in ns (sorts them).
static double
s_percentile_us (uint64_t *samples, size_t count, double fraction)
{
    if (count == 0)
        return 0;
    qsort (samples, count, sizeof *samples, bench_compare_u64);
    size_t index = (size_t) (fraction * (double) (count - 1) + 0.5);
    return (double) samples [index < count? index: count - 1] / 1e3;
}

static uint64_t
s_random (uint64_t *state)
{
    return bench_scale_mix ((*state)++);
}

//  Pack {key: value} into `args`.
static void
s_args (msgpack_sbuffer *args, const char *key, const char *value)
{
    msgpack_sbuffer_clear (args);
    msgpack_packer pk;
    msgpack_packer_init (&pk, args, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 1);
    bench_scale_pack_str (&pk, key, value);
}

//  A page of a listing: {from: `from`, limit: `limit`}
static void
s_page_args (msgpack_sbuffer *args, const char *from, uint64_t limit)
{
    msgpack_sbuffer_clear (args);
    msgpack_packer pk;
    msgpack_packer_init (&pk, args, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2);
    bench_scale_pack_str (&pk, "from", from);
    msgpack_pack_str_with_body (&pk, "limit", 5);
    msgpack_pack_uint64 (&pk, limit);
}

typedef struct {
    uint64_t *get, *get_again, *org_get, *list, *health, *due, *list_page, *health_page, *match;
} s_samples_t;

typedef enum { S_GETS, S_GETS_AGAIN, S_OTHERS, S_MATCHES } s_stage_t;

//  One stage of the query mix. Partnerships and orgs are chosen at random
//  over the whole store, the same for every run with the same run number;
//  S_GETS_AGAIN asks for the partnerships of S_GETS once more: their pages
//  are in the page cache, and mapped unless mitrad unmapped them past its
//  map_resident_max.
static int
s_query_mix (s_daemon_t *daemon, const s_options_t *options, s_samples_t *samples,
             s_stage_t stage)
{
    uint64_t state = 0x9e37ull * (uint64_t) (options->run + 1)
                   + (stage == S_OTHERS? 3: stage == S_MATCHES? 7: 0);
    msgpack_sbuffer args;
    msgpack_sbuffer_init (&args);
    char id [24];
    int rc = 0;
    if (stage == S_GETS || stage == S_GETS_AGAIN)
        for (int round = 0; round < options->gets && rc == 0; round++) {
            bench_scale_partnership_id (s_random (&state) % options->size, id);
            s_args (&args, "partnership", id);
            rc = s_query (daemon, "partnership.get", &args,
                          stage == S_GETS? &samples->get [round]: &samples->get_again [round]);
        }
    else
    if (stage == S_OTHERS)
        for (int round = 0; round < options->others && rc == 0; round++) {
            uint64_t index = s_random (&state) % options->size;
            bench_scale_org_id (index, (int) (s_random (&state) & 1), id);
            s_args (&args, "org", id);
            rc = s_query (daemon, "org.get", &args, &samples->org_get [round]);
            //  The org's partnerships: the member index, never every partnership
            if (rc == 0)
                rc = s_query (daemon, "partnership.list", &args, &samples->list [round]);
            bench_scale_partnership_id (s_random (&state) % options->size, id);
            s_args (&args, "partnership", id);
            if (rc == 0)
                rc = s_query (daemon, "health", &args, &samples->health [round]);
            if (rc == 0)
                rc = s_query (daemon, "due", &args, &samples->due [round]);
            //  A page of the whole listing from the same partnership on
            s_page_args (&args, id, 100);
            if (rc == 0)
                rc = s_query (daemon, "partnership.list", &args, &samples->list_page [round]);
            if (rc == 0)
                rc = s_query (daemon, "health", &args, &samples->health_page [round]);
        }
    else
        for (int round = 0; round < options->matches && rc == 0; round++) {
            uint64_t index = s_random (&state) % options->size;
            bench_scale_org_id (index, (int) (s_random (&state) & 1), id);
            s_args (&args, "org", id);
            rc = s_query (daemon, "match", &args, &samples->match [round]);
        }
    msgpack_sbuffer_destroy (&args);
    return rc;
}

//  The daemon's page faults so far: minor (a page mapped that was in the
//  page cache) and major (read from the disk).
static int
s_faults_read (pid_t pid, uint64_t *minor, uint64_t *major)
{
    char path [64], line [1024];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *file = fopen (path, "r");
    char *fields = file && fgets (line, sizeof line, file)? strrchr (line, ')'): NULL;
    if (file)
        fclose (file);
    //  After "pid (comm)": state ppid pgrp session tty tpgid flags minflt
    //  cminflt majflt
    unsigned long long minflt, majflt;
    if (!fields || sscanf (fields + 1, " %*c %*d %*d %*d %*d %*d %*u %llu %*u %llu",
                           &minflt, &majflt) != 2)
        return bench_scale_fail ("cannot read the faults in %s", path);
    *minor = minflt;
    *major = majflt;
    return 0;
}

//  Evict the data file from the page cache -- this file only, nothing else
//  on the machine -- so the start reads what it needs from the disk.
static int
s_evict (const char *state_dir)
{
    char path [4200];
    snprintf (path, sizeof path, "%s/data.mdb", state_dir);
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    int rc = fd < 0 || fdatasync (fd) || posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED)? -1: 0;
    if (fd >= 0)
        close (fd);
    if (rc)
        return bench_scale_fail ("cannot evict %s from the page cache: %s", path, strerror (errno));
    return 0;
}

//  The machine's 1-minute load average: a run on a busy machine shows it.
static double
s_load (void)
{
    double load = -1;
    FILE *file = fopen ("/proc/loadavg", "r");
    if (file && fscanf (file, "%lf", &load) != 1)
        load = -1;
    if (file)
        fclose (file);
    return load;
}

static int
s_measure (const s_options_t *options)
{
    s_daemon_t daemon = { .notify_fd = -1 };
    size_t capacity = 2 * (size_t) options->gets + 6 * (size_t) options->others
                    + (size_t) options->matches;
    uint64_t *buffer = calloc (capacity? capacity: 1, sizeof *buffer);
    s_samples_t samples = { .get = buffer };
    samples.get_again = samples.get + options->gets;
    samples.org_get = samples.get_again + options->gets;
    samples.list = samples.org_get + options->others;
    samples.health = samples.list + options->others;
    samples.due = samples.health + options->others;
    samples.list_page = samples.due + options->others;
    samples.health_page = samples.list_page + options->others;
    samples.match = samples.health_page + options->others;
    s_rss_t start_rss, after_rss, match_rss;
    uint64_t ready_ns = 0, hello_ns = 0, stop_ns = 0;
    double load = s_load ();
    int rc = options->cold? s_evict (options->state_dir): 0;
    if (rc == 0)
        rc = s_daemon_start (&daemon, options, &ready_ns);
    //  Faults: [0] at READY, [1] before the gets, [2] after them, [3] after
    //  the same gets again
    uint64_t minor [4] = { 0 }, major [4] = { 0 };
    if (rc == 0)
        rc = s_rss_read (daemon.pid, &start_rss);
    if (rc == 0)
        rc = s_faults_read (daemon.pid, &minor [0], &major [0]);
    if (rc == 0)
        rc = s_daemon_connect (&daemon);
    if (rc == 0)
        rc = s_query (&daemon, "hello", NULL, &hello_ns);
    if (rc == 0)
        rc = s_faults_read (daemon.pid, &minor [1], &major [1]);
    if (rc == 0)
        rc = s_query_mix (&daemon, options, &samples, S_GETS);
    if (rc == 0)
        rc = s_faults_read (daemon.pid, &minor [2], &major [2]);
    if (rc == 0)
        rc = s_query_mix (&daemon, options, &samples, S_GETS_AGAIN);
    if (rc == 0)
        rc = s_faults_read (daemon.pid, &minor [3], &major [3]);
    if (rc == 0)
        rc = s_query_mix (&daemon, options, &samples, S_OTHERS);
    if (rc == 0)
        rc = s_rss_read (daemon.pid, &after_rss);
    if (rc == 0)
        rc = s_query_mix (&daemon, options, &samples, S_MATCHES);
    if (rc == 0)
        rc = s_rss_read (daemon.pid, &match_rss);
    if (rc == 0) {
        //  A clean stop, by PID, exit 0
        int status = 0;
        uint64_t started = bench_now_ns ();
        kill (daemon.pid, SIGTERM);
        if (!s_wait_exit (daemon.pid, S_STOP_TIMEOUT_MS, &status))
            rc = bench_scale_fail ("mitrad did not stop within %d s of SIGTERM",
                                   S_STOP_TIMEOUT_MS / 1000);
        else {
            stop_ns = bench_now_ns () - started;
            daemon.pid = s_started_pid = 0;
            if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
                s_daemon_log_show (&daemon);
                rc = bench_scale_fail ("mitrad stopped with status %d, not exit 0", status);
            }
        }
    }
    s_daemon_clean (&daemon);
    double lookup_ns = 0;
    uint64_t events = 0, allocated = 0;
    uint64_t bytes = bench_scale_file_sizes (options->state_dir, &allocated);
    if (rc == 0)
        rc = bench_scale_lookup (options->state_dir, &lookup_ns, &events);
    if (rc == 0) {
        int gets = options->gets, others = options->others, matches = options->matches;
        double get_p50 = s_percentile_us (samples.get, (size_t) gets, 0.5);
        double get_p99 = s_percentile_us (samples.get, (size_t) gets, 0.99);
        double get_max = s_percentile_us (samples.get, (size_t) gets, 1.0);
        printf ("{\"suite\":\"scale\",\"phase\":\"run\",\"size\":%llu,\"run\":%d,"
                "\"cache\":\"%s\",\"load1\":%.2f,"
                "\"events\":%llu,\"fill_s\":%.1f,\"ready_ms\":%.2f,"
                "\"rss_start_kb\":%llu,\"rss_anon_start_kb\":%llu,\"rss_file_start_kb\":%llu,"
                "\"rss_shmem_start_kb\":%llu,"
                "\"rss_after_kb\":%llu,\"rss_anon_after_kb\":%llu,\"rss_file_after_kb\":%llu,"
                "\"rss_after_match_kb\":%llu,\"rss_anon_after_match_kb\":%llu,"
                "\"rss_file_after_match_kb\":%llu,\"rss_peak_kb\":%llu,"
                "\"start_minflt\":%llu,\"start_majflt\":%llu,"
                "\"gets\":%d,\"get_p50_us\":%.1f,\"get_p99_us\":%.1f,\"get_max_us\":%.1f,"
                "\"get_minflt_per_query\":%.2f,\"get_majflt_per_query\":%.2f,"
                "\"get_again_p50_us\":%.1f,\"get_again_p99_us\":%.1f,"
                "\"get_again_minflt_per_query\":%.2f,"
                "\"others\":%d,\"org_get_p50_us\":%.1f,\"list_p50_us\":%.1f,"
                "\"health_p50_us\":%.1f,\"due_p50_us\":%.1f,"
                "\"list_page_p50_us\":%.1f,\"list_page_p99_us\":%.1f,"
                "\"health_page_p50_us\":%.1f,\"health_page_p99_us\":%.1f,"
                "\"matches\":%d,\"match_p50_us\":%.1f,\"match_max_us\":%.1f,"
                "\"first_query_us\":%.1f,\"stop_ms\":%.1f,"
                "\"data_bytes\":%llu,\"data_alloc_bytes\":%llu,\"next_lookup_ns\":%.1f}\n",
                (unsigned long long) options->size, options->run,
                options->cold? "cold": "warm", load,
                (unsigned long long) events,
                options->fill_s, (double) ready_ns / 1e6,
                (unsigned long long) start_rss.rss, (unsigned long long) start_rss.anon,
                (unsigned long long) start_rss.file, (unsigned long long) start_rss.shmem,
                (unsigned long long) after_rss.rss, (unsigned long long) after_rss.anon,
                (unsigned long long) after_rss.file,
                (unsigned long long) match_rss.rss, (unsigned long long) match_rss.anon,
                (unsigned long long) match_rss.file, (unsigned long long) match_rss.hwm,
                (unsigned long long) minor [0], (unsigned long long) major [0],
                gets, get_p50, get_p99, get_max,
                (double) (minor [2] - minor [1]) / gets, (double) (major [2] - major [1]) / gets,
                s_percentile_us (samples.get_again, (size_t) gets, 0.5),
                s_percentile_us (samples.get_again, (size_t) gets, 0.99),
                (double) (minor [3] - minor [2]) / gets, others,
                s_percentile_us (samples.org_get, (size_t) others, 0.5),
                s_percentile_us (samples.list, (size_t) others, 0.5),
                s_percentile_us (samples.health, (size_t) others, 0.5),
                s_percentile_us (samples.due, (size_t) others, 0.5),
                s_percentile_us (samples.list_page, (size_t) others, 0.5),
                s_percentile_us (samples.list_page, (size_t) others, 0.99),
                s_percentile_us (samples.health_page, (size_t) others, 0.5),
                s_percentile_us (samples.health_page, (size_t) others, 0.99), matches,
                s_percentile_us (samples.match, (size_t) matches, 0.5),
                s_percentile_us (samples.match, (size_t) matches, 1.0),
                (double) hello_ns / 1e3, (double) stop_ns / 1e6,
                (unsigned long long) bytes, (unsigned long long) allocated, lookup_ns);
        fflush (stdout);
    }
    free (buffer);
    return rc;
}

static void
s_usage (FILE *file)
{
    fprintf (file,
        "usage: bench_scale fill -d STATE_DIR -n PARTNERSHIPS\n"
        "       bench_scale measure -d STATE_DIR -n PARTNERSHIPS -m MITRAD [-r RUN]\n"
        "                   [-g GETS] [-q OTHERS] [-M MATCHES] [-F FILL_S] [-t TMPDIR] [-c]\n"
        "  fill     build a store of PARTNERSHIPS x 10 events through mitra_engine\n"
        "  measure  start MITRAD on it once: READY time, RSS, the query mix, the data\n"
        "           file, the next-deadline lookup; one JSON line on stdout\n"
        "  -g  partnership.get queries (default 2000)\n"
        "  -q  org.get, partnership.list (org), health and due (partnership), and a\n"
        "      page of 100 of partnership.list and of health from it: each\n"
        "      this many (default 200)\n"
        "  -M  match queries, measured last (default 10)\n"
        "  -F  the fill's seconds, copied into the line\n"
        "  -t  directory for the runtime dir (default $TMPDIR or /tmp)\n"
        "  -c  cold: evict data.mdb (only it) from the page cache before the start\n");
}

int
main (int argc, char *argv [])
{
    if (argc < 2 || (strcmp (argv [1], "fill") && strcmp (argv [1], "measure"))) {
        s_usage (argc > 1 && strcmp (argv [1], "-h") == 0? stdout: stderr);
        return argc > 1 && strcmp (argv [1], "-h") == 0? 0: 2;
    }
    bool fill = strcmp (argv [1], "fill") == 0;
    const char *tmp = getenv ("TMPDIR");
    s_options_t options = { .tmp = tmp && *tmp? tmp: "/tmp", .gets = 2000, .others = 200,
                            .matches = 10 };
    int option;
    optind = 2;
    while ((option = getopt (argc, argv, "d:n:m:r:g:q:M:F:t:ch")) != -1) {
        switch (option) {
            case 'd': options.state_dir = optarg; break;
            case 'n': options.size = strtoull (optarg, NULL, 10); break;
            case 'm': options.mitrad = optarg; break;
            case 'r': options.run = atoi (optarg); break;
            case 'g': options.gets = atoi (optarg); break;
            case 'q': options.others = atoi (optarg); break;
            case 'M': options.matches = atoi (optarg); break;
            case 'F': options.fill_s = atof (optarg); break;
            case 't': options.tmp = optarg; break;
            case 'c': options.cold = true; break;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 2;
        }
    }
    if (!options.state_dir || options.size == 0 || (!fill && !options.mitrad)
    ||  options.gets < 1 || options.others < 0 || options.matches < 0) {
        s_usage (stderr);
        return 2;
    }
    signal (SIGPIPE, SIG_IGN);
    struct sigaction action = { .sa_handler = s_on_signal };
    sigemptyset (&action.sa_mask);
    sigaction (SIGTERM, &action, NULL);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGHUP, &action, NULL);
    return (fill? bench_scale_fill (options.state_dir, options.size): s_measure (&options))? 1: 0;
}
