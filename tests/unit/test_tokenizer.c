/* The tokenizer and the display-width table. */
#include "attnstep/tokenizer.h"
#include "attnstep/utf8.h"
#include "testutil.h"

static void expect(const char *sentence, int lowercase, const char *joined)
{
    struct tokens t;
    struct error err;
    if (tokenizer_split(&t, sentence, lowercase, &err))
        fail_msg("\"%s\": %s", sentence, err.msg);
    char buf[1024] = "";
    for (int i = 0; i < t.n; i++) {
        if (i)
            strcat(buf, "|");
        strcat(buf, t.text[i]);
    }
    tokenizer_free(&t);
    if (strcmp(buf, joined))
        fail_msg("\"%s\" → \"%s\", expected \"%s\"", sentence, buf, joined);
}

static void test_words_and_punctuation(void **state)
{
    (void)state;
    expect("The movie was NOT good", 1, "the|movie|was|not|good");
    expect("The movie", 0, "The|movie");
    expect("isn't it?", 1, "isn|'|t|it|?");
    expect("  spaced\tout\r\nwords  ", 1, "spaced|out|words");
    expect("a,b...c", 1, "a|,|b|.|.|.|c");
    expect("\"quoted\" (x)", 1, "\"|quoted|\"|(|x|)");
}

static void test_korean_and_accents_stay_in_their_word(void **state)
{
    (void)state;
    expect("영화가 좋지 않았다.", 1, "영화가|좋지|않았다|.");
    expect("Café ÉTÉ", 1, "café|ÉtÉ"); /* only ASCII letters are lowercased */
    expect("나는\u3000책을\u00a0읽는다", 1, "나는|책을|읽는다"); /* Unicode spaces split */
}

static void test_bad_sentences(void **state)
{
    (void)state;
    struct tokens t = {.n = -3};
    struct error err;
    assert_int_equal(tokenizer_split(&t, "", 1, &err), -1);
    assert_non_null(strstr(err.msg, "empty"));
    assert_int_equal(tokenizer_split(&t, "   \t ", 1, &err), -1);
    assert_int_equal(tokenizer_split(&t, "caf\xe9 au lait", 1, &err), -1);
    assert_non_null(strstr(err.msg, "UTF-8"));
    assert_int_equal(t.n, -3);
    size_t n = (TOKENIZER_MAX_TOKENS + 1) * 2;
    char *many = malloc(n + 1);
    for (size_t i = 0; i < n; i += 2)
        memcpy(many + i, "a ", 2);
    many[n] = '\0';
    assert_int_equal(tokenizer_split(&t, many, 1, &err), -1);
    assert_non_null(strstr(err.msg, "at most"));
    many[n - 2] = '\0'; /* exactly the maximum is fine */
    assert_int_equal(tokenizer_split(&t, many, 1, &err), 0);
    assert_int_equal(t.n, TOKENIZER_MAX_TOKENS);
    tokenizer_free(&t);
    free(many);
}

static void test_display_width(void **state)
{
    (void)state;
    assert_int_equal(utf8_width("movie"), 5);
    assert_int_equal(utf8_width("영화가"), 6);
    assert_int_equal(utf8_width("café"), 4);
    assert_int_equal(utf8_width("e\u0301"), 1); /* combining accent */
    assert_int_equal(utf8_width("ｗ"), 2);       /* fullwidth */
    uint32_t cp;
    assert_int_equal(utf8_decode("\xc0\xaf", 2, &cp), 0);     /* overlong */
    assert_int_equal(utf8_decode("\xed\xa0\x80", 3, &cp), 0); /* surrogate */
    assert_int_equal(utf8_decode("\xea\xb0", 2, &cp), 0);     /* truncated */
    assert_int_equal(utf8_decode("가", 3, &cp), 3);
    assert_int_equal(cp, 0xAC00);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words_and_punctuation),
        cmocka_unit_test(test_korean_and_accents_stay_in_their_word),
        cmocka_unit_test(test_bad_sentences),
        cmocka_unit_test(test_display_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
