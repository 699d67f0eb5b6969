#ifndef POLYFORGE_CTURBOJPEG_SHIM_H
#define POLYFORGE_CTURBOJPEG_SHIM_H
#include <stddef.h>
#include <turbojpeg.h>
#endif
