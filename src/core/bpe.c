#include "attnstep/bpe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/csvout.h"
#include "attnstep/i18n.h"
#include "attnstep/table.h"
#include "attnstep/utf8.h"

/* ---- the merge list --------------------------------------------------- */

static const struct bpe *sort_target;

static int pair_cmp(const char *l1, const char *r1, const char *l2, const char *r2)
{
    int c = strcmp(l1, l2);
    return c ? c : strcmp(r1, r2);
}

static int by_pair_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    int c = pair_cmp(sort_target->left[x], sort_target->right[x], sort_target->left[y], sort_target->right[y]);
    return c ? c : (x > y) - (x < y); /* equal pairs in rank order: the later one is the duplicate */
}

/* Sorts the lookup index; returns the rank of a merge given twice (the later
 * one, its first rank in *first), or -1. */
static int build_index(struct bpe *b, int *first)
{
    for (int i = 0; i < b->n_merges; i++)
        b->by_pair[i] = i;
    sort_target = b;
    qsort(b->by_pair, (size_t)b->n_merges, sizeof(int), by_pair_cmp);
    int dup = -1;
    for (int i = 1; i < b->n_merges; i++) {
        int x = b->by_pair[i - 1], y = b->by_pair[i];
        if (!pair_cmp(b->left[x], b->right[x], b->left[y], b->right[y]) && (dup < 0 || y < dup)) {
            dup = y;
            *first = x;
        }
    }
    return dup;
}

int bpe_rank(const struct bpe *b, const char *left, const char *right)
{
    int lo = 0, hi = b->n_merges - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2, r = b->by_pair[mid];
        int c = pair_cmp(left, right, b->left[r], b->right[r]);
        if (c == 0)
            return r;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

void bpe_free(struct bpe *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n_merges; i++) {
        if (b->left)
            free(b->left[i]);
        if (b->right)
            free(b->right[i]);
    }
    free(b->left);
    free(b->right);
    free(b->by_pair);
    memset(b, 0, sizeof *b);
}

/* Room for m merges, every string NULL. */
static int alloc_merges(struct bpe *b, int m)
{
    size_t n = m ? (size_t)m : 1;
    b->left = calloc(n, sizeof *b->left);
    b->right = calloc(n, sizeof *b->right);
    b->by_pair = calloc(n, sizeof *b->by_pair);
    return b->left && b->right && b->by_pair ? 0 : -1;
}

int bpe_clone(struct bpe *out, const struct bpe *src, struct error *err)
{
    struct bpe b = {0};
    int failed = alloc_merges(&b, src->n_merges);
    b.n_merges = src->n_merges;
    for (int i = 0; !failed && i < src->n_merges; i++) {
        b.left[i] = strdup(src->left[i]);
        b.right[i] = strdup(src->right[i]);
        failed = !b.left[i] || !b.right[i];
    }
    if (failed) {
        bpe_free(&b);
        return error_set(err, _("out of memory"));
    }
    memcpy(b.by_pair, src->by_pair, (size_t)src->n_merges * sizeof *b.by_pair);
    *out = b;
    return 0;
}

static int has_space(const char *s)
{
    return strpbrk(s, " \t\r\n\v\f") != NULL;
}

/* A piece quoted in a message. */
#define SHOWN 60

