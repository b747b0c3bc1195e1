/*  mitra_config -- ZPL configuration through a key table.

    Each key says where it lives in the struct, how to parse it and its
    bounds; loading walks the file and looks every key up in the table, so
    adding a setting is one line here and one in the struct.
*/
#include "mitra_config.h"
#include "mitra_logging.h"

#include <czmq.h>
#include <errno.h>
#include <stddef.h>

typedef enum { S_STRING, S_UINT32, S_SIZE, S_LEVEL } s_kind_t;

typedef struct {
    const char *path;       //  section/key in the ZPL file
    s_kind_t kind;
    size_t offset;
    size_t size;            //  S_STRING: buffer size
    uint64_t min, max;      //  numbers
    const char *doc;
} s_key_t;

#define S_STR(path, member, doc) \
    { path, S_STRING, offsetof (mitra_config_t, member), sizeof (((mitra_config_t *) 0)->member), 0, 0, doc }
#define S_U32(path, member, min, max, doc) \
    { path, S_UINT32, offsetof (mitra_config_t, member), 4, min, max, doc }

static const s_key_t s_keys [] = {
    S_STR ("mitrad/state_dir", state_dir, "LMDB environment and lock file"),
    S_STR ("mitrad/runtime_dir", runtime_dir, "ipc sockets (mitrad.sock, mitrad-pub.sock)"),
    S_STR ("mitrad/endpoint", endpoint, "request endpoint; empty: ipc://RUNTIME/mitrad.sock"),
    S_STR ("mitrad/pub_endpoint", pub_endpoint, "notification endpoint; empty: ipc://RUNTIME/mitrad-pub.sock"),
    S_STR ("mitrad/socket_group", socket_group, "group given the ipc sockets (mode 0660); empty: daemon's group"),
    { "mitrad/log_level", S_LEVEL, offsetof (mitra_config_t, log_level), 4, 0, 3, "error, warning, info or debug" },
    S_U32 ("mitrad/batch_max", batch_max, 1, 65536, "requests applied in one write transaction"),
    { "mitrad/map_size", S_SIZE, offsetof (mitra_config_t, map_size), 8,
      1 << 20, (uint64_t) 1 << 40, "LMDB map size, bytes or with K, M, G suffix" },
    { "mitrad/map_size_max", S_SIZE, offsetof (mitra_config_t, map_size_max), 8,
      1 << 20, (uint64_t) 1 << 40, "the map grows up to this when it is full (not past the disk)" },
    { "mitrad/map_resident_max", S_SIZE, offsetof (mitra_config_t, map_resident_max), 8,
      0, (uint64_t) 1 << 40, "data file pages kept mapped (RSS) before they are unmapped; 0: never" },
    S_U32 ("mitrad/pub_hwm", pub_hwm, 100, 10000000, "notifications queued per subscriber before drops"),
    S_U32 ("notifications/heartbeat_ms", heartbeat_ms, 10, 3600000,
           "heartbeat period in ms: subscribers notice a lost tail or a dead daemon"),
    S_U32 ("notifications/keep_days", keep_days, 0, 36500,
           "remove notifications older than this many days; 0: keep forever"),
    S_U32 ("notifications/keep_entries", keep_entries, 0, UINT32_MAX,
           "keep at most this many notifications; 0: no limit"),
    S_U32 ("limits/max_frames", max_frames, 2, 16, "frames in one request message, envelope included"),
    { "limits/max_size", S_SIZE, offsetof (mitra_config_t, limits.max_size), sizeof (size_t),
      256, 1 << 24, "bytes in one request frame" },
    S_U32 ("limits/max_depth", limits.max_depth, 2, 32, "nesting depth; the request map is 1"),
    S_U32 ("limits/max_elements", limits.max_elements, 8, 65536, "items in one array or map"),
    S_U32 ("limits/max_objects", limits.max_objects, 16, 1 << 20, "objects in one frame"),
    S_U32 ("limits/max_string", limits.max_string, 64, 1 << 20, "bytes in one string"),
    S_STR ("deadlines/timezone", deadlines.timezone,
           "IANA time zone in which a date begins (local midnight), like Asia/Jakarta; UTC"),
    S_U32 ("deadlines/stale_days", deadlines.stale_days, 1, 3650,
           "days without a logged contact before communication.stale, unless a partnership sets its own"),
    S_U32 ("deadlines/milestone_lead_days", deadlines.milestone_lead_days, 0, 365,
           "days before a milestone's due date for milestone.due_soon, unless a partnership sets its own"),
    S_U32 ("deadlines/evaluation_lead_days", deadlines.evaluation_lead_days, 0, 365,
           "days before the next evaluation for evaluation.due, unless the cycle sets its own"),
    S_STR ("curve/endpoint", curve.endpoint,
           "TCP request endpoint with CURVE, e.g. tcp://0.0.0.0:7410; empty: none"),
    S_STR ("curve/pub_endpoint", curve.pub_endpoint,
           "TCP notification endpoint with CURVE, e.g. tcp://0.0.0.0:7411; empty: none"),
    S_STR ("curve/server_cert", curve.server_cert,
           "the daemon's secret certificate (mitra keygen); required for TCP"),
    S_STR ("curve/allow_dir", curve.allow_dir,
           "client public certificates, metadata role = admin|writer|reader, org for writers"),
    S_U32 ("curve/insecure_tcp", curve.insecure_tcp, 0, 1,
           "1: TCP without server_cert: unencrypted, unauthenticated, read-only (tests only)"),
};
#define S_KEY_COUNT (sizeof s_keys / sizeof s_keys [0])

