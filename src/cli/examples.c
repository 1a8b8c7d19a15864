#include "examples.h"

#include <stdlib.h>
#include <string.h>

#include "attnstep/table.h"
#include "attnstep/tokenizer.h"
#include "paths.h"

struct ranked {
    int row, words, unknown;
};

/* Fully known first, then by the fraction known (most first), then file order. */
static int by_known(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;
    int fa = a->unknown == 0, fb = b->unknown == 0;
    if (fa != fb)
        return fb - fa;
    long ka = (long)(a->words - a->unknown) * b->words, kb = (long)(b->words - b->unknown) * a->words;
    if (ka != kb)
        return ka > kb ? -1 : 1;
    return a->row - b->row;
}

void examples_load(struct examples *ex, const struct bundle *model)
{
    char path[4096];
    struct table t;
    struct error err;
    memset(ex, 0, sizeof *ex);
    if (paths_find_data("sentences.csv", path, sizeof path) || table_read(&t, path, &err))
        return;
    int col = -1;
    for (int c = 0; c < t.rows[0].n_cells; c++)
        if (!strcmp(table_text(&t, 0, c), "text"))
            col = c;
    struct ranked *rank = calloc((size_t)t.n_rows, sizeof *rank);
    int n = 0;
    for (int r = 1; rank && col >= 0 && r < t.n_rows; r++) {
        struct tokens toks;
        if (t.rows[r].n_cells <= col || tokenizer_pieces(&toks, table_text(&t, r, col), model->lowercase,
                                                       model->has_tokenizer ? &model->bpe : NULL, &err))
            continue;
        int unknown = 0;
        for (int i = 0; i < toks.n; i++)
            unknown += bundle_lookup(model, toks.text[i]) < 0;
        /* Fewer than half the words known: another language (or another
         * topic); the model would read mostly <unk>. */
        if (2 * unknown <= toks.n)
            rank[n++] = (struct ranked){r, toks.n, unknown};
        tokenizer_free(&toks);
    }
    if (n) {
        qsort(rank, (size_t)n, sizeof *rank, by_known);
        ex->text = calloc((size_t)n, sizeof *ex->text);
        ex->unknown = calloc((size_t)n, sizeof *ex->unknown);
    }
    for (int i = 0; ex->text && ex->unknown && i < n; i++) {
        if (!(ex->text[ex->n] = strdup(table_text(&t, rank[i].row, col))))
            break;
        ex->unknown[ex->n++] = rank[i].unknown;
    }
    free(rank);
    table_free(&t);
}

void examples_free(struct examples *ex)
{
    for (int i = 0; i < ex->n; i++)
        free(ex->text[i]);
    free(ex->text);
    free(ex->unknown);
    memset(ex, 0, sizeof *ex);
}

const char *examples_default(const struct examples *ex, const char *fallback)
{
    return ex->n ? ex->text[0] : fallback;
}