int bpe_read(struct bpe *out, const char *path, bpe_known_fn *known, const void *ctx, struct error *err)
{
    struct table t;
    if (table_read(&t, path, err))
        return -1;
    struct bpe b = {0};
    char buf[2][SHOWN + 4];
    int rc = -1;
    if (t.rows[0].n_cells != 2 || strcmp(table_text(&t, 0, 0), "left") || strcmp(table_text(&t, 0, 1), "right")) {
        table_error_row(&t, 0, err, _("the first row must be the header left,right"));
        goto done;
    }
    int M = t.n_rows - 1;
    if (M > BPE_MAX_MERGES) {
        /* TRANSLATORS: %d is the most merges attnstep reads from tokenizer.csv. */
        table_error_row(&t, BPE_MAX_MERGES + 1, err, _("more than %d merges"), BPE_MAX_MERGES);
        goto done;
    }
    if (alloc_merges(&b, M)) {
        error_set(err, _("out of memory"));
        goto done;
    }
    for (int r = 1; r <= M; r++) {
        if (t.rows[r].n_cells != 2) {
            /* TRANSLATORS: %d is the number of fields (cells) found on the line of tokenizer.csv. */
            table_error_row(&t, r, err, _("expected 2 fields (left,right), found %d"), t.rows[r].n_cells);
            goto done;
        }
        for (int c = 0; c < 2; c++) {
            const char *s = table_text(&t, r, c);
            if (!*s) {
                table_error_cell(&t, r, c, err, _("empty piece: a merge joins two pieces of text"));
                goto done;
            }
            if (has_space(s)) {
                /* TRANSLATORS: %s is a piece of a merge in tokenizer.csv. */
                table_error_cell(&t, r, c, err, _("piece \"%s\" contains whitespace, so no word can contain it"),
                                 utf8_excerpt(buf[0], s, SHOWN));
                goto done;
            }
            if (!strncmp(s, BPE_CONTINUATION, 2)) {
                /* TRANSLATORS: %s is a piece of a merge in tokenizer.csv; ## is the prefix of a piece
                   that does not begin its word (keep it as is). */
                table_error_cell(&t, r, c, err, _("piece \"%s\" starts with ##; a merge joins pieces written "
                                                  "without ##"),
                                 utf8_excerpt(buf[0], s, SHOWN));
                goto done;
            }
        }
        b.n_merges = r;
        b.left[r - 1] = strdup(table_text(&t, r, 0));
        b.right[r - 1] = strdup(table_text(&t, r, 1));
        if (!b.left[r - 1] || !b.right[r - 1]) {
            error_set(err, _("out of memory"));
            goto done;
        }
    }
    int first = 0, dup = build_index(&b, &first);
    if (dup >= 0) {
        /* TRANSLATORS: the two pieces of a merge, then the line it is first given on. */
        table_error_row(&t, dup + 1, err, _("the merge %s,%s is given twice (first on line %d)"),
                        utf8_excerpt(buf[0], b.left[dup], SHOWN), utf8_excerpt(buf[1], b.right[dup], SHOWN),
                        t.rows[first + 1].line);
        goto done;
    }
    for (int m = 0; known && m < M; m++) {
        size_t nl = strlen(b.left[m]), nr = strlen(b.right[m]);
        char *joined = malloc(2 + nl + nr + 1);
        if (!joined) {
            error_set(err, _("out of memory"));
            goto done;
        }
        memcpy(joined, BPE_CONTINUATION, 2);
        memcpy(joined + 2, b.left[m], nl);
        memcpy(joined + 2 + nl, b.right[m], nr + 1);
        int ok = known(ctx, joined + 2) || known(ctx, joined);
        if (!ok) {
            char shown[SHOWN + 4];
            /* TRANSLATORS: %s (three times) is the text the merge makes, e.g. "좋아"; ## is the prefix of a
               piece that does not begin its word. */
            table_error_row(&t, m + 1, err, _("this merge makes \"%s\", which vocab.csv lacks (add a row %s or ##%s)"),
                            utf8_excerpt(shown, joined + 2, SHOWN), shown, shown);
        }
        free(joined);
        if (!ok)
            goto done;
    }
    rc = 0;
done:
    table_free(&t);
    if (rc)
        bpe_free(&b);
    else
        *out = b;
    return rc;
}

int bpe_write(const struct bpe *b, const char *path, struct error *err)
{
    struct csvout w;
    if (csvout_open(&w, path, err))
        return -1;
    csvout_text(&w, "left");
    csvout_text(&w, "right");
    csvout_end_row(&w);
    for (int m = 0; m < b->n_merges; m++) {
        csvout_text(&w, b->left[m]);
        csvout_text(&w, b->right[m]);
        csvout_end_row(&w);
    }
    return csvout_close(&w, err);
}

/* ---- one word into pieces --------------------------------------------- */

void bpe_word_free(struct bpe_word *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->n; i++)
        free(w->sym[i]);
    free(w->sym);
    w->sym = NULL;
    w->n = 0;
}

