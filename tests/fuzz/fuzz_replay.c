/*  fuzz_replay -- runs fuzz_engine's target over files, without libFuzzer:
    the corpus replayed by ctest with the project's own compiler (and under
    ASan/UBSan in the Asan build), so that every crash the fuzzer ever found
    stays fixed whether or not clang is at hand.

    usage: fuzz_replay FILE|DIR...   (a directory: every file in it, sorted)
*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
s_replay_file (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file) {
        fprintf (stderr, "fuzz_replay: cannot read %s\n", path);
        return -1;
    }
    size_t capacity = 4096, size = 0;
    uint8_t *data = malloc (capacity);
    size_t got;
    while (data && (got = fread (data + size, 1, capacity - size, file)) > 0) {
        size += got;
        if (size == capacity) {
            uint8_t *bigger = realloc (data, capacity * 2);
            if (!bigger)
                free (data);
            data = bigger;
            capacity *= 2;
        }
    }
    fclose (file);
    if (!data)
        return -1;
    LLVMFuzzerTestOneInput (data, size);
    free (data);
    return 0;
}

static int
s_by_name (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

int
main (int argc, char *argv [])
{
    size_t replayed = 0;
    for (int arg = 1; arg < argc; arg++) {
        struct stat st;
        if (stat (argv [arg], &st)) {
            fprintf (stderr, "fuzz_replay: no such file or directory: %s\n", argv [arg]);
            return 1;
        }
        if (!S_ISDIR (st.st_mode)) {
            if (s_replay_file (argv [arg]))
                return 1;
            replayed++;
            continue;
        }
        DIR *dir = opendir (argv [arg]);
        char **names = NULL;
        size_t count = 0;
        struct dirent *entry;
        while (dir && (entry = readdir (dir))) {
            if (entry->d_name [0] == '.')
                continue;
            char **more = realloc (names, (count + 1) * sizeof *names);
            if (!more)
                return 1;
            names = more;
            size_t length = strlen (argv [arg]) + strlen (entry->d_name) + 2;
            names [count] = malloc (length);
            if (!names [count])
                return 1;
            snprintf (names [count++], length, "%s/%s", argv [arg], entry->d_name);
        }
        if (dir)
            closedir (dir);
        qsort (names, count, sizeof *names, s_by_name);
        for (size_t index = 0; index < count; index++) {
            if (s_replay_file (names [index]))
                return 1;
            free (names [index]);
            replayed++;
        }
        free (names);
    }
    printf ("fuzz_replay: %zu inputs replayed, no finding\n", replayed);
    return replayed? 0: 1;
}
