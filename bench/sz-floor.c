/* sz-floor: the bytes floor of bench/run.
 *
 * Issue 5 asks sessionize for 800 MB/s of input per thread. Whatever the
 * code does, it cannot beat the time this machine takes to move the same
 * bytes in and out with no processing at all, so bench/run times this
 * program next to sessionize and reports sessionize's time in units of it.
 * At 1 thread, a ratio near 1 would mean reading and writing the bytes is
 * the limit; the distance from 1 is what sessionize's processing costs.
 *
 * What it does, and why each step is the least a line-based tool must do:
 *
 *   in   INPUT is mapped read-only with mmap (sessionize maps regular files
 *        too, with the same MADV_SEQUENTIAL advice) and its newlines are
 *        counted with memchr, so every input byte is read once.
 *   out  BYTES bytes, taken from the mapping and cycling over the input as
 *        often as needed, are written to OUTDIR/floor.ndjson with write()
 *        in chunks of at most 1 MiB, then the file is closed. No fsync,
 *        although sessionize syncs each file it commits: bench/run writes
 *        to tmpfs, where a sync has nothing to wait for, and a floor
 *        leaves out whatever is not strictly needed.
 *
 * bench/run passes as BYTES the size of sessionize's output for the same
 * input, so both jobs read and write the same number of bytes. The bytes
 * written are the input's, not sessionize's: the floor is about volume,
 * not content.
 *
 * Output on success, one line to stdout: "lines N bytes_written M", where
 * N is the input's newline count. It needs only libc and shares no code
 * with sessionize, so a change in src/ cannot move the floor.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The largest write: big enough that system calls are a negligible share
 * of the time next to copying the bytes (sessionize's output files write
 * in 256 KiB buffers, so the floor is not the one paying more calls). */
#define CHUNK_BYTES ((size_t)1 << 20)

#define OUT_NAME "floor.ndjson"

static void usage(FILE *f)
{
    fputs("Usage: sz-floor INPUT OUTDIR BYTES\n"
          "Read INPUT (mapped; its newlines counted with memchr) and write\n"
          "BYTES bytes taken from it, cycling over it as often as needed, to\n"
          "OUTDIR/" OUT_NAME " in chunks of 1 MiB. The floor that bench/run\n"
          "measures sessionize against: the same bytes in and out with no\n"
          "processing. Prints \"lines N bytes_written M\" to stdout.\n"
          "\n"
          "  -h, --help    show this help\n"
          "\n"
          "Exit status: 0 on success, 1 on an I/O error, 2 on bad usage.\n",
          f);
}

/* A decimal count without sign or suffix, at most INT64_MAX (an off_t). */
static int parse_bytes(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || v > (unsigned long long)INT64_MAX)
        return -1;
    *out = v;
    return 0;
}

/* Newlines in [p, p + n). memchr is libc's fastest scan, and a line-based
 * reader has to find every line end at the least. */
static uint64_t count_lines(const char *p, size_t n)
{
    const char *end = p + n;
    uint64_t lines = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        lines++;
        p = nl + 1;
    }
    return lines;
}

/* Write all n bytes of p to fd, retrying after a short write or EINTR.
 * Returns 0, or -1 with errno set. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* BYTES bytes of map (len bytes, len > 0 unless bytes is 0) to fd: each
 * chunk ends at 1 MiB, at BYTES, or at the input's end, whichever comes
 * first, so the data always comes straight from the mapping. */
static int write_cycling(int fd, const char *map, size_t len, uint64_t bytes)
{
    size_t pos = 0;
    while (bytes > 0) {
        size_t n = len - pos;
        if (n > CHUNK_BYTES)
            n = CHUNK_BYTES;
        if (n > bytes)
            n = (size_t)bytes;
        if (write_all(fd, map + pos, n) != 0)
            return -1;
        bytes -= n;
        pos += n;
        if (pos == len)
            pos = 0;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        /* getopt_long has already named the bad option. */
        fputs("Try 'sz-floor --help'.\n", stderr);
        return 2;
    }
    if (argc - optind != 3) {
        fputs("sz-floor: expected INPUT OUTDIR BYTES\n"
              "Try 'sz-floor --help'.\n",
              stderr);
        return 2;
    }
    const char *input = argv[optind];
    const char *outdir = argv[optind + 1];
    uint64_t bytes;
    if (parse_bytes(argv[optind + 2], &bytes) != 0) {
        fprintf(stderr,
                "sz-floor: invalid BYTES '%s': expected a decimal byte count\n",
                argv[optind + 2]);
        return 2;
    }

    int in = open(input, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        fprintf(stderr, "sz-floor: %s: %s\n", input, strerror(errno));
        return 1;
    }
    struct stat st;
    if (fstat(in, &st) != 0) {
        fprintf(stderr, "sz-floor: %s: %s\n", input, strerror(errno));
        close(in);
        return 1;
    }
    if (!S_ISREG(st.st_mode)) {
        fprintf(stderr,
                "sz-floor: %s: not a regular file (sz-floor maps its input)\n",
                input);
        close(in);
        return 1;
    }
    if ((uintmax_t)st.st_size > SIZE_MAX) {
        fprintf(stderr, "sz-floor: %s: too large to map\n", input);
        close(in);
        return 1;
    }
    size_t len = (size_t)st.st_size;
    if (len == 0 && bytes > 0) {
        fprintf(stderr,
                "sz-floor: %s: empty, cannot write %" PRIu64 " bytes from it\n",
                input, bytes);
        close(in);
        return 1;
    }
    /* mmap rejects a length of 0; an empty input has nothing to read. */
    const char *map = NULL;
    if (len > 0) {
        void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, in, 0);
        if (p == MAP_FAILED) {
            fprintf(stderr, "sz-floor: %s: cannot map: %s\n", input,
                    strerror(errno));
            close(in);
            return 1;
        }
        /* Advice, as in sessionize: if it fails, the reads still work. */
        (void)madvise(p, len, MADV_SEQUENTIAL);
        map = p;
    }
    /* The mapping keeps the file's pages; the descriptor is not needed. */
    close(in);

    /* Not called on an empty input: NULL + 0 is undefined in C. */
    uint64_t lines = len > 0 ? count_lines(map, len) : 0;

    size_t plen = strlen(outdir) + sizeof "/" OUT_NAME;
    char *path = malloc(plen);
    if (!path) {
        fputs("sz-floor: out of memory\n", stderr);
        if (map)
            munmap((void *)map, len);
        return 1;
    }
    snprintf(path, plen, "%s/" OUT_NAME, outdir);

    int rc = 0;
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        fprintf(stderr, "sz-floor: %s: %s\n", path, strerror(errno));
        rc = 1;
    } else {
        if (write_cycling(out, map, len, bytes) != 0) {
            fprintf(stderr, "sz-floor: write to %s failed: %s\n", path,
                    strerror(errno));
            rc = 1;
        }
        /* close can report a deferred write error (NFS, quotas). */
        if (close(out) != 0 && rc == 0) {
            fprintf(stderr, "sz-floor: closing %s failed: %s\n", path,
                    strerror(errno));
            rc = 1;
        }
    }
    if (rc == 0)
        printf("lines %" PRIu64 " bytes_written %" PRIu64 "\n", lines, bytes);
    free(path);
    if (map)
        munmap((void *)map, len);
    if (rc == 0 && fflush(stdout) != 0) {
        fprintf(stderr, "sz-floor: write to stdout failed: %s\n",
                strerror(errno));
        rc = 1;
    }
    return rc;
}
