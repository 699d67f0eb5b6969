#include "polyforge_draco.h"
#include <draco/compression/decode.h>
extern "C" int pf_draco_version(void) { return 1; }
