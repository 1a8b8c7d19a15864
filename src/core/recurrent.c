#include "attnstep/recurrent.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* g_in (K) = g_out (C)·wᵀ for w (K, C): the gradient through a matrix product. */
static void back_through(double *g_in, const double *g_out, const double *w, int K, int C)
{
    for (int k = 0; k < K; k++) {
        double sum = 0.0;
        for (int c = 0; c < C; c++)
            sum += g_out[c] * w[(size_t)k * C + c];
        g_in[k] = sum;
    }
}

int recurrent_rnn_influence(double *influence, const double *h, const double *w_xh, const double *w_hh,
                            int N, int D, int Dh)
{
    double *g_h = malloc((size_t)Dh * sizeof *g_h), *g_a = malloc((size_t)Dh * sizeof *g_a);
    double *g_e = malloc((size_t)D * sizeof *g_e);
    if (!g_h || !g_a || !g_e) {
        free(g_h);
        free(g_a);
        free(g_e);
        return -1;
    }
    memset(influence, 0, (size_t)N * sizeof *influence);
    /* One backward pass per component d of y = h_N gives row d of the Jacobian
     * ∂y/∂e_t for every t; the squared entries add up to ‖∂y/∂e_t‖². */
    for (int d = 0; d < Dh; d++) {
        memset(g_h, 0, (size_t)Dh * sizeof *g_h);
        g_h[d] = 1.0;
        for (int t = N - 1; t >= 0; t--) {
            for (int j = 0; j < Dh; j++) {
                double ht = h[(size_t)t * Dh + j];
                g_a[j] = g_h[j] * (1.0 - ht * ht); /* tanh' */
            }
            back_through(g_e, g_a, w_xh, D, Dh);
            for (int k = 0; k < D; k++)
                influence[t] += g_e[k] * g_e[k];
            back_through(g_h, g_a, w_hh, Dh, Dh);
        }
    }
    for (int t = 0; t < N; t++)
        influence[t] = sqrt(influence[t]);
    free(g_h);
    free(g_a);
    free(g_e);
    return 0;
}

int recurrent_lstm_influence(double *influence, const double *gates, const double *c, const double *w_x,
                             const double *w_h, int N, int D, int Dh)
{
    int G = 4 * Dh;
    double *g_h = malloc((size_t)Dh * sizeof *g_h), *g_c = malloc((size_t)Dh * sizeof *g_c);
    double *g_z = malloc((size_t)G * sizeof *g_z), *g_e = malloc((size_t)D * sizeof *g_e);
    if (!g_h || !g_c || !g_z || !g_e) {
        free(g_h);
        free(g_c);
        free(g_z);
        free(g_e);
        return -1;
    }
    memset(influence, 0, (size_t)N * sizeof *influence);
    for (int d = 0; d < Dh; d++) {
        memset(g_h, 0, (size_t)Dh * sizeof *g_h);
        memset(g_c, 0, (size_t)Dh * sizeof *g_c);
        g_h[d] = 1.0;
        for (int t = N - 1; t >= 0; t--) {
            const double *gt = gates + (size_t)t * G;
            for (int j = 0; j < Dh; j++) {
                double i = gt[j], f = gt[Dh + j], g = gt[2 * Dh + j], o = gt[3 * Dh + j];
                double ct = c[(size_t)t * Dh + j], tc = tanh(ct);
                double c_prev = t ? c[(size_t)(t - 1) * Dh + j] : 0.0;
                /* h = o⊙tanh(c): the state's gradient reaches c through tanh and o. */
                double gc = g_c[j] + g_h[j] * o * (1.0 - tc * tc);
                g_z[j] = gc * g * i * (1.0 - i);                 /* input gate */
                g_z[Dh + j] = gc * c_prev * f * (1.0 - f);       /* forget gate */
                g_z[2 * Dh + j] = gc * i * (1.0 - g * g);        /* candidate */
                g_z[3 * Dh + j] = g_h[j] * tc * o * (1.0 - o);   /* output gate */
                g_c[j] = gc * f;                                 /* to c_{t-1} */
            }
            back_through(g_e, g_z, w_x, D, G);
            for (int k = 0; k < D; k++)
                influence[t] += g_e[k] * g_e[k];
            back_through(g_h, g_z, w_h, Dh, G);
        }
    }
    for (int t = 0; t < N; t++)
        influence[t] = sqrt(influence[t]);
    free(g_h);
    free(g_c);
    free(g_z);
    free(g_e);
    return 0;
}
