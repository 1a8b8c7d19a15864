/* test_quiz.c — which steps ask, and the answers, against the numpy reference
 * (tests/golden/cases/default_en and tiny_en, numbers copied from there);
 * ties, tolerance, typed numbers and the tally. */
#include "testutil.h"

#include <math.h>

#include "attnstep/bundle.h"
#include "attnstep/lesson.h"
#include "attnstep/quiz.h"
#include "attnstep/trace.h"

struct fix {
    struct bundle b;
    struct trace t;
};

static void open_fix(struct fix *f, const char *model, const char *sentence, int causal)
{
    struct error err;
    if (bundle_load(&f->b, src_path(model), &err) || trace_build(&f->t, &f->b, sentence, causal, &err))
        fail_msg("%s", err.msg);
}

static void close_fix(struct fix *f)
{
    trace_free(&f->t);
    bundle_free(&f->b);
}

/* default_en: head1_weights.csv, head2_weights.csv (rows the … good). */
static const double golden_w[2][5][5] = {
    {{0.08880118359361514, 0.19551966138919508, 0.5414629678365183, 0.07792804506552825, 0.09628814211514329},
     {0.11397334743566427, 0.09051785948827094, 0.29948463013042725, 0.258395876403844, 0.23762828654179363},
     {0.38714469638544163, 0.21245741986746536, 0.12108511773930497, 0.17183424712781797, 0.10747851887997015},
     {0.3634354230202645, 0.21074983534665345, 0.22467623068665574, 0.10198062484079957, 0.09915788610562659},
     {0.24260540684785625, 0.2560542469251563, 0.22118827875334185, 0.1517026379709553, 0.12844942950269045}},
    {{0.11920581328375099, 0.3172351944986816, 0.28582149874257085, 0.11816829583855598, 0.15956919763644048},
     {0.06777381459023589, 0.25011529689790674, 0.38474058181998305, 0.09240126664627428, 0.20496904004559993},
     {0.06369631965651708, 0.20232216269864264, 0.3429997905359792, 0.11141600238243447, 0.27956572472642677},
     {0.15104164717229898, 0.2860691047803291, 0.28024598202956724, 0.1042038634674149, 0.1784394025503898},
     {0.18864758307370888, 0.24755542014387844, 0.21315857976787048, 0.16402662885090613, 0.18661178816363613}}};

static int argmax(const double *v, int n)
{
    int k = 0;
    for (int i = 1; i < n; i++)
        k = v[i] > v[k] ? i : k;
    return k;
}

static void test_row_questions(void **state)
{
    (void)state;
    struct fix f;
    open_fix(&f, "assets/models/random-en", "the movie was not good", 0);
    struct lesson l;
    struct error err;
    if (lesson_init(&l, &f.t, TRACE_ATTENTION, GRAN_ROW, &err))
        fail_msg("%s", err.msg);
    int asked = 0;
    for (long s = 0; s < l.n_steps; s++) {
        struct quiz_question q;
        if (!quiz_at(&l, s, &q))
            continue;
        asked++;
        assert_int_equal(q.kind, QUIZ_ROW);
        assert_int_equal(q.step, s);
        assert_int_equal(q.n_choices, 5);
        int want = argmax(golden_w[q.head][q.row], 5);
        assert_int_equal(q.answer, want);
        ASSERT_NEAR(q.value, golden_w[q.head][q.row][want], 1e-5);
        for (int i = 0; i < 5; i++)
            assert_int_equal(quiz_choice_right(&f.t, &q, i), i == want);
        /* the step reveals that row of weights, and the step before does not */
        assert_true(lesson_cell_revealed(&l, s, MAT_WEIGHTS, q.head, q.row, 0));
        assert_false(lesson_cell_revealed(&l, s - 1, MAT_WEIGHTS, q.head, q.row, 0));
        if (q.head == 0 && q.row == 4) { /* «good» attends most to «movie» in head 1 */
            char buf[512];
            quiz_prompt(&l, &q, buf, sizeof buf);
            assert_string_equal(buf, "Which word will «good» attend to most in head 1?");
            quiz_answer(&l, &q, buf, sizeof buf);
            assert_string_equal(buf, "«movie» (A[good,movie] = 0.2561)");
            quiz_feedback(&l, &q, 3, 0, buf, sizeof buf);
            assert_string_equal(buf, "Wrong: you chose «not» (A[good,not] = 0.1517); the largest is «movie» "
                                     "(A[good,movie] = 0.2561).");
            quiz_feedback(&l, &q, 1, 0, buf, sizeof buf);
            assert_string_equal(buf, "Right: «movie» (A[good,movie] = 0.2561) is the largest.");
            quiz_operands(&l, &q, buf, sizeof buf);
            assert_non_null(strstr(buf, "S'[good,·] = ("));
        }
    }
    assert_int_equal(asked, 5 * 2); /* every query of both heads; random-en has no classifier */
    lesson_free(&l);
    close_fix(&f);
}

