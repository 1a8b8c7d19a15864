#include "attnstep/recurrent.h"

#include <math.h>
#include <stdlib.h>

#include "attnstep/attention.h"

static double sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* out (C) = in_a (K1)·w_a (K1, C) + in_b (K2)·w_b (K2, C) + b (C); in_b may be NULL (h_0 = 0). */
static void affine2(double *out, const double *in_a, const double *w_a, int K1, const double *in_b,
                    const double *w_b, int K2, const double *b, int C)
{
    for (int c = 0; c < C; c++) {
        double sum = b ? b[c] : 0.0;
        for (int k = 0; k < K1; k++)
            sum += in_a[k] * w_a[(size_t)k * C + c];
        for (int k = 0; in_b && k < K2; k++)
            sum += in_b[k] * w_b[(size_t)k * C + c];
        out[c] = sum;
    }
}

void recurrent_rnn_forward(double *pre, double *h, const double *e, const double *w_xh, const double *w_hh,
                           const double *b, int N, int D, int Dh)
{
    for (int t = 0; t < N; t++) {
        double *p = pre + (size_t)t * Dh;
        affine2(p, e + (size_t)t * D, w_xh, D, t ? h + (size_t)(t - 1) * Dh : NULL, w_hh, Dh, b, Dh);
        for (int j = 0; j < Dh; j++)
            h[(size_t)t * Dh + j] = tanh(p[j]);
    }
}

void recurrent_lstm_forward(double *z, double *gates, double *c, double *h, const double *e, const double *w_x,
                            const double *w_h, const double *b, int N, int D, int Dh)
{
    int G = 4 * Dh;
    for (int t = 0; t < N; t++) {
        double *zt = z + (size_t)t * G, *gt = gates + (size_t)t * G;
        affine2(zt, e + (size_t)t * D, w_x, D, t ? h + (size_t)(t - 1) * Dh : NULL, w_h, Dh, b, G);
        for (int j = 0; j < Dh; j++) {
            double i = sigmoid(zt[j]), f = sigmoid(zt[Dh + j]), g = tanh(zt[2 * Dh + j]);
            double o = sigmoid(zt[3 * Dh + j]);
            gt[j] = i;
            gt[Dh + j] = f;
            gt[2 * Dh + j] = g;
            gt[3 * Dh + j] = o;
            double c_prev = t ? c[(size_t)(t - 1) * Dh + j] : 0.0;
            c[(size_t)t * Dh + j] = f * c_prev + i * g;
            h[(size_t)t * Dh + j] = o * tanh(c[(size_t)t * Dh + j]);
        }
    }
}

/* wt (C, K) = wᵀ for w (K, C), so that a gradient goes back through w as a
 * row-times-matrix product whose inner loop runs along memory. */
static double *transposed(const double *w, int K, int C)
{
    double *wt = malloc((size_t)K * C * sizeof *wt);
    for (int k = 0; wt && k < K; k++)
        for (int c = 0; c < C; c++)
            wt[(size_t)c * K + k] = w[(size_t)k * C + c];
    return wt;
}

/* out (R, C) = in (R, K)·w (K, C). w can be (4·Dh, Dh), 32 MiB: it is read in
 * tiles of TILE×TILE that stay in cache while every row of in passes over
 * them, four rows at a time. Each entry still sums over k in order. */
#define TILE 128
static void times(double *restrict out, const double *restrict in, const double *restrict w, int R, int K, int C)
{
    for (size_t i = 0; i < (size_t)R * C; i++)
        out[i] = 0.0;
    for (int c0 = 0; c0 < C; c0 += TILE) {
        int c1 = c0 + TILE < C ? c0 + TILE : C;
        for (int k0 = 0; k0 < K; k0 += TILE) {
            int k1 = k0 + TILE < K ? k0 + TILE : K, r = 0;
            for (; r + 4 <= R; r += 4) {
                double *o0 = out + (size_t)r * C, *o1 = o0 + C, *o2 = o1 + C, *o3 = o2 + C;
                const double *i0 = in + (size_t)r * K, *i1 = i0 + K, *i2 = i1 + K, *i3 = i2 + K;
                for (int k = k0; k < k1; k++) {
                    const double *wk = w + (size_t)k * C;
                    double x0 = i0[k], x1 = i1[k], x2 = i2[k], x3 = i3[k];
                    for (int c = c0; c < c1; c++) {
                        o0[c] += x0 * wk[c];
                        o1[c] += x1 * wk[c];
                        o2[c] += x2 * wk[c];
                        o3[c] += x3 * wk[c];
                    }
                }
            }
            for (; r < R; r++)
                for (int k = k0; k < k1; k++) {
                    double x = in[(size_t)r * K + k];
                    for (int c = c0; c < c1; c++)
                        out[(size_t)r * C + c] += x * w[(size_t)k * C + c];
                }
        }
    }
}

