/* fuzz_config: libFuzzer target for the pipeline.yml loader. Whatever the
 * text, loading must end in success or in a located error (FILE:LINE:COL
 * and a message), never a crash or a leak; a config that loads must also
 * survive sz_config_finish and sz_config_destroy.
 *
 *   build-fuzz/tests/fuzz/fuzz_config -dict=tests/fuzz/config.dict \
 *       -max_total_time=60 /tmp/fc tests/fuzz/corpus/config
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sz_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader reads a path: an in-memory file gives it one without
     * touching the disk. */
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz_config", 0);
        if (fd < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    struct sz_config *c;
    if (sz_config_create(&c) != 0)
        return 0;
    struct sz_config_error err;
    int r = sz_config_load(c, path, &err);
    if (r == 0)
        r = sz_config_finish(c, &err);
    if (r == SZ_EINVAL && (err.message[0] == '\0'))
        __builtin_trap(); /* every refusal says why */
    if (r != 0 && r != SZ_EINVAL && r != SZ_ENOMEM)
        __builtin_trap();
    sz_config_destroy(c);
    return 0;
}
