/* The subword tokenizer: tokenizer.csv, words cut into pieces by merge rank,
 * merges learned from word counts, and the bundle's tokens with and without it. */
#include "attnstep/bpe.h"
#include "attnstep/bundle.h"
#include "attnstep/dataset.h"
#include "attnstep/export.h"
#include "attnstep/table.h"
#include "attnstep/tokenizer.h"
#include "attnstep/trace.h"
#include "testutil.h"

/* A merge list from "l,r;l,r;…" (no tokenizer.csv needed). */
static void make(struct bpe *b, const char *spec)
{
    char text[1024] = "left,right\n";
    size_t n = strlen(text);
    for (const char *p = spec; *p; p++)
        text[n++] = *p == ';' ? '\n' : *p;
    text[n++] = '\n';
    text[n] = '\0';
    struct error err;
    if (bpe_read(b, write_temp("merges.csv", text, n), NULL, NULL, &err))
        fail_msg("%s: %s", spec, err.msg);
}

/* The word's pieces joined by |, without "##" (the word alone). */
static void expect_word(const struct bpe *b, const char *word, const char *joined)
{
    struct bpe_word w;
    struct error err;
    if (bpe_word_start(&w, word, &err) || bpe_word_encode(b, &w, &err))
        fail_msg("%s: %s", word, err.msg);
    char buf[1024] = "";
    for (int i = 0; i < w.n; i++) {
        if (i)
            strcat(buf, "|");
        strcat(buf, w.sym[i]);
    }
    bpe_word_free(&w);
    if (strcmp(buf, joined))
        fail_msg("\"%s\" → \"%s\", expected \"%s\"", word, buf, joined);
}

static void test_merges_apply_in_rank_order(void **state)
{
    (void)state;
    struct bpe b;
    /* rank 0 (b,c) comes before rank 1 (a,b) although a,b is further left:
       greedy from the left would give ab|c. */
    make(&b, "b,c;a,b");
    expect_word(&b, "abc", "a|bc");
    bpe_free(&b);
    /* rank 0 (b,x) before rank 1 (a,b) although a,b occurs twice in the word:
       the most frequent pair first would give ab|ab|x. */
    make(&b, "b,x;a,b");
    expect_word(&b, "ababx", "ab|a|bx");
    assert_int_equal(bpe_rank(&b, "a", "b"), 1);
    assert_int_equal(bpe_rank(&b, "b", "x"), 0);
    assert_int_equal(bpe_rank(&b, "x", "b"), -1);
    /* One step at a time, as the tokens lesson shows them. */
    struct bpe_word w;
    struct error err;
    assert_int_equal(bpe_word_start(&w, "ababx", &err), 0);
    assert_int_equal(w.n, 5);
    assert_int_equal(bpe_word_best(&b, &w), 0);
    assert_int_equal(bpe_word_apply(&b, &w, 0), 1);
    assert_int_equal(bpe_word_best(&b, &w), 1);
    assert_int_equal(bpe_word_apply(&b, &w, 1), 1);
    assert_int_equal(bpe_word_best(&b, &w), -1);
    assert_int_equal(w.n, 3);
    bpe_word_free(&w);
    bpe_free(&b);
    /* a merge of merges: results are symbols like any other */
    make(&b, "a,b;ab,c;x,abc");
    expect_word(&b, "xabcab", "xabc|ab");
    bpe_free(&b);
}

static void test_every_occurrence_left_to_right(void **state)
{
    (void)state;
    struct bpe b;
    make(&b, "a,a");
    expect_word(&b, "aaaa", "aa|aa");
    expect_word(&b, "aaa", "aa|a"); /* no overlap: the leftmost pair first */
    expect_word(&b, "abaa", "a|b|aa");
    bpe_free(&b);
    make(&b, "a,a;aa,aa");
    expect_word(&b, "aaaaa", "aaaa|a");
    bpe_free(&b);
    /* A single symbol, and a word no merge touches. */
    expect_word(&b, "a", "a");
    expect_word(&b, "xyz", "x|y|z");
}

