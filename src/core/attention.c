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

/* acc (n, n) = Σ_r A[r][ca+m]·A[r][cb+m'] over the R rows of A (row length lda):
 * one block of the Gram matrix AᵀA. The inner loop runs along a row of A and
 * of acc, so it stays in cache and vectorizes. */
static void gram_block(double *restrict acc, const double *restrict A, int R, int lda, int ca, int cb, int n)
{
    memset(acc, 0, (size_t)n * n * sizeof *acc);
    int r = 0;
    for (; r + 4 <= R; r += 4) { /* four rows of A per pass over acc: a quarter of the memory traffic */
        const double *a0 = A + (size_t)r * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
        for (int m = 0; m < n; m++) {
            double x0 = a0[ca + m], x1 = a1[ca + m], x2 = a2[ca + m], x3 = a3[ca + m];
            double *row = acc + (size_t)m * n;
            for (int m2 = 0; m2 < n; m2++)
                row[m2] += x0 * a0[cb + m2] + x1 * a1[cb + m2] + x2 * a2[cb + m2] + x3 * a3[cb + m2];
        }
    }
    for (; r < R; r++) {
        const double *ra = A + (size_t)r * lda;
        for (int m = 0; m < n; m++) {
            double x = ra[ca + m];
            double *row = acc + (size_t)m * n;
            for (int m2 = 0; m2 < n; m2++)
                row[m2] += x * ra[cb + m2];
        }
    }
}

/* Σ_{m,m'} acc[m][m']·G[ca+m][cb+m'] for G (D, D): ⟨acc, one block of G⟩. */
static double block_dot(const double *acc, const double *G, int D, int ca, int cb, int n)
{
    double sum = 0.0;
    for (int m = 0; m < n; m++)
        for (int m2 = 0; m2 < n; m2++)
            sum += acc[(size_t)m * n + m2] * G[(size_t)(ca + m) * D + cb + m2];
    return sum;
}

/* Σ over head pairs of ⟨(AᵀA)[h,g], G[h,g]⟩ = ‖A·W_O‖²_F when G = W_O·W_Oᵀ;
 * AᵀA is symmetric, so each pair h < g is counted twice. pair (H, H), when
 * not NULL, receives every pair's term. */
static double gram_frobenius(double *pair, double *acc, const double *A, const double *G, int D, int H)
{
    int DK = D / H;
    double total = 0.0;
    for (int h = 0; h < H; h++)
        for (int g = h; g < H; g++) {
            gram_block(acc, A, D, D, h * DK, g * DK, DK);
            double term = block_dot(acc, G, D, h * DK, g * DK, DK);
            if (pair)
                pair[h * H + g] = pair[g * H + h] = term;
            total += (g == h ? 1.0 : 2.0) * term;
        }
    return total;
}

/*
 * Notation: a_j^h is the last query's weight on word j in head h, concat[N-1]
 * = Σ_j a_j v_j head by head, and δ_j^h = a_j^h (v_j^h − concat[N-1]^h) (DK).
 * Backpropagating y_d through W_O, the softmax and Q, K, V (the loop over d
 * that tests/unit/test_recurrent.c keeps as the reference) gives the
 * Jacobian, as a (D_in, D_out) matrix,
 *   ∂y/∂x_i = Q_i·W_O,  Q_i (D, D) = W_V·diag(a_i) + β δ_iᵀ  (+ W_Q·E for i = N-1)
 * where column block h of W_V·diag(a_i) is a_i^h W_V,h, column block h of β δ_iᵀ
 * is β_h δ_i^hᵀ with β_h = W_K,h q_{N-1}^h / √DK (the key path), and E is block
 * diagonal with E_h = Σ_j k_j^h δ_j^hᵀ / √DK (the query path, last word only).
 * So ‖∂y/∂x_i‖²_F = Σ_{h,g} ⟨Q_i,hᵀ Q_i,g, G_O[h,g]⟩ with G_O = W_O·W_Oᵀ, which
 * for i < N-1 expands into numbers that do not depend on i:
 *   T[h][g] = ⟨G_V[h,g], G_O[h,g]⟩ (G_V = W_VᵀW_V), B[h][g] = β_h·β_g and
 *   p_hg = W_V,hᵀ β_g, giving a^h a^g T + 2 a^h p_hg·G_O[h,g]δ^g + B δ^h·G_O[h,g]δ^g.
 * The work is three D³/2 Gram products, once, instead of O(D³) per word.
 */
