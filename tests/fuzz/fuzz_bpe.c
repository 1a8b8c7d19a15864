/* fuzz_bpe — the subword tokenizer. The first byte picks what the rest is:
 * even, tokenizer.csv of the korean-pieces bundle (a bundle that loads must
 * cut a sentence of its pieces and of the input's words, export, and save and
 * reload to the same merges; one that does not must name tokenizer.csv); odd,
 * words to learn merges from (each merge once, each applies to a learning
 * word, written and read back the same). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attnstep/bpe.h"
#include "attnstep/bundle.h"
#include "attnstep/export.h"
#include "attnstep/tokenizer.h"
#include "attnstep/trace.h"
#include "attnstep/utf8.h"
#include "fuzz_common.h"

#define MAX_INPUT 8192
#define BASE "tests/data/bundles/korean-pieces"

static const char *const names[] = {"config.csv", "vocab.csv", "w_q.csv", "w_k.csv", "w_v.csv", "w_o.csv"};
#define N_NAMES (sizeof names / sizeof names[0])
static char *files[N_NAMES];
static size_t sizes[N_NAMES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char rel[256];
    for (size_t i = 0; i < N_NAMES; i++) {
        snprintf(rel, sizeof rel, "%s/%s", BASE, names[i]);
        FILE *f = fopen(fuzz_source(0, rel), "rb");
        if (!f)
            fuzz_fail("cannot read the base bundle under", FUZZ_SOURCE_ROOT);
        files[i] = malloc(1 << 16);
        sizes[i] = fread(files[i], 1, 1 << 16, f);
        fclose(f);
    }
    return 0;
}

/* The input's text as valid UTF-8 (an invalid byte becomes a space). */
static char *text_of(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        int n = utf8_decode(s + i, size - i, &cp);
        if (n <= 0 || cp == 0) {
            s[i++] = ' ';
            continue;
        }
        i += (size_t)n;
    }
    return s;
}

static void fuzz_tokenizer_file(const uint8_t *data, size_t size)
{
    fuzz_scratch();
    const char *dir = fuzz_path(0, "model");
    char path[4200];
    if (mkdir(dir, 0700))
        fuzz_fail("cannot create", dir);
    for (size_t i = 0; i < N_NAMES; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        fuzz_write(path, files[i], sizes[i]);
    }
    snprintf(path, sizeof path, "%s/tokenizer.csv", dir);
    fuzz_write(path, data, size);
    struct bundle b;
    struct error err;
    if (bundle_load(&b, dir, &err)) {
        if (strncmp(err.msg, path, strlen(path)) || utf8_invalid_at(err.msg, strlen(err.msg)) >= 0)
            fuzz_fail("a load error that does not name tokenizer.csv", err.msg);
        return;
    }
    /* The vocabulary's pieces glued into words, and the input's own text. */
    char sentence[2048] = "";
    for (int i = 0; i < b.n_vocab && strlen(sentence) + 64 < sizeof sentence / 2; i++) {
        const char *p = b.vocab[i];
        if (!strncmp(p, BPE_CONTINUATION, 2))
            p += 2;
        else if (i)
            strcat(sentence, " ");
        strncat(sentence, p, 60);
    }
    char *own = text_of(data, size < 900 ? size : 900);
    strcat(strcat(sentence, " "), own);
    free(own);
    struct trace t;
    if (trace_build(&t, &b, sentence, 0, &err)) {
        if (!strstr(err.msg, "at most"))
            fuzz_fail("a model that loads cannot trace a sentence", err.msg);
    } else {
        for (int i = 0; i < t.N; i++) {
            int cont = !strncmp(t.tokens[i], BPE_CONTINUATION, 2);
            if (t.word[i] < 0 || (i && t.word[i] != t.word[i - 1] + !cont) || (i == 0 && cont))
                fuzz_fail("a piece's word index or ## is wrong", t.tokens[i]);
        }
        int n_files = 0;
        if (export_write(&t, fuzz_path(1, "export"), 0, &n_files, &err))
            fuzz_fail("a model that loads cannot export", err.msg);
        trace_free(&t);
    }
    struct bundle again;
    if (bundle_save(&b, fuzz_path(2, "saved"), 0, &err) || bundle_load(&again, fuzz_path(2, "saved"), &err))
        fuzz_fail("a model that loads cannot be saved and loaded again", err.msg);
    fuzz_check_same(&b, &again);
    bundle_free(&again);
    bundle_free(&b);
}

static void fuzz_learning(const uint8_t *data, size_t size, int max_merges)
{
    char *text = text_of(data, size);
    struct tokens words;
    struct error err;
    if (tokenizer_split(&words, text, 1, &err)) {
        free(text);
        return;
    }
    struct bpe_count *counts = malloc((size_t)words.n * sizeof *counts);
    for (int i = 0; i < words.n; i++)
        counts[i] = (struct bpe_count){words.text[i], 1 + (long)(i % 3)};
    struct bpe b, back;
    if (bpe_learn(&b, counts, words.n, max_merges, &err))
        fuzz_fail("learning failed", err.msg);
    char *used = calloc((size_t)b.n_merges + 1, 1);
    for (int m = 0; m < b.n_merges; m++)
        if (bpe_rank(&b, b.left[m], b.right[m]) != m)
            fuzz_fail("a merge learned twice", b.left[m]);
    for (int i = 0; i < words.n; i++) {
        struct bpe_word w;
        if (bpe_word_start(&w, words.text[i], &err))
            fuzz_fail("a word cannot be cut", err.msg);
        for (int r; (r = bpe_word_best(&b, &w)) >= 0;) {
            if (bpe_word_apply(&b, &w, r) <= 0)
                fuzz_fail("the best merge joined nothing", words.text[i]);
            used[r] = 1;
        }
        bpe_word_free(&w);
    }
    for (int m = 0; m < b.n_merges; m++)
        if (!used[m])
            fuzz_fail("a learned merge applies to no learning word", b.left[m]);
    fuzz_scratch();
    const char *path = fuzz_path(0, "tokenizer.csv");
    if (bpe_write(&b, path, &err) || bpe_read(&back, path, NULL, NULL, &err))
        fuzz_fail("learned merges do not read back", err.msg);
    if (back.n_merges != b.n_merges)
        fuzz_fail("learned merges read back differently", path);
    for (int m = 0; m < b.n_merges; m++)
        if (strcmp(back.left[m], b.left[m]) || strcmp(back.right[m], b.right[m]))
            fuzz_fail("learned merges read back differently", b.left[m]);
    bpe_free(&back);
    bpe_free(&b);
    free(used);
    free(counts);
    tokenizer_free(&words);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return 0;
    if (data[0] & 1)
        fuzz_learning(data + 1, size - 1, 1 + (data[0] >> 1) % 64);
    else
        fuzz_tokenizer_file(data + 1, size - 1);
    return 0;
}
