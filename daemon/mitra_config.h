/*  mitra_config -- the daemon's configuration: parsed once from a ZPL file
    (czmq's zconfig) over embedded defaults into a validated plain struct.

    A reload parses into a new struct and swaps only on success, so a bad
    file never half-applies. Unknown keys are errors: a typo must not be
    silently ignored.
*/
#ifndef MITRA_CONFIG_H
#define MITRA_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mitra_codec.h"
#include "mitra_deadlines.h"

#define MITRA_ENDPOINT_MAX 512

//  Network access: separate TCP sockets beside the ipc ones, CURVE
//  servers whose clients must be on the allow-list (see mitra_auth.h).
typedef struct {
    char endpoint [MITRA_ENDPOINT_MAX];     //  TCP ROUTER; "" = none
    char pub_endpoint [MITRA_ENDPOINT_MAX]; //  TCP PUB; "" = none
    char server_cert [PATH_MAX];        //  the daemon's secret certificate (zcert)
    char allow_dir [PATH_MAX];          //  client public certificates with role metadata
    uint32_t insecure_tcp;              //  1: TCP without CURVE, read-only; tests only
} mitra_curve_config_t;

typedef struct {
    char state_dir [PATH_MAX];          //  LMDB environment and lock
    char runtime_dir [PATH_MAX];        //  ipc sockets
    char endpoint [MITRA_ENDPOINT_MAX];     //  ROUTER; derived from runtime_dir if empty
    char pub_endpoint [MITRA_ENDPOINT_MAX]; //  PUB; derived from runtime_dir if empty
    char socket_group [64];             //  group owning the ipc sockets ("" = keep)
    int log_level;                      //  mitra_log_level_t
    uint32_t batch_max;                 //  requests drained into one write transaction
    uint64_t map_size;                  //  LMDB map size in bytes, at start
    uint64_t map_size_max;              //  the map grows up to this when full
    uint64_t map_resident_max;          //  file pages mapped before the map is trimmed; 0: never
    uint32_t pub_hwm;                   //  PUB send high-water mark (messages)
    uint32_t heartbeat_ms;              //  heartbeat period on the PUB socket
    uint32_t keep_days;                 //  notification retention by age; 0: forever
    uint32_t keep_entries;              //  notification retention by count; 0: no limit
    uint32_t max_frames;                //  frames in one request message, envelope included
    mitra_limits_t limits;              //  decoder limits
    mitra_deadline_rules_t deadlines;   //  time zone and default lead times (section `deadlines`)
    mitra_curve_config_t curve;         //  TCP endpoints (section `curve`)
    char source [PATH_MAX];             //  file it came from, "" for defaults
} mitra_config_t;

//  Fill with the embedded defaults (state /var/lib/mitra, runtime /run/mitra).
void mitra_config_defaults (mitra_config_t *config);

//  Load `path` over the defaults. On error returns -1 and writes a message
//  saying which key and why into `error` (size bytes); `config` is untouched.
int mitra_config_load (mitra_config_t *config, const char *path, char *error, size_t size);

//  Derive empty endpoints from runtime_dir and check cross-field rules.
//  Returns -1 with a message on error.
int mitra_config_finish (mitra_config_t *config, char *error, size_t size);

//  Reload for SIGHUP: parse `current->source` again over the defaults into
//  `next`. Keys that only a restart can apply (the [mitrad] section's paths,
//  sockets and sizes, and any key naming an endpoint or a certificate) keep
//  their current values; each one the file changes is logged as a warning.
//  Returns -1 with a message if the file is invalid: then keep `current`.
int mitra_config_reload (const mitra_config_t *current, mitra_config_t *next,
                         char *error, size_t size);

//  Write the effective configuration in ZPL, loadable again.
void mitra_config_print (const mitra_config_t *config, FILE *file);

#endif
