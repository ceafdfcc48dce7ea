#ifndef ZOO_THREAD_POOL_H
#define ZOO_THREAD_POOL_H

#ifdef __cplusplus
extern "C" {
#endif

/// One task of a parallel job: `index` is in [0, count).
typedef void (*zoo_task_fn)(void *context, int index);

/// Runs task(context, 0) … task(context, count - 1) on the calling thread and up to `threads - 1`
/// persistent worker threads, and returns when every task has finished.
///
/// A decode step runs ~170 matrix products of tens of microseconds each; waking sleeping threads
/// for every one (as a dispatch queue does) costs a large share of the step. The workers spin for a
/// while after each job, so the next job starts within a fraction of a microsecond, and sleep only
/// when no job came for about a millisecond.
///
/// Returns 0 when the job ran. Returns -1 without running anything when the pool is already busy
/// (a job submitted from inside a task, or from another thread at the same moment); the caller then
/// runs the job another way.
int zoo_pool_run(int threads, int count, zoo_task_fn task, void *context);

/// The number of worker threads started so far (not counting callers).
int zoo_pool_workers(void);

#ifdef __cplusplus
}
#endif

#endif
