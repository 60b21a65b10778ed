/*
** replay.c: the fuzzer without libFuzzer, as a `make check` test in every
** configuration: it runs each file of the seed corpus (the directory in
** $FUZZ_CORPUS, else $top_srcdir/test/fuzz/corpus, or the files named on
** the command line), then a fixed series of pseudo-random inputs. A
** divergence aborts with the input in hex. MIT licence, see COPYING.
*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char input[1 << 16];

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL) {
        perror(path);
        return -1;
    }
    n = fread(input, 1, sizeof input, f);
    fclose(f);
    LLVMFuzzerTestOneInput(input, n);
    return 0;
}

static int run_dir(const char *dir, unsigned *count)
{
    char path[4096 + 256];
    struct dirent *e;
    DIR *d = opendir(dir);

    if (d == NULL) {
        perror(dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (run_file(path) != 0) {
            closedir(d);
            return -1;
        }
        (*count)++;
    }
    closedir(d);
    return 0;
}

int main(int argc, char **argv)
{
    char dir[4096];
    const char *top = getenv("top_srcdir"), *env = getenv("FUZZ_CORPUS");
    unsigned count = 0, i, j;
    uint32_t x = 0x2545f491u;
    int k;

    if (argc > 1) {
        for (k = 1; k < argc; k++, count++)
            if (run_file(argv[k]) != 0)
                return 1;
        printf("replayed %u inputs\n", count);
        return 0;
    }
    snprintf(dir, sizeof dir, "%s/test/fuzz/corpus", top ? top : ".");
    if (run_dir(env ? env : dir, &count) != 0)
        return 1;
    /* Random inputs of 16 to 527 bytes (xorshift32, fixed seed): more of
    ** the state space than the corpus alone, the same on every run. */
    for (i = 0; i < 3000; i++) {
        size_t n;
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        n = 16 + x % 512;
        for (j = 0; j < n; j++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            input[j] = (unsigned char)(x >> 24);
        }
        LLVMFuzzerTestOneInput(input, n);
    }
    printf("replayed %u corpus inputs and %u random ones\n", count, i);
    return 0;
}
