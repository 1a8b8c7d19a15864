/* A lesson file (--lesson): slides read and resolved, every bad file refused
 * with FILE:LINE:COL before a class sees a slide. */
#include <sys/stat.h>

#include "attnstep/slides.h"
#include "testutil.h"

static char models_dir[4096];

static const char *first_example(const struct bundle *model, void *ctx)
{
    (void)model;
    return ctx;
}

/* Loads text as a lesson; returns 0 or -1 with the message in err. */
static int load(struct slides *s, const char *name, const char *text, struct error *err)
{
    const char *path = write_temp(name, text, strlen(text));
    static char example[] = "the movie was good";
    return slides_load(s, path, models_dir, 0, first_example, example, err);
}

/* The error of a bad lesson, after its path. */
static void expect_error(const char *text, const char *want)
{
    struct slides s;
    struct error err;
    memset(&s, 0x5a, sizeof s);
    if (load(&s, "bad.csv", text, &err) == 0)
        fail_msg("accepted: %s", text);
    const char *at = strstr(err.msg, "bad.csv:");
    if (!at || strncmp(at + strlen("bad.csv:"), want, strlen(want)))
        fail_msg("error for %s\n   was: %s\nwanted: bad.csv:%s", text, err.msg, want);
    /* untouched on failure */
    unsigned char *p = (unsigned char *)&s;
    for (size_t i = 0; i < sizeof s; i++)
        assert_int_equal(p[i], 0x5a);
}

