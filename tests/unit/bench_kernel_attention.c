/* bench_kernel_attention — the attention heads forward and backward of one
 * sentence, the plain loops (attention_heads, train_heads_backward) beside the
 * trainer's kernels (kernel_attention.c) with each instruction set this CPU
 * has, and libm's exp alone as often as the forward calls it. The best of
 * many runs, in microseconds. Prints figures; not a timed test.
 *
 * Usage: bench_kernel_attention [N [D [H [RUNS]]]]   (default 200 16 2 300) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attnstep/attention.h"
#include "attnstep/kernel_attention.h"
#include "attnstep/train.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int N = argc > 1 ? atoi(argv[1]) : 200, D = argc > 2 ? atoi(argv[2]) : 16, H = argc > 3 ? atoi(argv[3]) : 2;
    int runs = argc > 4 ? atoi(argv[4]) : 300;
    if (N < 1 || D < 1 || H < 1 || D % H || runs < 1) {
        fprintf(stderr, "usage: bench_kernel_attention [N [D [H [RUNS]]]] (H divides D)\n");
        return 2;
    }
    size_t ND = (size_t)N * D, HNN = (size_t)H * N * N;
    double *buf = calloc(8 * ND + 3 * HNN + (size_t)N, sizeof *buf);
    double *scratch = malloc(kernel_attention_scratch(N, D, H) * sizeof *scratch);
    if (!buf || !scratch) {
        fprintf(stderr, "bench_kernel_attention: out of memory\n");
        return 1;
    }
    double *q = buf, *k = q + ND, *v = k + ND, *go = v + ND, *out = go + ND, *dq = out + ND, *dk = dq + ND;
    double *dv = dk + ND, *s = dv + ND, *sc = s + HNN, *w = sc + HNN, *drow = w + HNN;
    for (size_t i = 0; i < ND; i++) {
        q[i] = sin(0.7 * (double)i);
        k[i] = cos(1.3 * (double)i);
        v[i] = sin(0.1 * (double)i);
        go[i] = 0.1 * cos(0.9 * (double)i);
    }
    printf("attention heads, N %d, d_model %d, %d heads (best of %d runs, microseconds)\n", N, D, H, runs);
    double fwd = 1e30, bwd = 1e30;
    for (int r = 0; r < runs; r += 10) { /* the loops are slow: a tenth as many runs */
        double t0 = now();
        attention_heads(s, sc, NULL, w, out, q, k, v, N, D, H, 0);
        double t1 = now();
        train_heads_backward(dq, dk, dv, drow, go, q, k, v, w, N, D, H);
        double t2 = now();
        fwd = t1 - t0 < fwd ? t1 - t0 : fwd;
        bwd = t2 - t1 < bwd ? t2 - t1 : bwd;
    }
    printf("  %-16s forward %9.1f  backward %9.1f\n", "loops", fwd * 1e6, bwd * 1e6);
    static const char *const isas[] = {"avx512f", "avx2", "sse2"};
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
        if (kernel_attention_isa(isas[i]))
            continue;
        fwd = bwd = 1e30;
        for (int r = 0; r < runs; r++) {
            double t0 = now();
            kernel_attention_heads(s, sc, NULL, w, out, q, k, v, N, D, H, 0, scratch);
            double t1 = now();
            kernel_heads_backward(dq, dk, dv, go, q, k, v, w, N, D, H, scratch);
            double t2 = now();
            fwd = t1 - t0 < fwd ? t1 - t0 : fwd;
            bwd = t2 - t1 < bwd ? t2 - t1 : bwd;
        }
        printf("  kernels, %-7s forward %9.1f  backward %9.1f\n", isas[i], fwd * 1e6, bwd * 1e6);
    }
    kernel_attention_isa(NULL);
    double ex = 1e30, sink = 0.0;
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        for (size_t i = 0; i < HNN; i++)
            sink += exp(sc[i] - 1.0);
        double t1 = now();
        ex = t1 - t0 < ex ? t1 - t0 : ex;
    }
    printf("  libm exp alone, %zu calls: %.1f%s\n", HNN, ex * 1e6, sink < 0 ? " " : "");
    free(buf);
    free(scratch);
    return 0;
}
