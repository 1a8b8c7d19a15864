/* `attnstep transfer SMALL.csv --from BUNDLE --test TEST.csv --out DIR`: the
 * same small data, the same seed, three models — from scratch (BUNDLE's
 * tokenizer and sizes, every weight random), feature-based (--freeze encoder)
 * and fine-tuned (--freeze none) — written to DIR/scratch, DIR/feature and
 * DIR/finetune (each a model with its snapshots and training.csv, as train
 * writes them), with DIR/comparison.csv: epoch, and per model the mean
 * training loss and the test accuracy. DIR appears whole or not at all. */
#include "transfer_cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attnstep/bundle.h"
#include "attnstep/csvout.h"
#include "attnstep/dataset.h"
#include "attnstep/fsutil.h"
#include "attnstep/history.h"
#include "attnstep/i18n.h"
#include "attnstep/train.h"
#include "attnstep/transfer.h"
#include "attnstep/utf8.h"
#include "interrupt.h"
#include "lang.h"
#include "optval.h"

enum { SCRATCH, FEATURE, FINETUNE, N_MODELS };
static const char *const model_dir[N_MODELS] = {"scratch", "feature", "finetune"};

struct transfer_args {
    const char *data, *test, *out, *from;
    int epochs, force;
    double lr;
    unsigned long long seed;
};

static const char *const transfer_help_text[] = {
/* TRANSLATORS: transfer --help, one paragraph each. Keep each line within 79 columns (a Hangul syllable takes
   two) and keep option names, file and directory names (scratch, feature, finetune, comparison.csv) as they are. */
N_(
"Usage: attnstep transfer SMALL.csv --from BUNDLE --test TEST.csv --out DIR\n"
"                         [OPTIONS]\n"
"\n"),
/* TRANSLATORS: a paragraph of transfer --help, as above. */
N_(
"Trains three classifiers on the same small data with the same seed, and\n"
"measures each on the test sentences after every epoch:\n"
"  scratch   BUNDLE's tokenizer and sizes, every weight random\n"
"  feature   feature-based transfer: BUNDLE's embeddings, attention, norms\n"
"            and feed-forward stay exactly as they are; only a classifier on\n"
"            their pooled output learns (train --freeze encoder)\n"
"  finetune  fine-tuning: every weight starts from BUNDLE's and learns\n"
"            (train --freeze none)\n"
"A new classifier with random weights is made for feature and finetune when\n"
"a class of the data is not one of BUNDLE's. DIR gets the three models (scratch,\n"
"feature, finetune, each with its snapshots and training.csv) and\n"
"comparison.csv: epoch, then per model the mean training loss and the test\n"
"accuracy.\n"
"\n"),
/* TRANSLATORS: a paragraph of transfer --help, as above. */
N_(
"  --from BUNDLE    the pre-trained model (a classifier)\n"
"  --test FILE      held-out sentences (text,label) to compare the models on\n"
"  --out DIR        where to write (refused if not empty, see --force)\n"
"  --epochs N       passes over the data (default 20)\n"
"  --lr LR          Adam's learning rate (default 0.005)\n"
"  --seed S         seed for the random weights and the shuffling (default 1)\n"
"  --force          replace a non-empty DIR\n"
"  --lang LANG      language of the text: en or ko\n"
"  -h, --help       show this help\n"
"\n"),
/* TRANSLATORS: a paragraph of transfer --help, as above. */
N_(
"Example, from the source tree (a new task: product reviews, 48 sentences):\n"
"  attnstep transfer assets/data/reviews-en-train.csv \\\n"
"      --from assets/models/tiny-en --test assets/data/reviews-en-test.csv \\\n"
"      --out my-transfer\n"
"The same binary, data and seed give the same files, byte for byte.\n")
};

static int usage(const char *fmt, ...) ATTNSTEP_PRINTF(1, 2);
static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("attnstep: transfer: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s\n", _("Try 'attnstep transfer --help' for more information."));
    return 2;
}

