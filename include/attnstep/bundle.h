/* bundle.h — a model: a directory of CSV files (DESIGN.md "Model bundle format v1").
 *
 * Dimension letters: V = vocabulary size, D = d_model. */
#ifndef ATTNSTEP_BUNDLE_H
#define ATTNSTEP_BUNDLE_H

#include <stdint.h>

#include "attnstep/bpe.h"
#include "attnstep/error.h"

/* Sizes beyond these are refused before anything is allocated.
 * The vocabulary: GloVe 6B's 400,000 words and an <unk> fit. Each row costs
 * d_model doubles (2.4 KB at 300: 1.2 GB for 500,000 rows), and the file
 * limit (TABLE_MAX_BYTES, 1 GiB) keeps any vocab.csv within 4 GiB of numbers
 * (every number takes at least 2 bytes of text, "0,", and 8 in memory);
 * glove.6B.300d as CSV with its own digits is about 1.0 GB and loads in about
 * a gigabyte. A vocabulary over the limit is refused after reading its rows
 * up to the limit, before anything is allocated for them. */
#define BUNDLE_MAX_D_MODEL 1024
#define BUNDLE_MAX_VOCAB 500000

/* config.csv task: a sentence classifier (the default) or a language model
 * (DESIGN.md "Language models"). */
enum bundle_task { BUNDLE_TASK_CLASSIFY, BUNDLE_TASK_LM };

enum bundle_matrix { BUNDLE_Q, BUNDLE_K, BUNDLE_V, BUNDLE_O, BUNDLE_N_PROJ };

/* The recurrent models read the same embeddings, one word at a time. */
enum bundle_recurrent { BUNDLE_RNN, BUNDLE_LSTM, BUNDLE_N_RECURRENT };

/* Dh = d_hidden; G = 1 for the RNN, 4 for the LSTM (blocks i, f, g, o). */
struct bundle_recurrent_weights {
    int present;
    int gates;   /* G */
    double *w_x; /* (D, G*Dh) */
    double *w_h; /* (Dh, G*Dh) */
    double *b;   /* (G*Dh) zeros when the file is absent */
    int has_b;
    /* A trained classifier on the final hidden state (issue 13):
     * logits (C) = h_N·w_cls + b_cls, C = enc.n_labels; NULL when absent. */
    double *w_cls; /* (Dh, C) rnn_w_cls.csv / lstm_w_cls.csv */
    double *b_cls; /* (C) rnn_b_cls.csv / lstm_b_cls.csv */
};

/* The rest of a post-norm encoder block and a sentence classifier (format v2).
 * F = d_ff, C = classes. */
struct bundle_encoder {
    int present;
    int d_ff;            /* F */
    int gelu;            /* 1: gelu (the exact erf form), 0: relu */
    double norm_eps;
    int n_labels;        /* C */
    char **labels;       /* (C) class names, in class order */
    double *ln1_gamma, *ln1_beta, *ln2_gamma, *ln2_beta; /* (D) each */
    double *w_ff1;       /* (D, F) */
    double *b_ff1;       /* (F) */
    double *w_ff2;       /* (F, D) */
    double *b_ff2;       /* (D) */
    double *w_cls;       /* (D, C) */
    double *b_cls;       /* (C) */
};

struct bundle {
    char *name;        /* from config.csv, or the directory's last component */
    char *description; /* may be "" */
    int d_model, n_heads;
    int positional;    /* 1: sinusoidal, 0: none */
    int lowercase;     /* 1: ASCII letters are lowercased before lookup */
    int n_vocab;
    char **vocab;      /* (V) token strings */
    double *embed;     /* (V, D) */
    int *by_token;     /* (V) row indices sorted by token, for lookup */
    int unk_id;
    double *w[BUNDLE_N_PROJ]; /* (D, D) W_Q, W_K, W_V, W_O */
    double *b[BUNDLE_N_PROJ]; /* (D) zeros when the file is absent */
    int has_b[BUNDLE_N_PROJ];
    int d_hidden;      /* 0 when the model has no recurrent weights */
    struct bundle_recurrent_weights rec[BUNDLE_N_RECURRENT];
    struct bundle_encoder enc;
    /* tokenizer.csv: words cut into pieces (vocabulary rows), when present;
     * without it every word is a token (DESIGN.md "Tokenizer"). */
    int has_tokenizer;
    struct bpe bpe;
    /* task,lm: the encoder block (enc.present, enc.n_labels 0, no w_cls/b_cls)
     * followed by an lm head over the vocabulary; the causal mask always on. */
    int task;          /* enum bundle_task */
    double *w_lm;      /* (D, V) lm only, else NULL */
    double *b_lm;      /* (V) zeros when b_lm.csv is absent; lm only, else NULL */
    int has_b_lm;
    int eos_id;        /* vocabulary row of <eos>, -1 when there is none */
};

