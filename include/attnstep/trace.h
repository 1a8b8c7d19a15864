/* trace.h — one sentence through one model: every intermediate matrix,
 * computed once. The lesson, --print, --export and the screen only read it.
 *
 * Dimension letters: N = tokens, D = d_model, H = heads, DK = D / H. */
#ifndef ATTNSTEP_TRACE_H
#define ATTNSTEP_TRACE_H

#include "attnstep/bundle.h"
#include "attnstep/error.h"

/* Refuse sentences whose matrices would need more memory than this. */
#define TRACE_MAX_BYTES ((size_t)1 << 30)

struct trace {
    const struct bundle *model; /* borrowed; must outlive the trace */
    int N, D, H, DK;
    int causal;
    char **tokens;   /* (N) surface forms after lowercasing */
    int *ids;        /* (N) vocabulary rows (the <unk> row for unknown words) */
    double *embed;   /* (N, D) */
    double *pe;      /* (N, D) zeros when the model has no positional encoding */
    double *x;       /* (N, D) embed + pe */
    double *q;       /* (N, D) head h is columns h*DK .. h*DK+DK-1 */
    double *k;       /* (N, D) */
    double *v;       /* (N, D) */
    double *scores;  /* (H, N, N) */
    double *scaled;  /* (H, N, N) */
    double *masked;  /* (H, N, N) only when causal, else NULL */
    double *weights; /* (H, N, N) */
    double *concat;  /* (N, D) head outputs side by side */
    double *out;     /* (N, D) concat·W_O + b_O */
};

/* Tokenizes sentence and runs the model. On failure *out is untouched. */
int trace_build(struct trace *out, const struct bundle *model, const char *sentence, int causal,
                struct error *err);
void trace_free(struct trace *t);

#endif
