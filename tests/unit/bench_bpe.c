/* bench_bpe — how fast merges are learned from a data file's words and how
 * fast words are then cut into pieces. Prints figures; not a timed test.
 *
 * Usage: bench_bpe DATA.csv [MAX_MERGES]   (DATA.csv: header text,label) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attnstep/bpe.h"
#include "attnstep/table.h"
#include "attnstep/tokenizer.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_bpe DATA.csv [MAX_MERGES]\n");
        return 2;
    }
    int max_merges = argc > 2 ? atoi(argv[2]) : BPE_MAX_MERGES;
    struct table t;
    struct error err;
    if (table_read(&t, argv[1], &err)) {
        fprintf(stderr, "bench_bpe: %s\n", err.msg);
        return 1;
    }
    /* Every word of every sentence, pre-split and lowercased as a model would. */
    char **all = NULL;
    int n_all = 0, cap = 0;
    for (int r = 1; r < t.n_rows; r++) {
        struct tokens tk;
        if (tokenizer_split(&tk, table_text(&t, r, 0), 1, &err))
            continue;
        for (int i = 0; i < tk.n; i++) {
            if (n_all == cap) {
                cap = cap ? 2 * cap : 1024;
                all = realloc(all, (size_t)cap * sizeof *all);
            }
            all[n_all++] = strdup(tk.text[i]);
        }
        tokenizer_free(&tk);
    }
    qsort(all, (size_t)n_all, sizeof *all, cmp_str);
    struct bpe_count *counts = calloc((size_t)n_all + 1, sizeof *counts);
    int n_words = 0;
    for (int i = 0; i < n_all; i++) {
        if (n_words && !strcmp(counts[n_words - 1].word, all[i]))
            counts[n_words - 1].count++;
        else
            counts[n_words++] = (struct bpe_count){all[i], 1};
    }
    struct bpe b;
    double t0 = now();
    if (bpe_learn(&b, counts, n_words, max_merges, &err)) {
        fprintf(stderr, "bench_bpe: %s\n", err.msg);
        return 1;
    }
    double learn = now() - t0;
    /* Encode every word occurrence, repeated until a second has passed. */
    long pieces = 0, words = 0;
    t0 = now();
    double enc;
    do {
        for (int i = 0; i < n_all; i++) {
            struct bpe_word w;
            if (bpe_word_start(&w, all[i], &err) || bpe_word_encode(&b, &w, &err))
                return 1;
            pieces += w.n;
            words++;
            bpe_word_free(&w);
        }
        enc = now() - t0;
    } while (enc < 1.0);
    printf("%s: %d sentences, %d word occurrences, %d distinct words\n", argv[1], t.n_rows - 1, n_all, n_words);
    printf("learned %d merges in %.3f s (%.0f merges/s)\n", b.n_merges, learn, b.n_merges / learn);
    printf("encoded %ld words into %ld pieces in %.2f s (%.0f words/s, %.0f pieces/s, %.2f pieces a word)\n", words,
           pieces, enc, words / enc, pieces / enc, (double)pieces / (double)words);
    bpe_free(&b);
    for (int i = 0; i < n_all; i++)
        free(all[i]);
    free(all);
    free(counts);
    table_free(&t);
    return 0;
}