/* The lm head's files. */
#define BUNDLE_W_LM_FILE "w_lm.csv"
#define BUNDLE_B_LM_FILE "b_lm.csv"
/* The first BUNDLE_N_BLOCK_FILES of bundle_encoder_file are the encoder block
 * an lm bundle has too; the last two are the classifier (w_cls, b_cls). */
#define BUNDLE_N_BLOCK_FILES 8

/* The encoder files, in the order they are read and written. */
#define BUNDLE_N_ENCODER_FILES 10
extern const char *const bundle_encoder_file[BUNDLE_N_ENCODER_FILES];

/* The file names of W and b, e.g. "w_q.csv" / "b_q.csv". */
extern const char *const bundle_w_file[BUNDLE_N_PROJ];
extern const char *const bundle_b_file[BUNDLE_N_PROJ];
/* "rnn_w_xh.csv" / "lstm_w_x.csv", "rnn_w_hh.csv" / "lstm_w_h.csv", "rnn_b.csv" / "lstm_b.csv". */
extern const char *const bundle_rec_wx_file[BUNDLE_N_RECURRENT];
extern const char *const bundle_rec_wh_file[BUNDLE_N_RECURRENT];
extern const char *const bundle_rec_b_file[BUNDLE_N_RECURRENT];
/* "rnn_w_cls.csv" / "lstm_w_cls.csv", "rnn_b_cls.csv" / "lstm_b_cls.csv": the
 * recurrent classifiers, all four files or none. */
extern const char *const bundle_rec_wcls_file[BUNDLE_N_RECURRENT];
extern const char *const bundle_rec_bcls_file[BUNDLE_N_RECURRENT];

/* Loads and validates a bundle; on failure *out is untouched and err says
 * "FILE:LINE:COL: reason". */
int bundle_load(struct bundle *out, const char *dir, struct error *err);
/* The same with another vocabulary limit than BUNDLE_MAX_VOCAB (tests use a small one). */
int bundle_load_max(struct bundle *out, const char *dir, int max_vocab, struct error *err);
void bundle_free(struct bundle *b);
/* Removes the RNN and the LSTM (weights and classifiers); d_hidden becomes 0. */
void bundle_drop_recurrent(struct bundle *b);
/* A deep copy (the training view keeps one per epoch). */
int bundle_clone(struct bundle *out, const struct bundle *src, struct error *err);
/* Why s cannot be a class name, or NULL if it can. A class name is stored in
 * config.csv and shown on one line: not empty, no control characters (line
 * breaks, tabs), no space at either end. Any other text, ; and \ included,
 * is saved so that it loads back exactly. */
const char *bundle_label_problem(const char *s);
/* Vocabulary row of token, or -1. */
int bundle_lookup(const struct bundle *b, const char *token);

/* A model with seeded random weights, rounded to two decimals so a student can
 * redo the arithmetic by hand. tokens need not contain "<unk>" (it is added).
 * d_hidden > 0 adds an RNN and an LSTM of that width. */
int bundle_init_random(struct bundle *out, const char *name, int d_model, int n_heads, int d_hidden,
                       uint64_t seed, const char *const *tokens, int n_tokens, struct error *err);
/* Uniform in [-limit, limit] from a seeded splitmix64 state: the same numbers
 * on every machine. */
double bundle_random_uniform(uint64_t *state, double limit);
/* Writes the whole bundle into dir, atomically (a temporary directory beside
 * it, renamed at the end). An existing non-empty dir is refused unless force. */
int bundle_save(const struct bundle *b, const char *dir, int force, struct error *err);
/* Writes every file of the bundle into dir, which exists (not atomic). */
int bundle_write_dir(const struct bundle *b, const char *dir, struct error *err);
/* Writes tokenizer.csv into dir when the model has one (else nothing). */
int bundle_write_tokenizer(const struct bundle *b, const char *dir, struct error *err);
/* Writes config.csv and the W/b files (not the vocabulary) into dir, which exists. */
int bundle_write_weights(const struct bundle *b, const char *dir, struct error *err);

#endif
