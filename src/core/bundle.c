#include "attnstep/bundle.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attnstep/csvout.h"
#include "attnstep/fsutil.h"
#include "attnstep/i18n.h"
#include "attnstep/table.h"
#include "attnstep/utf8.h"

const char *const bundle_w_file[BUNDLE_N_PROJ] = {"w_q.csv", "w_k.csv", "w_v.csv", "w_o.csv"};
const char *const bundle_b_file[BUNDLE_N_PROJ] = {"b_q.csv", "b_k.csv", "b_v.csv", "b_o.csv"};
const char *const bundle_rec_wx_file[BUNDLE_N_RECURRENT] = {"rnn_w_xh.csv", "lstm_w_x.csv"};
const char *const bundle_rec_wh_file[BUNDLE_N_RECURRENT] = {"rnn_w_hh.csv", "lstm_w_h.csv"};
const char *const bundle_rec_b_file[BUNDLE_N_RECURRENT] = {"rnn_b.csv", "lstm_b.csv"};
const char *const bundle_rec_wcls_file[BUNDLE_N_RECURRENT] = {"rnn_w_cls.csv", "lstm_w_cls.csv"};
const char *const bundle_rec_bcls_file[BUNDLE_N_RECURRENT] = {"rnn_b_cls.csv", "lstm_b_cls.csv"};
/* TRANSLATORS: the model that needs both weight files, in "and %s needs both weight files". */
static const char *const rec_name[BUNDLE_N_RECURRENT] = {N_("an RNN"), N_("an LSTM")};
const char *const bundle_encoder_file[BUNDLE_N_ENCODER_FILES] = {
    "ln1_gamma.csv", "ln1_beta.csv", "w_ff1.csv", "b_ff1.csv", "w_ff2.csv", "b_ff2.csv",
    "ln2_gamma.csv", "ln2_beta.csv", "w_cls.csv", "b_cls.csv",
};

#define PATH_SIZE 4096

static int file_path(char *buf, const char *dir, const char *name, struct error *err)
{
    if (fsutil_join(buf, PATH_SIZE, dir, name))
        return error_file(err, dir, _("path is too long"));
    return 0;
}

static const char *basename_of(const char *dir)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && dir[start - 1] != '/')
        start--;
    static char buf[256];
    snprintf(buf, sizeof buf, "%.*s", (int)utf8_fit(dir + start, len - start, sizeof buf - 1), dir + start);
    return buf;
}

/* ---- config.csv ------------------------------------------------------- */

/* A config field without the spaces a spreadsheet may keep inside quotes: its
 * start and length (the whole field, however long). */
static const char *config_field(const struct table *t, int row, int col, size_t *len)
{
    const char *s = table_text(t, row, col);
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *len = n;
    return s;
}

static int field_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* A cell's text short enough to quote in a message. */
#define SHOWN 60
static const char *shown(const struct table *t, int row, int col, char buf[SHOWN + 4])
{
    return utf8_excerpt(buf, table_text(t, row, col), SHOWN);
}

struct config {
    int d_model, n_heads, positional, lowercase, d_hidden;
    char *name, *description;
    int d_ff, gelu, has_activation;
    double norm_eps;
    int n_labels;
    char **labels;
    int task;         /* enum bundle_task */
    int encoder_keys; /* any of d_ff, activation, norm_eps, labels given */
    int end_line;     /* after the last row: where a missing key would go */
};

static void free_labels(char **labels, int n)
{
    for (int i = 0; labels && i < n; i++)
        free(labels[i]);
    free(labels);
}

const char *bundle_label_problem(const char *s)
{
    size_t len = strlen(s), spaces = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7F)
            /* TRANSLATORS: this and the next two complete "labels: class 2 ", "the label "
               and "cannot save class 2: its name ": the class name is their subject. */
            return _("contains a control character (a line break or a tab); a class name is one line of text");
        spaces += ch == ' ';
    }
    if (len == spaces) /* TRANSLATORS: what is wrong with a class name (its subject). */
        return _("is empty or only spaces; a class needs a name");
    if (s[0] == ' ' || s[len - 1] == ' ') /* TRANSLATORS: what is wrong with a class name (its subject). */
        return _("begins or ends with a space; remove it");
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Two equal strings among n, found by sorting a copy of the pointers
 * (quadratic comparison takes seconds for 100k labels); NULL if none. */
static const char *find_twice(char *const *s, int n, int *failed)
{
    const char **sorted = malloc((size_t)(n ? n : 1) * sizeof *sorted);
    *failed = !sorted;
    if (!sorted)
        return NULL;
    memcpy(sorted, s, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_str);
    const char *dup = NULL;
    for (int i = 1; i < n && !dup; i++)
        if (!strcmp(sorted[i - 1], sorted[i]))
            dup = sorted[i];
    free(sorted);
    return dup;
}

/* A ; or \ inside a class name is written as \; or \\ (bundle_write_weights),
 * so any name round-trips; a \ before anything else is itself. */
static int is_escape(const char *p)
{
    return p[0] == '\\' && (p[1] == ';' || p[1] == '\\');
}

/* "negative;positive" into class names: at least two, each a valid name
 * (spaces around it dropped), none twice. */
static int parse_labels(const struct table *t, int row, struct config *c, struct error *err)
{
    const char *s = table_text(t, row, 1);
    int n = 1;
    for (const char *p = s; *p; p++) {
        if (is_escape(p))
            p++;
        else
            n += *p == ';';
    }
    if (n < 2)
        return table_error_cell(t, row, 1, err, _("labels: a classifier needs at least two classes, separated by ;"));
    char **labels = calloc((size_t)n, sizeof *labels);
    if (!labels)
        return error_set(err, _("out of memory"));
    const char *p = s;
    for (int i = 0; i < n; i++) {
        const char *end = p;
        while (*end && *end != ';')
            end += is_escape(end) ? 2 : 1;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *last = end;
        while (last > p && (last[-1] == ' ' || last[-1] == '\t'))
            last--;
        char *name = labels[i] = malloc((size_t)(last - p) + 1);
        if (!name) {
            free_labels(labels, n);
            return error_set(err, _("out of memory"));
        }
        for (const char *q = p; q < last; q++) {
            if (is_escape(q))
                q++;
            *name++ = *q;
        }
        *name = '\0';
        const char *why = bundle_label_problem(labels[i]);
        if (why) {
            free_labels(labels, n);
            /* TRANSLATORS: %d counts the classes from 1; %s is a reason such as "is empty or
               only spaces; a class needs a name" (the class name is its subject). */
            return table_error_cell(t, row, 1, err, _("labels: class %d %s"), i + 1, why);
        }
        p = *end ? end + 1 : end;
    }
    int failed;
    const char *dup = find_twice(labels, n, &failed);
    if (failed || dup) {
        char buf[SHOWN + 4];
        if (dup)
            /* TRANSLATORS: %s is a class name. */
            table_error_cell(t, row, 1, err, _("labels: \"%s\" is given twice"), utf8_excerpt(buf, dup, SHOWN));
        else
            error_set(err, _("out of memory"));
        free_labels(labels, n);
        return -1;
    }
    free_labels(c->labels, c->n_labels);
    c->labels = labels;
    c->n_labels = n;
    return 0;
}

/* The labels value that parse_labels reads back as exactly these names. */
static char *join_labels(char *const *labels, int n)
{
    size_t size = 1;
    for (int i = 0; i < n; i++)
        size += 2 * strlen(labels[i]) + 1;
    char *out = malloc(size), *o = out;
    for (int i = 0; out && i < n; i++) {
        if (i)
            *o++ = ';';
        for (const char *q = labels[i]; *q; q++) {
            if (*q == ';' || *q == '\\')
                *o++ = '\\';
            *o++ = *q;
        }
    }
    if (out)
        *o = '\0';
    return out;
}

