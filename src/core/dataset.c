#include "attnstep/dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/i18n.h"
#include "attnstep/tokenizer.h"
#include "attnstep/transfer.h"
#include "attnstep/utf8.h"

/* A tokenizer failure, placed at the sentence's cell. */
static int sentence_error(const struct dataset *d, int r, struct error *err)
{
    const struct table_cell *c = table_cell(&d->t, r, d->text_col);
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    return error_at(err, d->t.path, c->line, c->col, "%s", msg);
}

int dataset_read(struct dataset *d, const char *path, struct error *err)
{
    if (table_read(&d->t, path, err))
        return -1;
    const struct table *t = &d->t;
    const char *why = NULL;
    if (t->rows[0].n_cells != 2 || strcmp(table_text(t, 0, 0), "text") || strcmp(table_text(t, 0, 1), "label")) {
        table_error_row(t, 0, err, _("the first row must be the header text,label"));
        table_free(&d->t);
        return -1;
    }
    for (int r = 1; r < t->n_rows && !why; r++) {
        if (t->rows[r].n_cells != 2) {
            /* TRANSLATORS: %d is the number of fields (cells) found on the line. */
            table_error_row(t, r, err, _("expected 2 fields (text,label), found %d"), t->rows[r].n_cells);
            why = "ragged";
        } else if ((why = bundle_label_problem(table_text(t, r, 1)))) {
            /* Refused here, before training, so that every model saved loads. */
            /* TRANSLATORS: %s is a reason such as "is empty or only spaces; a class needs a
               name" (the label, a class name, is its subject). */
            table_error_cell(t, r, 1, err, _("the label %s"), why);
        }
    }
    if (!why && t->n_rows < 2) {
        table_error_end(t, err, _("no sentences after the header"));
        why = "empty";
    }
    if (why) {
        table_free(&d->t);
        return -1;
    }
    d->n = t->n_rows - 1;
    d->text_col = 0;
    return 0;
}

int dataset_read_text(struct dataset *d, const char *path, struct error *err)
{
    if (table_read(&d->t, path, err))
        return -1;
    const struct table *t = &d->t;
    int cols = t->rows[0].n_cells, col = -1, bad = 0;
    for (int c = 0; c < cols && col < 0; c++)
        if (!strcmp(table_text(t, 0, c), "text"))
            col = c;
    if (col < 0) {
        /* TRANSLATORS: train --task lm, the data file's first row has no column named text. Keep "text" as
           it is (a column name). */
        table_error_row(t, 0, err, _("the first row must name a text column (the header text, or text,label)"));
        bad = 1;
    }
    for (int r = 1; r < t->n_rows && !bad; r++) {
        if (t->rows[r].n_cells != cols) {
            /* TRANSLATORS: %d: the number of fields found on the line, then the header's. */
            table_error_row(t, r, err, ngettext("found %d field, the header has %d", "found %d fields, the header has %d",
                                                (unsigned long)t->rows[r].n_cells),
                            t->rows[r].n_cells, cols);
            bad = 1;
        }
    }
    if (!bad && t->n_rows < 2) {
        table_error_end(t, err, _("no sentences after the header"));
        bad = 1;
    }
    for (int r = 1; r < t->n_rows && !bad; r++) {
        struct tokens tk;
        const char *text = table_text(t, r, col);
        if (!text[strspn(text, " \t\r\n")]) {
            /* TRANSLATORS: train --task lm, a sentence (the text cell) with no token. */
            table_error_cell(t, r, col, err, _("an empty sentence: a language model needs at least one token"));
            bad = 1;
            break;
        }
        if (tokenizer_split(&tk, text, 1, err)) {
            d->text_col = col;
            d->n = t->n_rows - 1;
            sentence_error(d, r, err);
            bad = 1;
            break;
        }
        if (tk.n == 0) {
            table_error_cell(t, r, col, err, "%s", _("an empty sentence: a language model needs at least one token"));
            bad = 1;
        }
        tokenizer_free(&tk);
    }
    if (bad) {
        table_free(&d->t);
        return -1;
    }
    d->n = t->n_rows - 1;
    d->text_col = col;
    return 0;
}