int bpe_word_start(struct bpe_word *w, const char *word, struct error *err)
{
    size_t len = strlen(word);
    struct bpe_word x = {0};
    x.sym = malloc((len ? len : 1) * sizeof *x.sym); /* at most one symbol per byte */
    if (!x.sym)
        return error_set(err, _("out of memory"));
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = utf8_decode(word + i, len - i, &cp);
        if (n <= 0)
            n = 1; /* not valid UTF-8: the sentence was checked, so never here; one byte each */
        char *s = malloc((size_t)n + 1);
        if (!s) {
            bpe_word_free(&x);
            return error_set(err, _("out of memory"));
        }
        memcpy(s, word + i, (size_t)n);
        s[n] = '\0';
        x.sym[x.n++] = s;
        i += (size_t)n;
    }
    *w = x;
    return 0;
}

int bpe_word_best(const struct bpe *b, const struct bpe_word *w)
{
    int best = -1;
    for (int i = 0; i + 1 < w->n; i++) {
        int r = bpe_rank(b, w->sym[i], w->sym[i + 1]);
        if (r >= 0 && (best < 0 || r < best))
            best = r;
    }
    return best;
}

int bpe_word_apply(const struct bpe *b, struct bpe_word *w, int rank)
{
    const char *l = b->left[rank], *r = b->right[rank];
    size_t nl = strlen(l), nr = strlen(r);
    /* Join into fresh strings first, so that running out of memory leaves w as it was. */
    int joins = 0;
    for (int i = 0; i + 1 < w->n; i++)
        if (!strcmp(w->sym[i], l) && !strcmp(w->sym[i + 1], r)) {
            joins++;
            i++;
        }
    if (!joins)
        return 0;
    char **joined = malloc((size_t)joins * sizeof *joined);
    int k = 0;
    for (; joined && k < joins; k++)
        if (!(joined[k] = malloc(nl + nr + 1)))
            break;
    if (!joined || k < joins) {
        while (joined && k > 0)
            free(joined[--k]);
        free(joined);
        return -1;
    }
    int out = 0;
    k = 0;
    for (int i = 0; i < w->n; i++) {
        if (i + 1 < w->n && !strcmp(w->sym[i], l) && !strcmp(w->sym[i + 1], r)) {
            char *s = joined[k++];
            memcpy(s, l, nl);
            memcpy(s + nl, r, nr + 1);
            free(w->sym[i]);
            free(w->sym[i + 1]);
            w->sym[out++] = s;
            i++;
        } else {
            w->sym[out++] = w->sym[i];
        }
    }
    w->n = out;
    free(joined);
    return joins;
}

int bpe_word_encode(const struct bpe *b, struct bpe_word *w, struct error *err)
{
    for (int rank; (rank = bpe_word_best(b, w)) >= 0;)
        if (bpe_word_apply(b, w, rank) < 0)
            return error_set(err, _("out of memory"));
    return 0;
}

/* ---- the vocabulary a model needs -------------------------------------- */