static int parse_int(const struct table *t, int row, long min, long max, const char *what,
                     int *out, struct error *err)
{
    size_t len;
    const char *s = config_field(t, row, 1, &len);
    char *end = NULL, buf[SHOWN + 4];
    errno = 0;
    long v = len && (isdigit((unsigned char)*s) || *s == '-' || *s == '+') ? strtol(s, &end, 10) : 0;
    if (end && end != s + len) { /* the whole value, not a prefix */
        while (*end == ' ' || *end == '\t')
            end++;
        /* TRANSLATORS: the first %s is a config.csv key (d_model, n_heads, ...), the second
           the text written after the number. */
        return table_error_cell(t, row, 1, err, _("%s must be a whole number alone, found \"%s\" after it"),
                                what, utf8_excerpt(buf, end, SHOWN));
    }
    if (!end)
        /* TRANSLATORS: the first %s is a config.csv key (d_model, n_heads, ...), the second its value. */
        return table_error_cell(t, row, 1, err, _("%s must be a whole number, got \"%s\""), what,
                                shown(t, row, 1, buf));
    if (errno || v < min || v > max)
        /* TRANSLATORS: the first %s is a config.csv key (d_model, n_heads, ...), %ld and %ld
           the smallest and largest value allowed (both allowed), the last %s the value given. */
        return table_error_cell(t, row, 1, err, _("%s must be between %ld and %ld, got %s"), what, min, max,
                                shown(t, row, 1, buf));
    *out = (int)v;
    return 0;
}

static int parse_flag(const struct table *t, int row, const char *a, const char *b, const char *what,
                      int *out, struct error *err)
{
    size_t len;
    const char *s = config_field(t, row, 1, &len);
    char buf[SHOWN + 4];
    if (field_is(s, len, a))
        *out = 1;
    else if (field_is(s, len, b))
        *out = 0;
    else
        /* TRANSLATORS: the first %s is a config.csv key (activation, positional, lowercase),
           the next two the values it may take (gelu/relu, sinusoidal/none, 1/0), the last the
           value given. */
        return table_error_cell(t, row, 1, err, _("%s must be %s or %s, got \"%s\""), what, a, b,
                                shown(t, row, 1, buf));
    return 0;
}

enum config_key {
    KEY_D_MODEL, KEY_N_HEADS, KEY_D_HIDDEN, KEY_D_FF, KEY_ACTIVATION, KEY_NORM_EPS, KEY_LABELS,
    KEY_POSITIONAL, KEY_LOWERCASE, KEY_NAME, KEY_DESCRIPTION, KEY_TASK, N_KEYS
};
static const char *const key_name[N_KEYS] = {
    "d_model", "n_heads", "d_hidden", "d_ff", "activation", "norm_eps", "labels",
    "positional", "lowercase", "name", "description", "task",
};

static int read_config(struct config *cfg, const char *dir, struct error *err)
{
    char path[PATH_SIZE], buf[SHOWN + 4];
    struct table t;
    if (file_path(path, dir, "config.csv", err) || table_read(&t, path, err))
        return -1;
    struct config c = {.positional = 1, .lowercase = 1, .norm_eps = 1e-5, .end_line = t.end_line};
    int seen[N_KEYS] = {0}; /* the row of each key given, 0 if none */
    int rc = -1;
    if (t.rows[0].n_cells != 2 || strcmp(table_text(&t, 0, 0), "key") || strcmp(table_text(&t, 0, 1), "value")) {
        table_error_row(&t, 0, err, _("the first row must be the header key,value"));
        goto done;
    }
    for (int r = 1; r < t.n_rows; r++) {
        if (t.rows[r].n_cells != 2) {
            /* TRANSLATORS: %d is the number of fields (cells) found on the line. */
            table_error_row(&t, r, err, _("expected 2 fields (key,value), found %d"), t.rows[r].n_cells);
            goto done;
        }
        size_t len;
        const char *key = config_field(&t, r, 0, &len);
        int k = 0;
        while (k < N_KEYS && !field_is(key, len, key_name[k]))
            k++;
        if (k == N_KEYS) {
            table_error_cell(&t, r, 0, err,
                             /* TRANSLATORS: a key in config.csv; %s is the key given. */
                             _("unknown key \"%s\" (known: d_model, n_heads, d_hidden, d_ff, activation, norm_eps, "
                               "labels, positional, lowercase, name, description, task)"),
                             shown(&t, r, 0, buf));
            goto done;
        }
        if (seen[k]) {
            /* TRANSLATORS: %s is a config.csv key, %d the line it was first given on. */
            table_error_cell(&t, r, 0, err, _("\"%s\" is given twice (first on line %d)"), key_name[k],
                             t.rows[seen[k]].line);
            goto done;
        }
        seen[k] = r;
        int bad = 0;
        const char *why;
        c.encoder_keys |= k == KEY_D_FF || k == KEY_ACTIVATION || k == KEY_NORM_EPS || k == KEY_LABELS;
        switch (k) {
        case KEY_D_MODEL: bad = parse_int(&t, r, 1, BUNDLE_MAX_D_MODEL, "d_model", &c.d_model, err); break;
        case KEY_N_HEADS: bad = parse_int(&t, r, 1, BUNDLE_MAX_D_MODEL, "n_heads", &c.n_heads, err); break;
        case KEY_D_HIDDEN: bad = parse_int(&t, r, 1, BUNDLE_MAX_D_MODEL, "d_hidden", &c.d_hidden, err); break;
        case KEY_D_FF: bad = parse_int(&t, r, 1, 16 * BUNDLE_MAX_D_MODEL, "d_ff", &c.d_ff, err); break;
        case KEY_ACTIVATION:
            bad = parse_flag(&t, r, "gelu", "relu", "activation", &c.gelu, err);
            c.has_activation = 1;
            break;
        case KEY_NORM_EPS:
            if (table_parse_number(table_text(&t, r, 1), &c.norm_eps, &why))
                bad = table_error_cell(&t, r, 1, err, "norm_eps: %s", why);
            else if (!(c.norm_eps > 0 && c.norm_eps < 1))
                bad = table_error_cell(&t, r, 1, err, _("norm_eps must be between 0 and 1 (e.g. 1e-5)"));
            break;
        case KEY_LABELS: bad = parse_labels(&t, r, &c, err); break;
        case KEY_POSITIONAL:
            bad = parse_flag(&t, r, "sinusoidal", "none", "positional", &c.positional, err);
            break;
        case KEY_LOWERCASE: bad = parse_flag(&t, r, "1", "0", "lowercase", &c.lowercase, err); break;
        case KEY_TASK: {
            int classify = 1;
            bad = parse_flag(&t, r, "classify", "lm", "task", &classify, err);
            c.task = classify ? BUNDLE_TASK_CLASSIFY : BUNDLE_TASK_LM;
            break;
        }
        default: { /* name, description: kept as written */
            char **dst = k == KEY_NAME ? &c.name : &c.description;
            if (!(*dst = strdup(table_text(&t, r, 1))))
                bad = error_set(err, _("out of memory"));
        }
        }
        if (bad)
            goto done;
    }
    if (!seen[KEY_D_MODEL]) {
        table_error_end(&t, err, _("d_model is missing (add a row d_model,8)"));
        goto done;
    }
    if (!seen[KEY_N_HEADS]) {
        table_error_end(&t, err, _("n_heads is missing (add a row n_heads,2)"));
        goto done;
    }
    if (c.d_model % c.n_heads) {
        /* TRANSLATORS: the values of n_heads and d_model given in config.csv. */
        table_error_cell(&t, seen[KEY_N_HEADS], 1, err, _("n_heads (%d) must divide d_model (%d) evenly"), c.n_heads,
                         c.d_model);
        goto done;
    }
    if (c.task == BUNDLE_TASK_LM && seen[KEY_LABELS]) {
        table_error_cell(&t, seen[KEY_LABELS], 0, err,
                         _("labels belongs to a classifier; a language model (task lm) predicts the next token "
                           "instead: remove this row"));
        goto done;
    }
    rc = 0;
done:
    table_free(&t);
    if (rc) {
        free(c.name);
        free(c.description);
        free_labels(c.labels, c.n_labels);
    } else {
        *cfg = c;
    }
    return rc;
}

