#include "polyforge_core.h"
#include <stdlib.h>
#include <string.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#ifdef _OPENMP
/* omp.h is not on the Swift toolchain's include path (toolchain notes, section 1): declare what we call. */
int omp_get_max_threads(void);
int omp_get_num_procs(void);
void omp_set_num_threads(int);
void kmp_set_blocktime(int);
#endif

int pf_simd_level(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 2;
    return 1;
#else
    return 0;
#endif
}

int pf_has_openmp(void) {
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

int pf_thread_count(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

void pf_set_thread_count(int n) {
#ifdef _OPENMP
    kmp_set_blocktime(0);
    if (n <= 0) {
        const char *env = getenv("OMP_NUM_THREADS");
        int from_env = env ? atoi(env) : 0;
        n = from_env > 0 ? from_env : omp_get_num_procs();
    }
    omp_set_num_threads(n);
#else
    (void)n;
#endif
}

static int freed_memory_kept;

int pf_freed_memory_is_kept(void) { return __atomic_load_n(&freed_memory_kept, __ATOMIC_RELAXED); }

void pf_keep_freed_memory(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 0x7FFFFFFF);
    __atomic_store_n(&freed_memory_kept, 1, __ATOMIC_RELAXED);
#endif
}

void pf_release_freed_memory(void) {
#if defined(__GLIBC__)
    __atomic_store_n(&freed_memory_kept, 0, __ATOMIC_RELAXED);
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
}

void pf_copy(void *destination, const void *source, size_t bytes) {
    /* In a fresh process the destination is new memory: the copy is bound by the kernel zeroing and mapping pages
     * on first touch, which threads can share. Below 4 MB one thread is faster than waking a team. */
    enum { CHUNK = 1 << 20 };
    if (bytes < ((size_t)4 << 20)) {
        memcpy(destination, source, bytes);
        return;
    }
    const long chunks = (long)((bytes + CHUNK - 1) / CHUNK);
    #pragma omp parallel for schedule(static)
    for (long k = 0; k < chunks; ++k) {
        size_t begin = (size_t)k * CHUNK, end = begin + CHUNK < bytes ? begin + CHUNK : bytes;
        memcpy((char *)destination + begin, (const char *)source + begin, end - begin);
    }
}
