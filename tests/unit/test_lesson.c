/* The step engine: every step is one (stage, row, col) and back, forward and
 * backward walks agree, and formulas carry the real numbers. */
#include <math.h>

#include "attnstep/bundle.h"
#include "attnstep/lesson.h"
#include "attnstep/narration.h"
#include "attnstep/trace.h"
#include "testutil.h"

struct fixture {
    struct bundle b;
    struct trace t;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct error err;
    if (bundle_load(&f->b, src_path("tests/data/bundles/bias-crlf"), &err) ||
        trace_build(&f->t, &f->b, "the movie was not good !", 1, &err)) {
        print_error("%s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    trace_free(&f->t);
    bundle_free(&f->b);
    free(f);
    return 0;
}

static void test_step_counts(void **state)
{
    struct fixture *f = *state;
    const struct trace *t = &f->t;
    struct lesson l;
    struct error err;
    int N = t->N, D = t->D, DK = t->DK, H = t->H;
    /* tokens, embed, positional, x; per head q k v scores scaled masked weights out; concat, output */
    long cells = (long)N + 3L * N * D + H * (4L * N * DK + 4L * N * N) + 2L * N * D;
    long rows = 4L * N + H * 8L * N + 2L * N;
    long stages = 4 + 8L * H + 2;
    enum granularity g[] = {GRAN_STAGE, GRAN_ROW, GRAN_CELL};
    long want[] = {stages, rows, cells};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(lesson_init(&l, t, TRACE_ATTENTION, g[k], &err), 0);
        assert_int_equal(l.n_stages, stages);
        assert_int_equal(l.n_steps, want[k]);
        lesson_free(&l);
    }
}

static void test_steps_map_to_cells_and_back(void **state)
{
    struct fixture *f = *state;
    struct error err;
    for (int g = GRAN_STAGE; g <= GRAN_CELL; g++) {
        struct lesson l;
        assert_int_equal(lesson_init(&l, &f->t, TRACE_ATTENTION, (enum granularity)g, &err), 0);
        struct lesson_pos prev = {-1, -1, -1, -1};
        for (long s = 0; s < l.n_steps; s++) {
            struct lesson_pos p = lesson_at(&l, s);
            assert_int_equal(p.step, s);
            /* unique: positions strictly increase in (stage, row, col) order */
            int later = p.stage > prev.stage || (p.stage == prev.stage && (p.row > prev.row ||
                        (p.row == prev.row && p.col > prev.col)));
            assert_true(later);
            assert_int_equal(lesson_step_of(&l, p.stage, p.row, p.col), s);
            const struct lesson_stage *st = &l.stages[p.stage];
            assert_true(p.row < st->rows && p.col < st->cols);
            prev = p;
        }
        /* Out-of-range steps clamp. */
        assert_int_equal(lesson_at(&l, -5).step, 0);
        assert_int_equal(lesson_at(&l, l.n_steps + 9).step, l.n_steps - 1);
        lesson_free(&l);
    }
}

static void test_forward_and_backward_agree(void **state)
{
    struct fixture *f = *state;
    struct lesson l;
    struct error err;
    assert_int_equal(lesson_init(&l, &f->t, TRACE_ATTENTION, GRAN_CELL, &err), 0);
    char a[4096], b[4096];
    long n = l.n_steps;
    char **fwd = malloc((size_t)n * sizeof *fwd);
    for (long s = 0; s < n; s++) {
        lesson_formula(&l, lesson_at(&l, s), a, sizeof a);
        fwd[s] = strdup(a);
    }
    for (long s = n - 1; s >= 0; s--) { /* backward: the same states, in reverse */
        lesson_formula(&l, lesson_at(&l, s), b, sizeof b);
        assert_string_equal(fwd[s], b);
        free(fwd[s]);
    }
    free(fwd);
    /* What is revealed grows by exactly the step's cells. */
    int last = l.n_stages - 1;
    assert_false(lesson_revealed(&l, 0, last, 0, 0));
    assert_true(lesson_revealed(&l, n - 1, last, f->t.N - 1, f->t.D - 1));
    struct lesson_pos p = lesson_at(&l, n / 2);
    assert_true(lesson_revealed(&l, n / 2, p.stage, p.row, p.col));
    assert_false(lesson_revealed(&l, n / 2 - 1, p.stage, p.row, p.col));
    lesson_free(&l);
}

static void test_formulas_carry_numbers(void **state)
{
    struct fixture *f = *state;
    struct lesson l;
    struct error err;
    char buf[4096], num[32];
    assert_int_equal(lesson_init(&l, &f->t, TRACE_ATTENTION, GRAN_CELL, &err), 0);
    for (int st = 0; st < l.n_stages; st++) {
        const struct lesson_stage *s = &l.stages[st];
        struct lesson_pos p = lesson_at(&l, s->first + s->steps - 1);
        lesson_formula(&l, p, buf, sizeof buf);
        assert_true(strlen(buf) > 0);
        assert_non_null(narration_stage(s->kind)->explain);
        if (s->kind == STAGE_TOKENS)
            continue;
        /* every cell formula ends with the cell's value */
        struct matview v = lesson_matrix(&l, lesson_result(s->kind), s->head);
        double val = v.data[(size_t)p.row * v.stride + (size_t)p.col];
        lesson_format_number(val, num, sizeof num);
        if (!strstr(buf, num))
            fail_msg("stage %d: \"%s\" lacks the value %s", st, buf, num);
    }
    /* A scores cell names its operands and elides nothing for d_k = 4. */
    long s = lesson_step_of(&l, 7, 1, 2); /* head 1 scores: movie · was */
    struct lesson_pos p = lesson_at(&l, s);
    assert_int_equal(l.stages[p.stage].kind, STAGE_SCORES);
    lesson_formula(&l, p, buf, sizeof buf);
    assert_non_null(strstr(buf, "S[movie,was] = Q[movie]·K[was] = ("));
    assert_null(strstr(buf, "…"));
    struct lesson_operand ops[LESSON_MAX_OPERANDS];
    assert_int_equal(lesson_operands(&l, p, ops), 2);
    assert_int_equal(ops[0].matrix, MAT_Q);
    assert_int_equal(ops[0].row, 1);
    assert_int_equal(ops[1].matrix, MAT_K);
    assert_int_equal(ops[1].row, 2);
    lesson_free(&l);
}

/* ---- the tokens lesson of a model with tokenizer.csv ------------------- */

/* korean-bpe's merges (by rank from 0): 좋아+요 았+다 하+지 좋+아 않+았 하+하 영+화 영화+가 나+는 … */
static const char *const BPE_SENTENCE = "하하하 영화가 좋아요 ! 하지만 나는 그 책을 좋아하지도 않았다 .";
/* merges each word takes, in the order applied */
static const int BPE_MERGES[][3] = {
    {5, -1}, {6, 7, -1}, {3, 0, -1}, {-1}, {2, -1}, {8, -1}, {-1}, {-1}, {2, 3, -1}, {1, -1}, {-1},
};
#define BPE_WORDS 11

static void load_bpe(struct fixture *f, int causal)
{
    struct error err;
    if (bundle_load(&f->b, src_path("tests/data/bundles/korean-bpe"), &err) ||
        trace_build(&f->t, &f->b, BPE_SENTENCE, causal, &err))
        fail_msg("%s", err.msg);
}

static void free_bpe(struct fixture *f)
{
    trace_free(&f->t);
    bundle_free(&f->b);
}

static void test_bpe_step_counts(void **state)
{
    (void)state;
    struct fixture f = {0};
    load_bpe(&f, 0);
    struct lesson l[3];
    struct error err;
    long cell = 0;
    for (int w = 0; w < BPE_WORDS; w++) {
        int m = 0;
        while (BPE_MERGES[w][m] >= 0)
            m++;
        cell += m + 2; /* its code points, each merge, its pieces */
    }
    assert_int_equal(cell, 32);
    long want[3] = {1, BPE_WORDS, cell};
    for (int g = GRAN_STAGE; g <= GRAN_CELL; g++) {
        assert_int_equal(lesson_init(&l[g], &f.t, TRACE_ATTENTION, (enum granularity)g, &err), 0);
        assert_int_equal(l[g].n_words, BPE_WORDS);
        assert_int_equal(l[g].stages[0].kind, STAGE_TOKENS);
        assert_int_equal(l[g].stages[0].steps, want[g]);
        assert_int_equal(l[g].stages[1].first, want[g]);
    }
    /* the stages after the tokens count pieces: the embeddings take a row per piece */
    assert_int_equal(f.t.N, 17);
    assert_int_equal(l[GRAN_ROW].stages[1].steps, f.t.N);
    assert_int_equal(l[GRAN_CELL].stages[1].steps, (long)f.t.N * f.t.D);
    for (int g = GRAN_STAGE; g <= GRAN_CELL; g++)
        lesson_free(&l[g]);
    free_bpe(&f);
}

static void test_bpe_merges_in_order(void **state)
{
    (void)state;
    struct fixture f = {0};
    load_bpe(&f, 0);
    struct lesson l;
    struct error err;
    char buf[4096], want[256];
    assert_int_equal(lesson_init(&l, &f.t, TRACE_ATTENTION, GRAN_CELL, &err), 0);
    long s = 0;
    for (int w = 0; w < BPE_WORDS; w++) {
        int m = lesson_word_merges(&l, w);
        for (int k = 0; k <= m + 1; k++, s++) {
            struct lesson_pos p = lesson_at(&l, s);
            assert_int_equal(p.stage, 0);
            assert_int_equal(p.row, w);
            assert_int_equal(p.col, k);
            lesson_formula(&l, p, buf, sizeof buf);
            snprintf(want, sizeof want, "word %d of %d, \"%s\":", w + 1, BPE_WORDS, l.word_text[w]);
            if (strncmp(buf, want, strlen(want)))
                fail_msg("step %ld: \"%s\" does not start with \"%s\"", s, buf, want);
            struct lesson_cut c;
            if (k <= m) {
                assert_int_equal(lesson_cut(&l, w, k, &c), 0);
                if (k == 0) {
                    assert_int_equal(c.rank, -1);
                    assert_non_null(strstr(buf, "one per character"));
                } else {
                    int r = BPE_MERGES[w][k - 1];
                    assert_int_equal(c.rank, r);
                    /* "좋 + 아 → 좋아 (merge 4)": the number is the rank + 1 */
                    snprintf(want, sizeof want, "%s + %s → %s%s (merge %d)", f.b.bpe.left[r], f.b.bpe.right[r],
                             f.b.bpe.left[r], f.b.bpe.right[r], r + 1);
                    if (!strstr(buf, want))
                        fail_msg("step %ld: \"%s\" lacks \"%s\"", s, buf, want);
                    /* the highlighted symbols are the merge's result */
                    int joined = 0;
                    for (int i = 0; i < c.w.n; i++)
                        if (c.joined[i]) {
                            joined++;
                            snprintf(want, sizeof want, "%s%s", f.b.bpe.left[r], f.b.bpe.right[r]);
                            assert_string_equal(c.w.sym[i], want);
                        }
                    assert_int_equal(joined, c.count);
                    assert_true(joined >= 1);
                }
                lesson_cut_free(&c);
            } else { /* the pieces, as the trace has them, with their ids */
                assert_int_equal(BPE_MERGES[w][m], -1);
                assert_int_equal(lesson_cut(&l, w, m, &c), 0);
                assert_int_equal(c.w.n, l.word_token[w + 1] - l.word_token[w]);
                for (int i = 0; i < c.w.n; i++) {
                    const char *piece = f.t.tokens[l.word_token[w] + i];
                    assert_string_equal(c.w.sym[i], i ? piece + 2 : piece);
                    snprintf(want, sizeof want, "%s (%srow %d)", piece,
                             strcmp(f.b.vocab[f.t.ids[l.word_token[w] + i]], piece) ? "<unk>, " : "",
                             f.t.ids[l.word_token[w] + i]);
                    if (!strstr(buf, want))
                        fail_msg("step %ld: \"%s\" lacks \"%s\"", s, buf, want);
                }
                lesson_cut_free(&c);
            }
        }
    }
    assert_int_equal(s, l.stages[0].steps);
    /* 그 is not in korean-bpe's vocabulary: <unk>, row 0 */
    lesson_formula(&l, lesson_at(&l, lesson_step_of(&l, 0, 6, 1)), buf, sizeof buf);
    assert_string_equal(buf, "word 7 of 11, \"그\": 1 piece: 그 (<unk>, row 0)");
    /* 좋아요: 좋+아 (merge 4) comes before 좋아+요 (merge 1): the lowest rank among the pairs present */
    lesson_formula(&l, lesson_at(&l, lesson_step_of(&l, 0, 2, 2)), buf, sizeof buf);
    assert_string_equal(buf, "word 3 of 11, \"좋아요\": 좋아 + 요 → 좋아요 (merge 1) ⇒ 좋아요");
    lesson_free(&l);
    /* a word per step at row granularity, its merges listed */
    assert_int_equal(lesson_init(&l, &f.t, TRACE_ATTENTION, GRAN_ROW, &err), 0);
    lesson_formula(&l, lesson_at(&l, 8), buf, sizeof buf);
    assert_string_equal(buf, "word 9 of 11, \"좋아하지도\": 하 + 지 → 하지 (merge 3), 좋 + 아 → 좋아 (merge 4)  ⇒ "
                             "좋아 (row 23), ##하지 (row 19), ##도 (row 24)");
    lesson_free(&l);
    free_bpe(&f);
}

static void test_bpe_back_and_forth(void **state)
{
    (void)state;
    struct fixture f = {0};
    load_bpe(&f, 1);
    struct error err;
    char a[4096];
    for (int g = GRAN_STAGE; g <= GRAN_CELL; g++) {
        struct lesson l;
        assert_int_equal(lesson_init(&l, &f.t, TRACE_ATTENTION, (enum granularity)g, &err), 0);
        long n = l.stages[1].first + 3; /* the tokens stage and a little after */
        char **fwd = calloc((size_t)n, sizeof *fwd);
        struct lesson_pos prev = {-1, -1, -1, -1};
        for (long s = 0; s < n; s++) {
            struct lesson_pos p = lesson_at(&l, s);
            int later = p.stage > prev.stage || (p.stage == prev.stage && (p.row > prev.row ||
                        (p.row == prev.row && p.col > prev.col)));
            assert_true(later);
            assert_int_equal(lesson_step_of(&l, p.stage, p.row, p.col), s);
            prev = p;
            lesson_formula(&l, p, a, sizeof a);
            fwd[s] = strdup(a);
        }
        for (long s = n - 1; s >= 0; s--) { /* backward: the same formulas */
            lesson_formula(&l, lesson_at(&l, s), a, sizeof a);
            assert_string_equal(fwd[s], a);
            free(fwd[s]);
        }
        free(fwd);
        /* a piece shows once its word's pieces are shown, not before */
        for (int i = 0; i < f.t.N; i++) {
            int w = f.t.word[i];
            long at = lesson_step_of(&l, 0, w, lesson_word_merges(&l, w) + 1);
            assert_true(lesson_cell_revealed(&l, at, MAT_TOKENS, -1, i, 0));
            if (at > 0)
                assert_false(lesson_cell_revealed(&l, at - 1, MAT_TOKENS, -1, i, 0));
        }
        /* a column past a word's steps (a coarser step's place) is the word's pieces */
        if (g == GRAN_CELL)
            assert_int_equal(lesson_step_of(&l, 0, 3, l.stages[0].cols - 1), lesson_step_of(&l, 0, 4, 0) - 1);
        lesson_free(&l);
    }
    free_bpe(&f);
}

static void test_no_tokenizer_no_words(void **state)
{
    struct fixture *f = *state;
    struct lesson l;
    struct error err;
    assert_int_equal(lesson_init(&l, &f->t, TRACE_ATTENTION, GRAN_CELL, &err), 0);
    assert_int_equal(l.n_words, 0);
    assert_int_equal(l.stages[0].steps, f->t.N);
    char buf[256];
    lesson_formula(&l, lesson_at(&l, 1), buf, sizeof buf);
    assert_string_equal(buf, "position 1: \"movie\" → vocabulary row 7");
    lesson_free(&l);
}

/* A language model: always causal, a row of logits per position, the
 * next-token probabilities of the last, and three stages after norm2. */
static void test_lm_trace_and_stages(void **state)
{
    (void)state;
    struct bundle b;
    struct trace t;
    struct lesson l;
    struct error err;
    if (bundle_load(&b, src_path("tests/data/bundles/lm-crlf"), &err) ||
        trace_build(&t, &b, "the cat sat on a", 0, &err)) /* causal 0: a language model ignores it */
        fail_msg("%s", err.msg);
    assert_true(t.causal && t.masked && t.is_lm);
    assert_int_equal(t.V, 12);
    assert_int_equal(t.C, 0);
    assert_null(t.pooled);
    assert_null(t.logits);
    for (int i = 0; i < t.N; i++) /* the mask: no weight on a later word */
        for (int j = i + 1; j < t.N; j++)
            assert_true(t.weights[i * t.N + j] == 0.0);
    for (int p = 0; p < t.N; p++)
        for (int v = 0; v < t.V; v++) {
            double want = b.b_lm[v];
            for (int d = 0; d < t.D; d++)
                want += t.norm2[p * t.D + d] * b.w_lm[d * t.V + v];
            ASSERT_NEAR(t.lm_logits[p * t.V + v], want, 1e-12);
        }
    double sum = 0, best = -1;
    for (int v = 0; v < t.V; v++) {
        sum += t.next_probs[v];
        best = t.next_probs[v] > best ? t.next_probs[v] : best;
        ASSERT_NEAR(t.next_probs[v] / t.next_probs[0],
                    exp(t.lm_logits[(t.N - 1) * t.V + v] - t.lm_logits[(t.N - 1) * t.V]), 1e-12);
    }
    ASSERT_NEAR(sum, 1.0, 1e-12);
    assert_true(t.next_probs[t.next_choice] == best);
    for (int v = 0; v < t.next_choice; v++)
        assert_true(t.next_probs[v] < best); /* ties go to the lowest row */

    assert_int_equal(lesson_init(&l, &t, TRACE_ATTENTION, GRAN_CELL, &err), 0);
    const struct lesson_stage *last = &l.stages[l.n_stages - 1];
    assert_int_equal(last[-3].kind, STAGE_NORM2);
    assert_int_equal(last[-2].kind, STAGE_LM_LOGITS);
    assert_int_equal(last[-2].cols, 12);
    assert_int_equal(last[-1].kind, STAGE_LM_PROBS);
    assert_int_equal(last[0].kind, STAGE_LM_CHOICE);
    assert_int_equal(last[0].steps, 1);
    for (int s = 0; s < l.n_stages; s++)
        assert_true(l.stages[s].kind != STAGE_POOLED && l.stages[s].kind != STAGE_LOGITS);
    char f[4096], lab[32];
    lesson_formula(&l, lesson_at(&l, last[-2].first + 3), f, sizeof f);
    assert_non_null(strstr(f, "logits[cat] = n2[a]·W_lm[:,cat] + b_lm[cat] = "));
    lesson_formula(&l, lesson_at(&l, last[0].first), f, sizeof f);
    char want[64];
    snprintf(want, sizeof want, "next = argmax P = %s ", b.vocab[t.next_choice]);
    assert_non_null(strstr(f, want));
    struct matview m = lesson_matrix(&l, MAT_NEXT_CHOICE, -1);
    assert_true(m.rows == 1 && m.cols == 1 && m.data[0] == best);
    assert_string_equal(lesson_label(&l, m.col_labels, 0, lab), b.vocab[t.next_choice]);
    assert_string_equal(lesson_label(&l, m.row_labels, 0, lab), "a");
    struct lesson_operand ops[LESSON_MAX_OPERANDS];
    assert_int_equal(lesson_operands(&l, lesson_at(&l, last[-2].first + 3), ops), 2);
    assert_true(ops[0].matrix == MAT_NORM2 && ops[0].row == t.N - 1);
    assert_true(ops[1].matrix == MAT_W_LM && ops[1].col == 3);
    lesson_free(&l);
    trace_free(&t);
    bundle_free(&b);

    /* a classifier is none of this */
    if (bundle_load(&b, src_path("tests/data/bundles/encoder-relu"), &err) ||
        trace_build(&t, &b, "the movie was good", 0, &err))
        fail_msg("%s", err.msg);
    assert_false(t.is_lm || t.causal);
    assert_null(t.lm_logits);
    assert_null(t.next_probs);
    trace_free(&t);
    bundle_free(&b);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_counts),
        cmocka_unit_test(test_steps_map_to_cells_and_back),
        cmocka_unit_test(test_forward_and_backward_agree),
        cmocka_unit_test(test_formulas_carry_numbers),
        cmocka_unit_test(test_bpe_step_counts),
        cmocka_unit_test(test_bpe_merges_in_order),
        cmocka_unit_test(test_bpe_back_and_forth),
        cmocka_unit_test(test_no_tokenizer_no_words),
        cmocka_unit_test(test_lm_trace_and_stages),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