static int parse_args(struct transfer_args *a, int argc, char **argv, int *exit_code)
{
    *a = (struct transfer_args){.epochs = 20, .lr = 0.005, .seed = 1};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            for (size_t k = 0; k < sizeof transfer_help_text / sizeof transfer_help_text[0]; k++)
                fputs(_(transfer_help_text[k]), stdout);
            *exit_code = 0;
            return -1;
        }
        if (!strcmp(o, "--force")) {
            a->force = 1;
            continue;
        }
        if (o[0] != '-') {
            if (a->data) {
                *exit_code = usage(_("more than one data file: %s"), o);
                return -1;
            }
            a->data = o;
            continue;
        }
        static const char *const valued[] = {"--out", "--test", "--from", "--lang", "--lr", "--seed", "--epochs"};
        size_t k = 0;
        while (k < sizeof valued / sizeof valued[0] && strcmp(o, valued[k]))
            k++;
        if (k == sizeof valued / sizeof valued[0]) {
            *exit_code = usage(_("unknown option %s"), o);
            return -1;
        }
        if (i + 1 >= argc) {
            *exit_code = usage(_("this option needs a value: %s"), o);
            return -1;
        }
        const char *v = argv[++i];
        if (!strcmp(o, "--out")) a->out = v;
        else if (!strcmp(o, "--test")) a->test = v;
        else if (!strcmp(o, "--from")) a->from = v;
        else if (!strcmp(o, "--lang")) {
            if (!lang_valid(v)) {
                *exit_code = usage(_("--lang must be en or ko, not '%s'"), v);
                return -1;
            }
        } else if (!strcmp(o, "--lr")) {
            if (optval_lr(v, &a->lr)) {
                *exit_code = usage(_("--lr takes a positive number below 10, not %s"), v);
                return -1;
            }
        } else if (!strcmp(o, "--seed")) {
            if (optval_seed(v, &a->seed)) {
                *exit_code = usage(_("--seed takes a whole number, not %s"), v);
                return -1;
            }
        } else {
            long n;
            if (optval_int(v, 1, 100000, &n)) {
                *exit_code = usage(_("this option takes a whole number from 1 to 100000: %s"), o);
                return -1;
            }
            a->epochs = (int)n;
        }
    }
    const char *missing = !a->data ? _("no data file: give a CSV with the header text,label")
                          : !a->from ? _("no --from BUNDLE: which pre-trained model should it transfer from?")
                          : !a->test ? _("no --test FILE: the three models are compared on held-out sentences")
                          : !a->out  ? _("no --out DIR: where should the models go?")
                                     : NULL;
    if (missing) {
        *exit_code = usage("%s", missing);
        return -1;
    }
    return 0;
}

/* One model's run: its directory inside the staging one, its training.csv,
 * and the figures comparison.csv needs, per epoch from 0. */
struct model_run {
    char dir[4200];
    struct csvout log;
    double *loss, *test_acc;
    struct error *err;
    int failed;
};

static int on_epoch(const struct train_epoch *e, const struct bundle *model, void *ctx)
{
    struct model_run *r = ctx;
    char dir[4300], name[32];
    if (history_keeps_epoch(e->epoch, e->epochs)) {
        snprintf(name, sizeof name, "snapshots/epoch-%03d", e->epoch);
        if (fsutil_join(dir, sizeof dir, r->dir, name) || mkdir(dir, 0777) || bundle_write_dir(model, dir, r->err)) {
            if (!r->err->msg[0])
                error_file(r->err, dir, _("cannot write a snapshot: %s"), strerror(errno));
            r->failed = 1;
            return 1;
        }
    }
    r->loss[e->epoch] = e->loss;
    r->test_acc[e->epoch] = e->test_accuracy;
    csvout_number(&r->log, e->epoch);
    csvout_number(&r->log, e->loss);
    csvout_number(&r->log, e->train_accuracy);
    csvout_number(&r->log, e->test_accuracy);
    csvout_end_row(&r->log);
    return fsutil_interrupted != 0;
}

/* Trains one of the three models into staging/<its name>. */
static int run_model(int which, const struct transfer_args *a, const char *staging, double *loss, double *test_acc,
                     struct error *err)
{
    struct dataset_job_spec spec = {
        .data = a->data, .test = a->test, .from = a->from, .name = model_dir[which], .d_model = 16, .heads = 2,
        .d_ff = 32, .lr = a->lr, .seed = a->seed, .merges = DATASET_MERGES, .scratch = which == SCRATCH,
        .freeze = which == FEATURE ? TRANSFER_FREEZE_ENCODER : TRANSFER_FREEZE_NONE,
    };
    struct dataset_job job;
    struct model_run r = {.loss = loss, .test_acc = test_acc, .err = err};
    int rc = -1;
    if (dataset_job_prepare(&job, &spec, err))
        goto done;
    if (which == SCRATCH) {
        const struct transfer_coverage *c = &job.coverage, *t = &job.test_coverage;
        /* TRANSLATORS: transfer's first line: the training file and the test file (paths), the model (a path),
           then the tokens read as <unk> in each (of all the tokens). */
        printf(_("%s and %s as %s reads them: %ld of %ld and %ld of %ld tokens are <unk>"), a->data, a->test,
               a->from, c->unk, c->tokens, t->unk, t->tokens);
        putchar('\n');
    }
    char desc[1200];
    if (which == SCRATCH)
        snprintf(desc, sizeof desc, "trained: attnstep transfer %s --from %s --test %s --epochs %d --lr %g --seed %llu "
                 "(scratch: the tokenizer and sizes of %s, random weights)", a->data, a->from, a->test, a->epochs,
                 a->lr, a->seed, a->from);
    else
        snprintf(desc, sizeof desc, "trained: attnstep train %s --test %s --epochs %d --lr %g --seed %llu --from %s%s",
                 a->data, a->test, a->epochs, a->lr, a->seed, a->from, which == FEATURE ? " --freeze encoder" : "");
    free(job.model.description);
    job.model.description = strdup(desc);
    char path[4300];
    if (fsutil_join(r.dir, sizeof r.dir, staging, model_dir[which]) || mkdir(r.dir, 0777) ||
        fsutil_join(path, sizeof path, r.dir, "snapshots") || mkdir(path, 0777) ||
        fsutil_join(path, sizeof path, r.dir, "training.csv") || csvout_open(&r.log, path, err)) {
        if (!err->msg[0])
            error_file(err, staging, _("cannot write: %s"), strerror(errno));
        goto done;
    }
    static const char *const head[] = {"epoch", "loss", "train_accuracy", "test_accuracy"};
    for (int i = 0; i < 4; i++)
        csvout_text(&r.log, head[i]);
    csvout_end_row(&r.log);
    job.tr.stop = &fsutil_interrupted;
    int fit = train_fit(&job.tr, &job.train_set, &job.test_set, a->epochs, 16, a->seed, on_epoch, &r);
    int closed = csvout_close(&r.log, r.failed ? NULL : err);
    if (fit || r.failed || closed || fsutil_interrupted || bundle_write_dir(&job.model, r.dir, err)) {
        if (fit && !err->msg[0])
            error_set(err, "%s", _("out of memory"));
        goto done;
    }
    rc = 0;
done:
    dataset_job_free(&job);
    return rc;
}

