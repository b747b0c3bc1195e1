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

    Never applies a line after a refused one unless --continue is given.
    The lines are pipelined (up to S_WINDOW in flight, so that mitrad
    commits them in large synced batches rather than one fsync per line),
    so when a line is refused the next ones are already on their way: each
    line names the one before it as `after` (PROTOCOL.md 4.1), and mitrad
    refuses a line whose `after` was not accepted. The refusals that follow
    a refused line are a chain of after_not_applied, which this command
    counts as "not sent", exactly as if it had waited for every reply.
    A line applied before in the other form (with --continue, which sends
    no `after`, or by an import from before `after`) has the same id but
    other bytes: mitrad says `conflict` on the id, and that line is sent
    once more in the other form to get its first reply.
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
//  Lines between the oldest without its outcome and the newest sent: four
//  times what mitrad commits in one batch (batch_max, 1024 by default).
//  Since mitrad syncs a commit on a thread of its own while it applies the
//  next batch, three batches are in flight at once -- one being synced
//  (its replies held), one being applied, one queued -- and with only
//  twice batch_max mitrad's batches shrank and it waited for lines. 1M
//  lines of the bench mix, alternating: 2000 lines 24.0 and 24.9 s, 4096
//  22.2 and 22.4 s, 8000 22.9 and 23.1 s (bench/PROFILE.md).
#define S_WINDOW 4096
//  The outcome of a line refused before it was sent (next to mitra_rc_t's)
#define S_LOCAL (-1)

//  One line of the window.
typedef struct {
    size_t number;                  //  in the file, from 1
    char id [MITRA_REQUEST_ID_MAX + 1];
    char previous [MITRA_REQUEST_ID_MAX + 1];   //  the event line before's id; "" for the first
    json_t *object;                 //  the parsed line
    const char *type;               //  from `object`; NULL if it has none
    msgpack_sbuffer data;           //  kept to send it again in the other form
    bool sent_after;                //  the form on the wire names `previous` as `after`
    bool other_form_tried;
    bool done;                      //  `outcome` is known
    int outcome;                    //  MITRA_RC_OK, MITRA_RC_REJECTED or S_LOCAL
    mitra_reply_t *reply;
    //  S_LOCAL: what is wrong with the line
    const char *code;
    const char *field;
    char problem [256];
} s_line_t;

