/* lesson.h — a trace cut into steps, in teaching order.
 *
 * The attention lesson: tokens, embeddings, positional encoding (if the model
 * has one), x = e + p, then per head Q, K, V, scores, scaled, masked (causal
 * only), weights, head output; then concat and output; with an encoder
 * block, Add & Norm, the feed-forward network, Add & Norm, mean pooling,
 * logits and probabilities; a language model instead ends on the last
 * position's logits over the vocabulary, the next-token probabilities and the
 * choice (the most probable token). The RNN lesson: per word t, its input e_t, the pre-activation, h_t; the LSTM lesson: per word,
 * input, gates, cell, h_t; both end on the influence of each word. Each stage
 * fills rows × cols cells of a result matrix (from row row0), revealed one
 * stage, one row or one cell per step.
 *
 * A step is an index. Stages carry prefix sums of their step counts, so any
 * step maps to (stage, row, col) and back in O(log stages) — the number of
 * stages is fixed by the model, not the sentence — and nothing is stored per
 * step. What is shown at step s is everything revealed at or before s. */
#ifndef ATTNSTEP_LESSON_H
#define ATTNSTEP_LESSON_H

#include <stddef.h>

#include "attnstep/bpe.h"
#include "attnstep/error.h"
#include "attnstep/trace.h"

enum stage_kind {
    STAGE_TOKENS, STAGE_EMBED, STAGE_POSITIONAL, STAGE_X,
    STAGE_Q, STAGE_K, STAGE_V, STAGE_SCORES, STAGE_SCALED, STAGE_MASKED, STAGE_WEIGHTS, STAGE_HEAD_OUT,
    STAGE_CONCAT, STAGE_OUTPUT,
    STAGE_RNN_INPUT, STAGE_RNN_PRE, STAGE_RNN_H,
    STAGE_LSTM_INPUT, STAGE_LSTM_GATES, STAGE_LSTM_C, STAGE_LSTM_H,
    STAGE_INFLUENCE,
    STAGE_RESIDUAL1, STAGE_NORM1, STAGE_FFN_HIDDEN, STAGE_FFN_OUTPUT, STAGE_RESIDUAL2, STAGE_NORM2,
    STAGE_POOLED, STAGE_LOGITS, STAGE_PROBS,
    STAGE_LM_LOGITS, STAGE_LM_PROBS, STAGE_LM_CHOICE, /* a language model, after norm2 */
    STAGE_KIND_COUNT
};

enum granularity { GRAN_STAGE, GRAN_ROW, GRAN_CELL };

/* Every matrix a step can reveal or read. */
enum matrix_id {
    MAT_TOKENS, MAT_EMBED_TABLE, MAT_EMBED, MAT_PE, MAT_X,
    MAT_WQ, MAT_WK, MAT_WV, MAT_WO,
    MAT_Q, MAT_K, MAT_V, MAT_SCORES, MAT_SCALED, MAT_MASKED, MAT_WEIGHTS, MAT_HEAD_OUT,
    MAT_CONCAT, MAT_OUTPUT,
    MAT_RNN_WX, MAT_RNN_WH, MAT_RNN_PRE, MAT_RNN_H,
    MAT_LSTM_WX, MAT_LSTM_WH, MAT_LSTM_GATES, MAT_LSTM_C, MAT_LSTM_H,
    MAT_INFLUENCE,
    MAT_RESIDUAL1, MAT_NORM1, MAT_W_FF1, MAT_FFN_HIDDEN, MAT_W_FF2, MAT_FFN_OUTPUT, MAT_RESIDUAL2, MAT_NORM2,
    MAT_POOLED, MAT_W_CLS, MAT_LOGITS, MAT_PROBS,
    /* a language model: W_lm (D, V); the last position's logits and next-token
       probabilities (1, V); the chosen token's probability (1, 1) */
    MAT_W_LM, MAT_LM_LOGITS, MAT_NEXT_PROBS, MAT_NEXT_CHOICE,
    MAT_COUNT
};

/* How the rows or columns of a matrix are named. */
enum label_kind { LABEL_TOKEN, LABEL_DIM, LABEL_VOCAB_ROW, LABEL_MODEL, LABEL_GATE, LABEL_CLASS, LABEL_MEAN,
                  LABEL_SENTENCE,
                  LABEL_VOCAB,   /* the vocabulary row's token ("cat") */
                  LABEL_LAST,    /* the sentence's last token, whatever i */
                  LABEL_CHOSEN   /* the chosen next token, whatever i */ };

/* A window onto a trace or model buffer: element (r, c) is data[r*stride + c].
 * MAT_TOKENS has no numbers (data is NULL): its one column is the token id. */
struct matview {
    const double *data;
    int rows, cols;
    size_t stride;
    enum label_kind row_labels, col_labels;
};

struct lesson_stage {
    enum stage_kind kind;
    int head;     /* 0-based; -1 for stages outside the heads */
    int row0;     /* the first row of the result matrix this stage fills */
    int rows, cols;
    long first;   /* the stage's first step */
    long steps;
};

