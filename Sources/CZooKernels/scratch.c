// Per-thread scratch memory, so that a warm decode step allocates no buffers.
#include "zoo_kernels.h"

#include <stdlib.h>

#define SLOTS 4

static _Thread_local void *scratch[SLOTS];
static _Thread_local size_t scratch_size[SLOTS];

void *zoo_thread_scratch(int slot, size_t bytes) {
    if (slot < 0 || slot >= SLOTS) return NULL;
    if (bytes > scratch_size[slot]) {
        free(scratch[slot]);
        size_t size = bytes < 65536 ? 65536 : bytes + bytes / 2;
        scratch[slot] = aligned_alloc(64, (size + 63) / 64 * 64);
        scratch_size[slot] = scratch[slot] ? size : 0;
    }
    return scratch[slot];
}