static void test_hangul_syllables_are_single_symbols(void **state)
{
    (void)state;
    struct bpe_word w;
    struct error err;
    assert_int_equal(bpe_word_start(&w, "좋아하지", &err), 0);
    assert_int_equal(w.n, 4);
    assert_string_equal(w.sym[0], "좋");
    assert_string_equal(w.sym[3], "지");
    bpe_word_free(&w);
    assert_int_equal(bpe_word_start(&w, "café", &err), 0); /* é is one symbol too */
    assert_int_equal(w.n, 4);
    assert_string_equal(w.sym[3], "é");
    bpe_word_free(&w);
    struct bpe b;
    make(&b, "좋,아;좋아,하;하,지");
    expect_word(&b, "좋아하지", "좋아하|지"); /* 좋아 (0), then 좋아,하 (1) before 하,지 (2) */
    bpe_free(&b);
    make(&b, "좋,아;하,지");
    expect_word(&b, "좋아하지", "좋아|하지");
    bpe_free(&b);
}

static const char *joined_tokens(const struct tokens *t, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < t->n; i++) {
        char one[64];
        snprintf(one, sizeof one, "%s%s/%d", i ? " " : "", t->text[i], t->word[i]);
        strncat(buf, one, size - strlen(buf) - 1);
    }
    return buf;
}

static void test_pieces_carry_hashes_and_word_index(void **state)
{
    (void)state;
    struct bpe b;
    struct tokens t;
    struct error err;
    char buf[1024];
    make(&b, "좋,아;하,지;영,화");
    assert_int_equal(tokenizer_pieces(&t, "영화를 좋아하지 Not.", 1, &b, &err), 0);
    assert_string_equal(joined_tokens(&t, buf, sizeof buf), "영화/0 ##를/0 좋아/1 ##하지/1 n/2 ##o/2 ##t/2 ./3");
    tokenizer_free(&t);
    /* Without merges every word is its characters. */
    struct bpe none = {0};
    assert_int_equal(tokenizer_pieces(&t, "ab c", 1, &none, &err), 0);
    assert_string_equal(joined_tokens(&t, buf, sizeof buf), "a/0 ##b/0 c/1");
    tokenizer_free(&t);
    /* The limit counts pieces: 600 words of two pieces each are too many. */
    size_t n = 600 * 3;
    char *many = malloc(n + 1);
    for (size_t i = 0; i < n; i += 3)
        memcpy(many + i, "ab ", 3);
    many[n] = '\0';
    t.n = -3;
    assert_int_equal(tokenizer_pieces(&t, many, 1, &none, &err), -1);
    assert_non_null(strstr(err.msg, "at most 1024"));
    assert_int_equal(t.n, -3);
    assert_int_equal(tokenizer_pieces(&t, many, 1, &b, &err), -1);
    assert_int_equal(tokenizer_pieces(&t, many, 1, NULL, &err), 0); /* 600 words */
    assert_int_equal(t.n, 600);
    tokenizer_free(&t);
    free(many);
    bpe_free(&b);
}

static void test_word_tokenizer_unchanged_without_merges(void **state)
{
    (void)state;
    const char *sentences[] = {"The movie was NOT good", "isn't it?", "영화가 좋지 않았다.", "a,b...c"};
    for (size_t s = 0; s < sizeof sentences / sizeof sentences[0]; s++) {
        struct tokens words, pieces;
        struct error err;
        assert_int_equal(tokenizer_split(&words, sentences[s], 1, &err), 0);
        assert_int_equal(tokenizer_pieces(&pieces, sentences[s], 1, NULL, &err), 0);
        assert_int_equal(words.n, pieces.n);
        for (int i = 0; i < words.n; i++) {
            assert_string_equal(words.text[i], pieces.text[i]);
            assert_int_equal(pieces.word[i], i);
        }
        tokenizer_free(&words);
        tokenizer_free(&pieces);
    }
    /* A bundle without tokenizer.csv: whole words, as before. */
    struct bundle b;
    struct trace t;
    struct error err;
    assert_int_equal(bundle_load(&b, src_path("tests/data/bundles/korean"), &err), 0);
    assert_false(b.has_tokenizer);
    assert_int_equal(trace_build(&t, &b, "나는 영화가 좋지 않았다 책을 싫다", 0, &err), 0);
    const char *want[] = {"나는", "영화가", "좋지", "않았다", "책을", "싫다"};
    const int ids[] = {5, 1, 3, 4, 6, 0};
    assert_int_equal(t.N, 6);
    for (int i = 0; i < t.N; i++) {
        assert_string_equal(t.tokens[i], want[i]);
        assert_int_equal(t.ids[i], ids[i]);
        assert_int_equal(t.word[i], i);
    }
    trace_free(&t);
    bundle_free(&b);
}