void
mitra_config_defaults (mitra_config_t *config)
{
    memset (config, 0, sizeof *config);
    snprintf (config->state_dir, sizeof config->state_dir, "/var/lib/mitra");
    snprintf (config->runtime_dir, sizeof config->runtime_dir, "/run/mitra");
    config->log_level = MITRA_LOG_INFO;
    config->batch_max = 1024;
    config->map_size = (uint64_t) 1 << 30;
    config->map_size_max = (uint64_t) 16 << 30;
    config->map_resident_max = (uint64_t) 16 << 20;
    config->pub_hwm = 100000;
    config->heartbeat_ms = 2000;
    config->max_frames = 3;
    mitra_limits_default (&config->limits);
    mitra_deadlines_rules_default (&config->deadlines);
}

static const s_key_t *
s_key_find (const char *path)
{
    for (size_t index = 0; index < S_KEY_COUNT; index++)
        if (streq (s_keys [index].path, path))
            return &s_keys [index];
    return NULL;
}

static int
s_parse_uint (const char *text, uint64_t *value, bool suffixes)
{
    if (!*text || *text == '-')
        return -1;
    errno = 0;
    char *end;
    unsigned long long number = strtoull (text, &end, 10);
    if (errno || end == text)
        return -1;
    uint64_t scale = 1;
    if (suffixes && *end) {
        if (streq (end, "K") || streq (end, "k"))
            scale = 1ULL << 10;
        else if (streq (end, "M"))
            scale = 1ULL << 20;
        else if (streq (end, "G"))
            scale = 1ULL << 30;
        else if (streq (end, "T"))
            scale = 1ULL << 40;
        else
            return -1;
    }
    else if (*end)
        return -1;
    if (number > UINT64_MAX / scale)
        return -1;
    *value = (uint64_t) number * scale;
    return 0;
}

static int
s_set (mitra_config_t *config, const s_key_t *key, const char *text, char *error, size_t size)
{
    char *field = (char *) config + key->offset;
    if (key->kind == S_STRING) {
        if (strlen (text) >= key->size) {
            snprintf (error, size, "%s: value longer than %zu bytes", key->path, key->size - 1);
            return -1;
        }
        snprintf (field, key->size, "%s", text);
        return 0;
    }
    if (key->kind == S_LEVEL) {
        int level = mitra_logging_level_parse (text);
        if (level < 0) {
            snprintf (error, size, "%s: '%s' is not a level; use %s", key->path, text, key->doc);
            return -1;
        }
        *(int *) field = level;
        return 0;
    }
    uint64_t value;
    if (s_parse_uint (text, &value, key->kind == S_SIZE) || value < key->min || value > key->max) {
        snprintf (error, size, "%s: '%s' is not a number from %llu to %llu%s", key->path, text,
                  (unsigned long long) key->min, (unsigned long long) key->max,
                  key->kind == S_SIZE? " (K, M, G, T suffixes allowed)": "");
        return -1;
    }
    if (key->size == 4)
        *(uint32_t *) field = (uint32_t) value;
    else
    if (key->size == sizeof (size_t))
        memcpy (field, &(size_t) { (size_t) value }, sizeof (size_t));
    else
        *(uint64_t *) field = value;
    return 0;
}

