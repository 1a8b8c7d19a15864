#include "attnstep/attention.h"

#include <math.h>
#include <stddef.h>

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

void attention_linear(double *out, const double *in, const double *w, const double *b, int N, int K, int C)
{
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            double sum = b ? b[c] : 0.0;
            for (int k = 0; k < K; k++)
                sum += in[(size_t)n * K + k] * w[(size_t)k * C + c];
            out[(size_t)n * C + c] = sum;
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