/* ---- numeric grids ---------------------------------------------------- */

/* How a model's numbers are read (issue 14). A vocabulary of 100,000 rows
 * went through table_read: the whole file in memory plus a 16-byte record and
 * a copy of every field, strtod for each number, the line and column of every
 * byte tracked: 7.8 s and 1 GB for a 256 MB file. Now a grid is streamed
 * (table_stream: a row at a time, libcsv for any row with a quote), its
 * numbers parsed in place (table_parse_span, numparse) into the destination.
 * The stream only accepts: on anything wrong or unusual it says so, and the
 * file is read again the old way (the *_table functions below), which finds
 * the problem and words it, line and column included, exactly as before.
 * A file that loads gives the same numbers either way, bit for bit. */

/* The stream's reading of a rows×cols grid into out: 0, or 1 when only
 * table_read can tell what is wrong. */
static int read_grid_stream(double *out, const char *path, int rows, int cols)
{
    struct table_stream s;
    struct error ignored;
    if (table_stream_open(&s, path, TABLE_MAX_BYTES, &ignored))
        return 1;
    int r = 0, got;
    while (r < rows && (got = table_stream_numbers(&s, 0, out + (size_t)r * (size_t)cols, cols)) == 1)
        r++;
    got = r == rows ? table_stream_skip(&s) : -1; /* then the end, not another row */
    table_stream_close(&s);
    return got == 0 ? 0 : 1;
}

/* Reads a rows×cols grid with no header, all of it in memory: the problems' words. */
static int read_grid_table(double *out, const char *path, int rows, int cols, struct error *err)
{
    struct table t;
    if (table_read(&t, path, err))
        return -1;
    int rc = -1;
    for (int r = 0; r < t.n_rows; r++) {
        if (r >= rows) {
            /* TRANSLATORS: %d is the number of rows the weight file must have. */
            table_error_row(&t, r, err, ngettext("expected %d row, found more", "expected %d rows, found more", rows),
                            rows);
            goto done;
        }
        if (t.rows[r].n_cells != cols) {
            /* TRANSLATORS: the numbers a row must have, then the fields (cells) found in it. */
            table_error_row(&t, r, err,
                            ngettext("expected %d number in the row, found %d",
                                     "expected %d numbers in the row, found %d", cols),
                            cols, t.rows[r].n_cells);
            goto done;
        }
        for (int c = 0; c < cols; c++)
            if (table_number(&t, r, c, &out[(size_t)r * (size_t)cols + (size_t)c], err))
                goto done;
    }
    if (t.n_rows < rows) {
        /* TRANSLATORS: the rows the weight file must have, then the rows it has. */
        table_error_end(&t, err, ngettext("expected %d row, found %d", "expected %d rows, found %d", rows), rows,
                        t.n_rows);
        goto done;
    }
    rc = 0;
done:
    table_free(&t);
    return rc;
}

/* Reads a rows×cols grid with no header. */
static int read_grid(double *out, const char *dir, const char *name, int rows, int cols, struct error *err)
{
    char path[PATH_SIZE];
    if (file_path(path, dir, name, err))
        return -1;
    return read_grid_stream(out, path, rows, cols) == 0 ? 0 : read_grid_table(out, path, rows, cols, err);
}

static int file_exists(const char *dir, const char *name)
{
    char path[PATH_SIZE];
    struct stat st;
    return fsutil_join(path, sizeof path, dir, name) == 0 && stat(path, &st) == 0;
}

/* ---- vocab.csv -------------------------------------------------------- */

static const struct bundle *sort_target;

static int by_token_cmp(const void *a, const void *b)
{
    return strcmp(sort_target->vocab[*(const int *)a], sort_target->vocab[*(const int *)b]);
}

/* Sorts the lookup index; returns the row of a duplicate token, or -1. */
static int build_index(struct bundle *b, int *dup_first)
{
    for (int i = 0; i < b->n_vocab; i++)
        b->by_token[i] = i;
    sort_target = b;
    qsort(b->by_token, (size_t)b->n_vocab, sizeof(int), by_token_cmp);
    for (int i = 1; i < b->n_vocab; i++) {
        int x = b->by_token[i - 1], y = b->by_token[i];
        if (!strcmp(b->vocab[x], b->vocab[y])) {
            *dup_first = x < y ? x : y;
            return x < y ? y : x;
        }
    }
    return -1;
}

