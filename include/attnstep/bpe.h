/* bpe.h — byte-pair encoding on Unicode code points (DESIGN.md "Subword
 * tokenizer"): the bundle's optional tokenizer.csv, a word cut into pieces,
 * and merges learned from word counts.
 *
 * A merge joins two adjacent symbols, left and right, into left+right. Its
 * rank is its row among the data rows of tokenizer.csv (0-based). A word
 * starts as its code points (a Hangul syllable is one symbol); the merge of
 * lowest rank among its adjacent pairs is applied to every occurrence, left
 * to right, without overlap, until no adjacent pair is a merge (as minbpe and
 * GPT-2 do). Pieces after the first are written with the prefix "##".
 *
 * M = merges. */
#ifndef ATTNSTEP_BPE_H
#define ATTNSTEP_BPE_H

#include "attnstep/error.h"

/* More merges than any classroom vocabulary needs; refused beyond. */
#define BPE_MAX_MERGES 200000
/* The prefix of a piece that does not begin its word. */
#define BPE_CONTINUATION "##"

struct bpe {
    int n_merges;   /* M */
    char **left;    /* (M) NUL-terminated UTF-8, no "##" */
    char **right;   /* (M) */
    int *by_pair;   /* (M) ranks sorted by (left, right), for lookup */
};

/* Whether piece (with "##" when it does not begin its word) is a vocabulary
 * row: the loader's question to the bundle. */
typedef int bpe_known_fn(const void *ctx, const char *piece);

/* Reads tokenizer.csv (header left,right). Every merge's result must be
 * known as "result" or "##result" (unchecked when known is NULL). On failure *out is untouched and err says
 * "PATH:LINE:COL: reason". */
int bpe_read(struct bpe *out, const char *path, bpe_known_fn *known, const void *ctx, struct error *err);
/* Writes it back: the same bytes for a file bpe_write wrote. */
int bpe_write(const struct bpe *b, const char *path, struct error *err);
int bpe_clone(struct bpe *out, const struct bpe *src, struct error *err);
void bpe_free(struct bpe *b);
/* Rank of the merge (left, right), or -1. */
int bpe_rank(const struct bpe *b, const char *left, const char *right);

/* A word being cut: its symbols, without "##". */
struct bpe_word {
    int n;
    char **sym; /* (n) */
};

/* The word's code points; word is valid UTF-8 and not empty. */
int bpe_word_start(struct bpe_word *w, const char *word, struct error *err);
/* The lowest rank among w's adjacent pairs, or -1 when none is a merge. */
int bpe_word_best(const struct bpe *b, const struct bpe_word *w);
/* Applies merge `rank` to every occurrence, left to right, without overlap;
 * returns how many it joined, or -1 when out of memory (w unchanged). */
int bpe_word_apply(const struct bpe *b, struct bpe_word *w, int rank);
/* Applies merges by rank until none applies: the word's pieces. */
int bpe_word_encode(const struct bpe *b, struct bpe_word *w, struct error *err);
void bpe_word_free(struct bpe_word *w);

/* Learning (attnstep train --tokenizer bpe): a word and how often it occurs. */
struct bpe_count {
    const char *word; /* valid UTF-8, not empty */
    long count;       /* > 0 */
};

/* Learns up to max_merges merges from the words: count adjacent pairs over
 * every word weighted by its count, join the most frequent pair (ties: the
 * bytewise-smallest left, then right), repeat; stop early when the best pair
 * occurs fewer than twice. The same words in any order give the same merges.
 * The words are kept as encoding would cut them with the merges so far, so
 * no pair is learned twice and every merge applies to some training word
 * (its result is a piece met while encoding the training words).
 * On failure *out is untouched. */
int bpe_learn(struct bpe *out, const struct bpe_count *words, int n_words, int max_merges, struct error *err);
/* The pieces a vocabulary needs for these merges and words (the issue-10
 * spec): every piece met while each word is encoded, at every step (so every
 * merge bpe_learn learned from the words is there), and every code point of
 * the words and every merge's result in both forms (a new word may need a
 * piece where the training words never had it), "##" before a piece that does
 * not begin its word; distinct, sorted bytewise, without <unk>. Free with
 * bpe_free_strings. */
int bpe_vocabulary(const struct bpe *b, const struct bpe_count *words, int n_words, char ***out, int *n_out,
                   struct error *err);
void bpe_free_strings(char **s, int n);

#endif
