#ifndef POLYFORGE_CPNG_SHIM_H
#define POLYFORGE_CPNG_SHIM_H
#include <png.h>
/* Compound macros are not imported into Swift; re-export the ones we use. */
static const png_uint_32 CPNG_FORMAT_RGBA = PNG_FORMAT_RGBA;
static const png_uint_32 CPNG_FORMAT_RGB = PNG_FORMAT_RGB;
static const png_uint_32 CPNG_FORMAT_GRAY = PNG_FORMAT_GRAY;
static inline size_t cpng_image_size(png_image *img) { return PNG_IMAGE_SIZE(*img); }
static inline int cpng_failed(png_image *img) { return PNG_IMAGE_FAILED(*img); }
#endif
