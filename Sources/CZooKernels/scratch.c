// Per-thread scratch memory, so that the hot loop of a decode step allocates nothing once warm.
#include "zoo_kernels.h"

#include <stdlib.h>

static _Thread_local void *scratch;
static _Thread_local size_t scratch_size;

void *zoo_thread_scratch(size_t bytes) {
    if (bytes > scratch_size) {
        free(scratch);
        size_t size = bytes < 65536 ? 65536 : bytes + bytes / 2;
        scratch = aligned_alloc(64, (size + 63) / 64 * 64);
        scratch_size = scratch ? size : 0;
    }
    return scratch;
}
