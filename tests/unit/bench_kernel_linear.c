/* bench_kernel_linear — the linear layers' and Adam's speed: the reference
 * loops against kernel_linear with each instruction set this CPU has, at the
 * shapes training meets (a mini-batch's rows × d_model × d_model or d_ff).
 * Each figure is the best of 15 interleaved rounds (other work on the
 * machine only slows a round down). Prints figures; not a timed test.
 *
 * Usage: bench_kernel_linear [N K C]... */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "attnstep/attention.h"
#include "attnstep/kernel_linear.h"
#include "attnstep/train.h"

#define ROUNDS 15

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double *filled(size_t n, unsigned *seed)
{
    double *p = malloc(n * sizeof *p);
    if (!p) {
        fprintf(stderr, "bench_kernel_linear: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        p[i] = (double)(rand_r(seed) % 2001) / 2000.0; /* in [0, 1]: also a valid second moment for Adam */
    return p;
}

static void shape(int N, int K, int C)
{
    unsigned seed = 1;
    size_t NK = (size_t)N * K, KC = (size_t)K * C, NC = (size_t)N * C;
    double *in = filled(NK, &seed), *w = filled(KC, &seed), *b = filled((size_t)C, &seed), *out = filled(NC, &seed);
    double *dout = filled(NC, &seed), *dinp = filled(NK, &seed), *dw = filled(KC, &seed), *db = filled((size_t)C, &seed);
    double *wt = filled(KC, &seed);
    double macs = (double)N * K * C, best[KERNEL_ISA_COUNT + 1][2];
    int reps = (int)(2e7 / macs) + 1;
    for (int v = 0; v <= KERNEL_ISA_COUNT; v++)
        best[v][0] = best[v][1] = 1e30;
    for (int round = 0; round < ROUNDS; round++)
        for (int v = 0; v <= KERNEL_ISA_COUNT; v++) { /* v = KERNEL_ISA_COUNT: the reference loops */
            if (v < KERNEL_ISA_COUNT && kernel_linear_use(v))
                continue;
            double t = now();
            for (int i = 0; i < reps; i++)
                if (v == KERNEL_ISA_COUNT)
                    attention_linear(out, in, w, b, N, K, C);
                else
                    kernel_linear_forward(out, in, w, b, N, K, C);
            t = now() - t;
            best[v][0] = t < best[v][0] ? t : best[v][0];
            t = now();
            for (int i = 0; i < reps; i++)
                if (v == KERNEL_ISA_COUNT)
                    train_linear_backward(dinp, dw, db, dout, in, w, N, K, C);
                else
                    kernel_linear_backward(dinp, dw, db, wt, dout, in, w, N, K, C);
            t = now() - t;
            best[v][1] = t < best[v][1] ? t : best[v][1];
        }
    kernel_linear_use(KERNEL_ISA_BEST);
    static const char *const names[] = {"SSE2/base", "AVX2", "AVX-512", "reference"};
    printf("N %4d K %3d C %3d, GMAC/s forward / backward:", N, K, C);
    for (int v = KERNEL_ISA_COUNT; v >= 0; v--)
        if (best[v][0] < 1e30)
            printf("  %s %.1f / %.1f", names[v], macs * reps / best[v][0] / 1e9, 2 * macs * reps / best[v][1] / 1e9);
    putchar('\n');
    free(in), free(w), free(b), free(out), free(dout), free(dinp), free(dw), free(db), free(wt);
}

static void adam(size_t n)
{
    unsigned seed = 2;
    double *w = filled(n, &seed), *m = filled(n, &seed), *v = filled(n, &seed), *g = filled(n, &seed);
    double best[KERNEL_ISA_COUNT + 1];
    for (int k = 0; k <= KERNEL_ISA_COUNT; k++)
        best[k] = 1e30;
    for (int round = 0; round < ROUNDS; round++)
        for (int k = 0; k <= KERNEL_ISA_COUNT; k++) {
            if (k < KERNEL_ISA_COUNT && kernel_linear_use(k))
                continue;
            double t = now();
            for (int i = 0; i < 20; i++)
                if (k == KERNEL_ISA_COUNT)
                    train_adam_update(w, m, v, g, n, 1e-3, 0.9, 0.999, 0.1, 0.001, 1e-8);
                else
                    kernel_linear_adam(w, m, v, g, n, 1e-3, 0.9, 0.999, 0.1, 0.001, 1e-8);
            t = now() - t;
            best[k] = t < best[k] ? t : best[k];
        }
    kernel_linear_use(KERNEL_ISA_BEST);
    static const char *const names[] = {"SSE2/base", "AVX2", "AVX-512", "reference"};
    printf("Adam, %zu weights, ns per weight:", n);
    for (int k = KERNEL_ISA_COUNT; k >= 0; k--)
        if (best[k] < 1e30)
            printf("  %s %.2f", names[k], best[k] / 20 / (double)n * 1e9);
    putchar('\n');
    free(w), free(m), free(v), free(g);
}

int main(int argc, char **argv)
{
    printf("kernel_linear, best of %d rounds; the kernels pick %s\n", ROUNDS,
           kernel_linear_isa() == KERNEL_ISA_AVX512 ? "AVX-512"
           : kernel_linear_isa() == KERNEL_ISA_AVX2 ? "AVX2" : "SSE2/base");
    if (argc >= 4) {
        for (int i = 1; i + 2 < argc; i += 3)
            shape(atoi(argv[i]), atoi(argv[i + 1]), atoi(argv[i + 2]));
        return 0;
    }
    /* a d_model-64 mini-batch of 16 sentences of 6 and of 10 tokens, its feed-forward, and d16 at 200 tokens */
    shape(98, 64, 64);
    shape(160, 64, 64);
    shape(98, 64, 128);
    shape(98, 128, 64);
    shape(200, 16, 16);
    adam(53000);
    return 0;
}
