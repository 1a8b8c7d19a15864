#include "attnstep/edit.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/i18n.h"
#include "attnstep/table.h"
#include "attnstep/utf8.h"

/* The numbers a name stands for in b, as stored in its file. */
struct target {
    double *m;
    int rows, cols;
    int *has;     /* an optional bias's flag, or NULL */
};

/* "w_q.csv" is "w_q"? */
static int stem_is(const char *file, const char *name, size_t len)
{
    return strncmp(file, name, len) == 0 && strcmp(file + len, ".csv") == 0;
}

/* 1 when name is a file stem b has (filled into *t), 0 when b lacks that
 * file, -1 when no model has such a file. */
static int find_target(struct bundle *b, const char *name, size_t len, struct target *t)
{
    int D = b->d_model;
    for (int m = 0; m < BUNDLE_N_PROJ; m++) {
        if (stem_is(bundle_w_file[m], name, len)) {
            *t = (struct target){b->w[m], D, D, NULL};
            return 1;
        }
        if (stem_is(bundle_b_file[m], name, len)) {
            *t = (struct target){b->b[m], 1, D, &b->has_b[m]};
            return 1;
        }
    }
    for (int m = 0; m < BUNDLE_N_RECURRENT; m++) {
        struct bundle_recurrent_weights *r = &b->rec[m];
        int width = r->gates * b->d_hidden;
        const char *files[5] = {bundle_rec_wx_file[m], bundle_rec_wh_file[m], bundle_rec_b_file[m],
                                bundle_rec_wcls_file[m], bundle_rec_bcls_file[m]};
        int C = b->enc.n_labels;
        struct target ts[5] = {{r->w_x, D, width, NULL}, {r->w_h, b->d_hidden, width, NULL}, {r->b, 1, width, &r->has_b},
                               {r->w_cls, b->d_hidden, C, NULL}, {r->b_cls, 1, C, NULL}};
        for (int i = 0; i < 5; i++)
            if (stem_is(files[i], name, len)) {
                *t = ts[i];
                return r->present && ts[i].m; /* the classifiers: only a model trained with --recurrent */
            }
    }
    struct bundle_encoder *e = &b->enc;
    int F = e->d_ff, C = e->n_labels;
    struct target enc[BUNDLE_N_ENCODER_FILES] = {
        {e->ln1_gamma, 1, D, NULL}, {e->ln1_beta, 1, D, NULL}, {e->w_ff1, D, F, NULL}, {e->b_ff1, 1, F, NULL},
        {e->w_ff2, F, D, NULL}, {e->b_ff2, 1, D, NULL}, {e->ln2_gamma, 1, D, NULL}, {e->ln2_beta, 1, D, NULL},
        {e->w_cls, D, C, NULL}, {e->b_cls, 1, C, NULL},
    };
    for (int i = 0; i < BUNDLE_N_ENCODER_FILES; i++)
        if (stem_is(bundle_encoder_file[i], name, len)) {
            *t = enc[i];
            /* a language model has the block but no classifier */
            return e->present && (i < BUNDLE_N_BLOCK_FILES || b->task != BUNDLE_TASK_LM);
        }
    int lm = b->task == BUNDLE_TASK_LM;
    if (stem_is(BUNDLE_W_LM_FILE, name, len)) {
        *t = (struct target){b->w_lm, D, b->n_vocab, NULL};
        return lm;
    }
    if (stem_is(BUNDLE_B_LM_FILE, name, len)) {
        *t = (struct target){b->b_lm, 1, b->n_vocab, &b->has_b_lm};
        return lm;
    }
    return -1;
}

/* A 0-based index written as digits alone: 0, or -1 when it is not one.
 * More digits than an int holds give INT_MAX (out of range of any file). */
static int parse_index(const char *s, size_t len, long *out)
{
    if (len == 0)
        return -1;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        if (v < INT_MAX)
            v = v * 10 + (s[i] - '0');
    }
    *out = v < INT_MAX ? v : INT_MAX;
    return 0;
}

