#include "attnstep/slides.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attnstep/fsutil.h"
#include "attnstep/i18n.h"
#include "attnstep/lesson.h"
#include "attnstep/trace.h"
#include "attnstep/utf8.h"

enum { COL_MODEL, COL_SENTENCE, COL_VIEW, COL_STAGE, COL_NOTE, N_COLS };

static const char *const header[N_COLS] = {"model", "sentence", "view", "stage", "note"};
static const char *const view_names[SLIDE_N_VIEWS] = {"pipeline", "heatmap", "compare", "training", "generate",
                                                              "transfer"};

const char *slides_view_name(enum slide_view v)
{
    return v >= 0 && v < SLIDE_N_VIEWS ? view_names[v] : "?";
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void free_models(struct slides_model *m, int n)
{
    for (int i = 0; i < n; i++) {
        free(m[i].dir);
        bundle_free(&m[i].bundle);
        history_free(&m[i].hist);
    }
    free(m);
}

static void free_slides(struct slide *s, int n)
{
    for (int i = 0; s && i < n; i++)
        free(s[i].sentence);
    free(s);
}

void slides_free(struct slides *s)
{
    free_slides(s->slide, s->n_slides);
    free_models(s->models, s->n_models);
    table_free(&s->table);
    memset(s, 0, sizeof *s);
}

/* The model named in row r's first cell: found once, loaded once. */
static int find_model(const struct table *t, int r, const char *lesson_dir, const char *bundled_dir,
                      struct slides_model *models, int *n_models, struct error *err)
{
    const char *name = table_text(t, r, COL_MODEL);
    char path[PATH_MAX];
    int found = name[0] == '/' ? snprintf(path, sizeof path, "%s", name) < (int)sizeof path
                               : fsutil_join(path, sizeof path, lesson_dir, name) == 0;
    if (!found || !is_dir(path)) {
        if (!bundled_dir || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
            fsutil_join(path, sizeof path, bundled_dir, name) || !is_dir(path))
            /* TRANSLATORS: an error reason after "attnstep: FILE:LINE:COL: " in a lesson file (--lesson);
               %s: the model named, then the lesson file's folder. */
            return table_error_cell(t, r, COL_MODEL, err, _("no model '%s': neither a folder in %s nor a bundled "
                                                            "model (tiny-en, tiny-ko, random-en)"), name, lesson_dir);
    }
    /* the same folder under two names is one model */
    struct stat st, other;
    if (stat(path, &st))
        memset(&st, 0, sizeof st);
    for (int i = 0; i < *n_models; i++)
        if (!strcmp(models[i].dir, path) ||
            (stat(models[i].dir, &other) == 0 && other.st_dev == st.st_dev && other.st_ino == st.st_ino))
            return i;
    struct slides_model *m = &models[*n_models];
    memset(m, 0, sizeof *m);
    m->name = name;
    struct error why;
    if (!(m->dir = strdup(path)))
        return error_set(err, "%s", _("out of memory"));
    if (bundle_load(&m->bundle, path, &why)) {
        free(m->dir);
        /* TRANSLATORS: an error reason in a lesson file: the model named, then why it does not load (an
           error message with its own FILE:LINE:COL). */
        return table_error_cell(t, r, COL_MODEL, err, _("model '%s' does not load: %s"), name, why.msg);
    }
    if (history_load(&m->hist, path, &why)) {
        bundle_free(&m->bundle);
        free(m->dir);
        return table_error_cell(t, r, COL_MODEL, err, _("model '%s' does not load: %s"), name, why.msg);
    }
    return (*n_models)++;
}

/* A whole number from 1 (an empty cell is 0: the view's start). */
static int parse_stage(const struct table *t, int r, int *out, struct error *err)
{
    const char *s = table_text(t, r, COL_STAGE);
    *out = 0;
    if (!*s)
        return 0;
    long v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9' && v <= 1000000; p++)
        v = v * 10 + (*p - '0');
    if (*p || v < 1 || v > 1000000) {
        char shown[64];
        /* TRANSLATORS: an error reason in a lesson file; %s: the stage cell's text. */
        return table_error_cell(t, r, COL_STAGE, err, _("stage must be a whole number from 1 (or empty: the view's "
                                                        "start), not '%s'"), utf8_excerpt(shown, s, sizeof shown));
    }
    *out = (int)v;
    return 0;
}

/* The words with a piece the model's vocabulary lacks, each once, quoted. */
static int unknown_words(const struct trace *tr, const struct bundle *b, char *buf, size_t size)
{
    int n = 0, last = -1;
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < tr->N; i++) {
        if (tr->ids[i] != b->unk_id || !strcmp(tr->tokens[i], "<unk>") || tr->word[i] == last)
            continue;
        last = tr->word[i];
        char word[256] = "";
        for (int j = 0; j < tr->N; j++) /* the word again from its pieces */
            if (tr->word[j] == last) {
                const char *piece = tr->tokens[j];
                if (!strncmp(piece, "##", 2) && piece[2])
                    piece += 2;
                size_t len = strlen(word);
                snprintf(word + len, sizeof word - len, "%s", piece);
            }
        if (strstr(buf, word) && used) { /* said already? */
            char quoted[260];
            snprintf(quoted, sizeof quoted, "'%s'", word);
            if (strstr(buf, quoted))
                continue;
        }
        int k = snprintf(buf + used, size - used, "%s'%s'", n ? ", " : "", word);
        if (k < 0 || (size_t)k >= size - used) {
            buf[used] = '\0';
            snprintf(buf + used, size - used, "%s", used + 5 < size ? ", ..." : "");
            return n + 1;
        }
        used += (size_t)k;
        n++;
    }
    return n;
}