int
mitra_config_load (mitra_config_t *config, const char *path, char *error, size_t size)
{
    if (!zsys_file_exists (path)) {
        snprintf (error, size, "%s: no such file", path);
        return -1;
    }
    zconfig_t *root = zconfig_load (path);
    if (!root) {
        snprintf (error, size, "%s: not valid ZPL (check indentation: 4 spaces per level)", path);
        return -1;
    }
    mitra_config_t loaded = *config;
    int rc = 0;
    for (zconfig_t *section = zconfig_child (root); section && rc == 0;
         section = zconfig_next (section)) {
        zconfig_t *item = zconfig_child (section);
        if (!item) {
            snprintf (error, size, "%s: unknown or empty section '%s'", path, zconfig_name (section));
            rc = -1;
        }
        for (; item && rc == 0; item = zconfig_next (item)) {
            char key_path [128];
            snprintf (key_path, sizeof key_path, "%s/%s", zconfig_name (section), zconfig_name (item));
            const s_key_t *key = s_key_find (key_path);
            if (!key) {
                snprintf (error, size, "%s: unknown key '%s' (mitrad -n prints every key)", path, key_path);
                rc = -1;
            }
            else
            if (zconfig_child (item)) {
                snprintf (error, size, "%s: '%s' takes a value, not a section", path, key_path);
                rc = -1;
            }
            else {
                const char *value = zconfig_value (item);
                rc = s_set (&loaded, key, value? value: "", error, size);
            }
        }
    }
    zconfig_destroy (&root);
    if (rc == 0) {
        snprintf (loaded.source, sizeof loaded.source, "%s", path);
        *config = loaded;
    }
    return rc;
}

//  A TCP endpoint with an explicit port: "tcp://HOST:PORT".
static bool
s_tcp_endpoint_valid (const char *endpoint)
{
    if (strncmp (endpoint, "tcp://", 6) != 0)
        return false;
    const char *colon = strrchr (endpoint + 6, ':');
    if (!colon || colon == endpoint + 6)
        return false;
    uint64_t port;
    return s_parse_uint (colon + 1, &port, false) == 0 && port >= 1 && port <= 65535;
}

//  The network is never open by accident: TCP needs a server key and an
//  allow-list, or an explicit, loudly logged insecure_tcp.
static int
s_finish_curve (mitra_curve_config_t *curve, char *error, size_t size)
{
    bool tcp = *curve->endpoint || *curve->pub_endpoint;
    if (!tcp)
        return 0;
    if (!*curve->endpoint || !*curve->pub_endpoint) {
        snprintf (error, size, "curve/endpoint and curve/pub_endpoint go together: "
                               "TCP clients need both requests and notifications");
        return -1;
    }
    const char *endpoints [] = { curve->endpoint, curve->pub_endpoint };
    for (size_t index = 0; index < 2; index++)
        if (!s_tcp_endpoint_valid (endpoints [index])) {
            snprintf (error, size, "curve: '%s' is not a tcp://HOST:PORT endpoint with an "
                                   "explicit port", endpoints [index]);
            return -1;
        }
    if (streq (curve->endpoint, curve->pub_endpoint)) {
        snprintf (error, size, "curve/endpoint and curve/pub_endpoint must differ");
        return -1;
    }
    if (*curve->server_cert && curve->insecure_tcp) {
        snprintf (error, size, "curve/insecure_tcp = 1 and a curve/server_cert: choose one "
                               "(remove insecure_tcp to use CURVE)");
        return -1;
    }
    if (!*curve->server_cert && !curve->insecure_tcp) {
        snprintf (error, size, "curve/endpoint %s is TCP but curve/server_cert is empty: "
                               "refusing to accept unauthenticated network clients. Make a "
                               "server key with 'mitra keygen', set curve/server_cert and "
                               "curve/allow_dir (or, for a test, curve/insecure_tcp = 1)",
                  curve->endpoint);
        return -1;
    }
    if (*curve->server_cert && !*curve->allow_dir) {
        snprintf (error, size, "curve/server_cert is set but curve/allow_dir is empty: "
                               "name the directory of the clients' public certificates");
        return -1;
    }
    return 0;
}