int bundle_lookup(const struct bundle *b, const char *token)
{
    int lo = 0, hi = b->n_vocab - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(token, b->vocab[b->by_token[mid]]);
        if (c == 0)
            return b->by_token[mid];
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

static int span_is(struct table_span f, const char *word)
{
    return f.len == strlen(word) && memcmp(f.s, word, f.len) == 0;
}

/* The first row read is token,e0,...,e{D-1}. */
static int stream_header_ok(struct table_stream *s, int D)
{
    if (table_stream_row(s) != 1 || s->n_fields != D + 1 || !span_is(s->fields[0], "token"))
        return 0;
    char want[16];
    for (int c = 1; c <= D; c++) {
        snprintf(want, sizeof want, "e%d", c - 1);
        if (!span_is(s->fields[c], want))
            return 0;
    }
    return 1;
}

static void drop_vocab(struct bundle *b, int n)
{
    for (int i = 0; b->vocab && i < n; i++)
        free(b->vocab[i]);
    free(b->vocab);
    free(b->embed);
    free(b->by_token);
    b->vocab = NULL;
    b->embed = NULL;
    b->by_token = NULL;
    b->n_vocab = 0;
}

static int too_many_tokens(struct error *err, const char *path, int line, int max_vocab)
{
    /* TRANSLATORS: %d is the largest vocabulary attnstep reads. */
    return error_at(err, path, line, 1, _("more than %d tokens"), max_vocab);
}

/* vocab.csv streamed twice: once to count the rows (a file over the limit is
 * refused after reading no more than the limit's rows, and nothing is
 * allocated for it), then into arrays of that size. 0, -1 (too many rows, err
 * set), or 1 when only table_read can tell what is wrong. */
static int read_vocab_stream(struct bundle *b, const char *path, int max_vocab, struct error *err)
{
    struct table_stream s;
    struct error ignored;
    int D = b->d_model, V = 0, got;
    if (table_stream_open(&s, path, TABLE_MAX_BYTES, &ignored))
        return 1;
    if (!stream_header_ok(&s, D)) {
        table_stream_close(&s);
        return 1;
    }
    while ((got = table_stream_skip(&s)) == 1) {
        if (V == max_vocab) {
            too_many_tokens(err, path, s.line, max_vocab);
            table_stream_close(&s);
            return -1;
        }
        V++;
    }
    table_stream_close(&s);
    if (got != 0 || table_stream_open(&s, path, TABLE_MAX_BYTES, &ignored))
        return 1;
    int r = 0;
    b->vocab = calloc((size_t)V + 1, sizeof *b->vocab);
    b->embed = malloc(((size_t)V + 1) * (size_t)D * sizeof *b->embed);
    b->by_token = malloc(((size_t)V + 1) * sizeof *b->by_token);
    b->unk_id = -1;
    if (!b->vocab || !b->embed || !b->by_token || !stream_header_ok(&s, D))
        goto undecided;
    while (r < V && (got = table_stream_numbers(&s, 1, b->embed + (size_t)r * (size_t)D, D)) == 1) {
        struct table_span tok = s.fields[0];
        if (!tok.len || memchr(tok.s, ' ', tok.len) || memchr(tok.s, '\t', tok.len) || memchr(tok.s, '\r', tok.len) ||
            memchr(tok.s, '\n', tok.len) || !(b->vocab[r] = malloc(tok.len + 1)))
            goto undecided;
        memcpy(b->vocab[r], tok.s, tok.len);
        b->vocab[r][tok.len] = '\0';
        b->n_vocab = ++r;
        if (span_is(tok, "<unk>"))
            b->unk_id = r - 1;
    }
    if (r != V || table_stream_skip(&s) != 0 || b->unk_id < 0)
        goto undecided;
    int first = 0;
    if (build_index(b, &first) >= 0)
        goto undecided;
    b->eos_id = bundle_lookup(b, "<eos>");
    if (b->task == BUNDLE_TASK_LM && b->eos_id < 0)
        goto undecided;
    table_stream_close(&s);
    return 0;
undecided:
    table_stream_close(&s);
    drop_vocab(b, r);
    b->unk_id = -1;
    b->eos_id = -1;
    return 1;
}

/* vocab.csv all in memory: the problems' words. */
static int read_vocab_table(struct bundle *b, const char *path, int max_vocab, struct error *err)
{
    struct table t;
    if (table_read(&t, path, err))
        return -1;
    int D = b->d_model, rc = -1;
    if (t.rows[0].n_cells != D + 1) {
        /* TRANSLATORS: the last embedding column's number (d_model - 1), the columns the header
           must have (d_model + 1), d_model, then the columns found. */
        table_error_row(&t, 0, err,
                        ngettext("header must be token,e0,...,e%d (%d columns for d_model %d), found %d column",
                                 "header must be token,e0,...,e%d (%d columns for d_model %d), found %d columns",
                                 t.rows[0].n_cells),
                        D - 1, D + 1, D, t.rows[0].n_cells);
        goto done;
    }
    if (strcmp(table_text(&t, 0, 0), "token")) {
        table_error_cell(&t, 0, 0, err, _("header must start with \"token\""));
        goto done;
    }
    for (int c = 1; c <= D; c++) {
        char want[16];
        snprintf(want, sizeof want, "e%d", c - 1);
        if (strcmp(table_text(&t, 0, c), want)) {
            /* TRANSLATORS: the column's number counted from 1, the name it must have (e0, e1, ...),
               then the name found. */
            table_error_cell(&t, 0, c, err, _("header column %d must be \"%s\", found \"%s\""), c + 1, want,
                             table_text(&t, 0, c));
            goto done;
        }
    }
    int V = t.n_rows - 1;
    if (V > max_vocab) {
        too_many_tokens(err, path, t.rows[max_vocab + 1].line, max_vocab);
        goto done;
    }
    b->n_vocab = V;
    b->vocab = calloc((size_t)V + 1, sizeof *b->vocab);
    b->embed = malloc(((size_t)V + 1) * (size_t)D * sizeof *b->embed);
    b->by_token = malloc(((size_t)V + 1) * sizeof *b->by_token);
    if (!b->vocab || !b->embed || !b->by_token) {
        error_set(err, _("out of memory"));
        goto done;
    }
    b->unk_id = -1;
    for (int r = 1; r <= V; r++) {
        if (t.rows[r].n_cells != D + 1) {
            /* TRANSLATORS: the fields (cells) a row must have (d_model + 1), the numbers among them
               (d_model), then the fields found. */
            table_error_row(&t, r, err,
                            ngettext("expected %d fields (a token and %d number), found %d",
                                     "expected %d fields (a token and %d numbers), found %d", D),
                            D + 1, D, t.rows[r].n_cells);
            goto done;
        }
        const char *tok = table_text(&t, r, 0);
        if (!*tok) {
            table_error_cell(&t, r, 0, err, _("empty token"));
            goto done;
        }
        if (strpbrk(tok, " \t\r\n")) {
            /* TRANSLATORS: %s is the token as written in vocab.csv. */
            table_error_cell(&t, r, 0, err, _("token \"%s\" contains whitespace, so no sentence can produce it"),
                             tok);
            goto done;
        }
        if (!(b->vocab[r - 1] = strdup(tok))) {
            error_set(err, _("out of memory"));
            goto done;
        }
        if (!strcmp(tok, "<unk>"))
            b->unk_id = r - 1;
        for (int c = 1; c <= D; c++)
            if (table_number(&t, r, c, &b->embed[(size_t)(r - 1) * (size_t)D + (size_t)(c - 1)], err))
                goto done;
    }
    int first = 0, dup = build_index(b, &first);
    if (dup >= 0) {
        /* TRANSLATORS: %s is the token, %d the line it is also on. */
        table_error_cell(&t, dup + 1, 0, err, _("duplicate token \"%s\" (also on line %d)"), b->vocab[dup],
                         t.rows[first + 1].line);
        goto done;
    }
    if (b->unk_id < 0) {
        table_error_end(&t, err, _("no <unk> token: every vocabulary needs one for unknown words"));
        goto done;
    }
    b->eos_id = bundle_lookup(b, "<eos>");
    if (b->task == BUNDLE_TASK_LM && b->eos_id < 0) {
        table_error_end(&t, err, _("no <eos> token: a language model (task lm) needs one to end a sentence"));
        goto done;
    }
    rc = 0;
done:
    table_free(&t);
    return rc;
}

static int read_vocab(struct bundle *b, const char *dir, int max_vocab, struct error *err)
{
    char path[PATH_SIZE];
    if (file_path(path, dir, "vocab.csv", err))
        return -1;
    int rc = read_vocab_stream(b, path, max_vocab, err);
    return rc == 1 ? read_vocab_table(b, path, max_vocab, err) : rc;
}

/* ---- the whole bundle ------------------------------------------------- */

void bundle_drop_recurrent(struct bundle *b)
{
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        free(b->rec[m].w_x);
        free(b->rec[m].w_h);
        free(b->rec[m].b);
        free(b->rec[m].w_cls);
        free(b->rec[m].b_cls);
        memset(&b->rec[m], 0, sizeof b->rec[m]);
    }
    b->d_hidden = 0;
}

void bundle_free(struct bundle *b)
{
    if (!b)
        return;
    if (b->vocab)
        for (int i = 0; i < b->n_vocab; i++)
            free(b->vocab[i]);
    free(b->vocab);
    free(b->embed);
    free(b->by_token);
    for (int m = 0; m < BUNDLE_N_PROJ; m++) {
        free(b->w[m]);
        free(b->b[m]);
    }
    bundle_drop_recurrent(b);
    struct bundle_encoder *e = &b->enc;
    double *enc[] = {e->ln1_gamma, e->ln1_beta, e->ln2_gamma, e->ln2_beta, e->w_ff1, e->b_ff1, e->w_ff2,
                     e->b_ff2, e->w_cls, e->b_cls};
    for (size_t i = 0; i < sizeof enc / sizeof enc[0]; i++)
        free(enc[i]);
    free_labels(e->labels, e->n_labels);
    free(b->w_lm);
    free(b->b_lm);
    bpe_free(&b->bpe);
    free(b->name);
    free(b->description);
    memset(b, 0, sizeof *b);
}

static int alloc_weights(struct bundle *b)
{
    size_t D = (size_t)b->d_model;
    for (int m = 0; m < BUNDLE_N_PROJ; m++) {
        b->w[m] = malloc(D * D * sizeof(double));
        b->b[m] = calloc(D, sizeof(double));
        if (!b->w[m] || !b->b[m])
            return -1;
    }
    return 0;
}