/* ‖g‖_F for g (rows, D). */
static double frobenius(const double *g, int rows, int D)
{
    double sum = 0.0;
    for (size_t i = 0; i < (size_t)rows * D; i++)
        sum += g[i] * g[i];
    return sqrt(sum);
}

/* Both functions backpropagate all Dh components of y = h_N at once: row d of
 * each (Dh, ·) gradient matrix is the backward pass seeded with y_d, so row d
 * of g_e at step t is row d of the Jacobian ∂y/∂e_t, and the squared entries
 * add up to ‖∂y/∂e_t‖²_F. One matrix product per step reads each weight once
 * for all Dh passes. */
int recurrent_rnn_influence(double *influence, const double *h, const double *w_xh, const double *w_hh,
                            int N, int D, int Dh, void (*progress)(void *ctx, double done), void *ctx)
{
    size_t S = (size_t)Dh * Dh;
    double *g_h = calloc(S, sizeof *g_h), *g_a = malloc(S * sizeof *g_a);
    double *g_e = malloc((size_t)Dh * D * sizeof *g_e);
    double *w_xt = transposed(w_xh, D, Dh), *w_ht = transposed(w_hh, Dh, Dh);
    int ok = g_h && g_a && g_e && w_xt && w_ht;
    if (ok) {
        for (int d = 0; d < Dh; d++)
            g_h[(size_t)d * Dh + d] = 1.0;
        for (int t = N - 1; t >= 0; t--) {
            const double *ht = h + (size_t)t * Dh;
            for (int d = 0; d < Dh; d++)
                for (int j = 0; j < Dh; j++)
                    g_a[(size_t)d * Dh + j] = g_h[(size_t)d * Dh + j] * (1.0 - ht[j] * ht[j]); /* tanh' */
            times(g_e, g_a, w_xt, Dh, Dh, D);
            influence[t] = frobenius(g_e, Dh, D);
            times(g_h, g_a, w_ht, Dh, Dh, Dh);
            if (progress)
                progress(ctx, (double)(N - t) / N);
        }
    }
    free(g_h);
    free(g_a);
    free(g_e);
    free(w_xt);
    free(w_ht);
    return ok ? 0 : -1;
}

int recurrent_lstm_influence(double *influence, const double *gates, const double *c, const double *w_x,
                             const double *w_h, int N, int D, int Dh, void (*progress)(void *ctx, double done),
                             void *ctx)
{
    int G = 4 * Dh;
    size_t S = (size_t)Dh * Dh;
    double *g_h = calloc(S, sizeof *g_h), *g_c = calloc(S, sizeof *g_c);
    double *g_z = malloc(S * 4 * sizeof *g_z), *g_e = malloc((size_t)Dh * D * sizeof *g_e);
    double *w_xt = transposed(w_x, D, G), *w_ht = transposed(w_h, Dh, G);
    int ok = g_h && g_c && g_z && g_e && w_xt && w_ht;
    if (ok) {
        for (int d = 0; d < Dh; d++)
            g_h[(size_t)d * Dh + d] = 1.0;
        for (int t = N - 1; t >= 0; t--) {
            const double *gt = gates + (size_t)t * G;
            for (int d = 0; d < Dh; d++) {
                double *gh = g_h + (size_t)d * Dh, *gcell = g_c + (size_t)d * Dh, *gz = g_z + (size_t)d * G;
                for (int j = 0; j < Dh; j++) {
                    double i = gt[j], f = gt[Dh + j], g = gt[2 * Dh + j], o = gt[3 * Dh + j];
                    double ct = c[(size_t)t * Dh + j], tc = tanh(ct);
                    double c_prev = t ? c[(size_t)(t - 1) * Dh + j] : 0.0;
                    /* h = o⊙tanh(c): the state's gradient reaches c through tanh and o. */
                    double gc = gcell[j] + gh[j] * o * (1.0 - tc * tc);
                    gz[j] = gc * g * i * (1.0 - i);               /* input gate */
                    gz[Dh + j] = gc * c_prev * f * (1.0 - f);     /* forget gate */
                    gz[2 * Dh + j] = gc * i * (1.0 - g * g);      /* candidate */
                    gz[3 * Dh + j] = gh[j] * tc * o * (1.0 - o);  /* output gate */
                    gcell[j] = gc * f;                            /* to c_{t-1} */
                }
            }
            times(g_e, g_z, w_xt, Dh, G, D);
            influence[t] = frobenius(g_e, Dh, D);
            times(g_h, g_z, w_ht, Dh, G, Dh);
            if (progress)
                progress(ctx, (double)(N - t) / N);
        }
    }
    free(g_h);
    free(g_c);
    free(g_z);
    free(g_e);
    free(w_xt);
    free(w_ht);
    return ok ? 0 : -1;
}
