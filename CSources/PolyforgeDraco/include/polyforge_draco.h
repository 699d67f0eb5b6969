/* polyforge_draco.h - KHR_draco_mesh_compression decoding through Debian's libdraco (stub, being built). */
#ifndef POLYFORGE_DRACO_H
#define POLYFORGE_DRACO_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
int pf_draco_version(void);
#ifdef __cplusplus
}
#endif
#endif