/* What the slide asks of its model and sentence exists: the words, the stage. */
static int check_slide(const struct table *t, int r, const struct slide *s, const struct slides_model *m,
                       int causal, struct error *err)
{
    struct trace tr;
    struct error why;
    if (trace_build(&tr, &m->bundle, s->sentence, causal, &why))
        /* TRANSLATORS: an error reason in a lesson file: the sentence, then why the model cannot read it. */
        return table_error_cell(t, r, COL_SENTENCE, err, _("the sentence '%s': %s"), s->sentence, why.msg);
    char words[1024];
    int n = unknown_words(&tr, &m->bundle, words, sizeof words);
    int rc = 0;
    if (n)
        /* TRANSLATORS: an error reason in a lesson file: the unknown words (quoted, with commas), the model's
           name as the lesson wrote it, then the sentence. */
        rc = table_error_cell(t, r, COL_SENTENCE, err,
                              ngettext("%s is not in the vocabulary of %s and would read as <unk> (sentence '%s')",
                                       "%s are not in the vocabulary of %s and would read as <unk> (sentence '%s')",
                                       (unsigned long)n),
                              words, m->name, s->sentence);
    else if (s->view == SLIDE_COMPARE && !tr.has_model[TRACE_RNN])
        /* TRANSLATORS: an error reason in a lesson file; %s: the model's name. Keep rnn_w_xh.csv. */
        rc = table_error_cell(t, r, COL_VIEW, err, _("the compare view needs a model with an RNN (rnn_w_xh.csv); "
                                                     "%s has none (the bundled random-en has one)"), m->name);
    else if ((s->view == SLIDE_PIPELINE || s->view == SLIDE_HEATMAP) && s->stage) {
        struct lesson l;
        if (lesson_init(&l, &tr, TRACE_ATTENTION, GRAN_STAGE, &why)) {
            rc = table_error_cell(t, r, COL_SENTENCE, err, _("the sentence '%s': %s"), s->sentence, why.msg);
        } else {
            if (s->stage > l.n_stages)
                /* TRANSLATORS: an error reason in a lesson file: the stage asked for, the view (pipeline or
                   heatmap), the model's name, its number of stages for the slide's sentence. */
                rc = table_error_cell(t, r, COL_STAGE, err,
                                      ngettext("stage %d is beyond the %s's last: %s has %d stage for this sentence",
                                               "stage %d is beyond the %s's last: %s has %d stages for this sentence",
                                               (unsigned long)l.n_stages),
                                      s->stage, view_names[s->view], m->name, l.n_stages);
            lesson_free(&l);
        }
    } else if (s->view == SLIDE_COMPARE && s->stage > tr.N)
        /* TRANSLATORS: an error reason in a lesson file: the stage asked for, then the sentence's number of
           words; a compare view's stage k shows the RNN after reading k words. */
        rc = table_error_cell(t, r, COL_STAGE, err,
                              ngettext("stage %d is beyond the compare view's last: its stage k shows k words read, "
                                       "and the sentence has %d word",
                                       "stage %d is beyond the compare view's last: its stage k shows k words read, "
                                       "and the sentence has %d words", (unsigned long)tr.N),
                              s->stage, tr.N);
    else if (s->view == SLIDE_TRAINING && s->stage > m->hist.n_snapshots)
        /* TRANSLATORS: an error reason in a lesson file: the stage asked for, the model's name, its number of
           training snapshots (a training view's stage k is snapshot k). */
        rc = table_error_cell(t, r, COL_STAGE, err,
                              ngettext("stage %d is beyond the training view's last: %s has %d snapshot",
                                       "stage %d is beyond the training view's last: %s has %d snapshots",
                                       (unsigned long)m->hist.n_snapshots),
                              s->stage, m->name, m->hist.n_snapshots);
    else if (s->view == SLIDE_GENERATE && s->stage > SLIDES_MAX_GENERATE)
        /* TRANSLATORS: an error reason in a lesson file: the stage asked for, then the most words the
           generate view's stage may ask for (its stage k shows k words generated). */
        rc = table_error_cell(t, r, COL_STAGE, err, _("stage %d is beyond the generate view's last: its stage k "
                                                      "shows k words generated, at most %d"),
                              s->stage, SLIDES_MAX_GENERATE);
    else if (s->view == SLIDE_TRANSFER) {
        /* a model folder that `attnstep transfer` wrote: DIR/scratch, DIR/feature or DIR/finetune */
        char path[PATH_MAX];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/../comparison.csv", m->dir) >= (int)sizeof path || stat(path, &st))
            /* TRANSLATORS: an error reason in a lesson file; %s: the model's name. Keep the command and
               file names. */
            rc = table_error_cell(t, r, COL_MODEL, err, _("the transfer view needs one of the three models "
                                                          "'attnstep transfer' wrote (DIR/scratch, DIR/feature or "
                                                          "DIR/finetune, beside DIR/comparison.csv); %s is not"),
                                  m->name);
    }
    trace_free(&tr);
    return rc;
}

