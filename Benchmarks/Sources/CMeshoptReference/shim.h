#ifndef POLYFORGE_BENCH_CMESHOPT_REFERENCE_H
#define POLYFORGE_BENCH_CMESHOPT_REFERENCE_H
/* Debian's libmeshoptimizer-dev (0.18): meshopt_simplify is simplify-bench's reference. The root package's
 * CMeshopt module is not a library product, so the benchmark package carries its own shim. */
#include <meshoptimizer.h>
#endif
