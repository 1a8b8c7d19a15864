#include "attnstep/encoder.h"

#include <math.h>
#include <stddef.h>

void encoder_layernorm(double *out, double *mean, double *rstd, const double *in, const double *gamma,
                       const double *beta, double eps, int N, int D)
{
    for (int n = 0; n < N; n++) {
        const double *x = in + (size_t)n * D;
        double m = 0.0, v = 0.0;
        for (int d = 0; d < D; d++)
            m += x[d];
        m /= D;
        for (int d = 0; d < D; d++)
            v += (x[d] - m) * (x[d] - m);
        v /= D; /* biased, as PyTorch's LayerNorm */
        double s = 1.0 / sqrt(v + eps);
        for (int d = 0; d < D; d++)
            out[(size_t)n * D + d] = gamma[d] * (x[d] - m) * s + beta[d];
        mean[n] = m;
        rstd[n] = s;
    }
}

void encoder_activation(double *out, const double *in, int n, int gelu)
{
    for (int i = 0; i < n; i++)
        out[i] = gelu ? 0.5 * in[i] * (1.0 + erf(in[i] / sqrt(2.0))) : (in[i] > 0 ? in[i] : 0.0);
}

void encoder_mean_rows(double *pooled, const double *in, int N, int D)
{
    for (int d = 0; d < D; d++) {
        double sum = 0.0;
        for (int n = 0; n < N; n++)
            sum += in[(size_t)n * D + d];
        pooled[d] = sum / N;
    }
}

void encoder_softmax(double *probs, const double *logits, int C)
{
    double max = -INFINITY, sum = 0.0;
    for (int c = 0; c < C; c++)
        max = logits[c] > max ? logits[c] : max;
    for (int c = 0; c < C; c++)
        sum += probs[c] = exp(logits[c] - max);
    for (int c = 0; c < C; c++)
        probs[c] /= sum;
}
