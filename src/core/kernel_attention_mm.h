/* kernel_attention_mm.h — kernel_attention.c's matrix product, included once
 * per instruction set with MM_NAME (the function's name), MM_TARGET (its
 * target attribute, or nothing) and MM_VB (bytes in one vector register: 64
 * AVX-512, 32 AVX2, 16 SSE2) defined; KR, KW and INLINE come from there. Each
 * copy keeps a block of KR × KW in registers of its own width, so none is split
 * into pieces through memory. */

#define MM_NV (KW * (int)sizeof(double) / MM_VB) /* registers per row of a block */
#define MM_CAT2(a, b) a##b
#define MM_CAT(a, b) MM_CAT2(a, b)
#define MM_VEC MM_CAT(MM_NAME, _vec)
#define MM_UVEC MM_CAT(MM_NAME, _uvec)
#define MM_BLOCK MM_CAT(MM_NAME, _block)

typedef double MM_VEC __attribute__((vector_size(MM_VB)));
/* The same at any address a double may have: loads and stores straight from the buffers. */
typedef double MM_UVEC __attribute__((vector_size(MM_VB), aligned(sizeof(double)), may_alias));

/* One block: c (R, cols; row stride ldc) = (add ? c : 0) + Σ_{t<T} a[r·ars + t·ats]·b[t·ldb + l].
 * b holds KW readable columns (zero padding beyond cols). A scalar times a vector multiplies every lane. */
MM_TARGET INLINE void MM_BLOCK(double *restrict c, size_t ldc, int R, int cols, const double *restrict a, size_t ars,
                               size_t ats, const double *restrict b, size_t ldb, int T, int add)
{
    MM_VEC acc[KR][MM_NV];
    double init[KW] = {0.0};
    for (int r = 0; r < R; r++)
        for (int v = 0; v < MM_NV; v++) {
            if (add && cols == KW) {
                acc[r][v] = *(const MM_UVEC *)(c + r * ldc + v * (MM_VB / 8));
            } else {
                for (int l = 0; add && l < cols; l++)
                    init[l] = c[r * ldc + l];
                memcpy(&acc[r][v], init + v * (MM_VB / 8), MM_VB);
            }
        }
    for (int t = 0; t < T; t++) {
        const double *bt = b + (size_t)t * ldb;
        MM_VEC bv[MM_NV];
        for (int v = 0; v < MM_NV; v++)
            bv[v] = *(const MM_UVEC *)(bt + v * (MM_VB / 8));
        for (int r = 0; r < R; r++) {
            double x = a[r * ars + (size_t)t * ats];
            for (int v = 0; v < MM_NV; v++)
                acc[r][v] += x * bv[v];
        }
    }
    for (int r = 0; r < R; r++) {
        if (cols == KW) {
            for (int v = 0; v < MM_NV; v++)
                *(MM_UVEC *)(c + r * ldc + v * (MM_VB / 8)) = acc[r][v];
        } else {
            double out[KW];
            memcpy(out, acc[r], sizeof out);
            for (int l = 0; l < cols; l++)
                c[r * ldc + l] = out[l];
        }
    }
}

/* c (M, C) = (add ? c : 0) + a (M, T; strides ars, ats)·b (T, C; row stride ldb ≥ C rounded up to KW). */
MM_TARGET static void MM_NAME(double *c, size_t ldc, int M, int C, const double *a, size_t ars, size_t ats,
                              const double *b, size_t ldb, int T, int add)
{
    int i = 0;
    for (; i + KR <= M; i += KR)
        for (int l = 0; l < C; l += KW)
            MM_BLOCK(c + (size_t)i * ldc + l, ldc, KR, C - l < KW ? C - l : KW, a + (size_t)i * ars, ars, ats, b + l,
                     ldb, T, add);
    for (; i < M; i++)
        for (int l = 0; l < C; l += KW)
            MM_BLOCK(c + (size_t)i * ldc + l, ldc, 1, C - l < KW ? C - l : KW, a + (size_t)i * ars, ars, ats, b + l,
                     ldb, T, add);
}

#undef MM_NV
#undef MM_CAT2
#undef MM_CAT
#undef MM_VEC
#undef MM_UVEC
#undef MM_BLOCK
