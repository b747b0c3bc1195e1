/*  mitra_cmd_import -- `mitra import FILE`: send the events of a JSON-lines
    file, one per line, each as {"type": ..., "data": {...}}, in order,
    over one connection, and say how it went.

    Running the same file again must change nothing, so each line's request
    id is fixed by the file's content: SHA-1 over the content up to and
    including that line (a hash chain: h(n) = SHA-1 (h(n-1) || line n)),
    plus the line number. A renamed or copied file is the same import;
    after a rejected line is fixed, or lines are appended, the lines before
    keep their ids (already applied) and only the changed line and those
    after it are new. The daemon answers a known id with its first reply,
    whose seq is at most the log's last seq before this run began: that is
    how a line is known to be "already applied".

    Never sends a line after a refused one unless --continue is given.
*/
#include "mitra_cli.h"
#include "mitra_json.h"
#include "mitra_view.h"

#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_DIGEST_SIZE 20

typedef struct {
    mitra_cli_t *cli;
    const char *path;
    bool keep_going;                //  --continue
    bool progress;                  //  a bar on stderr
    bool bar_shown;
    int last_percent;
    size_t events, done;            //  event lines in the file, and handled so far
    size_t accepted, already, rejected;
    size_t stopped_at;              //  line number, 0 if not stopped
    uint64_t last_seq;              //  the event log's end before this run
} s_import_t;

static const mitra_cli_option_t s_options [] = {
    { "continue", 0, NULL, "go on after a rejected line (each is reported); "
                           "the exit status is still 1" },
    { NULL }
};

//  The whole file (or stdin for "-"), NUL-terminated; NULL after printing why.
static char *
s_read_all (const char *path, size_t *size_p)
{
    FILE *file = strcmp (path, "-") == 0 ? stdin : fopen (path, "rb");
    if (!file) {
        fprintf (stderr, "mitra import: cannot open %s: %s\n", path, strerror (errno));
        return NULL;
    }
    size_t size = 0, capacity = 65536;
    char *data = malloc (capacity + 1);
    while (data) {
        size_t got = fread (data + size, 1, capacity - size, file);
        size += got;
        if (size < capacity)
            break;
        capacity *= 2;
        char *bigger = realloc (data, capacity + 1);
        if (!bigger) {
            free (data);
            data = NULL;
            break;
        }
        data = bigger;
    }
    bool failed = ferror (file) || !data;
    if (file != stdin)
        fclose (file);
    if (failed) {
        fprintf (stderr, "mitra import: cannot read %s: %s\n", path,
                 data ? strerror (errno) : "out of memory");
        free (data);
        return NULL;
    }
    data [size] = 0;
    *size_p = size;
    return data;
}

//  A line with nothing to send: blank, or a comment starting with '#'.
static bool
s_is_blank (const char *line, size_t len)
{
    size_t at = 0;
    while (at < len && (line [at] == ' ' || line [at] == '\t' || line [at] == '\r'))
        at++;
    return at == len || line [at] == '#';
}

static void
s_progress_clear (s_import_t *self)
{
    if (self->bar_shown) {
        fprintf (stderr, "\r\033[K");
        self->bar_shown = false;
        self->last_percent = -1;
    }
}

static void
s_progress_show (s_import_t *self)
{
    if (!self->progress || self->events == 0)
        return;
    int percent = (int) (self->done * 100 / self->events);
    if (percent == self->last_percent && self->done != self->events)
        return;
    char bar [40];
    mitra_view_bar (bar, sizeof bar, percent, 30);
    fprintf (stderr, "\rimporting %s %3d%%  %zu/%zu", bar, percent, self->done, self->events);
    fflush (stderr);
    self->bar_shown = true;
    self->last_percent = percent;
}

//  Report a rejected line: on stderr for people, and as a JSON line on
//  stdout with --json.
static void
s_report (s_import_t *self, size_t line, const char *type, const char *code,
          const char *message, const char *field)
{
    s_progress_clear (self);
    fprintf (stderr, "%s:%zu:%s%s ", self->path, line, type ? " " : "", type ? type : "");
    mitra_cli_print_error (code, message, field);
    if (self->cli->json) {
        json_t *report = json_pack ("{s:I, s:s?, s:{s:s, s:s, s:s?}}", "line", (json_int_t) line,
                                    "type", type, "error", "code", code, "message", message,
                                    "field", field);
        char *text = report ? json_dumps (report, JSON_COMPACT) : NULL;
        if (text)
            printf ("%s\n", text);
        free (text);
        json_decref (report);
    }
}