int
mitra_config_finish (mitra_config_t *config, char *error, size_t size)
{
    if (!*config->state_dir || !*config->runtime_dir) {
        snprintf (error, size, "state_dir and runtime_dir must not be empty");
        return -1;
    }
    //  Absolute paths: `hello` hands pub_endpoint to clients that may run
    //  in another directory
    char *dirs [] = { config->state_dir, config->runtime_dir };
    for (size_t index = 0; index < 2; index++)
        if (dirs [index][0] != '/') {
            char cwd [PATH_MAX], absolute [PATH_MAX];
            const char *relative = dirs [index];
            if (strncmp (relative, "./", 2) == 0)
                relative += 2;
            if (!getcwd (cwd, sizeof cwd)
            ||  snprintf (absolute, sizeof absolute, "%s/%s", cwd, relative) >= (int) sizeof absolute) {
                snprintf (error, size, "cannot make '%s' an absolute path", dirs [index]);
                return -1;
            }
            snprintf (dirs [index], PATH_MAX, "%s", absolute);
        }
    //  ipc paths are limited by sockaddr_un (108 bytes) in libzmq
    if ((!*config->endpoint || !*config->pub_endpoint)
    &&  strlen (config->runtime_dir) + sizeof "/mitrad-pub.sock" > 107) {
        snprintf (error, size, "runtime_dir '%s' is too long for an ipc socket path",
                  config->runtime_dir);
        return -1;
    }
    if (!*config->endpoint)
        snprintf (config->endpoint, sizeof config->endpoint, "ipc://%.100s/mitrad.sock",
                  config->runtime_dir);
    if (!*config->pub_endpoint)
        snprintf (config->pub_endpoint, sizeof config->pub_endpoint, "ipc://%.100s/mitrad-pub.sock",
                  config->runtime_dir);
    if (strncmp (config->endpoint, "ipc://", 6) != 0
    ||  strncmp (config->pub_endpoint, "ipc://", 6) != 0) {
        snprintf (error, size, "mitrad/endpoint and mitrad/pub_endpoint must be ipc:// "
                               "(local, protected by file permissions); TCP endpoints go in "
                               "the curve section, with a server key");
        return -1;
    }
    if (config->map_size_max < config->map_size)
        config->map_size_max = config->map_size;
    if (streq (config->endpoint, config->pub_endpoint)) {
        snprintf (error, size, "endpoint and pub_endpoint must differ");
        return -1;
    }
    char zone_error [256];
    if (mitra_deadlines_timezone_check (config->deadlines.timezone, zone_error,
                                        sizeof zone_error)) {
        snprintf (error, size, "deadlines/timezone: %s", zone_error);
        return -1;
    }
    return s_finish_curve (&config->curve, error, size);
}

//  True for keys that a running daemon cannot change: what it bound, opened
//  or sized at start.
static bool
s_needs_restart (const s_key_t *key)
{
    if (streq (key->path, "mitrad/log_level"))
        return false;
    //  Deadlines: every stored instant was planned with them (re-planned at start)
    return strncmp (key->path, "mitrad/", 7) == 0 || strncmp (key->path, "deadlines/", 10) == 0
        || strstr (key->path, "endpoint") || strstr (key->path, "cert")
        || strstr (key->path, "insecure");
}

int
mitra_config_reload (const mitra_config_t *current, mitra_config_t *next,
                     char *error, size_t size)
{
    mitra_config_t loaded;
    mitra_config_defaults (&loaded);
    if (*current->source && mitra_config_load (&loaded, current->source, error, size))
        return -1;
    for (size_t index = 0; index < S_KEY_COUNT; index++) {
        const s_key_t *key = &s_keys [index];
        if (!s_needs_restart (key))
            continue;
        char *field = (char *) &loaded + key->offset;
        const char *running = (const char *) current + key->offset;
        size_t width = key->kind == S_LEVEL? sizeof (int): key->size;
        //  Directories may come from the command line and endpoints may be
        //  derived from them, so only other keys are compared
        bool comparable = !strstr (key->path, "_dir") && !strstr (key->path, "endpoint");
        bool changed = key->kind == S_STRING? strcmp (field, running) != 0
                                            : memcmp (field, running, width) != 0;
        if (comparable && changed)
            mitra_warning ("reload: %s changed in %s; it takes effect at the next restart",
                           key->path, current->source);
        memcpy (field, running, width);
    }
    if (mitra_config_finish (&loaded, error, size))
        return -1;
    *next = loaded;
    return 0;
}

void
mitra_config_print (const mitra_config_t *config, FILE *file)
{
    fprintf (file, "#   mitrad effective configuration (from %s)\n",
             *config->source? config->source: "embedded defaults");
    for (size_t index = 0; index < S_KEY_COUNT; index++) {
        const s_key_t *key = &s_keys [index];
        const char *slash = strchr (key->path, '/');
        int section_length = (int) (slash - key->path);
        //  A section header whenever the prefix differs from the previous key's
        if (index == 0 || strncmp (s_keys [index - 1].path, key->path, (size_t) section_length + 1))
            fprintf (file, "%.*s\n", section_length, key->path);
        const char *field = (const char *) config + key->offset;
        fprintf (file, "    %s = ", slash + 1);
        if (key->kind == S_STRING)
            fprintf (file, "\"%s\"", field);
        else
        if (key->kind == S_LEVEL)
            fprintf (file, "%s", mitra_logging_level_name (*(const int *) field));
        else
        if (key->size == 4)
            fprintf (file, "%u", *(const uint32_t *) field);
        else {
            uint64_t value = 0;
            if (key->size == sizeof (size_t)) {
                size_t number;
                memcpy (&number, field, sizeof number);
                value = number;
            }
            else
                memcpy (&value, field, sizeof value);
            fprintf (file, "%llu", (unsigned long long) value);
        }
        fprintf (file, "    #   %s\n", key->doc);
    }
}
