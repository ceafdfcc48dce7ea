/* Memory read bandwidth, STREAM-like read-sum over a 1 GiB array (THP madvised), OpenMP threads.
 * Build: cc -O3 -march=native -fopenmp bench/membw.c -o membw ; run: OMP_NUM_THREADS=2 ./membw [MiB] [reps]
 * Prints one JSON object: best and median GB/s (1e9 bytes/s) over reps (first rep dropped as warm-up). */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? strtoul(argv[1], 0, 10) : 1024;
    int reps = argc > 2 ? atoi(argv[2]) : 12;
    size_t bytes = mib << 20, n = bytes / sizeof(uint64_t);
    uint64_t *a = mmap(0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED) { perror("mmap"); return 1; }
    madvise(a, bytes, MADV_HUGEPAGE);
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) a[i] = i * 0x9E3779B97F4A7C15ull;  /* first touch by the reading thread */
    double *gbs = calloc(reps, sizeof(double));
    uint64_t sink = 0;
    for (int r = 0; r < reps + 1; r++) {
        uint64_t s = 0;
        double t = now();
#pragma omp parallel for schedule(static) reduction(+ : s)
        for (size_t i = 0; i < n; i++) s += a[i];
        t = now() - t;
        sink += s;
        if (r > 0) gbs[r - 1] = bytes / t / 1e9;
    }
    qsort(gbs, reps, sizeof(double), cmp);
    printf("{\"threads\": %d, \"array_mib\": %zu, \"reps\": %d, \"read_gb_per_second_best\": %.2f, "
           "\"read_gb_per_second_median\": %.2f, \"read_gb_per_second_min\": %.2f, \"sink\": %llu}\n",
           omp_get_max_threads(), mib, reps, gbs[reps - 1], gbs[reps / 2], gbs[0], (unsigned long long)(sink & 1));
    return 0;
}
