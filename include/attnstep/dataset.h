/* dataset.h — labelled sentences from a CSV file with the header text,label,
 * and what training needs from them: the classes, the vocabulary, and each
 * sentence as vocabulary rows. */
#ifndef ATTNSTEP_DATASET_H
#define ATTNSTEP_DATASET_H

#include <stdint.h>

#include "attnstep/bundle.h"
#include "attnstep/error.h"
#include "attnstep/table.h"
#include "attnstep/train.h"
#include "attnstep/transfer.h"

struct dataset {
    struct table t; /* row 0 is the header */
    int n;          /* sentences */
    int text_col;   /* the column holding the sentences (0 for text,label) */
};

int dataset_read(struct dataset *d, const char *path, struct error *err);
/* A language model's sentences: a header with a column named text (any other
 * columns are read past, so text,label data serves too); every row has as
 * many fields as the header, and a text with at least one token. */
int dataset_read_text(struct dataset *d, const char *path, struct error *err);
void dataset_free(struct dataset *d);
/* The distinct labels, sorted (the class order); free with dataset_free_strings. */
int dataset_classes(const struct dataset *d, char ***out, int *n, struct error *err);
/* Every distinct word of the sentences (split as the tokenizer does) and how
 * often it occurs, sorted by word; free with dataset_free_counts. */
int dataset_word_counts(const struct dataset *d, int lowercase, struct bpe_count **out, int *n, struct error *err);
void dataset_free_counts(struct bpe_count *c, int n);
/* Learns at most max_merges merges from the sentences' words (bpe_learn) and
 * the vocabulary they need (bpe_vocabulary, sorted, without <unk>). */
int dataset_pieces(const struct dataset *d, int lowercase, int max_merges, struct bpe *merges, char ***vocab,
                   int *n_vocab, struct error *err);
/* The distinct tokens of every sentence, sorted. */
int dataset_vocabulary(const struct dataset *d, int lowercase, char ***out, int *n, struct error *err);
void dataset_free_strings(char **s, int n);
/* Each sentence as vocabulary rows of b (unknown words: <unk>) and its class. */
int dataset_encode(struct train_set *set, const struct dataset *d, const struct bundle *b, struct error *err);
/* A language model's examples: each sentence's tokens followed by <eos>
 * (b->eos_id), as struct train_example says; set->lm and n_targets set. */
int dataset_encode_lm(struct train_set *set, const struct dataset *d, const struct bundle *b, struct error *err);
void dataset_free_set(struct train_set *s);

/* A training run's materials: the data, the model to train (fresh from the
 * data's vocabulary and classes, or loaded from `from`), the encoded sets
 * and the trainer. `attnstep train` and the live retraining both use it. */
struct dataset_job_spec {
    const char *data, *test; /* test may be NULL */
    const char *from;        /* NULL: a fresh model */
    const char *name;        /* the model's name */
    int d_model, heads, d_ff;
    double lr;
    uint64_t seed;
    int word_tokenizer;      /* a fresh model: 1, every word a token; 0, words cut into learned pieces */
    int merges;              /* with pieces: the most merges to learn from the data (DATASET_MERGES when 0) */
    int lm;                  /* a language model (next-token prediction on the text column); not with from */
    int freeze;              /* with from: enum transfer_freeze */
    int scratch;             /* with from: keep only its vocabulary, tokenizer and sizes, every weight random */
};

/* The merges `attnstep train` learns when not told (chosen by measurement:
 * see the report of issue 10). */
#define DATASET_MERGES 200

struct dataset_job {
    struct dataset data, test;
    char **classes, **vocab;
    int n_classes, n_vocab;
    struct bundle model;
    struct train_set train_set, test_set;
    struct trainer tr;       /* trains `model` in place: keep the job where it is */
    double bigram_perplexity; /* lm with a test set: train_bigram_perplexity on it; else -1 */
    /* With from: how its tokenizer reads the data (and the test data), and
     * whether the classifier is new (the data's classes are not the model's). */
    struct transfer_coverage coverage, test_coverage;
    int new_classifier;
};

int dataset_job_prepare(struct dataset_job *job, const struct dataset_job_spec *spec, struct error *err);
void dataset_job_free(struct dataset_job *job);

#endif
