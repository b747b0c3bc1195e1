/*  mitra_path -- file-system helpers the daemon's modules share. */
#ifndef MITRA_PATH_H
#define MITRA_PATH_H

#include <sys/types.h>

//  Create `path` and its missing parents with `mode` (mkdir -p). Returns 0,
//  or -1 with errno set.
int mitra_path_mkdir (const char *path, mode_t mode);

//  Open `path` with `flags` (O_RDONLY, plus O_DIRECTORY for a directory,
//  whose entries then reach the disk), fsync it and close it. Returns 0, or
//  -1 with errno set.
int mitra_path_fsync (const char *path, int flags);

#endif
