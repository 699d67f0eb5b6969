#ifndef POLYFORGE_CMESHOPT_SHIM_H
#define POLYFORGE_CMESHOPT_SHIM_H
/* Debian's libmeshoptimizer-dev: used to decode EXT_meshopt_compression and as the benchmark reference. */
#include <meshoptimizer.h>
#endif