/* An index as written, for a message. */
static const char *index_text(char buf[32], const char *s, size_t len)
{
    snprintf(buf, 32, "%.*s%s", (int)(len < 24 ? len : 24), s, len < 24 ? "" : "...");
    return buf;
}

int bundle_edit(struct bundle *b, const char *edit, struct error *err)
{
    /* NAME[ROW,COL]=VALUE: the value holds no ']', a token may hold ',' or ']'. */
    const char *open = strchr(edit, '['), *close = strrchr(edit, ']');
    const char *comma = NULL;
    for (const char *p = open; p && p < close; p++)
        if (*p == ',')
            comma = p;
    if (!open || !close || close[1] != '=' || !comma || open == edit)
        return error_set(err, "%s", _("expected NAME[ROW,COL]=VALUE, e.g. w_q[0,1]=0.5"));
    size_t len = (size_t)(open - edit);
    char name[64], shown[64];
    snprintf(name, sizeof name, "%.*s%s", (int)utf8_fit(edit, len, 56), edit, len > 56 ? "..." : "");
    const char *value = close + 2;
    struct target t;
    long row, col;
    size_t col_len = (size_t)(close - comma - 1), row_len = (size_t)(comma - open - 1);
    char shown_index[32];
    int bad_col = parse_index(comma + 1, col_len, &col);
    if (len == 5 && !strncmp(edit, "vocab", 5)) {
        size_t tlen = (size_t)(comma - open - 1);
        char *token = malloc(tlen + 1);
        if (!token)
            return error_set(err, "%s", _("out of memory"));
        memcpy(token, open + 1, tlen);
        token[tlen] = '\0';
        row = bundle_lookup(b, token);
        if (row < 0)
            /* TRANSLATORS: %s is a token as the user wrote it in --set vocab[TOKEN,COL]=VALUE. */
            error_set(err, _("no token \"%s\" in the vocabulary (write it as vocab.csv does)"),
                      utf8_excerpt(shown, token, 40));
        free(token);
        if (row < 0)
            return -1;
        t = (struct target){b->embed, b->n_vocab, b->d_model, NULL};
        snprintf(name, sizeof name, "vocab");
    } else {
        int found = find_target(b, edit, len, &t);
        if (found < 0)
            /* TRANSLATORS: %s is the name given in --set NAME[ROW,COL]=VALUE; keep the names as they are. */
            return error_set(err, _("unknown name \"%s\" (a weight file's name such as w_q, b_q, ln1_gamma, "
                                    "w_ff1, w_cls, rnn_w_xh, or vocab)"), name);
        if (found == 0)
            /* TRANSLATORS: %s is a weight file's name without .csv (w_cls, rnn_b, ...). */
            return error_set(err, _("this model has no %s.csv"), name);
        if (parse_index(open + 1, row_len, &row))
            return error_set(err, "%s", _("ROW must be a whole number counted from 0"));
        if (row >= t.rows)
            /* TRANSLATORS: the row given (counted from 0), the weight file's name, its rows. */
            return error_set(err, ngettext("row %s is out of range (%s has %d row)",
                                           "row %s is out of range (%s has %d rows)", (unsigned long)t.rows),
                             index_text(shown_index, open + 1, row_len), name, t.rows);
    }
    if (bad_col)
        return error_set(err, "%s", _("COL must be a whole number counted from 0"));
    if (col >= t.cols)
        /* TRANSLATORS: the column given (counted from 0), the weight file's name (or vocab), its columns. */
        return error_set(err, ngettext("column %s is out of range (%s has %d column)",
                                       "column %s is out of range (%s has %d columns)", (unsigned long)t.cols),
                         index_text(shown_index, comma + 1, col_len), name, t.cols);
    double v;
    const char *why;
    if (!*value)
        return error_set(err, "%s", _("no value after ="));
    if (table_parse_number(value, &v, &why))
        return error_set(err, "%s: \"%s\"", why, utf8_excerpt(shown, value, 40)); /* why is translated */
    t.m[(size_t)row * (size_t)t.cols + (size_t)col] = v;
    if (t.has)
        *t.has = 1;
    return 0;
}
