#include "polyforge_core.h"

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

size_t pf_find_index_out_of_range(const uint32_t *indices, size_t index_count, uint32_t vertex_count) {
    size_t i = 0;
#if defined(__x86_64__)
    /* SSE2 has no unsigned compare: flip the sign bit so a signed compare orders unsigned values. */
    const __m128i bias = _mm_set1_epi32((int)0x80000000u);
    const __m128i limit = _mm_xor_si128(_mm_set1_epi32((int)vertex_count), bias);
    for (; i + 16 <= index_count; i += 16) {
        __m128i a = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(indices + i)), bias);
        __m128i b = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(indices + i + 4)), bias);
        __m128i c = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(indices + i + 8)), bias);
        __m128i d = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(indices + i + 12)), bias);
        /* index >= limit  <=>  !(index < limit) */
        __m128i ok = _mm_and_si128(_mm_and_si128(_mm_cmplt_epi32(a, limit), _mm_cmplt_epi32(b, limit)),
                                   _mm_and_si128(_mm_cmplt_epi32(c, limit), _mm_cmplt_epi32(d, limit)));
        if (_mm_movemask_epi8(ok) != 0xFFFF) break;
    }
#endif
    for (; i < index_count; ++i)
        if (indices[i] >= vertex_count) return i;
    return index_count;
}

void pf_widen_indices_u16(uint32_t *destination, const uint16_t *source, size_t count) {
    for (size_t i = 0; i < count; ++i) destination[i] = source[i];
}

void pf_widen_indices_u8(uint32_t *destination, const uint8_t *source, size_t count) {
    for (size_t i = 0; i < count; ++i) destination[i] = source[i];
}

size_t pf_count_degenerate_indices(const uint32_t *indices, size_t index_count) {
    size_t degenerate = 0;
    for (size_t i = 0; i + 2 < index_count; i += 3) {
        uint32_t a = indices[i], b = indices[i + 1], c = indices[i + 2];
        degenerate += (a == b || b == c || a == c);
    }
    return degenerate;
}