static void test_cell_questions(void **state)
{
    (void)state;
    struct fix f;
    open_fix(&f, "assets/models/random-en", "the movie was not good", 0);
    struct lesson l;
    struct error err;
    if (lesson_init(&l, &f.t, TRACE_ATTENTION, GRAN_CELL, &err))
        fail_msg("%s", err.msg);
    int count[MAT_COUNT] = {0};
    for (long s = 0; s < l.n_steps; s++) {
        struct quiz_question q;
        if (!quiz_at(&l, s, &q))
            continue;
        assert_int_equal(q.kind, QUIZ_CELL);
        count[q.matrix]++;
        if (q.matrix == MAT_WEIGHTS)
            ASSERT_NEAR(q.value, golden_w[q.head][q.row][q.col], 1e-5);
        assert_true(quiz_number_right(&q, q.value));
        assert_true(quiz_number_right(&q, q.value + quiz_tolerance(q.value)));
        assert_false(quiz_number_right(&q, q.value + 1.01 * quiz_tolerance(q.value)));
        if (q.matrix == MAT_WEIGHTS && q.head == 0 && q.row == 0 && q.col == 2) {
            char buf[512];
            quiz_prompt(&l, &q, buf, sizeof buf);
            assert_string_equal(buf, "What is the attention weight A[the,was] in head 1? Type a number.");
            quiz_feedback(&l, &q, -1, 0.5, buf, sizeof buf);
            assert_string_equal(buf, "Wrong: A[the,was] = 0.5415; you typed 0.5, off by 0.0415 (more than "
                                     "±0.01).");
            quiz_feedback(&l, &q, -1, 0.54, buf, sizeof buf);
            assert_string_equal(buf, "Right: A[the,was] = 0.5415; you typed 0.54, off by 0.0015 (within ±0.01).");
        }
    }
    assert_int_equal(count[MAT_SCORES], 2 * 25);
    assert_int_equal(count[MAT_SCALED], 2 * 25);
    assert_int_equal(count[MAT_WEIGHTS], 2 * 25);
    assert_int_equal(count[MAT_HEAD_OUT], 2 * 5 * 4);
    lesson_free(&l);
    /* stage granularity asks nothing of a model without a classifier */
    if (lesson_init(&l, &f.t, TRACE_ATTENTION, GRAN_STAGE, &err))
        fail_msg("%s", err.msg);
    for (long s = 0; s < l.n_steps; s++) {
        struct quiz_question q;
        assert_false(quiz_at(&l, s, &q));
    }
    lesson_free(&l);
    close_fix(&f);
}

static void test_class_question(void **state)
{
    (void)state;
    struct fix f;
    open_fix(&f, "assets/models/tiny-en", "the movie was not good", 0);
    for (int g = GRAN_STAGE; g <= GRAN_CELL; g++) {
        struct lesson l;
        struct error err;
        if (lesson_init(&l, &f.t, TRACE_ATTENTION, (enum granularity)g, &err))
            fail_msg("%s", err.msg);
        int found = 0;
        for (long s = 0; s < l.n_steps; s++) {
            struct quiz_question q;
            if (!quiz_at(&l, s, &q) || q.kind != QUIZ_CLASS)
                continue;
            found++;
            /* asked before the logits appear: at the logits stage's first step */
            assert_int_equal(l.stages[q.stage].kind, STAGE_LOGITS);
            assert_int_equal(s, l.stages[q.stage].first);
            assert_int_equal(q.n_choices, 2);
            assert_int_equal(q.answer, 0); /* tiny_en/probabilities.csv: negative 0.99996 */
            ASSERT_NEAR(q.value, 0.9999636938904574, 1e-5);
            char buf[256], lab[32];
            assert_string_equal(quiz_choice_label(&l, &q, 1, lab), "positive");
            quiz_operands(&l, &q, buf, sizeof buf);
            assert_string_equal(buf, "");
        }
        assert_int_equal(found, 1);
        lesson_free(&l);
    }
    close_fix(&f);
}

