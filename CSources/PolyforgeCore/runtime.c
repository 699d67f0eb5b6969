#include "polyforge_core.h"

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
    omp_set_num_threads(n > 0 ? n : omp_get_num_procs());
#else
    (void)n;
#endif
}

void pf_keep_freed_memory(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 0x7FFFFFFF);
#endif
}
