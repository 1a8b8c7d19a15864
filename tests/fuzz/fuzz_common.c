/* fuzz_common.c — see fuzz_common.h. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attnstep/bundle.h"
#include "attnstep/error.h"
#include "attnstep/fsutil.h"
#include "attnstep/lesson.h"
#include "attnstep/utf8.h"

static char scratch[4096];

static void remove_scratch(void)
{
    if (scratch[0])
        fsutil_remove_tree(scratch);
}

/* The scratch directory goes first: abort() skips atexit. (A crash the
 * sanitizers catch leaves it in $TMPDIR; .ci/run gives each run its own.) */
_Noreturn void fuzz_fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    remove_scratch();
    abort();
}

/* One directory per process, in $TMPDIR; emptied by removing and recreating
 * it, so nothing an input left behind (staging directories included) leaks
 * into the next input or outlives the process. */
const char *fuzz_scratch(void)
{
    if (!scratch[0]) {
        /* $TMPDIR if set, else /dev/shm (memory: 4× the execs of a disk), else /tmp. */
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp)
            tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(scratch, sizeof scratch, "%s/attnstep-fuzz-XXXXXX", tmp);
        if (!mkdtemp(scratch))
            fuzz_fail("cannot create a scratch directory", scratch);
        atexit(remove_scratch);
        return scratch;
    }
    if (fsutil_remove_tree(scratch) || mkdir(scratch, 0700))
        fuzz_fail("cannot empty the scratch directory", scratch);
    return scratch;
}

const char *fuzz_path(int slot, const char *name)
{
    static char buf[4][4200];
    if (fsutil_join(buf[slot], sizeof buf[slot], scratch, name))
        fuzz_fail("path too long", name);
    return buf[slot];
}

const char *fuzz_source(int slot, const char *rel)
{
    static char buf[4][4200];
    if (fsutil_join(buf[slot], sizeof buf[slot], FUZZ_SOURCE_ROOT, rel))
        fuzz_fail("path too long", rel);
    return buf[slot];
}

void fuzz_write(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
        fuzz_fail("cannot write", path);
}

static void check_text(const char *what, const char *s, size_t size)
{
    size_t len = strnlen(s, size);
    if (len == size)
        fuzz_fail(what, "not NUL-terminated");
    if (utf8_invalid_at(s, len) >= 0)
        fuzz_fail(what, "not valid UTF-8");
}

/* Every row and column label of a matrix the step shows or reads. */
static void check_labels(const struct lesson *l, enum matrix_id m, int head)
{
    struct matview v = lesson_matrix(l, m, head);
    char buf[32];
    if (m == MAT_TOKENS)
        return;
    for (int r = 0; r < v.rows; r++)
        check_text("row label", lesson_label(l, v.row_labels, r, buf), 4096);
    for (int c = 0; c < v.cols; c++)
        check_text("column label", lesson_label(l, v.col_labels, c, buf), 4096);
}

static void check_step(const struct lesson *l, long step)
{
    static char formula[8192]; /* what --print gives lesson_formula */
    struct lesson_pos p = lesson_at(l, step);
    if (p.step != step || p.stage < 0 || p.stage >= l->n_stages)
        fuzz_fail("lesson_at", "step outside the lesson");
    const struct lesson_stage *s = &l->stages[p.stage];
    if (lesson_step_of(l, p.stage, p.row, p.col) != step)
        fuzz_fail("lesson_step_of", "does not map the step back");
    if (!lesson_revealed(l, step, p.stage, p.row, p.col))
        fuzz_fail("lesson_revealed", "the step does not reveal its own cell");
    struct lesson_operand ops[LESSON_MAX_OPERANDS];
    int n_ops = lesson_operands(l, p, ops);
    if (n_ops < 0 || n_ops > LESSON_MAX_OPERANDS)
        fuzz_fail("lesson_operands", "count out of range");
    for (int k = 0; k < n_ops; k++) {
        struct matview v = lesson_matrix(l, ops[k].matrix, ops[k].head);
        if (ops[k].row >= v.rows || ops[k].col >= v.cols)
            fuzz_fail("lesson_operands", "operand outside its matrix");
        lesson_cell_revealed(l, step, ops[k].matrix, ops[k].head, ops[k].row < 0 ? 0 : ops[k].row,
                             ops[k].col < 0 ? 0 : ops[k].col);
    }
    lesson_formula(l, p, formula, sizeof formula);
    check_text("formula", formula, sizeof formula);
    if (step == s->first && l->gran == GRAN_CELL) /* once per stage: its result's labels */
        check_labels(l, lesson_result(s->kind), s->head);
}

/* Every step of every stage, or beyond max_per_stage steps that many spread
 * from its first to its last, and beyond max_stages stages (a recurrent lesson
 * has a few per word) the first and last ones and some spread between: long
 * sentences stay fast yet every kind of stage is seen. */