static int alloc_recurrent(struct bundle *b, int m)
{
    size_t D = (size_t)b->d_model, Dh = (size_t)b->d_hidden, G = m == BUNDLE_LSTM ? 4 : 1;
    struct bundle_recurrent_weights *r = &b->rec[m];
    r->gates = (int)G;
    r->w_x = malloc(D * G * Dh * sizeof(double));
    r->w_h = malloc(Dh * G * Dh * sizeof(double));
    r->b = calloc(G * Dh, sizeof(double));
    return r->w_x && r->w_h && r->b ? 0 : -1;
}

/* The RNN and LSTM files: both weight files or neither; d_hidden when any. */
static int read_recurrent(struct bundle *b, const char *dir, int cfg_end_line, struct error *err)
{
    char path[PATH_SIZE];
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        int wx = file_exists(dir, bundle_rec_wx_file[m]), wh = file_exists(dir, bundle_rec_wh_file[m]);
        int bias = file_exists(dir, bundle_rec_b_file[m]);
        if (!wx && !wh && !bias)
            continue;
        if (!wx || !wh) {
            const char *missing = !wx ? bundle_rec_wx_file[m] : bundle_rec_wh_file[m];
            const char *there = wx ? bundle_rec_wx_file[m] : wh ? bundle_rec_wh_file[m] : bundle_rec_b_file[m];
            if (file_path(path, dir, missing, err))
                return -1;
            /* TRANSLATORS: after "PATH: " (PATH the missing file); the first %s is the file that is
               there (rnn_w_xh.csv, ...), the second "an RNN" or "an LSTM". */
            return error_file(err, path, _("missing: %s is there, and %s needs both weight files"), there,
                              _(rec_name[m]));
        }
        if (b->d_hidden == 0) {
            if (file_path(path, dir, "config.csv", err))
                return -1;
            /* TRANSLATORS: %s is a weight file's name (rnn_w_xh.csv or lstm_w_x.csv). */
            return error_at(err, path, cfg_end_line, 1, _("d_hidden is missing (%s needs it; add a row d_hidden,8)"),
                            bundle_rec_wx_file[m]);
        }
        if (alloc_recurrent(b, m))
            return error_set(err, _("out of memory"));
        struct bundle_recurrent_weights *r = &b->rec[m];
        int width = r->gates * b->d_hidden;
        if (read_grid(r->w_x, dir, bundle_rec_wx_file[m], b->d_model, width, err) ||
            read_grid(r->w_h, dir, bundle_rec_wh_file[m], b->d_hidden, width, err))
            return -1;
        r->has_b = bias;
        if (bias && read_grid(r->b, dir, bundle_rec_b_file[m], 1, width, err))
            return -1;
        r->present = 1;
    }
    return 0;
}

/* The lm head: w_lm.csv (D, V), b_lm.csv (V) when there; a classifier has neither. */
static int read_lm_head(struct bundle *b, const char *dir, struct error *err)
{
    char path[PATH_SIZE];
    const char *files[2] = {BUNDLE_W_LM_FILE, BUNDLE_B_LM_FILE};
    if (b->task != BUNDLE_TASK_LM) {
        for (int i = 0; i < 2; i++)
            if (file_exists(dir, files[i])) {
                if (file_path(path, dir, files[i], err))
                    return -1;
                /* TRANSLATORS: after "PATH: " (PATH is w_lm.csv or b_lm.csv). Keep task,lm as it is. */
                return error_file(err, path, _("only a language model has this file: add the row task,lm to "
                                               "config.csv, or remove the file"));
            }
        return 0;
    }
    if (!file_exists(dir, BUNDLE_W_LM_FILE)) {
        if (file_path(path, dir, BUNDLE_W_LM_FILE, err))
            return -1;
        /* TRANSLATORS: after "PATH: " (PATH the missing w_lm.csv). */
        return error_file(err, path, _("missing: a language model (task lm) needs w_lm.csv, d_model rows and "
                                       "a column per vocabulary row"));
    }
    size_t D = (size_t)b->d_model, V = (size_t)b->n_vocab;
    if (!(b->w_lm = malloc(D * V * sizeof(double))) || !(b->b_lm = calloc(V, sizeof(double))))
        return error_set(err, _("out of memory"));
    if (read_grid(b->w_lm, dir, BUNDLE_W_LM_FILE, (int)D, (int)V, err))
        return -1;
    b->has_b_lm = file_exists(dir, BUNDLE_B_LM_FILE);
    if (b->has_b_lm && read_grid(b->b_lm, dir, BUNDLE_B_LM_FILE, 1, (int)V, err))
        return -1;
    return 0;
}

/* The encoder block and classifier: all ten files or none; then d_ff and labels.
 * A language model: the block's eight files, no classifier. */
static int read_encoder(struct bundle *b, const char *dir, int cfg_end_line, struct error *err)
{
    struct bundle_encoder *e = &b->enc;
    char path[PATH_SIZE];
    int lm = b->task == BUNDLE_TASK_LM;
    int n_files = lm ? BUNDLE_N_BLOCK_FILES : BUNDLE_N_ENCODER_FILES;
    for (int i = BUNDLE_N_BLOCK_FILES; lm && i < BUNDLE_N_ENCODER_FILES; i++)
        if (file_exists(dir, bundle_encoder_file[i])) {
            if (file_path(path, dir, bundle_encoder_file[i], err))
                return -1;
            /* TRANSLATORS: after "PATH: " (PATH is w_cls.csv or b_cls.csv). Keep task,lm as it is. */
            return error_file(err, path, _("a language model (task lm) has no classifier: remove this file, or "
                                           "the row task,lm from config.csv"));
        }
    int present = 0, first_missing = -1;
    for (int i = 0; i < n_files; i++) {
        if (file_exists(dir, bundle_encoder_file[i]))
            present++;
        else if (first_missing < 0)
            first_missing = i;
    }
    if (present == 0 && !lm)
        return 0;
    if (present < n_files) {
        if (file_path(path, dir, bundle_encoder_file[first_missing], err))
            return -1;
        if (lm)
            /* TRANSLATORS: after "PATH: " (PATH the first missing file); %d is how many of the eight are there. */
            return error_file(err, path,
                              ngettext("missing: a language model (task lm) needs the encoder block, all of "
                                       "ln1_gamma, ln1_beta, w_ff1, b_ff1, w_ff2, b_ff2, ln2_gamma and ln2_beta "
                                       "(%d of 8 is there)",
                                       "missing: a language model (task lm) needs the encoder block, all of "
                                       "ln1_gamma, ln1_beta, w_ff1, b_ff1, w_ff2, b_ff2, ln2_gamma and ln2_beta "
                                       "(%d of 8 are there)",
                                       present),
                              present);
        /* TRANSLATORS: after "PATH: " (PATH the first missing file); %d is how many of the ten are there. */
        return error_file(err, path,
                          ngettext("missing: an encoder block needs all of ln1_gamma, ln1_beta, w_ff1, b_ff1, "
                                   "w_ff2, b_ff2, ln2_gamma, ln2_beta, w_cls and b_cls (%d of 10 is there)",
                                   "missing: an encoder block needs all of ln1_gamma, ln1_beta, w_ff1, b_ff1, "
                                   "w_ff2, b_ff2, ln2_gamma, ln2_beta, w_cls and b_cls (%d of 10 are there)",
                                   present),
                          present);
    }
    if (file_path(path, dir, "config.csv", err))
        return -1;
    if (e->d_ff == 0)
        return error_at(err, path, cfg_end_line, 1, _("d_ff is missing (w_ff1.csv needs it; add a row d_ff,32)"));
    if (e->n_labels == 0 && !lm)
        return error_at(err, path, cfg_end_line, 1,
                        _("labels is missing (w_cls.csv needs a class name per column; add labels,negative;positive)"));
    size_t D = (size_t)b->d_model, F = (size_t)e->d_ff, C = (size_t)e->n_labels;
    struct { double **dst; size_t rows, cols; } grid[BUNDLE_N_ENCODER_FILES] = {
        {&e->ln1_gamma, 1, D}, {&e->ln1_beta, 1, D}, {&e->w_ff1, D, F}, {&e->b_ff1, 1, F},
        {&e->w_ff2, F, D}, {&e->b_ff2, 1, D}, {&e->ln2_gamma, 1, D}, {&e->ln2_beta, 1, D},
        {&e->w_cls, D, C}, {&e->b_cls, 1, C},
    };
    for (int i = 0; i < n_files; i++) {
        if (!(*grid[i].dst = malloc(grid[i].rows * grid[i].cols * sizeof(double))))
            return error_set(err, _("out of memory"));
        if (read_grid(*grid[i].dst, dir, bundle_encoder_file[i], (int)grid[i].rows, (int)grid[i].cols, err))
            return -1;
    }
    e->present = 1;
    return 0;
}

