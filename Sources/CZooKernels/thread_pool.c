// A persistent pool of spinning worker threads for the kernels' fork-join jobs (zoo_thread_pool.h).
//
// One job at a time, described by one 64-bit word: generation (24 bits) | participating workers
// (8) | task count (16) | next unclaimed task (16). Anyone claims a task with one fetch-and-add on
// that word; an index below the count it returns is a real claim of that job, whichever job the
// claimer thought it was helping, and the job's other fields stay put until every claimed task is
// done. So the caller waits only for tasks that are claimed and running — never for a worker that
// has not woken up yet (on a busy machine a spinning worker may be descheduled for milliseconds).
#define _GNU_SOURCE
#include "zoo_thread_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include "cpu_features.h"
#if ZOO_X86
#define CPU_RELAX() _mm_pause()
#elif ZOO_ARM64
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

#define MAX_WORKERS 63
#define MAX_TASKS (65535 - MAX_WORKERS - 1)
// How long an idle worker spins before it sleeps: longer than the gaps between the products of a
// decode step (norms, attention, sampling), short enough not to burn a core when nothing runs.
#define SPIN_NANOSECONDS 100000LL

#define GENERATION(w) ((w) >> 40)
#define PARTICIPANTS(w) (((w) >> 32) & 255)
#define COUNT(w) ((int)(((w) >> 16) & 65535))
#define NEXT(w) ((int)((w) & 65535))

static struct {
    atomic_int busy;                  // 1 while a job runs
    _Atomic uint64_t state;           // see the comment at the top
    _Atomic(zoo_task_fn) task;
    _Atomic(void *) context;
    atomic_int done;                  // finished tasks of the current job
    atomic_int workers;               // workers started
    atomic_int sleepers;              // workers blocked on `wake`
    pthread_mutex_t spawn_lock;
    pthread_mutex_t sleep_lock;
    pthread_cond_t wake;
} pool = {
    .spawn_lock = PTHREAD_MUTEX_INITIALIZER,
    .sleep_lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
};

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// Claims and runs tasks until none is left; returns how many this thread ran.
static int run_tasks(void) {
    int ran = 0;
    for (;;) {
        uint64_t w = atomic_fetch_add_explicit(&pool.state, 1, memory_order_acq_rel);
        if (NEXT(w) >= COUNT(w)) return ran;
        zoo_task_fn task = atomic_load_explicit(&pool.task, memory_order_relaxed);
        void *context = atomic_load_explicit(&pool.context, memory_order_relaxed);
        task(context, NEXT(w));
        ran++;
    }
}

// Waits until the generation differs from `seen`: spinning first, then blocking on the condition.
static uint64_t wait_for_job(uint64_t seen) {
    long long deadline = 0;
    for (unsigned spins = 0;; spins++) {
        uint64_t s = atomic_load_explicit(&pool.state, memory_order_acquire);
        if (GENERATION(s) != seen) return s;
        if ((spins & 255) == 0) {
            long long t = now_ns();
            if (deadline == 0) {
                deadline = t + SPIN_NANOSECONDS;
            } else if (t > deadline) {
                // Announce the sleep before re-checking under the lock; the submitter stores `state`
                // before reading `sleepers` (both sequentially consistent), so no wake-up is lost.
                atomic_fetch_add(&pool.sleepers, 1);
                pthread_mutex_lock(&pool.sleep_lock);
                while (GENERATION(s = atomic_load(&pool.state)) == seen)
                    pthread_cond_wait(&pool.wake, &pool.sleep_lock);
                pthread_mutex_unlock(&pool.sleep_lock);
                atomic_fetch_sub(&pool.sleepers, 1);
                return s;
            }
        }
        CPU_RELAX();
    }
}

static void *worker_main(void *argument) {
    uint64_t id = (uint64_t)(uintptr_t)argument;
    // No generation equals this, so a new worker looks at the current job at once.
    uint64_t seen = UINT64_MAX;
    for (;;) {
        uint64_t s = wait_for_job(seen);
        seen = GENERATION(s);
        if (id < PARTICIPANTS(s)) {
            int ran = run_tasks();
            if (ran) atomic_fetch_add_explicit(&pool.done, ran, memory_order_release);
        }
    }
    return NULL;
}

static int ensure_workers(int wanted) {
    if (wanted > MAX_WORKERS) wanted = MAX_WORKERS;
    int have = atomic_load(&pool.workers);
    if (have >= wanted) return wanted;
    pthread_mutex_lock(&pool.spawn_lock);
    have = atomic_load(&pool.workers);
    while (have < wanted) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attributes, worker_main, (void *)(uintptr_t)have);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        have++;
        atomic_store(&pool.workers, have);
    }
    pthread_mutex_unlock(&pool.spawn_lock);
    return have < wanted ? have : wanted;
}

int zoo_pool_run(int threads, int count, zoo_task_fn task, void *context) {
    if (count > MAX_TASKS) return -1;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&pool.busy, &expected, 1)) return -1;
    int helpers = threads - 1 < count - 1 ? threads - 1 : count - 1;
    helpers = helpers > 0 ? ensure_workers(helpers) : 0;
    if (helpers == 0) {
        for (int i = 0; i < count; i++) task(context, i);
        atomic_store(&pool.busy, 0);
        return 0;
    }
    atomic_store_explicit(&pool.task, task, memory_order_relaxed);
    atomic_store_explicit(&pool.context, context, memory_order_relaxed);
    atomic_store_explicit(&pool.done, 0, memory_order_relaxed);
    uint64_t generation = (GENERATION(atomic_load_explicit(&pool.state, memory_order_relaxed)) + 1) & 0xFFFFFF;
    atomic_store(&pool.state, generation << 40 | (uint64_t)helpers << 32 | (uint64_t)count << 16);
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.sleep_lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.sleep_lock);
    }
    int ran = run_tasks();
    // Only tasks a worker has claimed can be outstanding; if that worker lost its core, give it ours.
    for (unsigned spins = 0; atomic_load_explicit(&pool.done, memory_order_acquire) + ran < count; spins++) {
        if (spins > 2000) sched_yield(); else CPU_RELAX();
    }
    atomic_store(&pool.busy, 0);
    return 0;
}

int zoo_pool_workers(void) { return atomic_load(&pool.workers); }