//  Send line `number`; returns 0 to go on, or the exit code to stop with.
static int
s_send_line (s_import_t *self, mitra_client_t *client, size_t number, const char *line,
             size_t len, const unsigned char *digest)
{
    json_error_t json_error;
    json_t *object = json_loadb (line, len, JSON_REJECT_DUPLICATES, &json_error);
    const char *type = NULL;
    char problem [256] = "";
    const char *field = NULL;
    if (!object)
        snprintf (problem, sizeof problem, "not JSON: %s (column %d)", json_error.text,
                  json_error.column);
    else
    if (!json_is_object (object))
        snprintf (problem, sizeof problem, "a line holds one object: "
                  "{\"type\": \"org.registered\", \"data\": {...}}");
    else {
        const char *key;
        json_t *value;
        json_object_foreach (object, key, value)
            if (strcmp (key, "type") != 0 && strcmp (key, "data") != 0) {
                snprintf (problem, sizeof problem, "unknown key '%s': a line has only "
                          "\"type\" and \"data\"", key);
                field = "type";
            }
        type = json_string_value (json_object_get (object, "type"));
        if (!*problem && !type) {
            snprintf (problem, sizeof problem, "\"type\" must be the event type, a string "
                      "like \"org.registered\"");
            field = "type";
        }
        else
        if (!*problem && !json_is_object (json_object_get (object, "data"))) {
            snprintf (problem, sizeof problem, "\"data\" must be an object with the "
                      "event's fields");
            field = "data";
        }
    }
    int exit_code = 0;
    if (*problem) {
        self->rejected++;
        s_report (self, number, type, object ? "invalid_field" : "malformed", problem, field);
        exit_code = self->keep_going ? 0 : MITRA_EXIT_REJECTED;
        json_decref (object);
        return exit_code;
    }
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    if (mitra_json_pack (&pk, json_object_get (object, "data"))) {
        self->rejected++;
        s_report (self, number, type, "malformed", "\"data\" is nested too deeply", "data");
        msgpack_sbuffer_destroy (&sbuf);
        json_decref (object);
        return self->keep_going ? 0 : MITRA_EXIT_REJECTED;
    }

    char id [MITRA_REQUEST_ID_MAX + 1];
    int used = snprintf (id, sizeof id, "import-");
    for (int at = 0; at < 16; at++)
        used += snprintf (id + used, sizeof id - (size_t) used, "%02x", digest [at]);
    snprintf (id + used, sizeof id - (size_t) used, "-%zu", number);

    mitra_reply_t *reply = NULL;
    int rc = mitra_client_event_with_id (client, id, type, sbuf.data, sbuf.size, &reply);
    if (rc == MITRA_RC_OK) {
        if (mitra_reply_seq (reply) <= self->last_seq)
            self->already++;
        else
            self->accepted++;
    }
    else
    if (rc == MITRA_RC_REJECTED) {
        self->rejected++;
        s_report (self, number, type, mitra_reply_error_code (reply),
                  mitra_reply_error_message (reply), mitra_reply_error_field (reply));
        exit_code = self->keep_going ? 0 : MITRA_EXIT_REJECTED;
    }
    else {
        s_progress_clear (self);
        fprintf (stderr, "%s:%zu: ", self->path, number);
        bool json = self->cli->json;
        self->cli->json = false;
        exit_code = mitra_cli_outcome (self->cli, client, rc, reply);
        self->cli->json = json;
    }
    mitra_reply_destroy (&reply);
    msgpack_sbuffer_destroy (&sbuf);
    json_decref (object);
    return exit_code;
}

static void
s_summary (s_import_t *self, size_t not_sent)
{
    s_progress_clear (self);
    if (self->cli->json) {
        json_t *summary = json_pack ("{s:s, s:I, s:I, s:I, s:I, s:I, s:o}",
                                     "file", self->path, "events", (json_int_t) self->events,
                                     "accepted", (json_int_t) self->accepted,
                                     "already_applied", (json_int_t) self->already,
                                     "rejected", (json_int_t) self->rejected,
                                     "not_sent", (json_int_t) not_sent,
                                     "stopped_at_line", self->stopped_at
                                         ? json_integer ((json_int_t) self->stopped_at)
                                         : json_null ());
        char *text = summary ? json_dumps (summary, JSON_COMPACT) : NULL;
        if (text)
            printf ("%s\n", text);
        free (text);
        json_decref (summary);
        return;
    }
    printf ("%s: %zu event%s: %zu accepted, %zu already applied, %zu rejected",
            self->path, self->events, self->events == 1 ? "" : "s",
            self->accepted, self->already, self->rejected);
    if (not_sent)
        printf (", %zu not sent", not_sent);
    printf ("\n");
    if (self->stopped_at && self->rejected)
        printf ("stopped at line %zu. Fix it and run the same command again: the lines "
                "before it are already applied and are skipped (or use --continue)\n",
                self->stopped_at);
    else
    if (self->stopped_at)
        printf ("stopped at line %zu. Run the same command again when mitrad answers: "
                "what was applied is skipped\n", self->stopped_at);
}