/* The recurrent classifiers (rnn_w_cls, rnn_b_cls, lstm_w_cls, lstm_b_cls):
 * all four or none; they need both recurrent models and the class names. */
static int read_recurrent_cls(struct bundle *b, const char *dir, int cfg_end_line, struct error *err)
{
    char path[PATH_SIZE];
    const char *files[2 * BUNDLE_N_RECURRENT];
    int present = 0, first_missing = -1, first_present = -1;
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        files[2 * m] = bundle_rec_wcls_file[m];
        files[2 * m + 1] = bundle_rec_bcls_file[m];
    }
    for (int i = 0; i < 2 * BUNDLE_N_RECURRENT; i++) {
        if (file_exists(dir, files[i])) {
            present++;
            if (first_present < 0)
                first_present = i;
        } else if (first_missing < 0) {
            first_missing = i;
        }
    }
    if (present == 0)
        return 0;
    if (present < 2 * BUNDLE_N_RECURRENT) {
        if (file_path(path, dir, files[first_missing], err))
            return -1;
        /* TRANSLATORS: after "PATH: " (PATH the first missing file); %d is how many of the four are there. */
        return error_file(err, path,
                          ngettext("missing: the recurrent classifiers need all of rnn_w_cls, rnn_b_cls, lstm_w_cls "
                                   "and lstm_b_cls (%d of 4 is there)",
                                   "missing: the recurrent classifiers need all of rnn_w_cls, rnn_b_cls, lstm_w_cls "
                                   "and lstm_b_cls (%d of 4 are there)",
                                   present),
                          present);
    }
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++)
        if (!b->rec[m].present) {
            if (file_path(path, dir, files[first_present], err))
                return -1;
            /* TRANSLATORS: after "PATH: " (PATH is rnn_w_cls.csv); %s is the missing weight file. */
            return error_file(err, path, _("a recurrent classifier reads the RNN's and the LSTM's final hidden "
                                           "state: %s is missing"), bundle_rec_wx_file[m]);
        }
    if (b->task == BUNDLE_TASK_LM || b->enc.n_labels == 0) {
        if (file_path(path, dir, "config.csv", err))
            return -1;
        return error_at(err, path, cfg_end_line, 1,
                        /* TRANSLATORS: keep the file names and the example row as they are. */
                        _("labels is missing (rnn_w_cls.csv needs a class name per column; add "
                          "labels,negative;positive)"));
    }
    size_t Dh = (size_t)b->d_hidden, C = (size_t)b->enc.n_labels;
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        struct bundle_recurrent_weights *r = &b->rec[m];
        if (!(r->w_cls = malloc(Dh * C * sizeof(double))) || !(r->b_cls = malloc(C * sizeof(double))))
            return error_set(err, _("out of memory"));
        if (read_grid(r->w_cls, dir, bundle_rec_wcls_file[m], (int)Dh, (int)C, err) ||
            read_grid(r->b_cls, dir, bundle_rec_bcls_file[m], 1, (int)C, err))
            return -1;
    }
    return 0;
}

/* A piece is known when it is a vocabulary row. */
static int piece_known(const void *ctx, const char *piece)
{
    return bundle_lookup(ctx, piece) >= 0;
}

/* tokenizer.csv, when there: every merge's result a vocabulary row (vocab.csv is read first). */
static int read_tokenizer(struct bundle *b, const char *dir, struct error *err)
{
    char path[PATH_SIZE];
    if (!file_exists(dir, "tokenizer.csv"))
        return 0;
    if (file_path(path, dir, "tokenizer.csv", err) || bpe_read(&b->bpe, path, piece_known, b, err))
        return -1;
    b->has_tokenizer = 1;
    return 0;
}

int bundle_load(struct bundle *out, const char *dir, struct error *err)
{
    return bundle_load_max(out, dir, BUNDLE_MAX_VOCAB, err);
}

int bundle_load_max(struct bundle *out, const char *dir, int max_vocab, struct error *err)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        /* TRANSLATORS: %s is the system's reason (strerror). */
        return error_file(err, dir, _("cannot open model directory: %s"), strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return error_file(err, dir, _("not a directory (a model is a directory of CSV files)"));
    struct config cfg;
    if (read_config(&cfg, dir, err))
        return -1;
    struct bundle b = {
        .name = cfg.name, .description = cfg.description, .d_model = cfg.d_model,
        .n_heads = cfg.n_heads, .positional = cfg.positional, .lowercase = cfg.lowercase,
        .d_hidden = cfg.d_hidden, .task = cfg.task, .eos_id = -1,
        .enc = {.d_ff = cfg.d_ff, .gelu = cfg.gelu, .norm_eps = cfg.norm_eps, .n_labels = cfg.n_labels,
                .labels = cfg.labels},
    };
    if (!b.name)
        b.name = strdup(basename_of(dir));
    if (!b.description)
        b.description = strdup("");
    if (!b.name || !b.description || alloc_weights(&b)) {
        bundle_free(&b);
        return error_set(err, _("out of memory"));
    }
    if (read_vocab(&b, dir, max_vocab, err))
        goto fail;
    int D = b.d_model;
    for (int m = 0; m < BUNDLE_N_PROJ; m++) {
        if (read_grid(b.w[m], dir, bundle_w_file[m], D, D, err))
            goto fail;
        b.has_b[m] = file_exists(dir, bundle_b_file[m]);
        if (b.has_b[m] && read_grid(b.b[m], dir, bundle_b_file[m], 1, D, err))
            goto fail;
    }
    /* the lm head first: w_lm.csv in a classifier most likely means a forgotten task,lm */
    if (read_recurrent(&b, dir, cfg.end_line, err) || read_lm_head(&b, dir, err) ||
        read_encoder(&b, dir, cfg.end_line, err) || read_recurrent_cls(&b, dir, cfg.end_line, err) ||
        read_tokenizer(&b, dir, err))
        goto fail;
    *out = b;
    return 0;
fail:
    bundle_free(&b);
    return -1;
}

static double *dup_doubles(const double *src, size_t n, int *failed)
{
    if (!src)
        return NULL;
    double *p = malloc((n ? n : 1) * sizeof *p);
    if (!p) {
        *failed = 1;
        return NULL;
    }
    memcpy(p, src, n * sizeof *p);
    return p;
}

static char *dup_string(const char *s, int *failed)
{
    char *p = s ? strdup(s) : NULL;
    *failed |= s && !p;
    return p;
}

