/*  mitra -- the command-line client of mitrad.

    main only reads the common options, picks the command from the table
    and runs it; every command lives in a mitra_cmd_*.c file. To add one,
    define a mitra_cli_command_t there, declare it in mitra_cli.h and list
    it below.
*/
#include "mitra_cli.h"

#include <stdlib.h>
#include <string.h>

static const mitra_cli_command_t *s_commands [] = {
    &mitra_cmd_org,
    &mitra_cmd_partnership,
    &mitra_cmd_show,
    &mitra_cmd_member,
    &mitra_cmd_agreement,
    &mitra_cmd_goal,
    &mitra_cmd_milestone,
    &mitra_cmd_evaluation,
    &mitra_cmd_contact,
    &mitra_cmd_contribution,
    &mitra_cmd_reach,
    &mitra_cmd_match,
    &mitra_cmd_health,
    &mitra_cmd_due,
    &mitra_cmd_import,
    &mitra_cmd_send,
    &mitra_cmd_query,
    &mitra_cmd_hello,
    &mitra_cmd_log,
    &mitra_cmd_backup,
    &mitra_cmd_keygen,
    NULL
};

static const mitra_cli_command_t *
s_find_command (const char *name)
{
    for (int index = 0; s_commands [index]; index++)
        if (strcmp (s_commands [index]->name, name) == 0)
            return s_commands [index];
    return NULL;
}

static void
s_print_usage (FILE *out)
{
    fprintf (out,
        "usage: mitra [-e ENDPOINT | --runtime-dir DIR] [--json] [--timeout MS] COMMAND [ARG]...\n"
        "\n"
        "Send events to mitrad, the Mitra partnership daemon, and ask it queries.\n"
        "\n"
        "commands:\n");
    for (int index = 0; s_commands [index]; index++)
        fprintf (out, "  %-13s %s\n", s_commands [index]->name, s_commands [index]->summary);
    fprintf (out, "  %-13s %s\n", "help", "Show a command's help: mitra help COMMAND.");
    fprintf (out, "\noptions (before or after the command):\n");
    mitra_cli_print_options (out, mitra_cli_common_options ());
    fprintf (out,
        "      --version              print the version\n"
        "\n"
        "environment:\n"
        "  MITRA_ENDPOINT     request endpoint, e.g. ipc:///run/mitra/mitrad.sock\n"
        "  MITRA_RUNTIME_DIR  directory of mitrad's sockets (default " MITRA_DEFAULT_RUNTIME_DIR ")\n"
        "  MITRA_KEY, MITRA_SERVER_KEY  CURVE key files for a tcp:// endpoint (--key, --server-key)\n"
        "  MITRA_CLIENT_CONF  client configuration file (default ~/.config/mitra/client.conf:\n"
        "                     section client, keys endpoint, key, server_key)\n"
        "\n"
        "exit status:\n"
        "  0  done\n"
        "  1  refused: mitrad (or the local schema check) said why on stderr\n"
        "     as 'error: CODE: MESSAGE (field F)'\n"
        "  2  usage error; nothing was sent\n"
        "  3  mitrad did not answer\n"
        "  4  mitrad's answer was not a valid reply\n"
        "\n"
        "The commands for people take the ids first, then the event's fields as\n"
        "field=value or --field VALUE:\n"
        "  mitra member add p-water ngo-hijau role=implementer responsibilities=wells,training\n"
        "Run 'mitra COMMAND --help' for a command's arguments; man mitra for all of them.\n");
}

int
main (int argc, char **argv)
{
    mitra_cli_t cli;
    mitra_cli_init (&cli);

    //  Common options may come before the command; each command accepts
    //  them after its name too.
    bool version = false;
    int arg_index = mitra_cli_parse_global (&cli, argc, argv, &version);
    if (arg_index < 0)
        return MITRA_EXIT_USAGE;
    if (version) {
        printf ("mitra %s\n", MITRA_VERSION);
        return MITRA_EXIT_OK;
    }
    if (arg_index >= argc) {
        if (cli.help) {
            s_print_usage (stdout);
            return MITRA_EXIT_OK;
        }
        s_print_usage (stderr);
        return MITRA_EXIT_USAGE;
    }
    const char *name = argv [arg_index];
    if (strcmp (name, "help") == 0) {
        const mitra_cli_command_t *command = arg_index + 1 < argc
                                           ? s_find_command (argv [arg_index + 1]) : NULL;
        if (command) {
            //  `mitra help send TYPE` == `mitra send TYPE --help`
            cli.help = true;
            return command->run (&cli, command, argc - arg_index - 1, argv + arg_index + 1);
        }
        if (arg_index + 1 < argc) {
            fprintf (stderr, "mitra: no command '%s'\n\n", argv [arg_index + 1]);
            s_print_usage (stderr);
            return MITRA_EXIT_USAGE;
        }
        s_print_usage (stdout);
        return MITRA_EXIT_OK;
    }
    const mitra_cli_command_t *command = s_find_command (name);
    if (!command) {
        fprintf (stderr, "mitra: no command '%s'; run 'mitra --help' for the list\n", name);
        return MITRA_EXIT_USAGE;
    }
    return command->run (&cli, command, argc - arg_index, argv + arg_index);
}