struct lesson {
    const struct trace *trace; /* borrowed */
    enum trace_model model;    /* which model the lesson walks through */
    enum granularity gran;
    int n_stages;
    struct lesson_stage *stages;
    long n_steps;
    int period;                /* stages per word in a recurrent lesson, else 0 */
    int *stage_of;             /* (MAT_COUNT, H+1) first stage whose result is the matrix, or -1 */
    /* The tokens stage of a model with tokenizer.csv cuts each word into
     * pieces: its rows are the words (W), and at cell granularity word w takes
     * merges(w) + 2 steps (col 0: its code points; col k: after its k-th merge;
     * col merges(w) + 1: its pieces with their ids). n_words is 0 without
     * tokenizer.csv (a token per row, as for every other stage). */
    int n_words;               /* W */
    char **word_text;          /* (W) each word, lowercased as the tokenizer saw it */
    int *word_token;           /* (W+1) the word's first token; [W] = N */
    int *merge_first;          /* (W+1) prefix sums of the merges each word takes */
    int *merge_rank;           /* (merge_first[W]) the ranks applied, word by word, in order */
    long *word_first;          /* (W+1) prefix sums of the words' steps at cell granularity */
};

/* Where a step is: row (a row of the result matrix) and col are -1 when the
 * step covers all of them. */
struct lesson_pos {
    long step;
    int stage;
    int row, col;
};

/* A matrix region a step reads (for highlighting): row or col -1 = all. */
struct lesson_operand {
    enum matrix_id matrix;
    int head;
    int row, col;
};
#define LESSON_MAX_OPERANDS 4

/* The lesson of one model; fails if the trace has no such model. */
int lesson_init(struct lesson *out, const struct trace *trace, enum trace_model model, enum granularity gran,
                struct error *err);
void lesson_free(struct lesson *l);

/* A word of the tokens stage cut part way: its symbols after its first k
 * merges (without "##"), and which of them the k-th merge has just made. */
struct lesson_cut {
    struct bpe_word w;
    int *joined; /* (w.n) 1 for a symbol the k-th merge made */
    int rank;    /* the k-th merge's rank (row of tokenizer.csv from 0), -1 for k = 0 */
    int count;   /* how many places it joined */
};
/* Merges word w takes (the tokens stage of a model with tokenizer.csv). */
int lesson_word_merges(const struct lesson *l, int w);
/* Word w after its first k merges (0 ≤ k ≤ lesson_word_merges); -1 when out of memory. */
int lesson_cut(const struct lesson *l, int w, int k, struct lesson_cut *out);
void lesson_cut_free(struct lesson_cut *c);

/* The position of step (clamped to 0 .. n_steps-1). */
struct lesson_pos lesson_at(const struct lesson *l, long step);
/* The step that reveals cell (row, col) of stage (-1 = the stage's first). */
long lesson_step_of(const struct lesson *l, int stage, int row, int col);
/* Whether cell (row, col) of stage is revealed once step has been taken. */
int lesson_revealed(const struct lesson *l, long step, int stage, int row, int col);
/* Whether cell (row, col) of a matrix is shown at step: revealed by the stage
 * that computes it, or given (weights, and what this lesson does not compute). */
int lesson_cell_revealed(const struct lesson *l, long step, enum matrix_id m, int head, int row, int col);
/* The stage that computes row `row` of matrix m (of head), or -1. */
int lesson_stage_of(const struct lesson *l, enum matrix_id m, int head, int row);
/* The matrices the step reads; returns how many (at most LESSON_MAX_OPERANDS). */
int lesson_operands(const struct lesson *l, struct lesson_pos pos, struct lesson_operand *out);
/* The stage's result matrix, and the matrices it reads. */
enum matrix_id lesson_result(enum stage_kind kind);
/* A matrix of the trace (head is used by per-head matrices). */
struct matview lesson_matrix(const struct lesson *l, enum matrix_id m, int head);
/* Short name of a matrix as formulas write it ("Q", "W_Q", "A"). */
const char *lesson_matrix_symbol(enum matrix_id m);
/* Label of row/column i of a matrix ("movie", "d3", "17"); buf holds 32 bytes. */
const char *lesson_label(const struct lesson *l, enum label_kind kind, int i, char *buf);
/* The step's formula with the actual numbers, e.g.
 * "S[movie,was] = Q[movie]·K[was] = (0.12)(0.3) + (-0.4)(0.05) + … = 0.42". */
void lesson_formula(const struct lesson *l, struct lesson_pos pos, char *buf, size_t size);
/* A number as formulas show it: a plain decimal, four decimals below 10 and four
 * significant digits above, trailing zeros dropped ("0.5", "2.8284", "21.15");
 * "0" for zero, "0.0000" for a number too small to show; e-notation only
 * beyond 10^15. */
void lesson_format_number(double v, char *buf, size_t size);
/* A probability as a percentage that never rounds an uncertain one to 0% or 100%. */
void lesson_format_percent(double p, char *buf, size_t size);

#endif
