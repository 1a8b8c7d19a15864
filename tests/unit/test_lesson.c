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

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_counts),
        cmocka_unit_test(test_steps_map_to_cells_and_back),
        cmocka_unit_test(test_forward_and_backward_agree),
        cmocka_unit_test(test_formulas_carry_numbers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