int slides_load(struct slides *out, const char *path, const char *bundled_dir, int causal,
                slides_default_fn *fallback, void *ctx, struct error *err)
{
    struct slides s;
    memset(&s, 0, sizeof s);
    if (table_read(&s.table, path, err))
        return -1;
    const struct table *t = &s.table;
    for (int c = 0; c < N_COLS || c < t->rows[0].n_cells; c++)
        if (c >= N_COLS || c >= t->rows[0].n_cells || strcmp(table_text(t, 0, c), header[c])) {
            /* TRANSLATORS: an error reason in a lesson file (--lesson); keep the header's words. */
            const char *why = _("a lesson's first row must be the header model,sentence,view,stage,note");
            if (c < t->rows[0].n_cells)
                table_error_cell(t, 0, c, err, "%s", why);
            else
                table_error_row(t, 0, err, "%s", why);
            goto fail;
        }
    if (t->n_rows < 2) {
        /* TRANSLATORS: an error reason in a lesson file that has only its header. */
        table_error_end(t, err, "%s", _("no slides: a lesson has one row per slide after the header"));
        goto fail;
    }
    char lesson_dir[PATH_MAX];
    snprintf(lesson_dir, sizeof lesson_dir, "%s", path);
    char *slash = strrchr(lesson_dir, '/');
    if (slash)
        slash[slash == lesson_dir] = '\0';
    else
        snprintf(lesson_dir, sizeof lesson_dir, ".");
    s.slide = calloc((size_t)t->n_rows, sizeof *s.slide);
    s.models = calloc((size_t)t->n_rows, sizeof *s.models);
    if (!s.slide || !s.models) {
        error_set(err, "%s", _("out of memory"));
        goto fail;
    }
    for (int r = 1; r < t->n_rows; r++) {
        struct slide *sl = &s.slide[s.n_slides];
        const struct slide *prev = s.n_slides ? sl - 1 : NULL;
        sl->line = t->rows[r].line;
        if (t->rows[r].n_cells != N_COLS) {
            /* TRANSLATORS: an error reason in a lesson file: a row's number of fields. A note with a comma
               needs double quotes around it. */
            char why[512];
            snprintf(why, sizeof why, ngettext("a slide has 5 fields (model,sentence,view,stage,note), this row has %d; "
                                       "a note with a comma goes in double quotes",
                                       "a slide has 5 fields (model,sentence,view,stage,note), this row has %d; "
                                       "a note with a comma goes in double quotes",
                                       (unsigned long)t->rows[r].n_cells), t->rows[r].n_cells);
            if (t->rows[r].n_cells > N_COLS)
                table_error_cell(t, r, N_COLS, err, "%s", why);
            else
                table_error_row(t, r, err, "%s", why);
            goto fail;
        }
        if (table_text(t, r, COL_MODEL)[0]) {
            int m = find_model(t, r, lesson_dir, bundled_dir, s.models, &s.n_models, err);
            if (m < 0)
                goto fail;
            sl->model = m;
        } else if (prev) {
            sl->model = prev->model;
        } else {
            /* TRANSLATORS: an error reason in a lesson file whose first slide names no model. */
            table_error_cell(t, r, COL_MODEL, err, "%s", _("the first slide needs a model: a bundled model's name "
                                                           "(tiny-en, tiny-ko, random-en) or a folder"));
            goto fail;
        }
        const char *view = table_text(t, r, COL_VIEW);
        sl->view = SLIDE_PIPELINE;
        if (*view) {
            int v = 0;
            while (v < SLIDE_N_VIEWS && strcmp(view, view_names[v]))
                v++;
            if (v == SLIDE_N_VIEWS) {
                char shown[64];
                /* TRANSLATORS: an error reason in a lesson file; %s: the view cell's text. Keep the views'
                   names: they are what the file must say. */
                table_error_cell(t, r, COL_VIEW, err, _("unknown view '%s': pipeline, heatmap, compare, "
                                                        "training, generate or transfer (empty: pipeline)"),
                                 utf8_excerpt(shown, view, sizeof shown));
                goto fail;
            }
            sl->view = (enum slide_view)v;
        }
        if (parse_stage(t, r, &sl->stage, err))
            goto fail;
        const char *sentence = table_text(t, r, COL_SENTENCE);
        if (!*sentence)
            sentence = prev ? prev->sentence : fallback ? fallback(&s.models[sl->model].bundle, ctx) : NULL;
        if (!sentence) {
            /* TRANSLATORS: an error reason in a lesson file whose first slide gives no sentence and the
               model has no example to show. */
            table_error_cell(t, r, COL_SENTENCE, err, "%s", _("the first slide needs a sentence: this model has "
                                                              "no example to show"));
            goto fail;
        }
        if (!(sl->sentence = strdup(sentence))) {
            error_set(err, "%s", _("out of memory"));
            goto fail;
        }
        sl->note = table_text(t, r, COL_NOTE);
        s.n_slides++;
        if (check_slide(t, r, sl, &s.models[sl->model], causal, err))
            goto fail;
    }
    *out = s;
    return 0;
fail:
    slides_free(&s);
    return -1;
}
