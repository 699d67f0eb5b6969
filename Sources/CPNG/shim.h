#ifndef POLYFORGE_CPNG_SHIM_H
#define POLYFORGE_CPNG_SHIM_H
#include <png.h>
/* Compound macros are not imported into Swift; re-export the ones we use. */
static const png_uint_32 CPNG_FORMAT_RGBA = PNG_FORMAT_RGBA;
static const png_uint_32 CPNG_FORMAT_RGB = PNG_FORMAT_RGB;
static const png_uint_32 CPNG_FORMAT_GRAY = PNG_FORMAT_GRAY;
static inline size_t cpng_image_size(png_image *img) { return PNG_IMAGE_SIZE(*img); }
static inline int cpng_failed(png_image *img) { return PNG_IMAGE_FAILED(*img); }

/* ---- writing with chosen filter and deflate settings ----
 * The simplified API's PNG_IMAGE_FLAG_FAST leaves rows unfiltered and deflates at level 3: a 512x512 thumbnail
 * took 7 ms, a 3-view sheet 24 ms. The "Up" filter with run-length deflate at level 1 compresses rendered images
 * (flat background, smooth shading) about as well in half the time. libpng reports errors by longjmp, so the
 * setjmp lives here, in C. */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct { unsigned char *data; size_t size, capacity; int failed; } cpng_buffer;

static void cpng_write_data(png_structp png, png_bytep bytes, size_t length) {
    cpng_buffer *b = (cpng_buffer *)png_get_io_ptr(png);
    if (b->failed) return;
    if (b->size + length > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 65536;
        while (capacity < b->size + length) capacity *= 2;
        unsigned char *grown = (unsigned char *)realloc(b->data, capacity);
        if (!grown) { b->failed = 1; png_error(png, "out of memory"); }
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->size, bytes, length);
    b->size += length;
}

static void cpng_flush(png_structp png) { (void)png; }

static void cpng_error(png_structp png, png_const_charp message) {
    char *out = (char *)png_get_error_ptr(png);
    if (out) { strncpy(out, message ? message : "libpng error", 255); out[255] = 0; }
    png_longjmp(png, 1);
}

static void cpng_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

/* Encodes 8-bit RGBA rows (top first, width * 4 bytes each). `size_hint` pre-sizes the output. On success returns 1
 * and a malloc'd PNG in *out (free it); on failure 0 and a message in `error` (256 bytes). */
static inline int cpng_encode_rgba(const unsigned char *rgba, png_uint_32 width, png_uint_32 height, int fast,
                                   size_t size_hint, unsigned char **out, size_t *out_size, char *error) {
    cpng_buffer buffer = {0};
    buffer.data = (unsigned char *)malloc(size_hint > 0 ? size_hint : 65536);
    buffer.capacity = buffer.data ? (size_hint > 0 ? size_hint : 65536) : 0;
    png_bytep *rows = (png_bytep *)malloc((height ? height : 1) * sizeof(png_bytep));
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, error, cpng_error, cpng_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!buffer.data || !rows || !png || !info) {
        if (png) png_destroy_write_struct(&png, info ? &info : NULL);
        free(buffer.data);
        free(rows);
        strcpy(error, "out of memory");
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(buffer.data);
        free(rows);
        return 0;
    }
    png_set_write_fn(png, &buffer, cpng_write_data, cpng_flush);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (fast) {
        png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
        png_set_compression_level(png, 1);
        png_set_compression_strategy(png, Z_RLE);
    }
    png_write_info(png, info);
    for (png_uint_32 y = 0; y < height; ++y) rows[y] = (png_bytep)(rgba + (size_t)y * width * 4);
    png_write_image(png, rows);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(rows);
    *out = buffer.data;
    *out_size = buffer.size;
    return 1;
}
#endif