int bundle_clone(struct bundle *out, const struct bundle *s, struct error *err)
{
    struct bundle b = *s;
    int f = 0;
    size_t D = (size_t)s->d_model, V = (size_t)s->n_vocab, Dh = (size_t)s->d_hidden;
    b.name = dup_string(s->name, &f);
    b.description = dup_string(s->description, &f);
    b.vocab = calloc(V ? V : 1, sizeof *b.vocab);
    f |= !b.vocab;
    for (size_t i = 0; !f && i < V; i++)
        b.vocab[i] = dup_string(s->vocab[i], &f);
    b.embed = dup_doubles(s->embed, V * D, &f);
    b.by_token = malloc((V ? V : 1) * sizeof *b.by_token);
    f |= !b.by_token;
    if (b.by_token)
        memcpy(b.by_token, s->by_token, V * sizeof *b.by_token);
    for (int m = 0; m < BUNDLE_N_PROJ; m++) {
        b.w[m] = dup_doubles(s->w[m], D * D, &f);
        b.b[m] = dup_doubles(s->b[m], D, &f);
    }
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        size_t width = (size_t)s->rec[m].gates * Dh;
        b.rec[m].w_x = dup_doubles(s->rec[m].w_x, D * width, &f);
        b.rec[m].w_h = dup_doubles(s->rec[m].w_h, Dh * width, &f);
        b.rec[m].b = dup_doubles(s->rec[m].b, width, &f);
        b.rec[m].w_cls = dup_doubles(s->rec[m].w_cls, Dh * (size_t)s->enc.n_labels, &f);
        b.rec[m].b_cls = dup_doubles(s->rec[m].b_cls, (size_t)s->enc.n_labels, &f);
    }
    const struct bundle_encoder *e = &s->enc;
    size_t F = (size_t)e->d_ff, C = (size_t)e->n_labels;
    b.enc.labels = e->labels ? calloc(C, sizeof *b.enc.labels) : NULL;
    f |= e->labels && !b.enc.labels;
    for (size_t i = 0; !f && e->labels && i < C; i++)
        b.enc.labels[i] = dup_string(e->labels[i], &f);
    b.enc.ln1_gamma = dup_doubles(e->ln1_gamma, D, &f);
    b.enc.ln1_beta = dup_doubles(e->ln1_beta, D, &f);
    b.enc.ln2_gamma = dup_doubles(e->ln2_gamma, D, &f);
    b.enc.ln2_beta = dup_doubles(e->ln2_beta, D, &f);
    b.enc.w_ff1 = dup_doubles(e->w_ff1, D * F, &f);
    b.enc.b_ff1 = dup_doubles(e->b_ff1, F, &f);
    b.enc.w_ff2 = dup_doubles(e->w_ff2, F * D, &f);
    b.enc.b_ff2 = dup_doubles(e->b_ff2, D, &f);
    b.enc.w_cls = dup_doubles(e->w_cls, D * C, &f);
    b.enc.b_cls = dup_doubles(e->b_cls, C, &f);
    b.w_lm = dup_doubles(s->w_lm, D * V, &f);
    b.b_lm = dup_doubles(s->b_lm, V, &f);
    b.bpe = (struct bpe){0};
    if (!f && s->has_tokenizer && bpe_clone(&b.bpe, &s->bpe, err)) {
        bundle_free(&b);
        return -1;
    }
    if (f) {
        bundle_free(&b);
        return error_set(err, _("out of memory"));
    }
    *out = b;
    return 0;
}

/* ---- making and writing models ---------------------------------------- */

/* splitmix64: tiny, seedable, and the same on every machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double bundle_random_uniform(uint64_t *state, double limit)
{
    double u = (double)(next_random(state) >> 11) / 9007199254740992.0; /* [0, 1) */
    return (2.0 * u - 1.0) * limit;
}

/* Uniform in [-limit, limit], rounded to two decimals. */
static double random_weight(uint64_t *state, double limit)
{
    return round(bundle_random_uniform(state, limit) * 100.0) / 100.0;
}

int bundle_init_random(struct bundle *out, const char *name, int d_model, int n_heads, int d_hidden,
                       uint64_t seed, const char *const *tokens, int n_tokens, struct error *err)
{
    if (d_model < 1 || d_model > BUNDLE_MAX_D_MODEL)
        /* TRANSLATORS: the largest --d-model allowed, then the value given. */
        return error_set(err, _("--d-model must be between 1 and %d, got %d"), BUNDLE_MAX_D_MODEL, d_model);
    if (n_heads < 1 || d_model % n_heads)
        /* TRANSLATORS: the values given to --heads and --d-model. */
        return error_set(err, _("--heads (%d) must be at least 1 and divide --d-model (%d) evenly"), n_heads,
                         d_model);
    if (d_hidden < 0 || d_hidden > BUNDLE_MAX_D_MODEL)
        /* TRANSLATORS: the largest --d-hidden allowed, then the value given. */
        return error_set(err, _("--d-hidden must be between 0 and %d, got %d"), BUNDLE_MAX_D_MODEL, d_hidden);
    if (n_tokens > BUNDLE_MAX_VOCAB)
        /* TRANSLATORS: %d is the largest vocabulary attnstep makes. */
        return error_set(err, _("vocabulary has more than %d tokens"), BUNDLE_MAX_VOCAB);
    struct bundle b = {.d_model = d_model, .n_heads = n_heads, .positional = 1, .lowercase = 1,
                       .d_hidden = d_hidden};
    char desc[200];
    snprintf(desc, sizeof desc,
             "random weights: attnstep --init-model --d-model %d --heads %d --d-hidden %d --seed %llu",
             d_model, n_heads, d_hidden, (unsigned long long)seed);
    b.name = strdup(name);
    b.description = strdup(desc);
    int has_unk = 0;
    for (int i = 0; i < n_tokens; i++)
        has_unk |= !strcmp(tokens[i], "<unk>");
    b.n_vocab = n_tokens + !has_unk;
    b.vocab = calloc((size_t)b.n_vocab, sizeof *b.vocab);
    b.embed = malloc((size_t)b.n_vocab * (size_t)d_model * sizeof *b.embed);
    b.by_token = malloc((size_t)b.n_vocab * sizeof *b.by_token);
    if (!b.name || !b.description || !b.vocab || !b.embed || !b.by_token || alloc_weights(&b)) {
        bundle_free(&b);
        return error_set(err, _("out of memory"));
    }
    int v = 0;
    if (!has_unk && !(b.vocab[v++] = strdup("<unk>"))) {
        bundle_free(&b);
        return error_set(err, _("out of memory"));
    }
    for (int i = 0; i < n_tokens; i++)
        if (!(b.vocab[v++] = strdup(tokens[i]))) {
            bundle_free(&b);
            return error_set(err, _("out of memory"));
        }
    int first = 0, dup = build_index(&b, &first);
    if (dup >= 0) {
        /* TRANSLATORS: %s is the token given twice. */
        error_set(err, _("duplicate token \"%s\" in the vocabulary"), b.vocab[dup]);
        bundle_free(&b);
        return -1;
    }
    b.unk_id = bundle_lookup(&b, "<unk>");
    b.eos_id = bundle_lookup(&b, "<eos>");
    uint64_t state = seed;
    /* Embeddings in [-1, 1]; projections Xavier-uniform, so scores neither
     * vanish nor saturate the softmax at any width. */
    for (size_t i = 0; i < (size_t)b.n_vocab * (size_t)d_model; i++)
        b.embed[i] = random_weight(&state, 1.0);
    double limit = sqrt(3.0 / d_model);
    for (int m = 0; m < BUNDLE_N_PROJ; m++)
        for (size_t i = 0; i < (size_t)d_model * (size_t)d_model; i++)
            b.w[m][i] = random_weight(&state, limit);
    /* Recurrent weights: W_h small enough that the state contracts (spectral
     * radius about 0.6), as a trained RNN's does, so early words fade; the
     * LSTM's forget gate starts biased open (+1), the usual initialisation. */
    for (int m = 0; d_hidden > 0 && m < BUNDLE_N_RECURRENT; m++) {
        if (alloc_recurrent(&b, m)) {
            bundle_free(&b);
            return error_set(err, _("out of memory"));
        }
        struct bundle_recurrent_weights *r = &b.rec[m];
        size_t width = (size_t)r->gates * (size_t)d_hidden;
        for (size_t i = 0; i < (size_t)d_model * width; i++)
            r->w_x[i] = random_weight(&state, sqrt(3.0 / d_model));
        for (size_t i = 0; i < (size_t)d_hidden * width; i++)
            r->w_h[i] = random_weight(&state, 0.6 * sqrt(3.0 / d_hidden));
        if (m == BUNDLE_LSTM) {
            for (int j = 0; j < d_hidden; j++)
                r->b[d_hidden + j] = 1.0;
            r->has_b = 1;
        }
        r->present = 1;
    }
    *out = b;
    return 0;
}