int attention_influence(double *influence, const double *q, const double *k, const double *v,
                        const double *weights, const double *w_q, const double *w_k, const double *w_v,
                        const double *w_o, int N, int D, int H)
{
    int DK = D / H, last = N - 1;
    size_t DD = (size_t)D * D;
    double scale = 1.0 / sqrt((double)DK);
    double *ot = malloc(DD * sizeof *ot);         /* (D, D) W_Oᵀ, then Q_{N-1} */
    double *g_o = malloc(DD * sizeof *g_o);       /* (D, D) W_O·W_Oᵀ */
    double *acc = malloc((size_t)DK * DK * sizeof *acc);
    double *delta = malloc((size_t)N * D * sizeof *delta); /* (N, D) δ_j, head h in columns h*DK.. */
    double *beta = malloc((size_t)H * D * sizeof *beta);   /* (H, D) */
    double *p = malloc((size_t)H * H * DK * sizeof *p);    /* (H, H, DK) p_hg */
    double *tb = malloc((size_t)2 * H * H * sizeof *tb);   /* (2, H, H) T, then B */
    double *w = malloc((size_t)DK * sizeof *w);
    int ok = ot && g_o && acc && delta && beta && p && tb && w;
    if (ok) {
        double *T = tb, *B = tb + (size_t)H * H;
        for (int r0 = 0; r0 < D; r0 += 16) /* in tiles, so both sides stay in cache */
            for (int c0 = 0; c0 < D; c0 += 16)
                for (int r = r0; r < D && r < r0 + 16; r++)
                    for (int c = c0; c < D && c < c0 + 16; c++)
                        ot[(size_t)c * D + r] = w_o[(size_t)r * D + c];
        for (int h = 0; h < H; h++)
            for (int g = h; g < H; g++) {
                gram_block(acc, ot, D, D, h * DK, g * DK, DK);
                for (int m = 0; m < DK; m++)
                    for (int m2 = 0; m2 < DK; m2++) {
                        double x = acc[(size_t)m * DK + m2];
                        g_o[(size_t)(h * DK + m) * D + g * DK + m2] = x;
                        g_o[(size_t)(g * DK + m2) * D + h * DK + m] = x;
                    }
            }
        gram_frobenius(T, acc, w_v, g_o, D, H);
        for (int h = 0; h < H; h++) {
            const double *a = weights + ((size_t)h * N + last) * N;
            size_t hc = (size_t)h * DK;
            for (int m = 0; m < DK; m++) {
                double mean = 0.0;
                for (int j = 0; j < N; j++)
                    mean += a[j] * v[(size_t)j * D + hc + m];
                for (int j = 0; j < N; j++)
                    delta[(size_t)j * D + hc + m] = a[j] * (v[(size_t)j * D + hc + m] - mean);
            }
            for (int r = 0; r < D; r++) {
                double sum = 0.0;
                for (int m = 0; m < DK; m++)
                    sum += w_k[(size_t)r * D + hc + m] * q[(size_t)last * D + hc + m];
                beta[(size_t)h * D + r] = sum * scale;
            }
        }
        for (int h = 0; h < H; h++)
            for (int g = 0; g < H; g++) {
                double sum = 0.0;
                for (int r = 0; r < D; r++)
                    sum += beta[(size_t)h * D + r] * beta[(size_t)g * D + r];
                B[h * H + g] = sum;
                double *phg = p + ((size_t)h * H + g) * DK;
                memset(phg, 0, (size_t)DK * sizeof *phg);
                for (int r = 0; r < D; r++)
                    for (int m = 0; m < DK; m++)
                        phg[m] += w_v[(size_t)r * D + (size_t)h * DK + m] * beta[(size_t)g * D + r];
            }
        for (int i = 0; i < last; i++) {
            const double *di = delta + (size_t)i * D;
            double sum = 0.0;
            for (int h = 0; h < H; h++) {
                double ah = weights[((size_t)h * N + last) * N + i];
                for (int g = 0; g < H; g++) {
                    double ag = weights[((size_t)g * N + last) * N + i];
                    /* w = G_O[h,g]·δ_i^g */
                    for (int m = 0; m < DK; m++) {
                        const double *row = g_o + (size_t)(h * DK + m) * D + (size_t)g * DK;
                        double s = 0.0;
                        for (int m2 = 0; m2 < DK; m2++)
                            s += row[m2] * di[g * DK + m2];
                        w[m] = s;
                    }
                    double dw = 0.0, pw = 0.0;
                    const double *phg = p + ((size_t)h * H + g) * DK;
                    for (int m = 0; m < DK; m++) {
                        dw += di[h * DK + m] * w[m];
                        pw += phg[m] * w[m];
                    }
                    sum += ah * ag * T[h * H + g] + 2.0 * ah * pw + B[h * H + g] * dw;
                }
            }
            influence[i] = sqrt(fmax(sum, 0.0)); /* rounding must not make a zero negative */
        }
        /* The last word also reaches y through its query: build Q_{N-1} itself. */
        double *ql = ot;
        for (int r = 0; r < D; r++)
            for (int h = 0; h < H; h++) {
                double ah = weights[((size_t)h * N + last) * N + last];
                for (int m = 0; m < DK; m++) {
                    size_t c = (size_t)h * DK + m;
                    ql[(size_t)r * D + c] = ah * w_v[(size_t)r * D + c]
                                            + beta[(size_t)h * D + r] * delta[(size_t)last * D + c];
                }
            }
        for (int h = 0; h < H; h++) {
            size_t hc = (size_t)h * DK;
            /* acc = E_h (DK, DK) */
            memset(acc, 0, (size_t)DK * DK * sizeof *acc);
            for (int j = 0; j < N; j++)
                for (int m = 0; m < DK; m++) {
                    double x = k[(size_t)j * D + hc + m] * scale;
                    for (int m2 = 0; m2 < DK; m2++)
                        acc[(size_t)m * DK + m2] += x * delta[(size_t)j * D + hc + m2];
                }
            for (int r = 0; r < D; r++)
                for (int m = 0; m < DK; m++) {
                    double x = w_q[(size_t)r * D + hc + m];
                    double *row = ql + (size_t)r * D + hc;
                    for (int m2 = 0; m2 < DK; m2++)
                        row[m2] += x * acc[(size_t)m * DK + m2];
                }
        }
        influence[last] = sqrt(fmax(gram_frobenius(NULL, acc, ql, g_o, D, H), 0.0));
    }
    free(ot);
    free(g_o);
    free(acc);
    free(delta);
    free(beta);
    free(p);
    free(tb);
    free(w);
    return ok ? 0 : -1;
}
