/*  mitra_cmd_log -- `mitra hello` (is the daemon there, and where is it
    up to) and `mitra log` (a page of the event log).
*/
#include "mitra_cli.h"
#include "mitra_codec.h"

#include <stdlib.h>

static int
s_hello (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    int npos;
    int rc = mitra_cli_start (cli, command, argc, argv, NULL, &npos);
    if (rc != MITRA_CLI_RUN)
        return rc;
    if (npos > 0)
        return mitra_cli_usage_error (command, "takes no arguments");
    mitra_reply_t *reply;
    rc = mitra_cli_query (cli, "hello", NULL, 0, &reply);
    if (rc)
        return rc;
    if (cli->json)
        rc = mitra_cli_print_json (mitra_reply_result (reply), false) ? MITRA_EXIT_PROTOCOL : 0;
    else
        mitra_cli_print_record (stdout, mitra_reply_result (reply));
    mitra_reply_destroy (&reply);
    return rc;
}

const mitra_cli_command_t mitra_cmd_hello = {
    .name = "hello",
    .run = s_hello,
    .summary = "Check that mitrad answers; show its version and last sequence numbers.",
    .usage = "",
    .help =
        "Shows the daemon's version and protocol, the last event-log and notification\n"
        "sequence numbers, and the endpoint where notifications are published\n"
        "(for mitra-watch). Exit status 3 when mitrad does not answer.\n",
    .options = NULL,
};

static const mitra_cli_option_t s_log_options [] = {
    { "since", 0, "SEQ", "start at this event-log position (default 1)" },
    { "limit", 0, "N", "show at most N events, 1..1000 (default 100)" },
    { "type", 0, "TYPE", "only events of this type" },
    { NULL }
};

//  One line for people: SEQ  RECEIVED_AT  TYPE  key=value...
static void
s_print_event (const msgpack_object *event)
{
    uint64_t seq = 0;
    mitra_obj_uint (mitra_map_get (event, "seq"), &seq);
    char received_at [40] = "-", type [64] = "-";
    mitra_obj_str_copy (mitra_map_get (event, "received_at"), received_at, sizeof received_at);
    mitra_obj_str_copy (mitra_map_get (event, "type"), type, sizeof type);
    printf ("%6llu  %-24s  %-24s  ", (unsigned long long) seq, received_at, type);
    const msgpack_object *data = mitra_map_get (event, "data");
    if (data)
        mitra_cli_print_summary (stdout, data, 40);
    printf ("\n");
}

static int
s_log (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    const char *values [3];
    int npos;
    int rc = mitra_cli_start (cli, command, argc, argv, values, &npos);
    if (rc != MITRA_CLI_RUN)
        return rc;
    if (npos > 0)
        return mitra_cli_usage_error (command, "unexpected argument '%s'", argv [1]);
    uint64_t since = 0, limit = 0;
    if (values [0] && mitra_cli_parse_uint (values [0], 1, UINT64_MAX, &since))
        return mitra_cli_usage_error (command, "--since takes a sequence number (from 1), "
                                      "not '%s'", values [0]);
    if (values [1] && mitra_cli_parse_uint (values [1], 1, 1000, &limit))
        return mitra_cli_usage_error (command, "--limit takes a number from 1 to 1000, not '%s'",
                                      values [1]);

    //  Only what was asked for goes into args: the daemon owns the defaults
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, (values [0] != NULL) + (values [1] != NULL) + (values [2] != NULL));
    if (values [0]) {
        mitra_pack_cstr (&pk, "since");
        msgpack_pack_uint64 (&pk, since);
    }
    if (values [1]) {
        mitra_pack_cstr (&pk, "limit");
        msgpack_pack_uint64 (&pk, limit);
    }
    if (values [2]) {
        mitra_pack_cstr (&pk, "type");
        mitra_pack_cstr (&pk, values [2]);
    }
    mitra_reply_t *reply = NULL;
    rc = mitra_cli_query (cli, "log", sbuf.data, sbuf.size, &reply);
    msgpack_sbuffer_destroy (&sbuf);
    if (rc)
        return rc;

    const msgpack_object *result = mitra_reply_result (reply);
    const msgpack_object *events = mitra_map_get (result, "events");
    if (!events || events->type != MSGPACK_OBJECT_ARRAY) {
        fprintf (stderr, "error: the log reply has no list of events\n");
        mitra_reply_destroy (&reply);
        return MITRA_EXIT_PROTOCOL;
    }
    for (uint32_t index = 0; index < events->via.array.size; index++) {
        const msgpack_object *event = &events->via.array.ptr [index];
        if (cli->json) {
            if (mitra_cli_print_json (event, false))
                rc = MITRA_EXIT_PROTOCOL;
        }
        else
            s_print_event (event);
    }
    uint64_t next;
    if (mitra_obj_uint (mitra_map_get (result, "next"), &next))
        fprintf (stderr, "(more events: mitra log --since %llu%s%s%s%s)\n",
                 (unsigned long long) next,
                 values [1] ? " --limit " : "", values [1] ? values [1] : "",
                 values [2] ? " --type " : "", values [2] ? values [2] : "");
    mitra_reply_destroy (&reply);
    return rc;
}

const mitra_cli_command_t mitra_cmd_log = {
    .name = "log",
    .run = s_log,
    .summary = "Show the event log: every accepted event, in order.",
    .usage = "[--since SEQ] [--limit N] [--type TYPE]",
    .help =
        "Prints one page of events, one per line:\n"
        "  SEQ  RECEIVED_AT  TYPE  key=value...\n"
        "(long values are cut; --json prints each event whole, one JSON object per\n"
        "line). When more events follow, says so on stderr with the --since to\n"
        "pass for the next page; 'mitra --json query log' gives the raw page with\n"
        "its `next`.\n",
    .options = s_log_options,
};