static void walk(const struct lesson *l, long max_per_stage, int max_stages)
{
    long next = 0;
    int stride = l->n_stages / max_stages + 1, ends = max_stages / 4;
    for (int i = 0; i < l->n_stages; i++) {
        const struct lesson_stage *st = &l->stages[i];
        if (st->first != next || st->steps < 1)
            fuzz_fail("lesson stages", "not contiguous");
        next = st->first + st->steps;
        if (i >= ends && i < l->n_stages - ends && i % stride)
            continue;
        long n = st->steps < max_per_stage ? st->steps : max_per_stage;
        for (long k = 0; k < n; k++)
            check_step(l, st->first + (n > 1 ? k * (st->steps - 1) / (n - 1) : 0));
    }
    if (next != l->n_steps)
        fuzz_fail("lesson stages", "do not add up to the lesson");
}

void fuzz_walk_lessons(const struct trace *t, long max_per_stage, int max_stages)
{
    static const enum trace_model models[] = {TRACE_ATTENTION, TRACE_RNN, TRACE_LSTM};
    static const enum granularity grans[] = {GRAN_STAGE, GRAN_ROW, GRAN_CELL};
    struct error err;
    for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
        if (!t->has_model[models[m]])
            continue;
        for (size_t g = 0; g < sizeof grans / sizeof grans[0]; g++) {
            struct lesson l;
            if (lesson_init(&l, t, models[m], grans[g], &err))
                fuzz_fail("lesson_init failed on a trace that has the model", err.msg);
            walk(&l, max_per_stage, max_stages);
            lesson_free(&l);
        }
    }
}

static int same_doubles(const double *a, const double *b, size_t n)
{
    if (!a || !b)
        return a == b;
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* Everything the format stores, compared exactly. */
void fuzz_check_same(const struct bundle *a, const struct bundle *b)
{
    size_t D = (size_t)a->d_model, V = (size_t)a->n_vocab;
    if (a->d_model != b->d_model || a->n_heads != b->n_heads || a->positional != b->positional ||
        a->lowercase != b->lowercase || a->n_vocab != b->n_vocab || a->unk_id != b->unk_id ||
        a->d_hidden != b->d_hidden || a->enc.present != b->enc.present || strcmp(a->name, b->name) ||
        strcmp(a->description, b->description))
        fuzz_fail("the reloaded model differs", "config");
    for (size_t i = 0; i < V; i++)
        if (strcmp(a->vocab[i], b->vocab[i]))
            fuzz_fail("the reloaded model differs", "vocabulary");
    if (a->has_tokenizer != b->has_tokenizer || a->bpe.n_merges != b->bpe.n_merges)
        fuzz_fail("the reloaded model differs", "tokenizer.csv");
    for (int m = 0; m < a->bpe.n_merges; m++)
        if (strcmp(a->bpe.left[m], b->bpe.left[m]) || strcmp(a->bpe.right[m], b->bpe.right[m]))
            fuzz_fail("the reloaded model differs", "tokenizer.csv");
    int same = same_doubles(a->embed, b->embed, V * D);
    for (int m = 0; m < BUNDLE_N_PROJ; m++)
        same &= same_doubles(a->w[m], b->w[m], D * D) && same_doubles(a->b[m], b->b[m], D);
    size_t Dh = (size_t)a->d_hidden;
    for (int r = 0; r < BUNDLE_N_RECURRENT; r++) {
        const struct bundle_recurrent_weights *x = &a->rec[r], *y = &b->rec[r];
        size_t G = (size_t)x->gates;
        same &= x->present == y->present;
        if (x->present && y->present)
            same &= same_doubles(x->w_x, y->w_x, D * G * Dh) && same_doubles(x->w_h, y->w_h, Dh * G * Dh) &&
                    same_doubles(x->b, y->b, G * Dh);
    }
    if (a->enc.present && b->enc.present) {
        const struct bundle_encoder *x = &a->enc, *y = &b->enc;
        size_t F = (size_t)x->d_ff, C = (size_t)x->n_labels;
        same &= x->d_ff == y->d_ff && x->gelu == y->gelu && x->n_labels == y->n_labels;
        for (size_t c = 0; same && c < C; c++)
            if (strcmp(x->labels[c], y->labels[c]))
                fuzz_fail("the reloaded model differs", "labels");
        same &= !memcmp(&x->norm_eps, &y->norm_eps, sizeof x->norm_eps);
        same &= same_doubles(x->ln1_gamma, y->ln1_gamma, D) && same_doubles(x->ln1_beta, y->ln1_beta, D) &&
                same_doubles(x->ln2_gamma, y->ln2_gamma, D) && same_doubles(x->ln2_beta, y->ln2_beta, D) &&
                same_doubles(x->w_ff1, y->w_ff1, D * F) && same_doubles(x->b_ff1, y->b_ff1, F) &&
                same_doubles(x->w_ff2, y->w_ff2, F * D) && same_doubles(x->b_ff2, y->b_ff2, D) &&
                same_doubles(x->w_cls, y->w_cls, D * C) && same_doubles(x->b_cls, y->b_cls, C);
    }
    if (!same)
        fuzz_fail("the reloaded model differs", "weights");
}

