/*  mitra_cmd_backup -- `mitra backup DEST`: ask mitrad for an online,
    compacted, synced copy of its store. The copy is written by the daemon,
    on its machine; the command waits for it and reports size and last seq.
*/
#include "mitra_cli.h"
#include "mitra_codec.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
s_backup (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    int npos;
    int rc = mitra_cli_start (cli, command, argc, argv, NULL, &npos);
    if (rc != MITRA_CLI_RUN)
        return rc;
    if (npos != 1)
        return mitra_cli_usage_error (command, "takes one argument: the directory for the copy");
    //  The daemon resolves nothing relative to our directory: send it absolute
    char path [PATH_MAX];
    if (argv [1][0] == '/')
        snprintf (path, sizeof path, "%s", argv [1]);
    else {
        char cwd [PATH_MAX];
        if (!getcwd (cwd, sizeof cwd)
        ||  snprintf (path, sizeof path, "%s/%s", cwd, argv [1]) >= (int) sizeof path)
            return mitra_cli_usage_error (command, "DEST is too long");
    }
    msgpack_sbuffer args;
    msgpack_sbuffer_init (&args);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &args, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 1);
    mitra_pack_cstr (&pk, "path");
    mitra_pack_cstr (&pk, path);
    //  A copy takes as long as the store is large, and is not to be
    //  started twice by a retry
    if (cli->timeout_ms == 5000)
        cli->timeout_ms = 3600 * 1000;
    cli->retries = 0;
    mitra_reply_t *reply;
    rc = mitra_cli_query (cli, "backup", args.data, args.size, &reply);
    msgpack_sbuffer_destroy (&args);
    if (rc)
        return rc;
    const msgpack_object *result = mitra_reply_result (reply);
    if (cli->json)
        rc = mitra_cli_print_json (result, false)? MITRA_EXIT_PROTOCOL: 0;
    else {
        uint64_t bytes = 0, last_seq = 0;
        mitra_obj_uint (mitra_map_get (result, "bytes"), &bytes);
        mitra_obj_uint (mitra_map_get (result, "last_seq"), &last_seq);
        printf ("backup written to %s: %.1f MiB, events up to seq %llu\n", path,
                (double) bytes / (1024.0 * 1024.0), (unsigned long long) last_seq);
    }
    mitra_reply_destroy (&reply);
    return rc;
}

const mitra_cli_command_t mitra_cmd_backup = {
    .name = "backup",
    .run = s_backup,
    .summary = "Have mitrad write a compacted copy of its store while it keeps serving.",
    .usage = "DEST",
    .help =
        "mitrad copies its LMDB store into the new directory DEST (on the daemon's\n"
        "machine; a relative DEST is taken from the current directory), compacted,\n"
        "and syncs it. Events keep being accepted meanwhile; the copy holds every\n"
        "event up to the seq printed. Only local administrators (the ipc socket)\n"
        "may ask. Waits up to an hour unless --timeout says otherwise; never retried.\n"
        "\n"
        "To restore: stop mitrad, move the state directory aside, create it again\n"
        "with DEST/data.mdb in it (owned by the daemon's user), start mitrad, and\n"
        "check it with `mitrad --verify`.\n",
    .options = NULL,
};
