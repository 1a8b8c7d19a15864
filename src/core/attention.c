#include "attnstep/attention.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

double attention_positional_angle(int p, int j, int D)
{
    int two_i = j - (j % 2);
    return (double)p / pow(10000.0, (double)two_i / (double)D);
}

void attention_positional(double *pe, int N, int D)
{
    for (int p = 0; p < N; p++)
        for (int j = 0; j < D; j++) {
            double a = attention_positional_angle(p, j, D);
            pe[(size_t)p * D + j] = (j % 2 == 0) ? sin(a) : cos(a);
        }
}

void attention_linear(double *restrict out, const double *restrict in, const double *restrict w,
                      const double *restrict b, int N, int K, int C)
{
    /* Row by row of w, so the inner loop runs along contiguous memory. */
    for (int n = 0; n < N; n++) {
        double *o = out + (size_t)n * C;
        for (int c = 0; c < C; c++)
            o[c] = b ? b[c] : 0.0;
        for (int k = 0; k < K; k++) {
            double x = in[(size_t)n * K + k];
            const double *wk = w + (size_t)k * C;
            for (int c = 0; c < C; c++)
                o[c] += x * wk[c];
        }
    }
}

void attention_heads(double *scores, double *scaled, double *masked, double *weights, double *out,
                     const double *q, const double *k, const double *v, int N, int D, int H, int causal)
{
    int DK = D / H;
    double scale = 1.0 / sqrt((double)DK);
    for (int h = 0; h < H; h++) {
        size_t base = (size_t)h * N * N;
        for (int i = 0; i < N; i++) {
            double *s_row = scores + base + (size_t)i * N;
            double *sc_row = scaled + base + (size_t)i * N;
            double *m_row = causal ? masked + base + (size_t)i * N : sc_row;
            double *w_row = weights + base + (size_t)i * N;
            const double *qi = q + (size_t)i * D + (size_t)h * DK;
            double max = -INFINITY;
            for (int j = 0; j < N; j++) {
                const double *kj = k + (size_t)j * D + (size_t)h * DK;
                double dot = 0.0;
                for (int d = 0; d < DK; d++)
                    dot += qi[d] * kj[d];
                s_row[j] = dot;
                sc_row[j] = dot * scale;
                if (causal)
                    m_row[j] = j > i ? -INFINITY : sc_row[j];
                if (m_row[j] > max)
                    max = m_row[j];
            }
            /* Subtracting the row maximum keeps exp() from overflowing and does
             * not change the result; a masked entry becomes exactly 0. */
            double sum = 0.0;
            for (int j = 0; j < N; j++) {
                w_row[j] = isinf(m_row[j]) ? 0.0 : exp(m_row[j] - max);
                sum += w_row[j];
            }
            for (int j = 0; j < N; j++)
                w_row[j] /= sum;
            double *o = out + (size_t)i * D + (size_t)h * DK;
            for (int d = 0; d < DK; d++) {
                double acc = 0.0;
                for (int j = 0; j < N; j++)
                    acc += w_row[j] * v[(size_t)j * D + (size_t)h * DK + d];
                o[d] = acc;
            }
        }
    }
}

int attention_influence(double *influence, const double *q, const double *k, const double *v,
                        const double *weights, const double *w_q, const double *w_k, const double *w_v,
                        const double *w_o, int N, int D, int H)
{
    int DK = D / H, last = N - 1;
    double scale = 1.0 / sqrt((double)DK);
    double *g_x = malloc((size_t)N * D * sizeof *g_x);  /* (N, D) */
    double *g_a = malloc((size_t)N * sizeof *g_a);      /* (N) */
    double *g_kv = malloc((size_t)2 * DK * sizeof *g_kv);
    double *g_q = malloc((size_t)DK * sizeof *g_q);
    if (!g_x || !g_a || !g_kv || !g_q) {
        free(g_x);
        free(g_a);
        free(g_kv);
        free(g_q);
        return -1;
    }
    memset(influence, 0, (size_t)N * sizeof *influence);
    for (int d = 0; d < D; d++) {
        memset(g_x, 0, (size_t)N * D * sizeof *g_x);
        /* y_d = concat[last]·W_O[:,d] + b: its gradient on concat[last] is W_O's column d. */
        for (int h = 0; h < H; h++) {
            const double *a = weights + ((size_t)h * N + last) * N;
            const double *qi = q + (size_t)last * D + (size_t)h * DK;
            size_t hc = (size_t)h * DK;
            double mean = 0.0; /* Σ_j a_j g_a_j, for the softmax's gradient */
            for (int j = 0; j < N; j++) {
                double sum = 0.0;
                for (int m = 0; m < DK; m++)
                    sum += w_o[(hc + m) * D + d] * v[(size_t)j * D + hc + m];
                g_a[j] = sum;
                mean += a[j] * sum;
            }
            memset(g_q, 0, (size_t)DK * sizeof *g_q);
            for (int j = 0; j < N; j++) {
                double g_s = a[j] * (g_a[j] - mean) * scale; /* through softmax and 1/√d_k */
                const double *kj = k + (size_t)j * D + hc;
                for (int m = 0; m < DK; m++) {
                    g_q[m] += g_s * kj[m];
                    g_kv[m] = g_s * qi[m];                          /* ∂/∂k_j */
                    g_kv[DK + m] = a[j] * w_o[(hc + m) * D + d];    /* ∂/∂v_j */
                }
                double *gxj = g_x + (size_t)j * D;
                for (int r = 0; r < D; r++) {
                    double sum = 0.0;
                    for (int m = 0; m < DK; m++)
                        sum += g_kv[m] * w_k[(size_t)r * D + hc + m] + g_kv[DK + m] * w_v[(size_t)r * D + hc + m];
                    gxj[r] += sum;
                }
            }
            double *gxl = g_x + (size_t)last * D;
            for (int r = 0; r < D; r++) {
                double sum = 0.0;
                for (int m = 0; m < DK; m++)
                    sum += g_q[m] * w_q[(size_t)r * D + hc + m];
                gxl[r] += sum;
            }
        }
        for (int i = 0; i < N; i++)
            for (int r = 0; r < D; r++)
                influence[i] += g_x[(size_t)i * D + r] * g_x[(size_t)i * D + r];
    }
    for (int i = 0; i < N; i++)
        influence[i] = sqrt(influence[i]);
    free(g_x);
    free(g_a);
    free(g_kv);
    free(g_q);
    return 0;
}
