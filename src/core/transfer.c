#include "attnstep/transfer.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/i18n.h"
#include "attnstep/tokenizer.h"
#include "attnstep/train.h"

int transfer_coverage(struct transfer_coverage *out, const struct table *t, int col, const struct bundle *b,
                      struct error *err)
{
    memset(out, 0, sizeof *out);
    for (int r = 1; r < t->n_rows; r++) {
        struct tokens tk;
        if (tokenizer_pieces(&tk, table_text(t, r, col), b->lowercase, b->has_tokenizer ? &b->bpe : NULL, err))
            return -1;
        for (int k = 0; k < tk.n;) {
            int end = k + 1, known = 0;
            while (end < tk.n && tk.word[end] == tk.word[k])
                end++;
            for (int j = k; j < end; j++)
                known += bundle_lookup(b, tk.text[j]) >= 0;
            const char *w = tk.text[k];
            int punct = end == k + 1 && w[0] && !w[1] && ispunct((unsigned char)w[0]);
            out->words++;
            out->pieced += end - k > 1;
            out->unk += (end - k) - known;
            out->punct += punct;
            out->unknown += !punct && !known;
            k = end;
        }
        out->tokens += tk.n;
        tokenizer_free(&tk);
    }
    return 0;
}

int transfer_same_classes(const struct bundle *b, const char *const *classes, int n)
{
    if (!b->enc.present)
        return 0;
    for (int i = 0; i < n; i++) {
        int found = 0;
        for (int c = 0; c < b->enc.n_labels && !found; c++)
            found = !strcmp(b->enc.labels[c], classes[i]);
        if (!found)
            return 0;
    }
    return 1;
}

int transfer_new_classifier(struct bundle *b, const char *const *classes, int n, uint64_t seed, struct error *err)
{
    struct bundle_encoder *e = &b->enc;
    size_t D = (size_t)b->d_model, C = (size_t)n;
    char **labels = calloc(C, sizeof *labels);
    double *w = malloc(D * C * sizeof *w), *bias = calloc(C, sizeof *bias);
    int failed = !labels || !w || !bias;
    for (size_t i = 0; !failed && i < C; i++)
        failed |= !(labels[i] = strdup(classes[i]));
    if (failed) {
        for (size_t i = 0; labels && i < C; i++)
            free(labels[i]);
        free(labels);
        free(w);
        free(bias);
        return error_set(err, _("out of memory"));
    }
    /* Xavier-uniform as a fresh model's classifier, from a stream of its own. */
    uint64_t state = seed ^ 0x7F4A7C159E3779B9ull;
    for (size_t i = 0; i < D * C; i++)
        w[i] = bundle_random_uniform(&state, sqrt(6.0 / (double)(D + C)));
    for (int i = 0; i < e->n_labels; i++)
        free(e->labels[i]);
    free(e->labels);
    free(e->w_cls);
    free(e->b_cls);
    e->labels = labels;
    e->w_cls = w;
    e->b_cls = bias;
    e->n_labels = n;
    return 0;
}

int transfer_reinit(struct bundle *b, const char *const *classes, int n, uint64_t seed, struct error *err)
{
    struct bundle fresh;
    int d_ff = b->enc.present ? b->enc.d_ff : 32, gelu = b->enc.present ? b->enc.gelu : 0;
    if (train_init_model(&fresh, b->name, b->d_model, b->n_heads, d_ff, gelu, classes, n,
                         (const char *const *)b->vocab, b->n_vocab, seed, err))
        return -1;
    fresh.lowercase = b->lowercase;
    fresh.positional = b->positional;
    if (b->enc.present)
        fresh.enc.norm_eps = b->enc.norm_eps;
    if (b->has_tokenizer) { /* the merges move over: the same tokens, the same rows */
        fresh.bpe = b->bpe;
        fresh.has_tokenizer = 1;
        memset(&b->bpe, 0, sizeof b->bpe);
        b->has_tokenizer = 0;
    }
    bundle_free(b);
    *b = fresh;
    return 0;
}

void transfer_freeze_encoder(struct trainer *tr)
{
    for (int i = 0; i < tr->n_params; i++)
        tr->params[i].frozen = strcmp(tr->params[i].name, "w_cls") && strcmp(tr->params[i].name, "b_cls");
    tr->classifier_only = 1;
}
