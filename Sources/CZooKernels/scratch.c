// Per-thread scratch memory, so that a warm decode step allocates no buffers.
#include "zoo_kernels.h"

#include <pthread.h>
#include <stdlib.h>

#define SLOTS 4

static _Thread_local void *scratch[SLOTS];
static _Thread_local size_t scratch_size[SLOTS];

// A thread that exits frees its scratch (LeakSanitizer found the buffers of finished worker threads).
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_release(void *unused) {
    (void)unused;
    for (int i = 0; i < SLOTS; i++) {
        free(scratch[i]);
        scratch[i] = NULL;
        scratch_size[i] = 0;
    }
}

static void scratch_key_create(void) { pthread_key_create(&scratch_key, scratch_release); }

void *zoo_thread_scratch(int slot, size_t bytes) {
    if (slot < 0 || slot >= SLOTS) return NULL;
    if (bytes > scratch_size[slot]) {
        pthread_once(&scratch_once, scratch_key_create);
        pthread_setspecific(scratch_key, (void *)1);  // non-NULL, so the destructor runs at thread exit
        free(scratch[slot]);
        size_t size = bytes < 65536 ? 65536 : bytes + bytes / 2;
        scratch[slot] = aligned_alloc(64, (size + 63) / 64 * 64);
        scratch_size[slot] = scratch[slot] ? size : 0;
    }
    return scratch[slot];
}

#if defined(__linux__)
#include <sys/mman.h>
#endif

void *zoo_alloc_weights(size_t bytes) {
    // 2 MiB-aligned and marked for transparent huge pages (why, and how chunks avoid rounding every
    // matrix up to 2 MiB: WeightArena.swift).
    size_t size = (bytes + ((size_t)2 << 20) - 1) / ((size_t)2 << 20) * ((size_t)2 << 20);
    void *p = aligned_alloc((size_t)2 << 20, size ? size : ((size_t)2 << 20));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const char *setting = getenv("ZOO_HUGE_PAGES");  // "0" turns the request off (for measurements)
    if (p && !(setting && setting[0] == '0')) madvise(p, size, MADV_HUGEPAGE);
#endif
    return p;
}

void zoo_free_weights(void *p) { free(p); }
