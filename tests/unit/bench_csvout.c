/* bench_csvout — how fast csvout_exact's text is made: Ryu's digits laid out as
 * %g (csvout_format_exact) against the trial loop it replaced (%.9g..%.17g, each
 * read back with strtod). Prints figures; not a timed test.
 *
 * Usage: bench_csvout [COUNT]   (COUNT random weight-like doubles, default 1000000) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attnstep/csvout.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t trial_loop(char *buf, double v)
{
    for (int digits = 9; digits <= 17; digits++) {
        snprintf(buf, CSVOUT_EXACT_SIZE, "%.*g", digits, v);
        double back = strtod(buf, NULL);
        if (memcmp(&back, &v, sizeof v) == 0)
            break;
    }
    return strlen(buf);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    if (n <= 0)
        n = 1000000;
    double *v = malloc((size_t)n * sizeof *v);
    if (!v)
        return 1;
    uint64_t state = 1;
    for (long i = 0; i < n; i++) { /* like trained weights: |v| in 2^-30 .. 2^4, random mantissa */
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t bits = (state & 0x800fffffffffffffull) | (uint64_t)(1023 - 30 + (state >> 40) % 35) << 52;
        memcpy(&v[i], &bits, sizeof bits);
    }
    char buf[CSVOUT_EXACT_SIZE];
    size_t total[2] = {0, 0};
    double t0 = now();
    for (long i = 0; i < n; i++)
        total[0] += csvout_format_exact(buf, v[i]);
    double t1 = now();
    for (long i = 0; i < n; i++)
        total[1] += trial_loop(buf, v[i]);
    double t2 = now();
    printf("csvout_exact on %ld weight-like doubles (%.1f characters each):\n", n, (double)total[0] / (double)n);
    printf("  Ryu, laid out as %%g: %7.1f ns per number\n", (t1 - t0) * 1e9 / (double)n);
    printf("  trial loop:          %7.1f ns per number (%.0f× slower)\n", (t2 - t1) * 1e9 / (double)n,
           (t2 - t1) / (t1 - t0));
    free(v);
    return total[0] == total[1] ? 0 : 1;
}