typedef struct {
    mitra_cli_t *cli;
    const char *path;
    bool keep_going;                //  --continue
    bool sending;                   //  more lines may go; false once one is refused
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

//  Check line `number` and put it on the wire, naming the line before as
//  `after` (not the first line, and not with --continue). A line that
//  cannot be sent is finished at once with its problem. Returns 0, or
//  MITRA_RC_INTERRUPTED.
static int
s_line_start (s_import_t *self, mitra_client_t *client, s_line_t *line, size_t number,
              const char *text, size_t len, const unsigned char *digest, const char *previous)
{
    line->number = number;
    snprintf (line->previous, sizeof line->previous, "%s", previous);
    //  The line number first, zero-padded: one import's ids then sort in
    //  the order they are sent, so mitrad's idempotency table grows at its
    //  end instead of dirtying a random page per line (a third less written
    //  and ~1.5x faster on 1M lines, bench/PROFILE.md)
    static const char hex [] = "0123456789abcdef";
    int prefix = snprintf (line->id, sizeof line->id, "import-%010zu-", number);
    char *at = line->id + prefix;
    for (int index = 0; index < 16; index++) {
        *at++ = hex [digest [index] >> 4];
        *at++ = hex [digest [index] & 15];
    }
    *at = 0;

    json_error_t json_error;
    json_t *object = json_loadb (text, len, JSON_REJECT_DUPLICATES, &json_error);
    line->object = object;
    line->code = object ? "invalid_field" : "malformed";
    if (!object)
        snprintf (line->problem, sizeof line->problem, "not JSON: %s (column %d)",
                  json_error.text, json_error.column);
    else
    if (!json_is_object (object))
        snprintf (line->problem, sizeof line->problem, "a line holds one object: "
                  "{\"type\": \"org.registered\", \"data\": {...}}");
    else {
        const char *key;
        json_t *value;
        json_object_foreach (object, key, value)
            if (strcmp (key, "type") != 0 && strcmp (key, "data") != 0) {
                snprintf (line->problem, sizeof line->problem, "unknown key '%s': a line "
                          "has only \"type\" and \"data\"", key);
                line->field = "type";
            }
        line->type = json_string_value (json_object_get (object, "type"));
        if (!*line->problem && !line->type) {
            snprintf (line->problem, sizeof line->problem, "\"type\" must be the event "
                      "type, a string like \"org.registered\"");
            line->field = "type";
        }
        else
        if (!*line->problem && !json_is_object (json_object_get (object, "data"))) {
            snprintf (line->problem, sizeof line->problem, "\"data\" must be an object "
                      "with the event's fields");
            line->field = "data";
        }
    }
    if (!*line->problem) {
        msgpack_packer pk;
        msgpack_packer_init (&pk, &line->data, msgpack_sbuffer_write);
        if (mitra_json_pack (&pk, json_object_get (object, "data"))) {
            snprintf (line->problem, sizeof line->problem, "\"data\" is nested too deeply");
            line->code = "malformed";
            line->field = "data";
        }
    }
    if (*line->problem) {
        line->done = true;
        line->outcome = S_LOCAL;
        return 0;
    }
    line->sent_after = !self->keep_going && *previous;
    int rc = mitra_client_event_send (client, line->id, line->sent_after ? previous : NULL,
                                      line->type, line->data.data, line->data.size);
    if (rc == MITRA_RC_INVALID) {
        //  Only an event type the client cannot send, like an empty one
        snprintf (line->problem, sizeof line->problem, "%s", mitra_client_last_error (client));
        line->field = "type";
        line->done = true;
        line->outcome = S_LOCAL;
    }
    return rc == MITRA_RC_INTERRUPTED ? rc : 0;
}

//  A reply to one of the lines in flight. A `conflict` on the id means the
//  line was applied before in the other form -- with `after` where this
//  run sends none, or the reverse: by an import with --continue, or by one
//  from before `after` existed. Sending that form asks mitrad for its first
//  reply; it can apply nothing, as the id is taken.
static void
s_line_reply (s_import_t *self, mitra_client_t *client, s_line_t *window, size_t head,
              size_t count, int rc, mitra_reply_t **reply_p)
{
    mitra_reply_t *reply = *reply_p;
    s_line_t *line = NULL;
    for (size_t index = 0; index < count && !line; index++) {
        s_line_t *candidate = &window [(head + index) % S_WINDOW];
        if (!candidate->done && strcmp (candidate->id, mitra_reply_id (reply)) == 0)
            line = candidate;
    }
    if (!line) {
        mitra_reply_destroy (reply_p);
        return;
    }
    const char *code = mitra_reply_error_code (reply);
    const char *field = mitra_reply_error_field (reply);
    if (rc == MITRA_RC_REJECTED && !line->other_form_tried && *line->previous
    &&  strcmp (code, "conflict") == 0 && field && strcmp (field, "id") == 0) {
        line->other_form_tried = true;
        line->sent_after = !line->sent_after;
        if (mitra_client_event_send (client, line->id, line->sent_after ? line->previous : NULL,
                                     line->type, line->data.data, line->data.size)
            == MITRA_RC_OK) {
            mitra_reply_destroy (reply_p);
            return;
        }
    }
    line->done = true;
    line->outcome = rc;
    line->reply = reply;
    *reply_p = NULL;
    //  Nothing after a refused line will be applied: send no more
    if (rc == MITRA_RC_REJECTED && !self->keep_going)
        self->sending = false;
}

//  Count and report a finished line, in file order. Returns 0 to go on, or
//  the exit code to stop with.
static int
s_line_finish (s_import_t *self, s_line_t *line)
{
    if (line->outcome == MITRA_RC_OK) {
        if (mitra_reply_seq (line->reply) <= self->last_seq)
            self->already++;
        else
            self->accepted++;
        return 0;
    }
    self->rejected++;
    if (line->outcome == S_LOCAL)
        s_report (self, line->number, line->type, line->code, line->problem, line->field);
    else
        s_report (self, line->number, line->type, mitra_reply_error_code (line->reply),
                  mitra_reply_error_message (line->reply), mitra_reply_error_field (line->reply));
    return self->keep_going ? 0 : MITRA_EXIT_REJECTED;
}

//  Empty a line of the window for the next; its buffer stays for reuse.
static void
s_line_clear (s_line_t *line)
{
    json_decref (line->object);
    mitra_reply_destroy (&line->reply);
    msgpack_sbuffer data = line->data;
    msgpack_sbuffer_clear (&data);
    memset (line, 0, sizeof *line);
    line->data = data;
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
                        .last_percent = -1, .sending = true };
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
    s_line_t *window = calloc (S_WINDOW, sizeof *window);
    if (!window) {
        fprintf (stderr, "mitra import: out of memory\n");
        rc = MITRA_EXIT_USAGE;
        goto out;
    }
    for (size_t index = 0; index < S_WINDOW; index++)
        msgpack_sbuffer_init (&window [index].data);
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
    char previous [MITRA_REQUEST_ID_MAX + 1] = "";
    size_t number = 0, head = 0, count = 0, failed_line = 0;
    int failure = 0;                //  a client return code that ends the import
    const char *cursor = data;
    while (true) {
        //  Fill the window: up to S_WINDOW lines between the oldest not yet
        //  finished and the newest sent
        while (self.sending && count < S_WINDOW && cursor < data + size) {
            const char *end = memchr (cursor, '\n', (size_t) (data + size - cursor));
            size_t len = end ? (size_t) (end - cursor) : (size_t) (data + size - cursor);
            const char *text = cursor;
            cursor += len + 1;
            number++;
            digest = zdigest_new ();
            if (digest) {
                zdigest_update (digest, chain, sizeof chain);
                zdigest_update (digest, (const byte *) text, len);
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
            if (s_is_blank (text, len))
                continue;
            s_line_t *line = &window [(head + count++) % S_WINDOW];
            failure = s_line_start (&self, client, line, number, text, len, chain, previous);
            snprintf (previous, sizeof previous, "%s", line->id);
            //  A line refused here stops the sending (without --continue)
            if (line->done && !self.keep_going)
                self.sending = false;
            if (failure) {
                failed_line = number;
                break;
            }
        }
        //  Finish the lines in file order, as far as they have their outcome
        while (!failure && count && window [head].done) {
            s_line_t *line = &window [head];
            int stop = s_line_finish (&self, line);
            self.done++;
            if (stop) {
                self.stopped_at = line->number;
                rc = stop;
                break;
            }
            s_line_clear (line);
            head = (head + 1) % S_WINDOW;
            count--;
            s_progress_show (&self);
        }
        //  Stopped: what is still in flight comes after the refused line
        //  and names it, through `after`, so it is refused too -- not sent,
        //  as far as this import is concerned
        if (self.stopped_at || failure)
            break;
        if (count == 0) {
            if (!self.sending || cursor >= data + size)
                break;
            continue;
        }
        mitra_reply_t *reply = NULL;
        int got = mitra_client_reply_recv (client, &reply);
        if (got == MITRA_RC_OK || got == MITRA_RC_REJECTED) {
            s_line_reply (&self, client, window, head, count, got, &reply);
            mitra_reply_destroy (&reply);
            continue;
        }
        //  No answer for the oldest line in flight: it, and any after it,
        //  may or may not have been applied
        failure = got;
        failed_line = window [head].number;
        break;
    }
    if (failure) {
        self.done++;
        self.stopped_at = failed_line;
        s_progress_clear (&self);
        fprintf (stderr, "%s:%zu: ", self.path, failed_line);
        bool json = cli->json;
        cli->json = false;
        rc = mitra_cli_outcome (cli, client, failure, NULL);
        cli->json = json;
    }
    s_summary (&self, self.events - self.done);
    if (rc == MITRA_EXIT_OK && self.rejected)
        rc = MITRA_EXIT_REJECTED;
out:
    s_progress_clear (&self);
    if (window)
        for (size_t index = 0; index < S_WINDOW; index++) {
            s_line_clear (&window [index]);
            msgpack_sbuffer_destroy (&window [index].data);
        }
    free (window);
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
        "The lines are sent in order over one connection, up to 2000 at a time without\n"
        "waiting for each reply, so that mitrad commits many in one write to disk. A\n"
        "rejected line stops the import, naming FILE:LINE, the event type and the\n"
        "error; no line after it is applied, even those already on their way (each\n"
        "names the line before it, and mitrad applies none whose line before was not\n"
        "applied). With --continue every line is tried and each rejection reported.\n"
        "A progress bar shows on stderr when it is a terminal. At the end a summary: events accepted now, already applied\n"
        "by an earlier run, rejected, not sent (--json: each rejection, then the\n"
        "summary, one JSON object per line).\n"
        "\n"
        "Running the same file again changes nothing: each line's request id is\n"
        "import-<line>-<hash>, where <hash> is the SHA-1 of the file's content up to\n"
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
