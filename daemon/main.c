/*  mitrad -- the Mitra daemon: parse arguments, load the configuration,
    run the server, tear down. Everything else lives in the modules.
*/
#include "mitra_config.h"
#include "mitra_logging.h"
#include "mitra_server.h"
#include "mitra_store.h"
#include "mitra_verify.h"

#include <czmq.h>
#include <getopt.h>

static void
s_usage (FILE *file)
{
    fprintf (file,
        "Usage: mitrad [-c FILE] [--state-dir DIR] [--runtime-dir DIR] [-n] [-v] [--version]\n"
        "       mitrad --verify [-c FILE] [--state-dir DIR]\n"
        "\n"
        "Keeps NGO partnership state in LMDB, takes events from clients over ZeroMQ\n"
        "and publishes notifications. Runs in the foreground (systemd Type=notify).\n"
        "\n"
        "  -c, --config FILE      configuration file (ZPL); default: embedded defaults\n"
        "      --state-dir DIR    LMDB environment (default /var/lib/mitra)\n"
        "      --runtime-dir DIR  ipc sockets (default /run/mitra)\n"
        "  -n, --check            check the configuration, print the effective one, exit\n"
        "      --verify           check the store's consistency (read-only, safe while\n"
        "                         mitrad runs); exit 0 consistent, 1 problems found\n"
        "  -v, --verbose          log at debug level\n"
        "      --version          print the version and exit\n"
        "  -h, --help             this text\n"
        "\n"
        "Exit status: 0 clean stop, 1 bad arguments or configuration (or --verify\n"
        "found problems), 2 start-up or storage failure (nothing unsynced was\n"
        "acknowledged).\n");
}

static int
s_verify (const mitra_config_t *config)
{
    char error [512];
    mitra_store_t *store = mitra_store_new_readonly (config->state_dir, error, sizeof error);
    if (!store) {
        fprintf (stderr, "mitrad: %s\n", error);
        return 2;
    }
    //  The deadlines are checked against the configured rules
    mitra_deadlines_configure (&config->deadlines);
    long problems = mitra_verify_run (store, stdout);
    mitra_store_destroy (&store);
    if (problems < 0)
        fprintf (stderr, "mitrad: cannot read the store in %s\n", config->state_dir);
    return problems < 0? 2: problems > 0? 1: 0;
}

int
main (int argc, char *argv [])
{
    enum { OPT_STATE = 256, OPT_RUNTIME, OPT_VERSION, OPT_VERIFY };
    static const struct option options [] = {
        { "config", required_argument, NULL, 'c' },
        { "state-dir", required_argument, NULL, OPT_STATE },
        { "runtime-dir", required_argument, NULL, OPT_RUNTIME },
        { "check", no_argument, NULL, 'n' },
        { "verify", no_argument, NULL, OPT_VERIFY },
        { "verbose", no_argument, NULL, 'v' },
        { "version", no_argument, NULL, OPT_VERSION },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *config_path = NULL, *state_dir = NULL, *runtime_dir = NULL;
    bool check = false, verbose = false, verify = false;
    int option;
    while ((option = getopt_long (argc, argv, "c:nvh", options, NULL)) != -1) {
        switch (option) {
            case 'c': config_path = optarg; break;
            case OPT_STATE: state_dir = optarg; break;
            case OPT_RUNTIME: runtime_dir = optarg; break;
            case 'n': check = true; break;
            case OPT_VERIFY: verify = true; break;
            case 'v': verbose = true; break;
            case OPT_VERSION: printf ("mitrad %s\n", MITRA_VERSION); return 0;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 1;
        }
    }
    if (optind < argc) {
        fprintf (stderr, "mitrad: unexpected argument '%s'\n", argv [optind]);
        s_usage (stderr);
        return 1;
    }

    mitra_config_t config;
    mitra_config_defaults (&config);
    char error [512];
    if (config_path && mitra_config_load (&config, config_path, error, sizeof error)) {
        fprintf (stderr, "mitrad: %s\n", error);
        return 1;
    }
    if (state_dir)
        snprintf (config.state_dir, sizeof config.state_dir, "%s", state_dir);
    if (runtime_dir)
        snprintf (config.runtime_dir, sizeof config.runtime_dir, "%s", runtime_dir);
    if (verbose)
        config.log_level = MITRA_LOG_DEBUG;
    if (mitra_config_finish (&config, error, sizeof error)) {
        fprintf (stderr, "mitrad: %s\n", error);
        return 1;
    }
    if (check) {
        mitra_config_print (&config, stdout);
        return 0;
    }
    mitra_logging_set_level ((mitra_log_level_t) config.log_level);
    if (verify)
        return s_verify (&config);

    mitra_server_t *server = mitra_server_new (&config, error, sizeof error);
    if (!server) {
        mitra_error ("%s", error);
        return 2;
    }
    int exit_code = mitra_server_run (server);
    mitra_server_destroy (&server);
    return exit_code;
}