static int write_grid(const char *dir, const char *name, const double *m, int rows, int cols, struct error *err)
{
    char path[PATH_SIZE];
    struct csvout w;
    if (file_path(path, dir, name, err) || csvout_open(&w, path, err))
        return -1;
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++)
            csvout_exact(&w, m[(size_t)r * (size_t)cols + (size_t)c]);
        csvout_end_row(&w);
    }
    return csvout_close(&w, err);
}

int bundle_write_weights(const struct bundle *b, const char *dir, struct error *err)
{
    char path[PATH_SIZE], num[16];
    struct csvout w;
    const struct bundle_encoder *e = &b->enc;
    for (int i = 0; e->present && b->task != BUNDLE_TASK_LM && i < e->n_labels; i++)
        if (bundle_label_problem(e->labels[i]))
            /* TRANSLATORS: %d counts the classes from 1; %s is a reason such as "is empty or only
               spaces; a class needs a name" (the class name is its subject). */
            return error_set(err, _("cannot save class %d: its name %s"), i + 1, bundle_label_problem(e->labels[i]));
    int lm = b->task == BUNDLE_TASK_LM;
    char *labels = e->present && !lm ? join_labels(e->labels, e->n_labels) : NULL;
    if (e->present && !lm && !labels)
        return error_set(err, _("out of memory"));
    if (file_path(path, dir, "config.csv", err) || csvout_open(&w, path, err)) {
        free(labels);
        return -1;
    }
    const char *rows[][2] = {
        {"key", "value"}, {"name", b->name}, {"description", b->description},
        {"d_model", NULL}, {"n_heads", NULL}, {"d_hidden", NULL},
        {"positional", b->positional ? "sinusoidal" : "none"}, {"lowercase", b->lowercase ? "1" : "0"},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        if (r == 5 && b->d_hidden == 0)
            continue; /* an attention-only model stays a v1 bundle */
        csvout_text(&w, rows[r][0]);
        if (rows[r][1]) {
            csvout_text(&w, rows[r][1]);
        } else {
            snprintf(num, sizeof num, "%d", r == 3 ? b->d_model : r == 4 ? b->n_heads : b->d_hidden);
            csvout_text(&w, num);
        }
        csvout_end_row(&w);
    }
    if (lm) {
        csvout_text(&w, "task");
        csvout_text(&w, "lm");
        csvout_end_row(&w);
    }
    if (e->present) {
        snprintf(num, sizeof num, "%d", e->d_ff);
        csvout_text(&w, "d_ff");
        csvout_text(&w, num);
        csvout_end_row(&w);
        csvout_text(&w, "activation");
        csvout_text(&w, e->gelu ? "gelu" : "relu");
        csvout_end_row(&w);
        csvout_text(&w, "norm_eps");
        csvout_exact(&w, e->norm_eps);
        csvout_end_row(&w);
        if (!lm) {
            csvout_text(&w, "labels");
            csvout_text(&w, labels);
            csvout_end_row(&w);
        }
        free(labels);
    }
    if (csvout_close(&w, err))
        return -1;
    if (e->present) {
        int D = b->d_model, F = e->d_ff, C = e->n_labels;
        const struct { const double *m; int rows, cols; } grid[BUNDLE_N_ENCODER_FILES] = {
            {e->ln1_gamma, 1, D}, {e->ln1_beta, 1, D}, {e->w_ff1, D, F}, {e->b_ff1, 1, F},
            {e->w_ff2, F, D}, {e->b_ff2, 1, D}, {e->ln2_gamma, 1, D}, {e->ln2_beta, 1, D},
            {e->w_cls, D, C}, {e->b_cls, 1, C},
        };
        for (int i = 0; i < (lm ? BUNDLE_N_BLOCK_FILES : BUNDLE_N_ENCODER_FILES); i++)
            if (write_grid(dir, bundle_encoder_file[i], grid[i].m, grid[i].rows, grid[i].cols, err))
                return -1;
    }
    if (lm && (write_grid(dir, BUNDLE_W_LM_FILE, b->w_lm, b->d_model, b->n_vocab, err) ||
               (b->has_b_lm && write_grid(dir, BUNDLE_B_LM_FILE, b->b_lm, 1, b->n_vocab, err))))
        return -1;
    for (int m = 0; m < BUNDLE_N_PROJ; m++) {
        if (write_grid(dir, bundle_w_file[m], b->w[m], b->d_model, b->d_model, err))
            return -1;
        if (b->has_b[m] && write_grid(dir, bundle_b_file[m], b->b[m], 1, b->d_model, err))
            return -1;
    }
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        const struct bundle_recurrent_weights *r = &b->rec[m];
        int width = r->gates * b->d_hidden;
        if (!r->present)
            continue;
        if (write_grid(dir, bundle_rec_wx_file[m], r->w_x, b->d_model, width, err) ||
            write_grid(dir, bundle_rec_wh_file[m], r->w_h, b->d_hidden, width, err) ||
            (r->has_b && write_grid(dir, bundle_rec_b_file[m], r->b, 1, width, err)))
            return -1;
        if (r->w_cls && (write_grid(dir, bundle_rec_wcls_file[m], r->w_cls, b->d_hidden, e->n_labels, err) ||
                         write_grid(dir, bundle_rec_bcls_file[m], r->b_cls, 1, e->n_labels, err)))
            return -1;
    }
    return 0;
}

static int write_vocab(const struct bundle *b, const char *dir, struct error *err)
{
    char path[PATH_SIZE], head[16];
    struct csvout w;
    if (file_path(path, dir, "vocab.csv", err) || csvout_open(&w, path, err))
        return -1;
    csvout_text(&w, "token");
    for (int c = 0; c < b->d_model; c++) {
        snprintf(head, sizeof head, "e%d", c);
        csvout_text(&w, head);
    }
    csvout_end_row(&w);
    for (int v = 0; v < b->n_vocab; v++) {
        csvout_text(&w, b->vocab[v]);
        for (int c = 0; c < b->d_model; c++)
            csvout_exact(&w, b->embed[(size_t)v * (size_t)b->d_model + (size_t)c]);
        csvout_end_row(&w);
    }
    return csvout_close(&w, err);
}

int bundle_write_tokenizer(const struct bundle *b, const char *dir, struct error *err)
{
    char path[PATH_SIZE];
    if (!b->has_tokenizer)
        return 0;
    return file_path(path, dir, "tokenizer.csv", err) || bpe_write(&b->bpe, path, err) ? -1 : 0;
}

int bundle_write_dir(const struct bundle *b, const char *dir, struct error *err)
{
    return bundle_write_weights(b, dir, err) || write_vocab(b, dir, err) || bundle_write_tokenizer(b, dir, err)
               ? -1
               : 0;
}

int bundle_save(const struct bundle *b, const char *dir, int force, struct error *err)
{
    char staging[PATH_SIZE];
    if (fsutil_check_target(dir, force, err) || fsutil_make_staging(dir, staging, sizeof staging, err))
        return -1;
    if (bundle_write_dir(b, staging, err)) {
        fsutil_remove_tree(staging);
        return -1;
    }
    return fsutil_commit(staging, dir, force, err);
}
