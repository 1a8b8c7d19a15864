#include "attnstep/history.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attnstep/fsutil.h"
#include "attnstep/i18n.h"
#include "attnstep/table.h"

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* A language model's log: epoch,loss,train_perplexity,test_perplexity,bigram_perplexity. */
static int read_lm_log(struct history *h, struct table *t, struct error *err)
{
    int n = t->n_rows - 1;
    size_t size = (size_t)(n > 0 ? n : 1);
    h->lm = 1;
    h->bigram_perplexity = -1;
    h->train_perplexity = calloc(size, sizeof(double));
    h->test_perplexity = calloc(size, sizeof(double));
    if (!h->train_perplexity || !h->test_perplexity)
        return error_set(err, _("out of memory"));
    for (int r = 1; r <= n; r++) {
        if (t->rows[r].n_cells != 5)
            return table_error_row(t, r, err,
                                   _("expected 5 fields (epoch,loss,train_perplexity,test_perplexity,"
                                     "bigram_perplexity)"));
        double epoch;
        h->train_accuracy[r - 1] = h->test_accuracy[r - 1] = -1;
        h->test_perplexity[r - 1] = -1;
        if (table_number(t, r, 0, &epoch, err) || table_number(t, r, 1, &h->loss[r - 1], err) ||
            table_number(t, r, 2, &h->train_perplexity[r - 1], err) ||
            (*table_text(t, r, 3) && table_number(t, r, 3, &h->test_perplexity[r - 1], err)) ||
            (*table_text(t, r, 4) && table_number(t, r, 4, &h->bigram_perplexity, err)))
            return -1;
    }
    h->n_epochs = n;
    return 0;
}

static int read_log(struct history *h, const char *path, struct error *err)
{
    struct table t;
    if (table_read(&t, path, err))
        return -1;
    int n = t.n_rows - 1;
    h->loss = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
    h->train_accuracy = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
    h->test_accuracy = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
    if (!h->loss || !h->train_accuracy || !h->test_accuracy) {
        table_free(&t);
        return error_set(err, _("out of memory"));
    }
    if (t.rows[0].n_cells == 5 && !strcmp(table_text(&t, 0, 2), "train_perplexity")) {
        int rc = read_lm_log(h, &t, err);
        table_free(&t);
        return rc;
    }
    for (int r = 1; r <= n; r++) {
        if (t.rows[r].n_cells != 4) {
            table_error_row(&t, r, err, _("expected 4 fields (epoch,loss,train_accuracy,test_accuracy)"));
            table_free(&t);
            return -1;
        }
        double epoch;
        if (table_number(&t, r, 0, &epoch, err) || table_number(&t, r, 1, &h->loss[r - 1], err) ||
            table_number(&t, r, 2, &h->train_accuracy[r - 1], err)) {
            table_free(&t);
            return -1;
        }
        h->test_accuracy[r - 1] = -1;
        if (*table_text(&t, r, 3) && table_number(&t, r, 3, &h->test_accuracy[r - 1], err)) {
            table_free(&t);
            return -1;
        }
    }
    h->n_epochs = n;
    table_free(&t);
    return 0;
}

/* Adds a warning line for the caller to show. */
static void warn(struct history *h, const char *path, const char *name, const char *why)
{
    char **w = realloc(h->warnings, (size_t)(h->n_warnings + 1) * sizeof *w);
    if (!w)
        return; /* a warning lost to a full memory is not worth failing for */
    h->warnings = w;
    size_t size = strlen(path) + strlen(name) + strlen(why) + 16;
    if ((w[h->n_warnings] = malloc(size))) {
        snprintf(w[h->n_warnings], size, "%s/%s: %s", path, name, why);
        /* A file name may hold any byte but '/' and NUL: keep the warning one line. */
        for (char *c = w[h->n_warnings]; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7F)
                *c = '?';
        h->n_warnings++;
    }
}

/* The epoch of a snapshot directory named as `train` names them: "epoch-"
 * and the number with at least three digits ("epoch-007", "epoch-1200"),
 * at most HISTORY_MAX_EPOCH. -1 for any other name. */
