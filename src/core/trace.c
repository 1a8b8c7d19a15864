#include "attnstep/trace.h"

#include <stdlib.h>
#include <string.h>

#include "attnstep/attention.h"
#include "attnstep/tokenizer.h"

int trace_build(struct trace *out, const struct bundle *model, const char *sentence, int causal,
                struct error *err)
{
    struct tokens toks;
    if (tokenizer_split(&toks, sentence, model->lowercase, err))
        return -1;
    size_t N = (size_t)toks.n, D = (size_t)model->d_model, H = (size_t)model->n_heads;
    size_t bytes = (N * D * 8 + H * N * N * (causal ? 4 : 3)) * sizeof(double);
    if (bytes > TRACE_MAX_BYTES) {
        tokenizer_free(&toks);
        return error_set(err, "sentence: %zu tokens with %zu heads need %zu MiB, more than the %zu MiB allowed",
                         N, H, bytes >> 20, TRACE_MAX_BYTES >> 20);
    }
    struct trace t = {
        .model = model, .N = (int)N, .D = (int)D, .H = (int)H, .DK = (int)(D / H), .causal = causal,
        .tokens = toks.text,
    };
    t.ids = malloc(N * sizeof *t.ids);
    double **nd[] = {&t.embed, &t.pe, &t.x, &t.q, &t.k, &t.v, &t.concat, &t.out};
    double **hnn[] = {&t.scores, &t.scaled, &t.weights, &t.masked};
    int failed = !t.ids;
    for (size_t i = 0; i < sizeof nd / sizeof nd[0]; i++)
        failed |= !(*nd[i] = calloc(N * D, sizeof(double)));
    for (size_t i = 0; i < (causal ? 4u : 3u); i++)
        failed |= !(*hnn[i] = calloc(H * N * N, sizeof(double)));
    if (failed) {
        trace_free(&t);
        return error_set(err, "out of memory");
    }
    for (size_t i = 0; i < N; i++) {
        int id = bundle_lookup(model, t.tokens[i]);
        t.ids[i] = id < 0 ? model->unk_id : id;
        memcpy(t.embed + i * D, model->embed + (size_t)t.ids[i] * D, D * sizeof(double));
    }
    if (model->positional)
        attention_positional(t.pe, t.N, t.D);
    for (size_t i = 0; i < N * D; i++)
        t.x[i] = t.embed[i] + t.pe[i];
    attention_linear(t.q, t.x, model->w[BUNDLE_Q], model->b[BUNDLE_Q], t.N, t.D, t.D);
    attention_linear(t.k, t.x, model->w[BUNDLE_K], model->b[BUNDLE_K], t.N, t.D, t.D);
    attention_linear(t.v, t.x, model->w[BUNDLE_V], model->b[BUNDLE_V], t.N, t.D, t.D);
    attention_heads(t.scores, t.scaled, t.masked, t.weights, t.concat, t.q, t.k, t.v, t.N, t.D, t.H, causal);
    attention_linear(t.out, t.concat, model->w[BUNDLE_O], model->b[BUNDLE_O], t.N, t.D, t.D);
    *out = t;
    return 0;
}

void trace_free(struct trace *t)
{
    if (!t)
        return;
    struct tokens toks = {.n = t->N, .text = t->tokens};
    tokenizer_free(&toks);
    free(t->ids);
    double *bufs[] = {t->embed, t->pe, t->x, t->q, t->k, t->v, t->scores, t->scaled,
                      t->masked, t->weights, t->concat, t->out};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
    memset(t, 0, sizeof *t);
}
