/* encoder.h — the rest of a post-norm encoder block (Add & Norm, feed-forward,
 * Add & Norm) and a sentence classifier (mean pooling, linear, softmax).
 *
 * Dimension letters: N = tokens, D = d_model, F = d_ff, C = classes. */
#ifndef ATTNSTEP_ENCODER_H
#define ATTNSTEP_ENCODER_H

/* Per row: out = γ·(in − mean)/√(var + eps) + β, var the biased variance.
 * mean and rstd (N) keep each row's mean and 1/√(var + eps). */
void encoder_layernorm(double *out, double *mean, double *rstd, const double *in, const double *gamma,
                       const double *beta, double eps, int N, int D);
/* out (n) = relu(in) or gelu(in) = 0.5·x·(1 + erf(x/√2)). */
void encoder_activation(double *out, const double *in, int n, int gelu);
/* pooled (D) = the mean of in's N rows. */
void encoder_mean_rows(double *pooled, const double *in, int N, int D);
/* probs (C) = softmax(logits), stable. */
void encoder_softmax(double *probs, const double *logits, int C);

#endif