static void test_slides_resolve_models_sentences_views_stages(void **state)
{
    (void)state;
    struct slides s;
    struct error err;
    const char *text = "model,sentence,view,stage,note\n"
                       "tiny-en,,,,\"Tokens first, then vectors\"\n"
                       ",the movie was not good,heatmap,9,\n"
                       "random-en,,compare,3,RNN reads\n"
                       "tiny-ko,영화가 좋지 않았다,training,12,학습\n"
                       "tiny-en,the movie was good,pipeline,,back\n";
    if (load(&s, "good.csv", text, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(s.n_slides, 5);
    assert_int_equal(s.n_models, 3); /* tiny-en once */
    assert_string_equal(s.slide[0].sentence, "the movie was good"); /* the model's default */
    assert_string_equal(s.slide[0].note, "Tokens first, then vectors");
    assert_int_equal(s.slide[0].view, SLIDE_PIPELINE);
    assert_int_equal(s.slide[0].stage, 0);
    assert_int_equal(s.slide[1].model, 0); /* empty: the previous slide's */
    assert_int_equal(s.slide[1].view, SLIDE_HEATMAP);
    assert_int_equal(s.slide[1].stage, 9);
    assert_string_equal(s.slide[2].sentence, "the movie was not good"); /* the previous slide's */
    assert_int_equal(s.slide[2].view, SLIDE_COMPARE);
    assert_string_equal(s.models[s.slide[2].model].bundle.name, "random-en");
    assert_int_equal(s.slide[3].view, SLIDE_TRAINING);
    assert_string_equal(s.slide[3].note, "학습");
    assert_int_equal(s.models[s.slide[3].model].hist.n_snapshots, 12);
    assert_int_equal(s.slide[4].model, 0);
    assert_string_equal(s.slide[3].sentence, "영화가 좋지 않았다");
    assert_string_equal(s.slide[4].note, "back");
    assert_int_equal(s.slide[4].line, 6);
    assert_string_equal(slides_view_name(s.slide[2].view), "compare");
    slides_free(&s);
}

/* A model path relative to the lesson file's folder wins over a bundled name. */
static void test_slides_model_relative_to_the_lesson(void **state)
{
    (void)state;
    char dir[600], model[700], lesson[700];
    snprintf(dir, sizeof dir, "%s", write_temp("placeholder", "", 0));
    strcpy(strrchr(dir, '/') + 1, "course");
    mkdir(dir, 0700);
    snprintf(model, sizeof model, "%s/tiny-en", dir);
    const char *tokens[] = {"good", "bad"};
    struct bundle b;
    struct error err;
    assert_int_equal(bundle_init_random(&b, "mine", 4, 2, 0, 3, tokens, 2, &err), 0);
    assert_int_equal(bundle_save(&b, model, 1, &err), 0);
    bundle_free(&b);
    snprintf(lesson, sizeof lesson, "%s/lesson.csv", dir);
    FILE *f = fopen(lesson, "w");
    assert_non_null(f);
    fputs("model,sentence,view,stage,note\ntiny-en,good bad,heatmap,,\n./tiny-en,bad,,2,\n", f);
    fclose(f);
    struct slides s;
    if (slides_load(&s, lesson, models_dir, 0, NULL, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(s.n_models, 1);
    assert_string_equal(s.models[0].bundle.name, "mine");
    slides_free(&s);
}

static void test_slides_bad_files(void **state)
{
    (void)state;
    const char *h = "model,sentence,view,stage,note\n";
    char buf[1024];
    expect_error("model,sentence,view,step,note\ntiny-en,,,,\n",
                 "1:21: a lesson's first row must be the header model,sentence,view,stage,note");
    expect_error("model,sentence,view,stage\ntiny-en,,,\n",
                 "1:1: a lesson's first row must be the header model,sentence,view,stage,note");
    expect_error("model,sentence,view,stage,note,extra\n",
                 "1:32: a lesson's first row must be the header model,sentence,view,stage,note");
    expect_error(h, "2:1: no slides: a lesson has one row per slide after the header");
#define BAD(rows, want)                               \
    do {                                              \
        snprintf(buf, sizeof buf, "%s%s", h, rows);   \
        expect_error(buf, want);                      \
    } while (0)
    BAD("tiny-en,,,,a, b\n", "2:15: a slide has 5 fields (model,sentence,view,stage,note), this row has 6; "
                             "a note with a comma goes in double quotes");
    BAD("tiny-en,,,\n", "2:1: a slide has 5 fields (model,sentence,view,stage,note), this row has 4; "
                        "a note with a comma goes in double quotes");
    BAD(",good,,,\n", "2:1: the first slide needs a model: a bundled model's name (tiny-en, tiny-ko, random-en) "
                      "or a folder");
    BAD("tiny-en,,,,\nnope,,,,\n", "3:1: no model 'nope': neither a folder in /");
    BAD("tiny-en,,slides,,\n", "2:10: unknown view 'slides': pipeline, heatmap, compare, training, generate or transfer "
                               "(empty: pipeline)");
    BAD("tiny-en,,,0,\n", "2:11: stage must be a whole number from 1 (or empty: the view's start), not '0'");
    BAD("tiny-en,,,-2,\n", "2:11: stage must be a whole number from 1 (or empty: the view's start), not '-2'");
    BAD("tiny-en,,,2.5,\n", "2:11: stage must be a whole number from 1 (or empty: the view's start), not '2.5'");
    BAD("tiny-en,,,x,\n", "2:11: stage must be a whole number from 1 (or empty: the view's start), not 'x'");
    BAD("random-en,the movie was not good,,21,\n",
        "2:35: stage 21 is beyond the pipeline's last: random-en has 20 stages for this sentence");
    BAD("random-en,the movie was not good,heatmap,20,\nrandom-en,,heatmap,99,\n",
        "3:20: stage 99 is beyond the heatmap's last: random-en has 20 stages for this sentence");
    BAD("tiny-lm-en,my mother,compare,,\n", "2:22: the compare view needs a model with an RNN (rnn_w_xh.csv); tiny-lm-en has "
                                "none (the bundled random-en has one)");
    BAD("random-en,the movie was good,compare,5,\n",
        "2:38: stage 5 is beyond the compare view's last: its stage k shows k words read, and the sentence has 4 "
        "words");
    BAD("tiny-en,,training,13,\n", "2:19: stage 13 is beyond the training view's last: tiny-en has 12 snapshots");
    BAD("random-en,,training,1,\n", "2:21: stage 1 is beyond the training view's last: random-en has 0 snapshots");
    BAD("tiny-en,the movie was good,,,\ntiny-ko,,,,\n",
        "3:9: 'the', 'movie', 'was', 'good' are not in the vocabulary of tiny-ko and would read as <unk> "
        "(sentence 'the movie was good')");
    BAD("tiny-en,,,,\ntiny-ko,영화가 qqq 좋지 qqq 않았다,,,\n",
        "3:9: 'qqq' is not in the vocabulary of tiny-ko and would read as <unk> (sentence '영화가 qqq 좋지 qqq 않았다')");
    BAD("random-en,the qqqq was qqqq,,,\n",
        "2:11: 'qqqq' is not in the vocabulary of random-en and would read as <unk> (sentence 'the qqqq was qqqq')");
    BAD("tiny-en,,,,\"unclosed\n", "2:12: quoted field is never closed");
#undef BAD
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    snprintf(models_dir, sizeof models_dir, "%s", src_path("assets/models"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slides_resolve_models_sentences_views_stages),
        cmocka_unit_test(test_slides_model_relative_to_the_lesson),
        cmocka_unit_test(test_slides_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