static int write_comparison(const char *staging, int epochs, double *const loss[N_MODELS],
                            double *const test_acc[N_MODELS], struct error *err)
{
    char path[4200];
    struct csvout w;
    if (fsutil_join(path, sizeof path, staging, "comparison.csv") || csvout_open(&w, path, err))
        return -1;
    csvout_text(&w, "epoch");
    for (int m = 0; m < N_MODELS; m++) {
        char name[64];
        snprintf(name, sizeof name, "%s_loss", model_dir[m]);
        csvout_text(&w, name);
        snprintf(name, sizeof name, "%s_test_accuracy", model_dir[m]);
        csvout_text(&w, name);
    }
    csvout_end_row(&w);
    for (int e = 0; e <= epochs; e++) {
        csvout_number(&w, e);
        for (int m = 0; m < N_MODELS; m++) {
            csvout_number(&w, loss[m][e]);
            csvout_number(&w, test_acc[m][e]);
        }
        csvout_end_row(&w);
    }
    return csvout_close(&w, err);
}

int transfer_cmd(int argc, char **argv)
{
    struct transfer_args a;
    int code = 0;
    if (parse_args(&a, argc, argv, &code))
        return code;
    struct error err = {{0}};
    /* TRANSLATORS: what --out would overwrite, as in train's error. */
    const struct { const char *path, *what; } inputs[] = {
        {a.from, N_("the model being read")}, {a.data, N_("the training data")}, {a.test, N_("the test data")},
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        if (fsutil_check_not_input(a.out, inputs[i].path, _(inputs[i].what), &err))
            return fprintf(stderr, "attnstep: %s\n", err.msg), 1;
    double *mem = calloc((size_t)2 * N_MODELS * (size_t)(a.epochs + 1), sizeof *mem);
    if (!mem)
        return fprintf(stderr, "attnstep: %s\n", _("out of memory")), 1;
    double *loss[N_MODELS], *test_acc[N_MODELS];
    for (int m = 0; m < N_MODELS; m++) {
        loss[m] = mem + (size_t)(2 * m) * (size_t)(a.epochs + 1);
        test_acc[m] = mem + (size_t)(2 * m + 1) * (size_t)(a.epochs + 1);
    }
    char staging[4096];
    int rc = 1;
    interrupt_catch();
    if (fsutil_check_target(a.out, a.force, &err) || fsutil_make_staging(a.out, staging, sizeof staging, &err))
        goto done;
    /* TRANSLATORS: the names of transfer's three models in its summary, at most 13 columns. */
    static const char *const label[N_MODELS] = {N_("scratch"), N_("feature-based"), N_("fine-tuned")};
    for (int m = 0; m < N_MODELS; m++) {
        if (run_model(m, &a, staging, loss[m], test_acc[m], &err)) {
            if (fsutil_interrupted)
                fsutil_interrupted_error(a.out, &err);
            fsutil_discard(staging);
            goto done;
        }
        /* TRANSLATORS: one line per model after it is trained, after its name (as above): its test accuracy
           before training (epoch 0) and after the last epoch, and the epochs. */
        const char *name = _(label[m]);
        int pad = 14 - utf8_width(name); /* the names in a column, 13 wide, then a space */
        printf("%s%*s", name, pad > 0 ? pad : 1, "");
        printf(_("test accuracy %5.1f%% at the start, %5.1f%% after %d epochs"), 100 * test_acc[m][0],
               100 * test_acc[m][a.epochs], a.epochs);
        putchar('\n');
        fflush(stdout);
    }
    if (write_comparison(staging, a.epochs, loss, test_acc, &err)) {
        fsutil_discard(staging);
        goto done;
    }
    if (fsutil_commit(staging, a.out, a.force, &err))
        goto done;
    fputs("attnstep: ", stdout);
    /* TRANSLATORS: transfer's last line, after "attnstep: ": the directory written. */
    printf(_("wrote %s (scratch, feature, finetune and comparison.csv)"), a.out);
    putchar('\n');
    rc = 0;
done:
    if (rc)
        fprintf(stderr, "attnstep: %s\n", err.msg);
    free(mem);
    interrupt_release();
    return rc;
}
