/* recurrent.h — an RNN and an LSTM reading a sentence one word at a time, and
 * how much each word still matters at the end (backpropagation through time).
 *
 * Dimension letters: N = tokens, D = d_model (the embedding width),
 * Dh = d_hidden. LSTM gate blocks are ordered i, f, g, o. h_0 = c_0 = 0. */
#ifndef ATTNSTEP_RECURRENT_H
#define ATTNSTEP_RECURRENT_H

/* pre (N, Dh) = e_t·W_xh + h_{t-1}·W_hh + b;  h (N, Dh) = tanh(pre). */
void recurrent_rnn_forward(double *pre, double *h, const double *e, const double *w_xh, const double *w_hh,
                           const double *b, int N, int D, int Dh);
/* z (N, 4Dh) = e_t·W_x + h_{t-1}·W_h + b; gates (N, 4Dh) = [σ(z_i), σ(z_f),
 * tanh(z_g), σ(z_o)]; c (N, Dh) = f⊙c_{t-1} + i⊙g; h (N, Dh) = o⊙tanh(c). */
void recurrent_lstm_forward(double *z, double *gates, double *c, double *h, const double *e, const double *w_x,
                            const double *w_h, const double *b, int N, int D, int Dh);
/* influence (N): ‖∂h_N/∂e_t‖ (Frobenius), exactly, by backpropagating all Dh
 * components of h_N through time together, as (Dh, ·) matrices:
 * O(N·Dh²·(D + Dh)). progress, when not NULL, is called after each word with
 * the fraction done. Return 0, or -1 when out of memory. */
int recurrent_rnn_influence(double *influence, const double *h, const double *w_xh, const double *w_hh,
                            int N, int D, int Dh, void (*progress)(void *ctx, double done), void *ctx);
int recurrent_lstm_influence(double *influence, const double *gates, const double *c, const double *w_x,
                             const double *w_h, int N, int D, int Dh, void (*progress)(void *ctx, double done),
                             void *ctx);

#endif