void dataset_free(struct dataset *d)
{
    table_free(&d->t);
    d->n = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted distinct copies of the strings in all (len of them). */
static int sorted_distinct(const char **all, size_t len, char ***out, int *n, struct error *err)
{
    qsort(all, len, sizeof *all, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < len; i++)
        if (u == 0 || strcmp(all[u - 1], all[i]))
            all[u++] = all[i];
    char **res = calloc(u + 1, sizeof *res);
    int failed = !res;
    for (size_t i = 0; !failed && i < u; i++)
        failed = !(res[i] = strdup(all[i]));
    if (failed) {
        dataset_free_strings(res, (int)u);
        return error_set(err, _("out of memory"));
    }
    *out = res;
    *n = (int)u;
    return 0;
}

int dataset_classes(const struct dataset *d, char ***out, int *n, struct error *err)
{
    const char **all = malloc((size_t)d->n * sizeof *all);
    if (!all)
        return error_set(err, _("out of memory"));
    for (int r = 1; r <= d->n; r++)
        all[r - 1] = table_text(&d->t, r, 1);
    int rc = sorted_distinct(all, (size_t)d->n, out, n, err);
    free(all);
    return rc;
}


int dataset_vocabulary(const struct dataset *d, int lowercase, char ***out, int *n, struct error *err)
{
    struct tokens *tk = calloc((size_t)d->n, sizeof *tk);
    size_t len = 0;
    int rc = -1;
    const char **all = NULL;
    if (!tk)
        return error_set(err, _("out of memory"));
    for (int r = 1; r <= d->n; r++) {
        if (tokenizer_split(&tk[r - 1], table_text(&d->t, r, d->text_col), lowercase, err)) {
            sentence_error(d, r, err);
            goto done;
        }
        len += (size_t)tk[r - 1].n;
    }
    if (!(all = malloc(len * sizeof *all))) {
        error_set(err, _("out of memory"));
        goto done;
    }
    len = 0;
    for (int r = 0; r < d->n; r++)
        for (int k = 0; k < tk[r].n; k++)
            all[len++] = tk[r].text[k];
    rc = sorted_distinct(all, len, out, n, err);
done:
    free(all);
    for (int r = 0; r < d->n; r++)
        tokenizer_free(&tk[r]);
    free(tk);
    return rc;
}

static int cmp_count(const void *a, const void *b)
{
    return strcmp(((const struct bpe_count *)a)->word, ((const struct bpe_count *)b)->word);
}

int dataset_word_counts(const struct dataset *d, int lowercase, struct bpe_count **out, int *n, struct error *err)
{
    char **words = NULL;
    int n_words = 0;
    /* The distinct words first, then each sentence's words counted by bsearch. */
    if (dataset_vocabulary(d, lowercase, &words, &n_words, err))
        return -1;
    struct bpe_count *c = calloc((size_t)(n_words ? n_words : 1), sizeof *c);
    if (!c) {
        dataset_free_strings(words, n_words);
        return error_set(err, _("out of memory"));
    }
    for (int i = 0; i < n_words; i++)
        c[i].word = words[i]; /* c owns the strings from here */
    free(words);
    for (int r = 1; r <= d->n; r++) {
        struct tokens tk;
        if (tokenizer_split(&tk, table_text(&d->t, r, d->text_col), lowercase, err)) {
            dataset_free_counts(c, n_words);
            return sentence_error(d, r, err);
        }
        for (int k = 0; k < tk.n; k++) {
            struct bpe_count key = {.word = tk.text[k]}, *hit = bsearch(&key, c, (size_t)n_words, sizeof *c, cmp_count);
            if (hit)
                hit->count++;
        }
        tokenizer_free(&tk);
    }
    *out = c;
    *n = n_words;
    return 0;
}

void dataset_free_counts(struct bpe_count *c, int n)
{
    for (int i = 0; c && i < n; i++) {
        void *own; /* the counts own their words (dataset_word_counts made them) */
        memcpy(&own, &c[i].word, sizeof own);
        free(own);
    }
    free(c);
}

int dataset_pieces(const struct dataset *d, int lowercase, int max_merges, struct bpe *merges, char ***vocab,
                   int *n_vocab, struct error *err)
{
    struct bpe_count *c = NULL;
    int n = 0;
    if (dataset_word_counts(d, lowercase, &c, &n, err))
        return -1;
    struct bpe b;
    int rc = bpe_learn(&b, c, n, max_merges, err);
    if (!rc && (rc = bpe_vocabulary(&b, c, n, vocab, n_vocab, err)))
        bpe_free(&b);
    dataset_free_counts(c, n);
    if (!rc)
        *merges = b;
    return rc;
}

void dataset_free_strings(char **s, int n)
{
    for (int i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

/* A class name and its index, sorted by name for bsearch. */
struct named {
    const char *name;
    int index;
};

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

int dataset_encode(struct train_set *set, const struct dataset *d, const struct bundle *b, struct error *err)
{
    int C = b->enc.n_labels;
    struct named *classes = malloc((size_t)(C ? C : 1) * sizeof *classes);
    set->n = d->n;
    set->max_len = 1;
    set->ex = calloc((size_t)d->n, sizeof *set->ex);
    if (!set->ex || !classes) {
        free(classes);
        return error_set(err, _("out of memory"));
    }
    for (int c = 0; c < C; c++)
        classes[c] = (struct named){b->enc.labels[c], c};
    qsort(classes, (size_t)C, sizeof *classes, cmp_named);
    for (int r = 1; r <= d->n; r++) {
        struct train_example *ex = &set->ex[r - 1];
        const struct named key = {table_text(&d->t, r, 1), 0};
        const struct named *found = bsearch(&key, classes, (size_t)C, sizeof *classes, cmp_named);
        ex->label = found ? found->index : -1;
        if (ex->label < 0) {
            char buf[64];
            free(classes);
            /* TRANSLATORS: %s is the label as written in the data file. */
            return table_error_cell(&d->t, r, 1, err, _("label \"%s\" is not one of the model's classes"),
                                    utf8_excerpt(buf, key.name, sizeof buf - 4));
        }
        struct tokens tk;
        if (tokenizer_pieces(&tk, table_text(&d->t, r, d->text_col), b->lowercase, b->has_tokenizer ? &b->bpe : NULL,
                             err)) {
            free(classes);
            return sentence_error(d, r, err);
        }
        ex->n = tk.n;
        ex->ids = malloc((size_t)tk.n * sizeof *ex->ids);
        for (int k = 0; ex->ids && k < tk.n; k++) {
            int id = bundle_lookup(b, tk.text[k]);
            ex->ids[k] = id < 0 ? b->unk_id : id;
        }
        tokenizer_free(&tk);
        if (!ex->ids) {
            free(classes);
            return error_set(err, _("out of memory"));
        }
        set->max_len = ex->n > set->max_len ? ex->n : set->max_len;
    }
    free(classes);
    return 0;
}

int dataset_encode_lm(struct train_set *set, const struct dataset *d, const struct bundle *b, struct error *err)
{
    memset(set, 0, sizeof *set);
    set->lm = 1;
    set->max_len = 1;
    if (b->eos_id < 0)
        return error_set(err, _("no <eos> token: a language model (task lm) needs one to end a sentence"));
    if (!(set->ex = calloc((size_t)d->n, sizeof *set->ex)))
        return error_set(err, _("out of memory"));
    set->n = d->n;
    for (int r = 1; r <= d->n; r++) {
        struct train_example *ex = &set->ex[r - 1];
        struct tokens tk;
        if (tokenizer_pieces(&tk, table_text(&d->t, r, d->text_col), b->lowercase, b->has_tokenizer ? &b->bpe : NULL,
                             err))
            return sentence_error(d, r, err);
        ex->n = tk.n;
        ex->label = -1;
        ex->ids = malloc((size_t)(tk.n + 1) * sizeof *ex->ids);
        for (int k = 0; ex->ids && k < tk.n; k++) {
            int id = bundle_lookup(b, tk.text[k]);
            ex->ids[k] = id < 0 ? b->unk_id : id;
        }
        tokenizer_free(&tk);
        if (!ex->ids)
            return error_set(err, _("out of memory"));
        if (ex->n == 0)
            return table_error_cell(&d->t, r, d->text_col, err, "%s",
                                    _("an empty sentence: a language model needs at least one token"));
        ex->ids[ex->n] = b->eos_id;
        set->n_targets += ex->n;
        set->max_len = ex->n > set->max_len ? ex->n : set->max_len;
    }
    return 0;
}

void dataset_free_set(struct train_set *s)
{
    for (int i = 0; s->ex && i < s->n; i++)
        free(s->ex[i].ids);
    free(s->ex);
    memset(s, 0, sizeof *s);
}

/* A classifier needs two classes; point at the labels of the data. */
static int one_class_error(const struct dataset *d, struct error *err)
{
    char buf[64];
    return table_error_cell(&d->t, 1, 1, err,
                            /* TRANSLATORS: %s is the one label every sentence of the data has. */
                            _("every sentence has the label \"%s\": a classifier needs at least two classes"),
                            utf8_excerpt(buf, table_text(&d->t, 1, 1), sizeof buf - 4));
}

/* train --from: a new classifier when the data's classes are not the model's
 * (a fresh model's when there is no encoder block yet), every weight anew for
 * `transfer`'s model from scratch, and how its tokenizer reads the data:
 * data it reads as <unk> from end to end is refused. */
static int transfer_prepare_from(struct dataset_job *job, const struct dataset_job_spec *spec, struct error *err)
{
    struct bundle *m = &job->model;
    const char *const *classes = (const char *const *)job->classes;
    int same = transfer_same_classes(m, classes, job->n_classes);
    if (!same && job->n_classes < 2)
        return one_class_error(&job->data, err);
    if (spec->scratch) {
        if (transfer_reinit(m, same ? (const char *const *)m->enc.labels : classes,
                            same ? m->enc.n_labels : job->n_classes, spec->seed, err))
            return -1;
    } else if (!m->enc.present) {
        if (train_add_classifier(m, spec->d_ff, 0, classes, job->n_classes, spec->seed, err))
            return -1;
    } else if (!same) {
        if (transfer_new_classifier(m, classes, job->n_classes, spec->seed, err))
            return -1;
        job->new_classifier = 1;
    }
    if (transfer_coverage(&job->coverage, &job->data.t, job->data.text_col, m, err) ||
        (spec->test && transfer_coverage(&job->test_coverage, &job->test.t, job->test.text_col, m, err)))
        return -1;
    const struct transfer_coverage *c = &job->coverage;
    if (c->words > c->punct && c->unknown == c->words - c->punct)
        return error_file(err, spec->data,
                          /* TRANSLATORS: after "DATA: " (the training data). %s: the model given to --from (a
                             path); %ld: the data's words that are not punctuation. */
                          ngettext("the model %s knows nothing of its %ld word (punctuation aside): every token "
                                   "would be <unk>. Is the data in the model's language?",
                                   "the model %s knows nothing of its %ld words (punctuation aside): every token "
                                   "would be <unk>. Is the data in the model's language?",
                                   (unsigned long)(c->words - c->punct)),
                          spec->from, c->words - c->punct);
    return 0;
}

/* train --task lm: a fresh language model on the text column, and the bigram baseline. */
static int prepare_lm(struct dataset_job *job, const struct dataset_job_spec *spec, struct error *err)
{
    if (spec->from)
        /* TRANSLATORS: train --task lm --from BUNDLE; keep the option names as they are. */
        return error_set(err, _("--from with --task lm is not supported yet: a language model is trained from "
                                "random weights"));
    if (dataset_read_text(&job->data, spec->data, err) || (spec->test && dataset_read_text(&job->test, spec->test, err)))
        return -1;
    struct bundle *m = &job->model;
    struct bpe merges = {0};
    int words = spec->word_tokenizer;
    if ((words ? dataset_vocabulary(&job->data, 1, &job->vocab, &job->n_vocab, err)
               : dataset_pieces(&job->data, 1, spec->merges > 0 ? spec->merges : DATASET_MERGES, &merges, &job->vocab,
                                &job->n_vocab, err)))
        return -1;
    if (train_init_lm(m, spec->name, spec->d_model, spec->heads, spec->d_ff, 0, (const char *const *)job->vocab,
                      job->n_vocab, spec->seed, err)) {
        bpe_free(&merges);
        return -1;
    }
    if (!words) {
        m->bpe = merges;
        m->has_tokenizer = 1;
    }
    if (dataset_encode_lm(&job->train_set, &job->data, m, err) ||
        (spec->test && dataset_encode_lm(&job->test_set, &job->test, m, err)))
        return -1;
    if (spec->test && (job->bigram_perplexity = train_bigram_perplexity(&job->train_set, &job->test_set, m->n_vocab,
                                                                       m->eos_id)) < 0)
        return error_set(err, _("out of memory"));
    int max_len = job->train_set.max_len > job->test_set.max_len ? job->train_set.max_len : job->test_set.max_len;
    return trainer_init(&job->tr, m, max_len, spec->lr, err);
}

int dataset_job_prepare(struct dataset_job *job, const struct dataset_job_spec *spec, struct error *err)
{
    memset(job, 0, sizeof *job);
    job->bigram_perplexity = -1.0;
    if (spec->lm)
        return prepare_lm(job, spec, err);
    if (dataset_read(&job->data, spec->data, err) || (spec->test && dataset_read(&job->test, spec->test, err)) ||
        dataset_classes(&job->data, &job->classes, &job->n_classes, err))
        return -1;
    const char *const *classes = (const char *const *)job->classes;
    struct bundle *m = &job->model;
    if (job->n_classes < 2 && !spec->from) /* with --from, the model may already have classes */
        return one_class_error(&job->data, err);
    if (spec->from) {
        if (bundle_load(m, spec->from, err))
            return -1;
        if (m->task == BUNDLE_TASK_LM)
            /* TRANSLATORS: after "DIR: " (the model given to --from). Keep task,lm as it is. */
            return error_file(err, spec->from, _("a language model (task,lm): attnstep train makes sentence "
                                                 "classifiers from text,label data"));
        if (spec->freeze == TRANSFER_FREEZE_ENCODER && !m->enc.present && !spec->scratch)
            /* TRANSLATORS: after "DIR: " (the model given to --from); keep --freeze encoder and none as they are. */
            return error_file(err, spec->from, _("no encoder block (feed-forward, norms) to keep: --freeze encoder "
                                                 "needs a trained classifier, use --freeze none"));
        /* BUNDLE's RNN and LSTM read the embeddings and classes it was trained
         * with; once those change they would predict the new labels with weights
         * that never saw them. The new model keeps the transformer only
         * (--recurrent trains new recurrent models on it). */
        bundle_drop_recurrent(m);
        if (transfer_prepare_from(job, spec, err))
            return -1;
        free(m->name);
        if (!(m->name = strdup(spec->name)))
            return error_set(err, _("out of memory"));
    } else {
        struct bpe merges = {0};
        int words = spec->word_tokenizer;
        if ((words ? dataset_vocabulary(&job->data, 1, &job->vocab, &job->n_vocab, err)
                   : dataset_pieces(&job->data, 1, spec->merges > 0 ? spec->merges : DATASET_MERGES, &merges,
                                    &job->vocab, &job->n_vocab, err)))
            return -1;
        if (train_init_model(m, spec->name, spec->d_model, spec->heads, spec->d_ff, 0, classes, job->n_classes,
                             (const char *const *)job->vocab, job->n_vocab, spec->seed, err)) {
            bpe_free(&merges);
            return -1;
        }
        if (!words) {
            m->bpe = merges;
            m->has_tokenizer = 1;
        }
    }
    if (dataset_encode(&job->train_set, &job->data, m, err) ||
        (spec->test && dataset_encode(&job->test_set, &job->test, m, err)))
        return -1;
    int max_len = job->train_set.max_len > job->test_set.max_len ? job->train_set.max_len : job->test_set.max_len;
    if (trainer_init(&job->tr, m, max_len, spec->lr, err))
        return -1;
    if (spec->from && spec->freeze == TRANSFER_FREEZE_ENCODER && !spec->scratch)
        transfer_freeze_encoder(&job->tr);
    return 0;
}

void dataset_job_free(struct dataset_job *job)
{
    trainer_free(&job->tr);
    dataset_free_set(&job->train_set);
    dataset_free_set(&job->test_set);
    bundle_free(&job->model);
    dataset_free_strings(job->classes, job->n_classes);
    dataset_free_strings(job->vocab, job->n_vocab);
    dataset_free(&job->data);
    dataset_free(&job->test);
}