static void test_bundle_with_tokenizer(void **state)
{
    (void)state;
    struct bundle b, c;
    struct trace t;
    struct error err;
    if (bundle_load(&b, src_path("tests/data/bundles/korean-pieces"), &err))
        fail_msg("%s", err.msg);
    assert_true(b.has_tokenizer);
    assert_int_equal(b.bpe.n_merges, 8);
    /* 책을: no merge joins 책 and 을, and neither piece is a row: <unk>, the surface kept. */
    assert_int_equal(trace_build(&t, &b, "나는 영화를 좋아하지 않았다 책을", 0, &err), 0);
    const char *want[] = {"나는", "영화", "##를", "좋아", "##하지", "않았다", "책", "##을"};
    const char *row[] = {"나는", "영화", "##를", "좋아", "##하지", "않았다", "<unk>", "<unk>"};
    const int word[] = {0, 1, 1, 2, 2, 3, 4, 4};
    assert_int_equal(t.N, 8);
    for (int i = 0; i < t.N; i++) {
        assert_string_equal(t.tokens[i], want[i]);
        assert_string_equal(b.vocab[t.ids[i]], row[i]);
        assert_int_equal(t.word[i], word[i]);
    }
    trace_free(&t);
    /* A clone keeps the merges; without them the same bundle reads whole words. */
    assert_int_equal(bundle_clone(&c, &b, &err), 0);
    bundle_free(&b);
    assert_int_equal(trace_build(&t, &c, "영화를", 0, &err), 0);
    assert_int_equal(t.N, 2);
    trace_free(&t);
    c.has_tokenizer = 0;
    assert_int_equal(trace_build(&t, &c, "영화를", 0, &err), 0);
    assert_int_equal(t.N, 1);
    assert_int_equal(t.ids[0], c.unk_id);
    trace_free(&t);
    bundle_free(&c);
}