int history_keeps_epoch(int epoch, int epochs)
{
    static const int keep[] = {0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (epoch == keep[i])
            return 1;
    return epoch == epochs || epoch % 50 == 0;
}

static int snapshot_epoch(const char *name)
{
    if (strncmp(name, "epoch-", 6))
        return -1;
    const char *digits = name + 6;
    size_t n = strspn(digits, "0123456789");
    if (n < 3 || digits[n] != '\0' || n > 9) /* 9 digits cannot overflow an int */
        return -1;
    int epoch = atoi(digits);
    char canonical[32];
    snprintf(canonical, sizeof canonical, "%03d", epoch);
    if (strcmp(canonical, digits) || epoch > HISTORY_MAX_EPOCH) /* "epoch-0020" is not train's */
        return -1;
    return epoch;
}

struct snap {
    int epoch;
    struct bundle model;
};

static int cmp_snap(const void *a, const void *b)
{
    return cmp_int(&((const struct snap *)a)->epoch, &((const struct snap *)b)->epoch);
}

/* training_recurrent.csv (header model,epoch,loss,train_accuracy,test_accuracy):
 * each model's last row's test accuracy. Optional: anything unreadable is -1. */
static void read_recurrent_log(const char *dir, double acc[BUNDLE_N_RECURRENT])
{
    char path[4096];
    struct table t;
    struct error ignored;
    acc[BUNDLE_RNN] = acc[BUNDLE_LSTM] = -1.0;
    if (fsutil_join(path, sizeof path, dir, "training_recurrent.csv") || access(path, R_OK) ||
        table_read_max(&t, path, 1 << 22, &ignored))
        return;
    for (int r = 1; r < t.n_rows; r++) {
        if (t.rows[r].n_cells != 5)
            continue;
        const char *m = table_text(&t, r, 0), *why;
        int k = !strcmp(m, "rnn") ? BUNDLE_RNN : !strcmp(m, "lstm") ? BUNDLE_LSTM : -1;
        double v;
        if (k >= 0 && *table_text(&t, r, 4) && table_parse_number(table_text(&t, r, 4), &v, &why) == 0 && v >= 0 &&
            v <= 1)
            acc[k] = v;
    }
    table_free(&t);
}

int history_has_snapshots(const char *dir)
{
    char path[4096];
    struct stat st;
    return fsutil_join(path, sizeof path, dir, "snapshots") == 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* dir's snapshots into h (which holds none yet), each one that does not load a warning. */
static int load_snapshots(struct history *h, const char *dir, struct error *err)
{
    char path[4096], snap[4096];
    struct stat st;
    if (!history_has_snapshots(dir))
        return 0;
    fsutil_join(path, sizeof path, dir, "snapshots"); /* fits: history_has_snapshots joined it */
    DIR *d = opendir(path);
    if (!d)
        return error_file(err, path, _("cannot open"));
    /* Every entry that is not a snapshot train wrote (a stray file, a copy,
     * a damaged snapshot) is skipped with a warning: the model stays usable. */
    struct snap *snaps = NULL;
    int n = 0, cap = 0, oom = 0;
    struct dirent *e;
    while (!oom && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        int epoch = snapshot_epoch(e->d_name);
        if (epoch < 0) {
            char why[512]; /* room for a translation (Hangul takes 3 bytes a syllable) */
            /* TRANSLATORS: a warning after "PATH: ", PATH being an entry in the model's
               snapshots directory; %d is the largest epoch a snapshot's name may hold. */
            snprintf(why, sizeof why, _("ignored: not a snapshot (train names them epoch-NNN, from 000 to %d)"),
                     HISTORY_MAX_EPOCH);
            warn(h, path, e->d_name, why);
            continue;
        }
        struct error why;
        if (fsutil_join(snap, sizeof snap, path, e->d_name) || stat(snap, &st) != 0 || !S_ISDIR(st.st_mode)) {
            warn(h, path, e->d_name, _("ignored: not a snapshot (a snapshot is a directory)"));
            continue;
        }
        if (n == cap) {
            struct snap *p = realloc(snaps, (size_t)(cap = cap ? 2 * cap : 16) * sizeof *p);
            if (!p) {
                oom = 1;
                break;
            }
            snaps = p;
        }
        if (bundle_load(&snaps[n].model, snap, &why)) {
            char msg[sizeof why.msg + 32];
            /* TRANSLATORS: a warning after "PATH: "; %s is why the snapshot PATH did not load
               (itself "FILE:LINE:COL: reason"). */
            snprintf(msg, sizeof msg, _("ignored: %s"), why.msg);
            warn(h, path, e->d_name, msg);
            continue;
        }
        snaps[n++].epoch = epoch;
    }
    closedir(d);
    if (n) /* snaps is NULL when there are none */
        qsort(snaps, (size_t)n, sizeof *snaps, cmp_snap);
    h->snapshot_epoch = malloc((size_t)(n ? n : 1) * sizeof *h->snapshot_epoch);
    h->snapshots = calloc((size_t)(n ? n : 1), sizeof *h->snapshots);
    oom |= !h->snapshot_epoch || !h->snapshots;
    for (int i = 0; i < n; i++) {
        if (!oom) {
            h->snapshot_epoch[i] = snaps[i].epoch;
            h->snapshots[i] = snaps[i].model;
        } else {
            bundle_free(&snaps[i].model);
        }
    }
    free(snaps);
    if (oom) {
        free(h->snapshot_epoch);
        free(h->snapshots);
        h->snapshot_epoch = NULL;
        h->snapshots = NULL;
        return error_set(err, _("out of memory"));
    }
    h->n_snapshots = n;
    return 0;
}

/* training.csv, when dir has one. */
static int load_log(struct history *h, const char *dir, struct error *err)
{
    char path[4096];
    struct stat st;
    if (fsutil_join(path, sizeof path, dir, "training.csv") == 0 && stat(path, &st) == 0)
        return read_log(h, path, err);
    return 0;
}

int history_load(struct history *out, const char *dir, struct error *err)
{
    struct history h = {.bigram_perplexity = -1};
    read_recurrent_log(dir, h.recurrent_test_accuracy);
    if (load_snapshots(&h, dir, err) || load_log(&h, dir, err)) {
        history_free(&h);
        return -1;
    }
    *out = h;
    return 0;
}

int history_load_logs(struct history *out, const char *dir, struct error *err)
{
    struct history h = {.bigram_perplexity = -1};
    read_recurrent_log(dir, h.recurrent_test_accuracy);
    if (load_log(&h, dir, err)) {
        history_free(&h);
        return -1;
    }
    *out = h;
    return 0;
}

int history_load_snapshots(struct history *h, const char *dir, struct error *err)
{
    return load_snapshots(h, dir, err);
}

void history_free(struct history *h)
{
    for (int i = 0; h->snapshots && i < h->n_snapshots; i++)
        bundle_free(&h->snapshots[i]);
    free(h->snapshots);
    free(h->snapshot_epoch);
    free(h->loss);
    free(h->train_accuracy);
    free(h->test_accuracy);
    free(h->train_perplexity);
    free(h->test_perplexity);
    for (int i = 0; i < h->n_warnings; i++)
        free(h->warnings[i]);
    free(h->warnings);
    memset(h, 0, sizeof *h);
}
