#include "attnstep/tokenizer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/i18n.h"
#include "attnstep/utf8.h"

/* The characters Python's str.split() treats as whitespace, so that a sentence
 * splits the same way in attnstep and in a reference script. */
static int is_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

static int is_punct(uint32_t c)
{
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
}

static int push(struct tokens *t, int *cap, const char *s, size_t len, int lowercase)
{
    if (t->n == *cap) {
        int ncap = *cap ? *cap * 2 : 16;
        char **p = realloc(t->text, (size_t)ncap * sizeof *p);
        if (!p)
            return -1;
        t->text = p;
        *cap = ncap;
    }
    char *tok = malloc(len + 1);
    if (!tok)
        return -1;
    for (size_t i = 0; i < len; i++)
        tok[i] = (lowercase && s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
    tok[len] = '\0';
    t->text[t->n++] = tok;
    return 0;
}

int tokenizer_split(struct tokens *out, const char *sentence, int lowercase, struct error *err)
{
    size_t len = strlen(sentence);
    long bad = utf8_invalid_at(sentence, len);
    if (bad >= 0)
        /* TRANSLATORS: %ld is the byte's place in the sentence counted from 1, %02X its value
           in hexadecimal. */
        return error_set(err, _("sentence: invalid UTF-8 at byte %ld (0x%02X); type the sentence as UTF-8 text"),
                         bad + 1, (unsigned char)sentence[bad]);
    struct tokens t = {0};
    int cap = 0;
    size_t i = 0, word = 0;
    int in_word = 0, oom = 0;
    while (i <= len && !oom) {
        uint32_t c = 0;
        int n = i < len ? utf8_decode(sentence + i, len - i, &c) : 1;
        int ends_word = i == len || is_space(c) || is_punct(c);
        if (ends_word && in_word) {
            oom = push(&t, &cap, sentence + word, i - word, lowercase);
            in_word = 0;
        }
        if (i < len && is_punct(c) && !oom)
            oom = push(&t, &cap, sentence + i, 1, 0);
        if (!ends_word && !in_word) {
            in_word = 1;
            word = i;
        }
        if (t.n > TOKENIZER_MAX_TOKENS)
            break;
        i += (size_t)n;
    }
    if (oom) {
        tokenizer_free(&t);
        return error_set(err, _("out of memory"));
    }
    if (t.n == 0) {
        tokenizer_free(&t);
        return error_set(err, _("sentence: it is empty; give some words, e.g. attnstep the movie was not good"));
    }
    if (t.n > TOKENIZER_MAX_TOKENS) {
        tokenizer_free(&t);
        /* TRANSLATORS: both %d are the most tokens attnstep shows. */
        return error_set(err, _("sentence: more than %d tokens; attnstep shows at most %d"),
                         TOKENIZER_MAX_TOKENS, TOKENIZER_MAX_TOKENS);
    }
    *out = t;
    return 0;
}

/* Appends word w's pieces to out (which has room), "##" before all but the first. */
static int append_pieces(struct tokens *out, const struct bpe_word *bw, int w)
{
    for (int k = 0; k < bw->n; k++) {
        size_t pre = k ? strlen(BPE_CONTINUATION) : 0, len = strlen(bw->sym[k]);
        char *s = malloc(pre + len + 1);
        if (!s)
            return -1;
        memcpy(s, BPE_CONTINUATION, pre);
        memcpy(s + pre, bw->sym[k], len + 1);
        out->text[out->n] = s;
        out->word[out->n++] = w;
    }
    return 0;
}

int tokenizer_pieces(struct tokens *out, const char *sentence, int lowercase, const struct bpe *bpe,
                     struct error *err)
{
    struct tokens words;
    if (tokenizer_split(&words, sentence, lowercase, err))
        return -1;
    if (!bpe) {
        if (!(words.word = malloc((size_t)words.n * sizeof *words.word))) {
            tokenizer_free(&words);
            return error_set(err, _("out of memory"));
        }
        for (int i = 0; i < words.n; i++)
            words.word[i] = i;
        *out = words;
        return 0;
    }
    struct tokens t = {0};
    int cap = 0, rc = 0;
    for (int w = 0; w < words.n && !rc; w++) {
        struct bpe_word bw;
        if (bpe_word_start(&bw, words.text[w], err)) {
            rc = -1;
            break;
        }
        rc = bpe_word_encode(bpe, &bw, err);
        if (!rc && t.n + bw.n > TOKENIZER_MAX_TOKENS) {
            /* TRANSLATORS: both %d are the most tokens attnstep shows. */
            rc = error_set(err, _("sentence: more than %d tokens; attnstep shows at most %d"),
                           TOKENIZER_MAX_TOKENS, TOKENIZER_MAX_TOKENS);
        }
        if (!rc && t.n + bw.n > cap) {
            int ncap = cap ? cap : 16;
            while (ncap < t.n + bw.n)
                ncap *= 2;
            char **text = realloc(t.text, (size_t)ncap * sizeof *text);
            if (text)
                t.text = text;
            int *word = realloc(t.word, (size_t)ncap * sizeof *word);
            if (word)
                t.word = word;
            if (text && word)
                cap = ncap;
            else
                rc = error_set(err, _("out of memory"));
        }
        if (!rc && append_pieces(&t, &bw, w))
            rc = error_set(err, _("out of memory"));
        bpe_word_free(&bw);
    }
    tokenizer_free(&words);
    if (rc) {
        tokenizer_free(&t);
        return -1;
    }
    *out = t;
    return 0;
}

void tokenizer_free(struct tokens *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        free(t->text[i]);
    free(t->text);
    free(t->word);
    t->text = NULL;
    t->word = NULL;
    t->n = 0;
}