static void test_training_sentences_are_pieces_too(void **state)
{
    (void)state;
    struct bundle b;
    struct dataset d;
    struct train_set set;
    struct error err;
    const char *labels[] = {"긍정", "부정"};
    static const char data[] = "text,label\n영화를 좋아하지,긍정\n";
    assert_int_equal(bundle_load(&b, src_path("tests/data/bundles/korean-pieces"), &err), 0);
    assert_int_equal(train_add_classifier(&b, 4, 0, labels, 2, 1, &err), 0);
    assert_int_equal(dataset_read(&d, write_temp("data.csv", data, sizeof data - 1), &err), 0);
    if (dataset_encode(&set, &d, &b, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(set.n, 1);
    assert_int_equal(set.ex[0].n, 4);
    const char *want[] = {"영화", "##를", "좋아", "##하지"};
    for (int i = 0; i < 4; i++)
        assert_string_equal(b.vocab[set.ex[0].ids[i]], want[i]);
    dataset_free_set(&set);
    dataset_free(&d);
    bundle_free(&b);
}

static void test_learning(void **state)
{
    (void)state;
    /* Counted by hand. Pairs: c,d 3; a,b 2 (ab); a,c 2 (ac); b,a 2 (ba); e,f 1.
       1. c,d (3). 2. a,b, a,c and b,a tie at 2: the smallest left is a, then
       the smallest right b: a,b. 3. a,c. 4. b,a. Then only e,f is left, once: stop. */
    const struct bpe_count words[] = {{"ba", 2}, {"ac", 1}, {"ef", 1}, {"cd", 3}, {"ab", 2}, {"ac", 1}};
    struct bpe b;
    struct error err;
    assert_int_equal(bpe_learn(&b, words, 6, 100, &err), 0);
    assert_int_equal(b.n_merges, 4);
    const char *want[][2] = {{"c", "d"}, {"a", "b"}, {"a", "c"}, {"b", "a"}};
    for (int m = 0; m < 4; m++) {
        assert_string_equal(b.left[m], want[m][0]);
        assert_string_equal(b.right[m], want[m][1]);
        assert_int_equal(bpe_rank(&b, want[m][0], want[m][1]), m);
    }
    bpe_free(&b);
    /* At most N merges. */
    assert_int_equal(bpe_learn(&b, words, 6, 2, &err), 0);
    assert_int_equal(b.n_merges, 2);
    assert_string_equal(b.left[1], "a");
    assert_string_equal(b.right[1], "b");
    bpe_free(&b);
    /* Counts weigh pairs; a merged pair makes new pairs; Hangul by syllables.
       좋아요 ×3, 좋아 ×2, 싫어요 ×2: 좋,아 5; 아,요 3; 싫,어 2; 어,요 2 → 좋,아.
       Then 좋아,요 3. Then 싫,어 and 어,요 tie at 2: 싫 (EC 8B AB) is bytewise
       before 어 (EC 96 B4), so 싫,어, then 싫어,요. */
    const struct bpe_count ko[] = {{"좋아요", 3}, {"좋아", 2}, {"싫어요", 2}};
    assert_int_equal(bpe_learn(&b, ko, 3, 100, &err), 0);
    const char *kw[][2] = {{"좋", "아"}, {"좋아", "요"}, {"싫", "어"}, {"싫어", "요"}};
    assert_int_equal(b.n_merges, 4);
    for (int m = 0; m < 4; m++) {
        assert_string_equal(b.left[m], kw[m][0]);
        assert_string_equal(b.right[m], kw[m][1]);
    }
    expect_word(&b, "싫어요", "싫어요");
    expect_word(&b, "좋아해", "좋아|해");
    /* The vocabulary these merges need: 싫어 is never a final piece of these
       words, but 싫어요 passes through it, so it is there (tokenizer.csv needs it);
       and every merge's result in both forms (##좋아: a new word such as
       "안좋아" needs it), though no training word has it there. */
    char **vocab;
    int n_vocab;
    assert_int_equal(bpe_vocabulary(&b, ko, 3, &vocab, &n_vocab, &err), 0);
    char joined[512] = "";
    for (int i = 0; i < n_vocab; i++)
        strcat(strcat(joined, i ? " " : ""), vocab[i]);
    assert_string_equal(joined, "##싫 ##싫어 ##싫어요 ##아 ##어 ##요 ##좋 ##좋아 ##좋아요 싫 싫어 싫어요 아 어 요 좋 좋아 좋아요");
    bpe_free_strings(vocab, n_vocab);
    bpe_free(&b);
    /* The order of the words does not matter; nothing to learn is no merge. */
    const struct bpe_count rev[] = {{"ab", 2}, {"ac", 2}, {"cd", 3}, {"ef", 1}, {"ba", 2}};
    assert_int_equal(bpe_learn(&b, rev, 5, 100, &err), 0);
    assert_int_equal(b.n_merges, 4);
    assert_string_equal(b.left[3], "b");
    bpe_free(&b);
    assert_int_equal(bpe_learn(&b, words, 0, 100, &err), 0);
    assert_int_equal(b.n_merges, 0);
    bpe_free(&b);
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* On the Korean training data: each merge once (its rank found again), and
 * every merge's result appears while the training words are encoded, so a
 * vocabulary of those pieces satisfies tokenizer.csv's check. */
static void test_learning_on_the_training_data(void **state)
{
    (void)state;
    struct table t;
    struct error err;
    assert_int_equal(table_read(&t, src_path("assets/data/sentiment-ko-train.csv"), &err), 0);
    char **all = NULL;
    int n = 0;
    for (int r = 1; r < t.n_rows; r++) {
        struct tokens tk;
        assert_int_equal(tokenizer_split(&tk, table_text(&t, r, 0), 1, &err), 0);
        all = realloc(all, (size_t)(n + tk.n) * sizeof *all);
        for (int i = 0; i < tk.n; i++)
            all[n++] = strdup(tk.text[i]);
        tokenizer_free(&tk);
    }
    qsort(all, (size_t)n, sizeof *all, by_text);
    struct bpe_count *counts = calloc((size_t)n, sizeof *counts);
    int words = 0;
    for (int i = 0; i < n; i++) {
        if (words && !strcmp(counts[words - 1].word, all[i]))
            counts[words - 1].count++;
        else
            counts[words++] = (struct bpe_count){all[i], 1};
    }
    struct bpe b;
    assert_int_equal(bpe_learn(&b, counts, words, 150, &err), 0);
    assert_int_equal(b.n_merges, 150);
    char *made = calloc((size_t)b.n_merges, 1);
    for (int m = 0; m < b.n_merges; m++)
        assert_int_equal(bpe_rank(&b, b.left[m], b.right[m]), m);
    for (int i = 0; i < words; i++) {
        struct bpe_word w;
        assert_int_equal(bpe_word_start(&w, counts[i].word, &err), 0);
        for (int r; (r = bpe_word_best(&b, &w)) >= 0;) {
            assert_true(bpe_word_apply(&b, &w, r) > 0);
            made[r] = 1;
        }
        bpe_word_free(&w);
    }
    for (int m = 0; m < b.n_merges; m++)
        if (!made[m])
            fail_msg("merge %d (%s,%s) never applies to a training word", m, b.left[m], b.right[m]);
    free(made);
    /* So the vocabulary bpe_vocabulary gives holds every merge's result, as tokenizer.csv requires. */
    char **vocab;
    int n_vocab;
    assert_int_equal(bpe_vocabulary(&b, counts, words, &vocab, &n_vocab, &err), 0);
    for (int m = 0; m < b.n_merges; m++) {
        char piece[256], cont[260];
        snprintf(piece, sizeof piece, "%s%s", b.left[m], b.right[m]);
        snprintf(cont, sizeof cont, "##%s", piece);
        const char *keys[] = {piece, cont};
        if (!bsearch(&keys[0], vocab, (size_t)n_vocab, sizeof *vocab, by_text) &&
            !bsearch(&keys[1], vocab, (size_t)n_vocab, sizeof *vocab, by_text))
            fail_msg("merge %d's result %s is not in the vocabulary", m, piece);
    }
    bpe_free_strings(vocab, n_vocab);
    bpe_free(&b);
    free(counts);
    for (int i = 0; i < n; i++)
        free(all[i]);
    free(all);
    table_free(&t);
}

/* A file's bytes, NUL-terminated (tests only: small files). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_round_trip(void **state)
{
    (void)state;
    /* As bpe_write writes it: LF, quotes only where needed. */
    static const char canonical[] = "left,right\n좋,아\n하,지\n\"a,\",\"\"\"q\"\n좋아,하지\n";
    struct bpe b;
    struct error err;
    char out[1024];
    const char *in = write_temp("tokenizer.csv", canonical, sizeof canonical - 1);
    assert_int_equal(bpe_read(&b, in, NULL, NULL, &err), 0);
    assert_int_equal(b.n_merges, 4);
    assert_string_equal(b.left[2], "a,");
    assert_string_equal(b.right[2], "\"q");
    snprintf(out, sizeof out, "%s.out", in);
    assert_int_equal(bpe_write(&b, out, &err), 0);
    char *bytes = slurp(out);
    assert_string_equal(bytes, canonical);
    free(bytes);
    bpe_free(&b);
    /* What a spreadsheet writes (BOM, CRLF, quoted fields) reads the same and is written canonically. */
    static const char sheet[] = "\xEF\xBB\xBF\"left\",\"right\"\r\n\"좋\",아\r\n하,\"지\"\r\n\"a,\",\"\"\"q\"\r\n좋아,하지\r\n";
    in = write_temp("sheet.csv", sheet, sizeof sheet - 1);
    assert_int_equal(bpe_read(&b, in, NULL, NULL, &err), 0);
    assert_int_equal(bpe_write(&b, out, &err), 0);
    bytes = slurp(out);
    assert_string_equal(bytes, canonical);
    free(bytes);
    /* And a bundle saved with it writes it back the same. */
    struct bundle kb, again;
    assert_int_equal(bundle_load(&kb, src_path("tests/data/bundles/korean-pieces"), &err), 0);
    char dir[700];
    snprintf(dir, sizeof dir, "%s.bundle", in);
    assert_int_equal(bundle_save(&kb, dir, 0, &err), 0);
    snprintf(out, sizeof out, "%s/tokenizer.csv", dir);
    bytes = slurp(out);
    char *orig = slurp(src_path("tests/data/bundles/korean-pieces/tokenizer.csv"));
    assert_string_equal(bytes, orig);
    free(bytes);
    free(orig);
    assert_int_equal(bundle_load(&again, dir, &err), 0);
    assert_int_equal(again.bpe.n_merges, kb.bpe.n_merges);
    bundle_free(&again);
    bundle_free(&kb);
    bpe_free(&b);
}

static void test_export_has_pieces_and_merges(void **state)
{
    (void)state;
    struct bundle b;
    struct trace t;
    struct error err;
    int n_files = 0, n_plain = 0;
    char dir[700], path[800];
    assert_int_equal(bundle_load(&b, src_path("tests/data/bundles/korean-pieces"), &err), 0);
    assert_int_equal(trace_build(&t, &b, "영화를 좋아하지", 0, &err), 0);
    snprintf(dir, sizeof dir, "%s.export", write_temp("x", "", 0));
    assert_int_equal(export_write(&t, dir, 0, &n_files, &err), 0);
    snprintf(path, sizeof path, "%s/tokens.csv", dir);
    char *bytes = slurp(path);
    assert_string_equal(bytes, "position,token,id,word\n0,영화,2,0\n1,##를,3,0\n2,좋아,5,1\n3,##하지,6,1\n");
    free(bytes);
    snprintf(path, sizeof path, "%s/tokenizer.csv", dir);
    bytes = slurp(path);
    char *orig = slurp(src_path("tests/data/bundles/korean-pieces/tokenizer.csv"));
    assert_string_equal(bytes, orig);
    free(bytes);
    free(orig);
    trace_free(&t);
    /* The same model without merges: whole words, word = position, no tokenizer.csv, one file fewer. */
    b.has_tokenizer = 0;
    assert_int_equal(trace_build(&t, &b, "영화를 좋아하지", 0, &err), 0);
    snprintf(dir, sizeof dir, "%s.plain", write_temp("x", "", 0));
    assert_int_equal(export_write(&t, dir, 0, &n_plain, &err), 0);
    assert_int_equal(n_plain, n_files - 1);
    snprintf(path, sizeof path, "%s/tokens.csv", dir);
    bytes = slurp(path);
    assert_string_equal(bytes, "position,token,id,word\n0,영화를,0,0\n1,좋아하지,0,1\n");
    free(bytes);
    snprintf(path, sizeof path, "%s/tokenizer.csv", dir);
    assert_null(fopen(path, "rb"));
    trace_free(&t);
    b.has_tokenizer = 1;
    bundle_free(&b);
}

/* Knows "ab", "##cd" and "좋아" only. */
static int known(const void *ctx, const char *piece)
{
    (void)ctx;
    return !strcmp(piece, "ab") || !strcmp(piece, "##cd") || !strcmp(piece, "좋아");
}

static void expect_bad(const char *bytes, const char *where, const char *reason)
{
    struct bpe b = {.n_merges = -7};
    struct error err;
    const char *path = write_temp("tokenizer.csv", bytes, strlen(bytes));
    if (bpe_read(&b, path, known, NULL, &err) == 0)
        fail_msg("%s: accepted", bytes);
    assert_int_equal(b.n_merges, -7); /* untouched */
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s:%s: ", path, where);
    if (strncmp(err.msg, prefix, strlen(prefix)) || !strstr(err.msg, reason))
        fail_msg("got \"%s\", expected \"%s... %s...\"", err.msg, prefix, reason);
}

static void test_bad_files(void **state)
{
    (void)state;
    expect_bad("left,rite\na,b\n", "1:1", "header left,right");
    expect_bad("a,b\n", "1:1", "header left,right");
    expect_bad("left,right,extra\n", "1:1", "header left,right");
    expect_bad("left,right\na,b\nc\n", "3:1", "expected 2 fields");
    expect_bad("left,right\na,b,c\n", "2:1", "found 3");
    expect_bad("left,right\na,\n", "2:3", "empty piece");
    expect_bad("left,right\n\"\",b\n", "2:1", "empty piece");
    expect_bad("left,right\na,b\nc,d\na,b\n", "4:1", "given twice (first on line 2)");
    expect_bad("left,right\na,b\n좋,아\nc,d\nx,y\n", "5:1", "\"xy\", which vocab.csv lacks");
    expect_bad("left,right\n\"a b\",c\n", "2:1", "whitespace");
    expect_bad("left,right\na,##b\n", "2:3", "starts with ##");
    /* Both forms of a result count: ab as is, cd only as ##cd. */
    struct bpe b;
    struct error err;
    const char *ok = "left,right\na,b\nc,d\n좋,아\n";
    assert_int_equal(bpe_read(&b, write_temp("tokenizer.csv", ok, strlen(ok)), known, NULL, &err), 0);
    bpe_free(&b);
    const char *header_only = "left,right\n";
    assert_int_equal(bpe_read(&b, write_temp("tokenizer.csv", header_only, strlen(header_only)), known, NULL, &err),
                     0);
    assert_int_equal(b.n_merges, 0);
    bpe_free(&b);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merges_apply_in_rank_order),
        cmocka_unit_test(test_every_occurrence_left_to_right),
        cmocka_unit_test(test_hangul_syllables_are_single_symbols),
        cmocka_unit_test(test_pieces_carry_hashes_and_word_index),
        cmocka_unit_test(test_word_tokenizer_unchanged_without_merges),
        cmocka_unit_test(test_bundle_with_tokenizer),
        cmocka_unit_test(test_training_sentences_are_pieces_too),
        cmocka_unit_test(test_learning),
        cmocka_unit_test(test_learning_on_the_training_data),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_export_has_pieces_and_merges),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
