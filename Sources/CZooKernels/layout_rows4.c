// Packing to and from the four-row layout of copied fp32/16-bit weights (zoo_kernels.h,
// zoo_linear_f32_rows4): [group of 4 rows][chunk of 16 columns][row in group][16 values].
#include "zoo_kernels.h"

#include <string.h>

void zoo_pack_rows4(const void *source, int k_dim, int element_bytes, int group_begin, int group_end,
                    void *destination) {
    const size_t chunk = 16 * (size_t)element_bytes, row_bytes = (size_t)k_dim * element_bytes;
    const char *in = source;
    char *out = destination;
    for (int g = group_begin; g < group_end; g++) {
        char *group = out + (size_t)g * 4 * row_bytes;
        for (int c = 0; c < k_dim / 16; c++)
            for (int j = 0; j < 4; j++)
                memcpy(group + ((size_t)c * 4 + j) * chunk, in + ((size_t)g * 4 + j) * row_bytes + c * chunk, chunk);
    }
}

void zoo_unpack_row_rows4(const void *packed, int k_dim, int element_bytes, int row, void *destination) {
    const size_t chunk = 16 * (size_t)element_bytes, row_bytes = (size_t)k_dim * element_bytes;
    const char *group = (const char *)packed + (size_t)(row / 4) * 4 * row_bytes;
    for (int c = 0; c < k_dim / 16; c++)
        memcpy((char *)destination + c * chunk, group + ((size_t)c * 4 + row % 4) * chunk, chunk);
}