static void test_compare_question(void **state)
{
    (void)state;
    struct fix f;
    open_fix(&f, "assets/models/random-en", "the movie was not good", 0);
    struct quiz_question q;
    /* default_en/influence.csv: the RNN's largest is «good» 2.3406, attention's «movie» 0.8047 */
    assert_int_equal(quiz_compare(&f.t, TRACE_RNN, &q), 1);
    assert_int_equal(q.answer, 4);
    ASSERT_NEAR(q.value, 2.340603064159625, 1e-5);
    assert_int_equal(quiz_compare(&f.t, TRACE_LSTM, &q), 1);
    assert_int_equal(q.answer, 4);
    ASSERT_NEAR(q.value, 0.6641568468958009, 1e-5);
    assert_int_equal(quiz_compare(&f.t, TRACE_ATTENTION, &q), 1);
    assert_int_equal(q.answer, 1);
    ASSERT_NEAR(q.value, 0.8046960334711503, 1e-5);
    close_fix(&f);
    open_fix(&f, "tests/data/bundles/encoder-relu", "the movie was not good", 0);
    assert_int_equal(quiz_compare(&f.t, TRACE_RNN, &q), 0); /* a model without an RNN (tiny-en has one since issue 13) */
    close_fix(&f);
}

/* Every key that ties for the largest weight is right; the answer names them all. */
static void test_ties_row(void **state)
{
    (void)state;
    double w[9] = {0.2, 0.4, 0.4, 0.5, 0.3, 0.2, 0.1, 0.1, 0.8};
    char a[] = "a", b[] = "b", c[] = "c";
    char *tokens[3] = {a, b, c};
    struct trace t = {.N = 3, .H = 1, .weights = w, .tokens = tokens};
    struct lesson l = {.trace = &t};
    struct quiz_question q = {.kind = QUIZ_ROW, .matrix = MAT_WEIGHTS, .head = 0, .row = 0, .n_choices = 3,
                              .answer = 1, .value = 0.4};
    assert_false(quiz_choice_right(&t, &q, 0));
    assert_true(quiz_choice_right(&t, &q, 1));
    assert_true(quiz_choice_right(&t, &q, 2));
    assert_false(quiz_choice_right(&t, &q, 3)); /* out of range */
    char buf[256];
    quiz_answer(&l, &q, buf, sizeof buf);
    assert_string_equal(buf, "«b» (A[a,b] = 0.4) or «c» (A[a,c] = 0.4)");
}

static void test_numbers_and_tally(void **state)
{
    (void)state;
    double v;
    assert_int_equal(quiz_parse_number("0.42", &v), 0);
    ASSERT_NEAR(v, 0.42, 1e-15);
    assert_int_equal(quiz_parse_number("-1,5", &v), 0);
    ASSERT_NEAR(v, -1.5, 1e-15);
    assert_int_equal(quiz_parse_number(".5", &v), 0);
    ASSERT_NEAR(v, 0.5, 1e-15);
    assert_int_equal(quiz_parse_number("+3", &v), 0);
    ASSERT_NEAR(v, 3, 1e-15);
    const char *bad[] = {"", "-", ".", "1.2.3", "1-2", "inf", "nan", "1e5", "0x10", " 1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (quiz_parse_number(bad[i], &v) == 0)
            fail_msg("'%s' was taken for a number", bad[i]);
    ASSERT_NEAR(quiz_tolerance(0.3), 0.01, 1e-15);
    ASSERT_NEAR(quiz_tolerance(-5), 0.05, 1e-15);
    struct quiz_tally t = {0, 0};
    quiz_tally_add(&t, 1);
    quiz_tally_add(&t, 0);
    quiz_tally_add(&t, 1);
    assert_int_equal(t.right, 2);
    assert_int_equal(t.asked, 3);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_questions),     cmocka_unit_test(test_cell_questions),
        cmocka_unit_test(test_class_question),    cmocka_unit_test(test_compare_question),
        cmocka_unit_test(test_ties_row),          cmocka_unit_test(test_numbers_and_tally),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
