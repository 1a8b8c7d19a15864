/* Shortening text and labels for the screen (src/tui/widgets.c): cuts on
 * character boundaries and by display width, and labels that were different
 * stay different. No terminal is needed for these. */
#include "testutil.h"

#include "attnstep/utf8.h"
#include "widgets.h"

static void check_fits(const char *shown, int w)
{
    if (utf8_invalid_at(shown, strlen(shown)) != -1)
        fail_msg("%s: not valid UTF-8 (a character was split)", shown);
    if (utf8_width(shown) > w)
        fail_msg("%s: %d cells, more than %d", shown, utf8_width(shown), w);
}

static void test_elide_keeps_both_ends(void **state)
{
    (void)state;
    char out[64];
    text_elide("negative", 7, out, sizeof out);
    assert_string_equal(out, "neg…ive");
    text_elide("negative", 6, out, sizeof out);
    assert_string_equal(out, "neg…ve");
    text_elide("negative", 8, out, sizeof out);
    assert_string_equal(out, "negative");
    text_elide("mean", 4, out, sizeof out);
    assert_string_equal(out, "mean");
    /* under 3 cells there is no middle to elide: the end is cut */
    text_elide("movie", 2, out, sizeof out);
    assert_string_equal(out, "m…");
    text_elide("movie", 0, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_wide_characters(void **state)
{
    (void)state;
    char out[64];
    /* a Korean syllable is two cells: never half of one */
    text_elide("영화가", 5, out, sizeof out);
    assert_string_equal(out, "영…가");
    text_elide("영화가", 4, out, sizeof out); /* what one side cannot use goes to the other */
    check_fits(out, 4);
    text_elide("재미있었다", 6, out, sizeof out);
    assert_string_equal(out, "재…다");
    text_cut("영화가", 3, out, sizeof out);
    assert_string_equal(out, "영…");
    text_cut("영화가", 2, out, sizeof out);
    assert_string_equal(out, "…");
    text_cut("영화가", 6, out, sizeof out);
    assert_string_equal(out, "영화가");
    /* a combining accent stays with its letter and never starts the tail */
    text_elide("cafe\xcc\x81s-cre\xcc\x81me", 6, out, sizeof out);
    check_fits(out, 6);
    const char *tail = strstr(out, "…") + strlen("…");
    uint32_t cp;
    assert_true(utf8_decode(tail, strlen(tail), &cp) > 0 && utf8_cp_width(cp) > 0);
}

static const char *from_array(const void *ctx, int i, char *buf)
{
    (void)buf;
    return ((const char *const *)ctx)[i];
}

static const char *dims(const void *ctx, int i, char *buf)
{
    (void)ctx;
    snprintf(buf, 32, "d%d", i);
    return buf;
}

/* Every label of the axis in at most w cells, and different labels shown differently. */
static void check_axis(const struct axis *ax, int n)
{
    char a[64], b[64], ba[32], bb[32];
    for (int i = 0; i < n; i++) {
        axis_label(ax, i, a, sizeof a);
        check_fits(a, ax->w);
        for (int j = 0; j < i; j++) {
            axis_label(ax, j, b, sizeof b);
            if (strcmp(a, b) == 0 && strcmp(ax->get(ax->ctx, i, ba), ax->get(ax->ctx, j, bb)) != 0)
                fail_msg("w %d: %s and %s both show as %s", ax->w, ax->get(ax->ctx, i, ba),
                         ax->get(ax->ctx, j, bb), a);
        }
    }
}

static void test_axis_labels_stay_distinct(void **state)
{
    (void)state;
    struct axis ax;
    char out[64];
    /* d0…d15 in 2 cells: "d…" six times would lie; numbers do not */
    axis_fit(&ax, dims, NULL, 16, 2);
    assert_true(ax.numbered && ax.bare);
    assert_string_equal(axis_label(&ax, 13, out, sizeof out), "13");
    check_axis(&ax, 16);
    axis_fit(&ax, dims, NULL, 16, 3);
    assert_false(ax.numbered);
    assert_string_equal(axis_label(&ax, 13, out, sizeof out), "d13");
    axis_legend(&ax, 10, 16, out, sizeof out);
    assert_string_equal(out, "column k = dk");

    static const char *const classes[] = {"negative", "positive"};
    axis_fit(&ax, from_array, classes, 2, 7);
    assert_false(ax.numbered);
    assert_string_equal(axis_label(&ax, 0, out, sizeof out), "neg…ive");

    /* same ends, different middles: numbered, with as much text as fits */
    static const char *const alike[] = {"reading", "reloading", "reloaning"};
    axis_fit(&ax, from_array, alike, 3, 7);
    assert_true(ax.numbered);
    assert_false(ax.bare);
    assert_string_equal(axis_label(&ax, 1, out, sizeof out), "1 re…ng");
    check_axis(&ax, 3);
    axis_legend(&ax, 0, 3, out, sizeof out);
    assert_string_equal(out, "0=reading  1=reloading  2=reloaning");

    /* equal labels are not made different */
    static const char *const same[] = {"the", "movie", "the"};
    axis_fit(&ax, from_array, same, 3, 5);
    assert_false(ax.numbered);
}

static void test_axis_every_width(void **state)
{
    (void)state;
    static const char *const words[] = {
        "the", "this", "that", "then", "movie", "moving", "mover", "영화가", "영화는", "영화", "재미있었다",
        "재미없었다", "a", "ab", "abc", "a\xcc\x81", "not", "no", "negative", "positive", "neutral", "naive",
    };
    int n = (int)(sizeof words / sizeof words[0]);
    struct axis ax;
    for (int w = 1; w <= 12; w++) {
        axis_fit(&ax, from_array, words, w == 1 ? 10 : n, w); /* one cell holds ten numbers */
        check_axis(&ax, w == 1 ? 10 : n);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elide_keeps_both_ends),
        cmocka_unit_test(test_wide_characters),
        cmocka_unit_test(test_axis_labels_stay_distinct),
        cmocka_unit_test(test_axis_every_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
