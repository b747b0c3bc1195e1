/*  mitra_cmd_keygen -- `mitra keygen NAME`: a CURVE key pair in czmq's
    certificate format, for mitrad (curve/server_cert) or for a client
    (its public half goes into mitrad's curve/allow_dir).

    The secret file is created 0600 before a byte is written to it, and
    nothing existing is ever overwritten: a lost secret key cannot be had
    back, and an overwritten one silently locks its owner out.
*/
#include "mitra_cli.h"

#include <czmq.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const mitra_cli_option_t s_options [] = {
    { "role", 0, "ROLE", "admin, writer or reader: what the key may do (for a client key)" },
    { "org", 0, "ORG", "the organization a writer key writes for (required with writer)" },
    { NULL }
};
enum { S_ROLE, S_ORG, S_OPTION_COUNT };

static bool
s_exists (const char *path)
{
    struct stat st;
    return lstat (path, &st) == 0;
}

static int
s_keygen (mitra_cli_t *cli, const mitra_cli_command_t *command, int argc, char **argv)
{
    const char *values [S_OPTION_COUNT];
    int npos;
    int rc = mitra_cli_start (cli, command, argc, argv, values, &npos);
    if (rc != MITRA_CLI_RUN)
        return rc;
    if (npos != 1)
        return mitra_cli_usage_error (command, npos? "one NAME only": "no NAME given");
    const char *name = argv [1];
    const char *role = values [S_ROLE];
    const char *org = values [S_ORG];
    if (role && strcmp (role, "admin") && strcmp (role, "writer") && strcmp (role, "reader"))
        return mitra_cli_usage_error (command, "--role is admin, writer or reader, not '%s'", role);
    if (role && strcmp (role, "writer") == 0 && !org)
        return mitra_cli_usage_error (command, "a writer key needs --org ORG: the organization "
                                               "it may write for");
    if (org && !(role && strcmp (role, "writer") == 0))
        return mitra_cli_usage_error (command, "--org is only for --role writer");
    if (org && !mitra_schema_slug_valid (org))
        return mitra_cli_usage_error (command, "--org '%s' is not an organization id (lower-case "
                                               "letters, digits, - _ ., like ngo-hijau)", org);
    char secret_path [PATH_MAX];
    if (!*name || snprintf (secret_path, sizeof secret_path, "%s_secret", name)
                  >= (int) sizeof secret_path)
        return mitra_cli_usage_error (command, "NAME is empty or too long");
    if (s_exists (name) || s_exists (secret_path)) {
        fprintf (stderr, "error: %s or %s already exists; keygen never overwrites a key "
                         "(remove it first, or choose another NAME)\n", name, secret_path);
        return MITRA_EXIT_USAGE;
    }

    zcert_t *cert = zcert_new ();
    if (!cert) {
        fprintf (stderr, "error: cannot make a key pair (is libzmq built with CURVE?)\n");
        return MITRA_EXIT_USAGE;
    }
    const char *base = strrchr (name, '/') ? strrchr (name, '/') + 1 : name;
    zcert_set_meta (cert, "name", "%s", base);
    if (role)
        zcert_set_meta (cert, "role", "%s", role);
    if (org)
        zcert_set_meta (cert, "org", "%s", org);
    int exit_code = MITRA_EXIT_OK;
    //  The secret file never exists with a wider mode than 0600
    mode_t old_mask = umask (0077);
    int saved = zcert_save_secret (cert, secret_path);
    umask (old_mask);
    if (saved == 0)
        saved = chmod (secret_path, 0600);
    if (saved == 0)
        saved = zcert_save_public (cert, name);
    if (saved) {
        fprintf (stderr, "error: cannot write %s and %s: %s\n", name, secret_path,
                 strerror (errno));
        exit_code = MITRA_EXIT_USAGE;
    }
    else
    if (cli->json) {
        json_t *result = json_pack ("{s:s, s:s, s:s, s:s?, s:s?}", "public", name,
                                    "secret", secret_path, "public_key", zcert_public_txt (cert),
                                    "role", role, "org", org);
        char *text = result ? json_dumps (result, JSON_COMPACT) : NULL;
        printf ("%s\n", text ? text : "{}");
        free (text);
        json_decref (result);
    }
    else {
        printf ("public key %s\n", zcert_public_txt (cert));
        printf ("wrote %s (public certificate%s%s%s%s)\n", name, role ? ", role " : "",
                role ? role : "", org ? " for " : "", org ? org : "");
        printf ("wrote %s (the key pair, mode 0600: keep it private)\n", secret_path);
        if (role)
            printf ("next: copy %s into mitrad's curve/allow_dir and reload it "
                    "(systemctl reload mitrad); give %s to the client (--key)\n",
                    name, secret_path);
        else
            printf ("next: for mitrad, set curve/server_cert = %s and give %s to every "
                    "client (--server-key)\n", secret_path, name);
    }
    zcert_destroy (&cert);
    return exit_code;
}

const mitra_cli_command_t mitra_cmd_keygen = {
    .name = "keygen",
    .run = s_keygen,
    .summary = "Make a CURVE key pair for mitrad or a TCP client.",
    .usage = "NAME [--role admin|writer|reader] [--org ORG]",
    .help =
        "Writes NAME, the public certificate, and NAME_secret, the key pair (mode\n"
        "0600), in czmq's certificate format. Never overwrites a file.\n"
        "\n"
        "For mitrad (no --role): set curve/server_cert = NAME_secret in mitrad.conf\n"
        "and give NAME to every client as its --server-key.\n"
        "\n"
        "For a client: --role says what the key may do --\n"
        "  admin   everything\n"
        "  writer  events for its own organization (--org) and for the partnerships\n"
        "          that organization is a member of; partnerships it leads\n"
        "  reader  queries and notifications only\n"
        "Copy NAME into mitrad's curve/allow_dir and reload mitrad; the client uses\n"
        "NAME_secret as its --key.\n"
        "\n"
        "  mitra keygen /etc/mitra/server\n"
        "  mitra keygen hijau-office --role writer --org ngo-hijau\n"
        "  mitra -e tcp://mitra.example.org:7410 --key hijau-office_secret \\\n"
        "      --server-key server hello\n",
    .options = s_options,
};