void bpe_free_strings(char **s, int n)
{
    for (int i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends left followed by right (with "##" before them when cont) to the
 * list of *n strings, *cap of room. */
static int add_piece(char ***list, int *n, int *cap, const char *left, const char *right, int cont)
{
    if (*n == *cap) {
        int ncap = *cap ? 2 * *cap : 256;
        char **p = realloc(*list, (size_t)ncap * sizeof *p);
        if (!p)
            return -1;
        *list = p;
        *cap = ncap;
    }
    size_t pre = cont ? 2 : 0, nl = strlen(left), nr = strlen(right);
    char *s = malloc(pre + nl + nr + 1);
    if (!s)
        return -1;
    memcpy(s, BPE_CONTINUATION, pre);
    memcpy(s + pre, left, nl);
    memcpy(s + pre + nl, right, nr + 1);
    (*list)[(*n)++] = s;
    return 0;
}

/* The word's symbols as pieces of the list. */
static int add_symbols(char ***list, int *n, int *cap, const struct bpe_word *w)
{
    for (int k = 0; k < w->n; k++)
        if (add_piece(list, n, cap, w->sym[k], "", k > 0))
            return -1;
    return 0;
}

int bpe_vocabulary(const struct bpe *b, const struct bpe_count *words, int n_words, char ***out, int *n_out,
                   struct error *err)
{
    char **list = NULL;
    int n = 0, cap = 0, failed = 0;
    for (int i = 0; !failed && i < n_words; i++) {
        struct bpe_word w;
        if (bpe_word_start(&w, words[i].word, err)) {
            bpe_free_strings(list, n);
            return -1;
        }
        for (int k = 0; !failed && k < w.n; k++) /* every character, in both forms */
            failed = add_piece(&list, &n, &cap, w.sym[k], "", 0) || add_piece(&list, &n, &cap, w.sym[k], "", 1);
        for (int r; !failed && (r = bpe_word_best(b, &w)) >= 0;)
            failed = bpe_word_apply(b, &w, r) < 0 || add_symbols(&list, &n, &cap, &w);
        bpe_word_free(&w);
    }
    /* A new word may be cut into a piece that the training words only had at
     * another place in a word ("##end", never "end"): every merge's result in
     * both forms, so a word made of known characters is never <unk>. */
    for (int m = 0; !failed && m < b->n_merges; m++)
        failed = add_piece(&list, &n, &cap, b->left[m], b->right[m], 0) ||
                 add_piece(&list, &n, &cap, b->left[m], b->right[m], 1);
    if (failed) {
        bpe_free_strings(list, n);
        return error_set(err, _("out of memory"));
    }
    qsort(list, (size_t)n, sizeof *list, cmp_text);
    int kept = 0;
    for (int i = 0; i < n; i++) {
        if (kept && !strcmp(list[kept - 1], list[i]))
            free(list[i]);
        else
            list[kept++] = list[i];
    }
    *out = list;
    *n_out = kept;
    return 0;
}

/* ---- learning --------------------------------------------------------- */

/* Symbols are numbered strings (the same text, the same number); a pair of
 * symbols is one 64-bit key. Both tables are open addressing, linear probing. */

struct symbols {
    char **text;   /* (n) */
    int n, cap;
    int *slot;     /* (size) symbol number + 1, 0 = empty */
    size_t size;   /* a power of two, at least twice n */
};

static uint64_t hash_bytes(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void symbols_free(struct symbols *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->text[i]);
    free(s->text);
    free(s->slot);
}

/* The number of text (copied on first sight), or -1 when out of memory. */
static int symbol_id(struct symbols *s, const char *text, size_t len)
{
    if ((size_t)(s->n + 1) * 2 > s->size) {
        size_t size = s->size ? s->size * 2 : 1024;
        int *slot = calloc(size, sizeof *slot);
        if (!slot)
            return -1;
        for (int i = 0; i < s->n; i++) {
            size_t h = (size_t)hash_bytes(s->text[i]) & (size - 1);
            while (slot[h])
                h = (h + 1) & (size - 1);
            slot[h] = i + 1;
        }
        free(s->slot);
        s->slot = slot;
        s->size = size;
    }
    char key[64], *tmp = len < sizeof key ? key : malloc(len + 1);
    if (!tmp)
        return -1;
    memcpy(tmp, text, len);
    tmp[len] = '\0';
    size_t h = (size_t)hash_bytes(tmp) & (s->size - 1);
    int id = -1;
    for (; s->slot[h]; h = (h + 1) & (s->size - 1))
        if (!strcmp(s->text[s->slot[h] - 1], tmp)) {
            id = s->slot[h] - 1;
            break;
        }
    if (id < 0 && s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 256;
        char **p = realloc(s->text, (size_t)cap * sizeof *p);
        if (p) {
            s->text = p;
            s->cap = cap;
        }
    }
    if (id < 0 && s->n < s->cap && (s->text[s->n] = strdup(tmp))) {
        id = s->n++;
        s->slot[h] = id + 1;
    }
    if (tmp != key)
        free(tmp);
    return id;
}

struct pair_counts {
    uint64_t *key;  /* (size) (left << 32 | right) + 1, 0 = empty */
    long *count;    /* (size) */
    size_t size;
};

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The count of key, inserted as 0 when new. */
static long *pair_slot(struct pair_counts *p, uint64_t key)
{
    size_t h = (size_t)mix(key) & (p->size - 1);
    while (p->key[h] && p->key[h] != key + 1)
        h = (h + 1) & (p->size - 1);
    if (!p->key[h]) {
        p->key[h] = key + 1;
        p->count[h] = 0;
    }
    return &p->count[h];
}

/* Room for one more key, keeping the table at most half full; -1 when out of memory. */
static int pair_reserve(struct pair_counts *p, size_t used)
{
    if ((used + 1) * 2 <= p->size)
        return 0;
    struct pair_counts q = {.size = p->size ? p->size * 2 : 1024};
    q.key = calloc(q.size, sizeof *q.key);
    q.count = calloc(q.size, sizeof *q.count);
    if (!q.key || !q.count) {
        free(q.key);
        free(q.count);
        return -1;
    }
    for (size_t i = 0; i < p->size; i++)
        if (p->key[i])
            *pair_slot(&q, p->key[i] - 1) = p->count[i];
    free(p->key);
    free(p->count);
    *p = q;
    return 0;
}

/* The value stored for key, or -1 when key is absent. */
static long pair_get(const struct pair_counts *p, uint64_t key)
{
    size_t h = (size_t)mix(key) & (p->size - 1);
    while (p->key[h] && p->key[h] != key + 1)
        h = (h + 1) & (p->size - 1);
    return p->key[h] ? p->count[h] : -1;
}

static uint64_t pair_key(int left, int right)
{
    return (uint64_t)left << 32 | (uint32_t)right;
}

struct learn_word {
    int *sym; /* (n) symbol numbers */
    int n;
    long count;
};

/* A merge as symbol numbers. */
struct learn_merge {
    int left, right, result;
};

/* Joins every (left, right) of the word, left to right, no overlap; returns how many. */
static int join_all(struct learn_word *w, const struct learn_merge *m)
{
    int n = 0, joins = 0;
    for (int k = 0; k < w->n; k++) {
        if (k + 1 < w->n && w->sym[k] == m->left && w->sym[k + 1] == m->right) {
            w->sym[n++] = m->result;
            joins++;
            k++;
        } else {
            w->sym[n++] = w->sym[k];
        }
    }
    w->n = n;
    return joins;
}

/* Applies the merges made so far by rank until none applies: what encoding
 * does. Only needed when a merge made a text that another pair of symbols
 * made before (x+yz after xy+z): then an older merge can apply again. */
static void learn_encode(struct learn_word *w, const struct pair_counts *made, const struct learn_merge *merges)
{
    for (;;) {
        long best = -1;
        for (int k = 0; k + 1 < w->n; k++) {
            long rank = pair_get(made, pair_key(w->sym[k], w->sym[k + 1]));
            if (rank >= 0 && (best < 0 || rank < best))
                best = rank;
        }
        if (best < 0)
            return;
        join_all(w, &merges[best]);
    }
}

/* Appends the merge (left, right) to b, whose arrays hold *cap. */
static int add_merge(struct bpe *b, int *cap, const char *left, const char *right)
{
    if (b->n_merges == *cap) {
        int ncap = *cap ? *cap * 2 : 64;
        char **l = realloc(b->left, (size_t)ncap * sizeof *l);
        if (l)
            b->left = l;
        char **r = realloc(b->right, (size_t)ncap * sizeof *r);
        if (r)
            b->right = r;
        if (!l || !r)
            return -1;
        *cap = ncap;
    }
    char *l = strdup(left), *r = strdup(right);
    if (!l || !r) {
        free(l);
        free(r);
        return -1;
    }
    b->left[b->n_merges] = l;
    b->right[b->n_merges++] = r;
    return 0;
}

/* The words as symbol numbers (code points at first); total symbols in *total. */
static int learn_start(struct learn_word *w, struct symbols *syms, const struct bpe_count *words, int n_words,
                       size_t *total)
{
    *total = 0;
    for (int i = 0; i < n_words; i++) {
        const char *s = words[i].word;
        size_t len = strlen(s);
        w[i].count = words[i].count;
        if (!(w[i].sym = malloc((len ? len : 1) * sizeof *w[i].sym)))
            return -1;
        for (size_t k = 0; k < len;) {
            uint32_t cp;
            int n = utf8_decode(s + k, len - k, &cp);
            n = n > 0 ? n : 1;
            int id = symbol_id(syms, s + k, (size_t)n);
            if (id < 0)
                return -1;
            w[i].sym[w[i].n++] = id;
            k += (size_t)n;
        }
        *total += (size_t)w[i].n;
    }
    return 0;
}

/* The most frequent pair (ties: smallest left text, then right text), its count in *best_count. */
static uint64_t best_pair(const struct pair_counts *pc, const struct symbols *syms, long *best_count)
{
    uint64_t best = 0;
    long bc = 0;
    for (size_t h = 0; h < pc->size; h++) {
        if (!pc->key[h])
            continue;
        uint64_t k = pc->key[h] - 1;
        long c = pc->count[h];
        int wins = c > bc;
        if (c == bc && c > 0) {
            int cl = strcmp(syms->text[k >> 32], syms->text[best >> 32]);
            wins = cl < 0 || (cl == 0 && strcmp(syms->text[k & 0xFFFFFFFFu], syms->text[best & 0xFFFFFFFFu]) < 0);
        }
        if (wins) {
            best = k;
            bc = c;
        }
    }
    *best_count = bc;
    return best;
}

int bpe_learn(struct bpe *out, const struct bpe_count *words, int n_words, int max_merges, struct error *err)
{
    struct symbols syms = {0};
    struct learn_word *w = calloc(n_words > 0 ? (size_t)n_words : 1, sizeof *w);
    struct pair_counts pc = {0}, made = {0}; /* made: each merge's pair → its rank */
    struct learn_merge *merges = NULL;
    struct bpe b = {0};
    int cap = 0, merges_cap = 0;
    size_t total = 0;
    int failed = !w || learn_start(w, &syms, words, n_words, &total);
    for (pc.size = 1024; pc.size < 2 * total; pc.size *= 2)
        ;
    pc.key = malloc(pc.size * sizeof *pc.key);
    pc.count = malloc(pc.size * sizeof *pc.count);
    failed |= !pc.key || !pc.count || pair_reserve(&made, 0);
    /* Each word stays encoded by the merges made so far (no merge's pair is in
     * it), so the best pair is a new one and the words end as encoding cuts them. */
    while (!failed && b.n_merges < max_merges) {
        memset(pc.key, 0, pc.size * sizeof *pc.key);
        for (int i = 0; i < n_words; i++)
            for (int k = 0; k + 1 < w[i].n; k++)
                *pair_slot(&pc, pair_key(w[i].sym[k], w[i].sym[k + 1])) += w[i].count;
        long count;
        uint64_t best = best_pair(&pc, &syms, &count);
        if (count < 2)
            break;
        int l = (int)(best >> 32), r = (int)(best & 0xFFFFFFFFu);
        size_t nl = strlen(syms.text[l]), nr = strlen(syms.text[r]);
        char *joined = malloc(nl + nr + 1);
        if (!joined) {
            failed = 1;
            break;
        }
        memcpy(joined, syms.text[l], nl);
        memcpy(joined + nl, syms.text[r], nr + 1);
        int id = symbol_id(&syms, joined, nl + nr);
        free(joined);
        if (b.n_merges == merges_cap) {
            merges_cap = merges_cap ? 2 * merges_cap : 64;
            struct learn_merge *m = realloc(merges, (size_t)merges_cap * sizeof *m);
            if (m)
                merges = m;
            failed = !m;
        }
        if (failed || id < 0 || pair_reserve(&made, (size_t)b.n_merges) ||
            add_merge(&b, &cap, syms.text[l], syms.text[r])) {
            failed = 1;
            break;
        }
        int rank = b.n_merges - 1;
        merges[rank] = (struct learn_merge){l, r, id};
        *pair_slot(&made, best) = rank;
        for (int i = 0; i < n_words; i++)
            if (join_all(&w[i], &merges[rank]))
                learn_encode(&w[i], &made, merges);
    }
    if (!failed) {
        int *idx = malloc((b.n_merges ? (size_t)b.n_merges : 1) * sizeof *idx);
        int first;
        if (idx) {
            b.by_pair = idx;
            build_index(&b, &first); /* no pair twice: a merged pair never comes back */
        }
        failed = !idx;
    }
    symbols_free(&syms);
    for (int i = 0; w && i < n_words; i++)
        free(w[i].sym);
    free(w);
    free(merges);
    free(pc.key);
    free(pc.count);
    free(made.key);
    free(made.count);
    if (failed) {
        bpe_free(&b);
        return error_set(err, _("out of memory"));
    }
    *out = b;
    return 0;
}