static int
s_import (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    const char *values [1];
    int npos;
    int rc = mitra_cli_start (cli, command, argc, argv, values, &npos);
    if (rc != MITRA_CLI_RUN)
        return rc;
    if (npos != 1)
        return mitra_cli_usage_error (command, npos ? "one FILE at a time, not %d"
                                                    : "which FILE? (%d given)", npos);
    s_import_t self = { .cli = cli, .path = argv [1], .keep_going = values [0] != NULL,
                        .progress = !cli->json && isatty (STDERR_FILENO) == 1,
                        .last_percent = -1 };
    size_t size;
    char *data = s_read_all (self.path, &size);
    if (!data)
        return MITRA_EXIT_USAGE;
    for (const char *line = data; line < data + size; ) {
        const char *end = memchr (line, '\n', (size_t) (data + size - line));
        size_t len = end ? (size_t) (end - line) : (size_t) (data + size - line);
        self.events += !s_is_blank (line, len);
        line += len + 1;
    }
    mitra_client_t *client = NULL;
    mitra_reply_t *hello = NULL;
    zdigest_t *digest = NULL;
    client = mitra_cli_connect (cli, &rc);
    if (!client)
        goto out;
    //  Where the event log ends now: a reply with a seq up to here is the
    //  first reply of a line applied before
    rc = mitra_client_query (client, "hello", NULL, 0, &hello);
    if (rc != MITRA_RC_OK) {
        rc = mitra_cli_outcome (cli, client, rc, hello);
        goto out;
    }
    mitra_obj_uint (mitra_map_get (mitra_reply_result (hello), "last_seq"), &self.last_seq);
    rc = MITRA_EXIT_OK;

    unsigned char chain [S_DIGEST_SIZE] = { 0 };
    size_t number = 0;
    for (const char *line = data; line < data + size && !self.stopped_at; ) {
        const char *end = memchr (line, '\n', (size_t) (data + size - line));
        size_t len = end ? (size_t) (end - line) : (size_t) (data + size - line);
        number++;
        digest = zdigest_new ();
        if (digest) {
            zdigest_update (digest, chain, sizeof chain);
            zdigest_update (digest, (const byte *) line, len);
        }
        const byte *hash = digest ? zdigest_data (digest) : NULL;
        if (!hash || zdigest_size (digest) != S_DIGEST_SIZE) {
            fprintf (stderr, "error: no SHA-1 digest from czmq (built without it?); "
                             "cannot derive request ids\n");
            rc = MITRA_EXIT_USAGE;
            goto out;
        }
        memcpy (chain, hash, sizeof chain);
        zdigest_destroy (&digest);
        if (!s_is_blank (line, len)) {
            int stop = s_send_line (&self, client, number, line, len, chain);
            self.done++;
            if (stop) {
                self.stopped_at = number;
                rc = stop;
            }
            else
                s_progress_show (&self);
        }
        line += len + 1;
    }
    s_summary (&self, self.events - self.done);
    if (rc == MITRA_EXIT_OK && self.rejected)
        rc = MITRA_EXIT_REJECTED;
out:
    s_progress_clear (&self);
    zdigest_destroy (&digest);
    mitra_reply_destroy (&hello);
    mitra_client_destroy (&client);
    free (data);
    return rc;
}

const mitra_cli_command_t mitra_cmd_import = {
    .name = "import",
    .run = s_import,
    .summary = "Send the events of a JSON-lines file, one per line; safe to run again.",
    .usage = "FILE [--continue]",
    .help =
        "Each line is one event: {\"type\": \"org.registered\", \"data\": {\"org\": \"ngo-hijau\",\n"
        "\"name\": \"Yayasan Hijau\", \"kind\": \"ngo\"}}, with the fields of 'mitra send TYPE\n"
        "--help'. Blank lines and lines starting with # are skipped. FILE - reads stdin.\n"
        "\n"
        "The lines are sent in order over one connection. A rejected line stops the\n"
        "import, naming FILE:LINE, the event type and the error; with --continue every\n"
        "line is tried and each rejection reported. A progress bar shows on stderr when\n"
        "it is a terminal. At the end a summary: events accepted now, already applied\n"
        "by an earlier run, rejected, not sent (--json: each rejection, then the\n"
        "summary, one JSON object per line).\n"
        "\n"
        "Running the same file again changes nothing: each line's request id is\n"
        "import-<hash>-<line>, where <hash> is the SHA-1 of the file's content up to\n"
        "and including that line (chained line by line), so it does not depend on the\n"
        "file's name or place: a renamed copy is the same import. mitrad answers a\n"
        "known id with its first reply and records nothing twice (those lines count\n"
        "as already applied). After you fix a rejected line, or append lines, the\n"
        "lines before it keep their ids and are skipped; that line and those after it\n"
        "are sent. Editing a line that was applied makes it and every later line new\n"
        "events: edit only lines that were rejected or not yet sent (after --continue,\n"
        "put the fixed lines in a file of their own).\n"
        "\n"
        "Exit status: 0 when every line was accepted or already applied, 1 when a\n"
        "line was rejected (also with --continue), 2 when FILE cannot be read, 3 when\n"
        "mitrad stopped answering (run the same command again).\n"
        "\n"
        "  mitra import partners.jsonl\n"
        "  mitra import --continue partners.jsonl\n",
    .options = s_options,
};
