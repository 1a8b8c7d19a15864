/* `attnstep train DATA.csv --out DIR …`: reads `text,label` sentences, builds
 * the vocabulary and the classes, trains with Adam and cross-entropy, and
 * writes the model (plus snapshots along the way and training.csv) atomically.
 * With --task lm: a language model on the text column (next-token
 * prediction), measured against an add-one bigram on the same tokens. */
#include "train_cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attnstep/bundle.h"
#include "attnstep/csvout.h"
#include "attnstep/dataset.h"
#include "attnstep/fsutil.h"
#include "attnstep/history.h"
#include "attnstep/i18n.h"
#include "attnstep/train.h"
#include "attnstep/transfer.h"
#include "attnstep/train_recurrent.h"
#include "attnstep/utf8.h"
#include "interrupt.h"
#include "lang.h"
#include "optval.h"
#include "train_recurrent_cmd.h"

struct train_args {
    const char *data, *test, *out, *from;
    int epochs, d_model, heads, d_ff, force, bench;
    int word_tokenizer, merges, tokenizer_given; /* merges 0: not given */
    int lm;                                      /* --task lm */
    int freeze;                                  /* --freeze: enum transfer_freeze, -1 when not given */
    int d_hidden;                                /* --recurrent / --d-hidden: 0 without */
    double lr;
    unsigned long long seed;
};

/* One msgid per paragraph: a translator sees whole paragraphs, and no string
 * nears the 4095 bytes C11 compilers need only take in one. */
static const char *const train_help_text[] = {
/* TRANSLATORS: a paragraph of train --help. Keep each line within 79 columns
   (a Hangul syllable takes two) and keep option names, keys and commands as they are. */
N_(
"Usage: attnstep train DATA.csv --out DIR [OPTIONS]\n"
"\n"),
N_(
"Learns W_Q, W_K, W_V and the rest of a one-block transformer classifier from\n"
"sentences with labels (a CSV file with the header text,label), and writes the\n"
"model bundle to DIR, with snapshots along the way for the training view.\n"
"\n"),
N_(
"  --out DIR        where to write the model (refused if not empty, see --force)\n"
"  --test FILE      held-out sentences (text,label) to measure generalisation\n"
"  --epochs N       passes over the data (default 20)\n"
"  --d-model D      width of the word vectors (default 16)\n"
"  --heads H        attention heads, must divide D (default 2)\n"
"  --d-ff F         width of the feed-forward layer (default 32)\n"
"  --lr LR          Adam's learning rate (default 0.005)\n"
"  --seed S         seed for the initial weights and the shuffling (default 1)\n"
"  --from BUNDLE    start from an existing model instead of random weights\n"
"                   (and its tokenizer)\n"
"  --freeze MODE    with --from: none (the default) fine-tunes every weight;\n"
"                   encoder keeps the embeddings, attention, norms and\n"
"                   feed-forward as they are and trains only the classifier on\n"
"                   the pooled features (feature-based transfer). A new\n"
"                   classifier is made when a class of the data is not one of\n"
"                   the model's\n"
"  --tokenizer T    how sentences are cut into tokens: bpe (the default) cuts\n"
"                   words into pieces learned from the data, word keeps every\n"
"                   word whole (the model then knows only the data's words)\n"
"  --merges N       bpe: learn at most N merges (default 200); more merges\n"
"                   keep more words whole, fewer cut them into smaller pieces\n"
"  --force          replace a non-empty DIR\n"
"  --bench          train without writing anything and print the sentences per\n"
"                   second (bench/torch_compare.py sets PyTorch beside it)\n"
"  --lang LANG      language of the text: en or ko\n"
"  -h, --help       show this help\n"
"\n"),
N_(
"Language models:\n"
"  --task T         classify (the default): learn the classes of text,label\n"
"                   data; lm: learn to predict the next token (a language model)\n"
"\n"),
/* TRANSLATORS: a paragraph of train --help, as above. <eos>, perplexity's formula and option names stay. */
N_(
"With --task lm the data needs a text column (other columns are ignored). Each\n"
"sentence is read as its tokens followed by <eos>: position p learns to predict\n"
"token p+1, and the last position <eos>, with the causal mask always on. The\n"
"loss is the mean cross-entropy over the tokens predicted in a batch (every\n"
"token counts once, so a long sentence weighs more than a short one); an\n"
"epoch's loss is its mean over the epoch, while the weights still change. The\n"
"perplexity, exp(mean cross-entropy per token predicted), is measured after\n"
"each epoch on the training sentences and, with --test, on the held-out ones;\n"
"train also prints an add-one smoothed bigram's perplexity on the same held-out\n"
"tokens: the baseline to beat. --from does not work with --task lm yet. For\n"
"example:\n"
"  attnstep train assets/data/lm-en-train.csv --task lm --tokenizer word \\\n"
"      --test assets/data/lm-en-test.csv --out my-lm\n"
"  attnstep --model my-lm --generate 8 my mother\n"
"Its training view draws the perplexity curve, with the bigram's level as a\n"
"dashed line, where a classifier's shows the accuracy.\n"
"\n"),
/* TRANSLATORS: a paragraph of train --help, as above. Keep option and file names as they are. */
N_(
"Recurrent models, for the compare view:\n"
"  --recurrent      also train an RNN and an LSTM classifier (final hidden\n"
"                   state, then a linear layer and softmax) after the\n"
"                   transformer, with the same data, batches, epochs, learning\n"
"                   rate and seed; they read the transformer's trained\n"
"                   embeddings and do not change them\n"
"  --d-hidden N     their hidden state's width (default 16; implies\n"
"                   --recurrent). Their accuracies go to training_recurrent.csv\n"
"\n"),
N_(
"Example, from the source tree:\n"
"  attnstep train assets/data/sentiment-en-train.csv \\\n"
"      --test assets/data/sentiment-en-test.csv --out my-model\n"
"  attnstep --model my-model\n"
"\n"),
N_(
"Then press v until the training view: the step keys move from the random start\n"
"(epoch 0) to the end, showing the attention, the prediction, W_Q, W_K and W_V\n"
"of each snapshot beside the loss and accuracy curves; R retrains the model from\n"
"random, live, with the command recorded in its config.csv.\n"
"\n"),
N_(
"The same binary, data and seed give the same model, byte for byte.\n")
};

static void train_help(void)
{
    for (size_t i = 0; i < sizeof train_help_text / sizeof train_help_text[0]; i++)
        fputs(_(train_help_text[i]), stdout);
}

static int usage(const char *fmt, ...) ATTNSTEP_PRINTF(1, 2);
static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("attnstep: train: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s\n", _("Try 'attnstep train --help' for more information."));
    return 2;
}

static int parse_args(struct train_args *a, int argc, char **argv, int *exit_code)
{
    *a = (struct train_args){.epochs = 20, .d_model = 16, .heads = 2, .d_ff = 32, .lr = 0.005, .seed = 1,
                             .freeze = -1};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            train_help();
            *exit_code = 0;
            return -1;
        }
        if (!strcmp(o, "--recurrent")) {
            a->d_hidden = a->d_hidden ? a->d_hidden : TRAIN_RECURRENT_D_HIDDEN;
            continue;
        }
        if (!strcmp(o, "--force") || !strcmp(o, "--bench")) {
            *(o[2] == 'f' ? &a->force : &a->bench) = 1;
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
        static const char *const valued[] = {"--out",     "--test",    "--from",  "--lang",      "--lr",    "--seed",
                                             "--epochs",  "--d-model", "--heads", "--d-ff",      "--tokenizer",
                                             "--merges",  "--task",    "--freeze",
                                             "--d-hidden"};
        size_t k = 0;
        while (k < sizeof valued / sizeof valued[0] && strcmp(o, valued[k]))
            k++;
        if (k == sizeof valued / sizeof valued[0]) { /* an unknown option last is unknown, not missing a value */
            *exit_code = usage(_("unknown option %s"), o);
            return -1;
        }
        if (i + 1 >= argc) {
            *exit_code = usage(_("this option needs a value: %s"), o);
            return -1;
        }
        const char *v = argv[++i];
        char *end = NULL;
        long n = 0;
        if (!strcmp(o, "--out")) a->out = v;
        else if (!strcmp(o, "--test")) a->test = v;
        else if (!strcmp(o, "--from")) a->from = v;
        else if (!strcmp(o, "--freeze")) {
            if (strcmp(v, "none") && strcmp(v, "encoder")) {
                /* TRANSLATORS: %s is the value given to --freeze; none and encoder stay as they are. */
                *exit_code = usage(_("--freeze must be none or encoder, not '%s'"), v);
                return -1;
            }
            a->freeze = v[0] == 'e' ? TRANSFER_FREEZE_ENCODER : TRANSFER_FREEZE_NONE;
        } else if (!strcmp(o, "--d-hidden")) {
            errno = 0;
            n = strtol(v, &end, 10);
            if (end == v || *end || errno || n < 1 || n > BUNDLE_MAX_D_MODEL) {
                /* TRANSLATORS: %d is the largest width allowed, %s the value given. */
                *exit_code = usage(_("--d-hidden takes a whole number from 1 to %d, not %s"), BUNDLE_MAX_D_MODEL, v);
                return -1;
            }
            a->d_hidden = (int)n;
        } else if (!strcmp(o, "--task")) {
            if (strcmp(v, "classify") && strcmp(v, "lm")) {
                /* TRANSLATORS: %s is the value given to --task; classify and lm stay as they are. */
                *exit_code = usage(_("--task must be classify or lm, not '%s'"), v);
                return -1;
            }
            a->lm = v[0] == 'l';
        } else if (!strcmp(o, "--tokenizer")) {
            if (strcmp(v, "bpe") && strcmp(v, "word")) {
                *exit_code = usage(_("--tokenizer must be bpe or word, not '%s'"), v);
                return -1;
            }
            a->word_tokenizer = v[0] == 'w';
            a->tokenizer_given = 1;
        } else if (!strcmp(o, "--merges")) {
            errno = 0;
            n = strtol(v, &end, 10);
            if (end == v || *end || errno || n < 1 || n > BPE_MAX_MERGES) {
                *exit_code = usage(_("--merges takes a whole number from 1 to %d, not %s"), BPE_MAX_MERGES, v);
                return -1;
            }
            a->merges = (int)n;
        }
        else if (!strcmp(o, "--lang")) {
            /* main's lang_setup has already chosen the language from it */
            if (!lang_valid(v)) {
                *exit_code = usage(_("--lang must be en or ko, not '%s'"), v);
                return -1;
            }
        }
        else if (!strcmp(o, "--lr")) {
            if (optval_lr(v, &a->lr)) {
                *exit_code = usage(_("--lr takes a positive number below 10, not %s"), v);
                return -1;
            }
        } else if (!strcmp(o, "--seed")) {
            if (optval_seed(v, &a->seed)) {
                *exit_code = usage(_("--seed takes a whole number, not %s"), v);
                return -1;
            }
        } else if (!strcmp(o, "--epochs") || !strcmp(o, "--d-model") || !strcmp(o, "--heads") ||
                   !strcmp(o, "--d-ff")) {
            if (optval_int(v, 1, 100000, &n)) {
                *exit_code = usage(_("this option takes a whole number from 1 to 100000: %s"), o);
                return -1;
            }
            if (!strcmp(o, "--epochs")) a->epochs = (int)n;
            else if (!strcmp(o, "--d-model")) a->d_model = (int)n;
            else if (!strcmp(o, "--heads")) a->heads = (int)n;
            else a->d_ff = (int)n;
        } else {
            *exit_code = usage(_("unknown option %s"), o);
            return -1;
        }
    }
    if (!a->data) {
        *exit_code = usage("%s", _("no data file: give a CSV with the header text,label"));
        return -1;
    }
    if (a->from && (a->tokenizer_given || a->merges) && !a->lm) {
        *exit_code = usage("%s", _("--tokenizer and --merges make a new model: with --from, the model keeps its "
                                   "tokenizer"));
        return -1;
    }
    if (a->freeze >= 0 && !a->from) {
        *exit_code = usage("%s", _("--freeze goes with --from: it says which of the model's weights stay as they are"));
        return -1;
    }
    if (a->merges && a->word_tokenizer) {
        *exit_code = usage("%s", _("--merges goes with --tokenizer bpe, not with --tokenizer word"));
        return -1;
    }
    if (a->d_hidden && a->lm) {
        *exit_code = usage("%s", _("--recurrent and --d-hidden train classifiers: not with --task lm"));
        return -1;
    }
    if (!a->out && !a->bench) {
        *exit_code = usage("%s", _("no --out DIR: where should the model go?"));
        return -1;
    }
    return 0;
}

static double mean_len(const struct train_set *s)
{
    double sum = 0;
    for (int i = 0; i < s->n; i++)
        sum += s->ex[i].n;
    return s->n ? sum / s->n : 0;
}

/* ---- progress, snapshots ------------------------------------------------- */

struct run {
    const struct train_args *args;
    char staging[4096];
    struct csvout log;
    int tty, cols; /* stderr is a terminal this many columns wide */
    struct timespec start;
    struct error *err;
    int failed;
    double bigram;       /* --task lm with --test: the bigram baseline's perplexity, else -1 */
    double last_test_ppl; /* --task lm: the held-out perplexity after the last epoch, -1 without --test */
};

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* bar (3·len + 1 bytes) = len cells, the done part of epoch/epochs full. */
static void epoch_bar(char *bar, int len, int epoch, int epochs)
{
    int filled = epochs ? len * epoch / epochs : len;
    bar[0] = '\0';
    for (int i = 0; i < len; i++)
        strcat(bar, i < filled ? "█" : "░");
}

/* A language model's progress: perplexities instead of accuracies. */
static void lm_progress(const struct run *r, const struct train_epoch *e, double left)
{
    char line[1024];
    int tested = e->test_perplexity >= 0;
    if (r->tty) {
        for (int len = 24; len >= 0; len--) {
            char bar[3 * 24 + 1];
            epoch_bar(bar, len, e->epoch, e->epochs);
            if (tested)
                /* TRANSLATORS: train --task lm's progress line on a terminal, rewritten after each epoch: the
                   epoch, the number of epochs, a bar (%s, up to 24 columns), the loss, the perplexity on the
                   training and on the test sentences, and the seconds left. */
                snprintf(line, sizeof line, _("  epoch %3d/%d %s  loss %.4f  perplexity train %.2f  test %.2f  "
                                              "%.0f s left "),
                         e->epoch, e->epochs, bar, e->loss, e->train_perplexity, e->test_perplexity, left);
            else
                /* TRANSLATORS: as above, when there are no test sentences. */
                snprintf(line, sizeof line, _("  epoch %3d/%d %s  loss %.4f  perplexity train %.2f  %.0f s left "),
                         e->epoch, e->epochs, bar, e->loss, e->train_perplexity, left);
            if (utf8_width(line) < r->cols)
                break;
        }
        if (utf8_width(line) >= r->cols) { /* too narrow even without the bar */
            snprintf(line, sizeof line, "%d/%d  %.4f  %.2f ", e->epoch, e->epochs, e->loss,
                     tested ? e->test_perplexity : e->train_perplexity);
        }
        fprintf(stderr, "\r%s", line);
        if (e->epoch == e->epochs)
            fputc('\n', stderr);
        fflush(stderr);
        return;
    }
    if (tested)
        /* TRANSLATORS: train --task lm's line after each epoch when the output is not a terminal: the epoch,
           the number of epochs, the loss, the perplexity on the training and on the test sentences. */
        printf(_("epoch %d/%d  loss %.4f  perplexity train %.2f  test %.2f"), e->epoch, e->epochs, e->loss,
               e->train_perplexity, e->test_perplexity);
    else
        /* TRANSLATORS: as above, when there are no test sentences. */
        printf(_("epoch %d/%d  loss %.4f  perplexity train %.2f"), e->epoch, e->epochs, e->loss, e->train_perplexity);
    putchar('\n');
    fflush(stdout);
}

static int on_epoch(const struct train_epoch *e, const struct bundle *model, void *ctx)
{
    struct run *r = ctx;
    char dir[4200], name[32];
    if (history_keeps_epoch(e->epoch, e->epochs)) {
        snprintf(name, sizeof name, "snapshots/epoch-%03d", e->epoch);
        if (fsutil_join(dir, sizeof dir, r->staging, name) || mkdir(dir, 0777) ||
            bundle_write_dir(model, dir, r->err)) {
            if (!r->err->msg[0])
                /* TRANSLATORS: an error reason after "attnstep: DIR: "; %s: the system's reason. */
                error_file(r->err, dir, _("cannot write a snapshot: %s"), strerror(errno));
            r->failed = 1;
            return 1;
        }
    }
    csvout_number(&r->log, e->epoch);
    csvout_number(&r->log, e->loss);
    if (r->args->lm) { /* epoch,loss,train_perplexity,test_perplexity,bigram_perplexity */
        csvout_number(&r->log, e->train_perplexity);
        if (e->test_perplexity >= 0)
            csvout_number(&r->log, e->test_perplexity);
        else
            csvout_text(&r->log, "");
        if (r->bigram >= 0)
            csvout_number(&r->log, r->bigram);
        else
            csvout_text(&r->log, "");
    } else {
        csvout_number(&r->log, e->train_accuracy);
        if (e->test_accuracy >= 0)
            csvout_number(&r->log, e->test_accuracy);
        else
            csvout_text(&r->log, "");
    }
    csvout_end_row(&r->log);
    double spent = seconds_since(&r->start);
    double left = e->epoch ? spent / e->epoch * (e->epochs - e->epoch) : 0;
    int tested = e->test_accuracy >= 0;
    if (r->args->lm) {
        r->last_test_ppl = e->test_perplexity;
        lm_progress(r, e, left);
    } else if (r->tty) {
        /* The bar gives way until the line fits the terminal: a line that
         * wraps cannot be rewritten with \r. */
        char line[1024];
        for (int len = 24; len >= 0; len--) {
            char bar[3 * 24 + 1];
            epoch_bar(bar, len, e->epoch, e->epochs);
            if (tested)
                /* TRANSLATORS: train's progress line on a terminal, rewritten after each epoch: the epoch,
                   the number of epochs, a bar (%s, up to 24 columns, narrower on a narrow terminal), the
                   loss, the accuracy on the training and on the test sentences, and the seconds left. */
                snprintf(line, sizeof line, _("  epoch %3d/%d %s  loss %.4f  train %5.1f%%  test %5.1f%%  %.0f s left "),
                         e->epoch, e->epochs, bar, e->loss, 100 * e->train_accuracy, 100 * e->test_accuracy, left);
            else
                /* TRANSLATORS: as above, when there are no test sentences. */
                snprintf(line, sizeof line, _("  epoch %3d/%d %s  loss %.4f  train %5.1f%%  %.0f s left "), e->epoch,
                         e->epochs, bar, e->loss, 100 * e->train_accuracy, left);
            if (utf8_width(line) < r->cols)
                break;
        }
        if (utf8_width(line) >= r->cols) { /* too narrow even without the bar: the short line, as in a log */
            if (tested)
                snprintf(line, sizeof line, _("epoch %d/%d  loss %.4f  train %.1f%%  test %5.1f%%"), e->epoch,
                         e->epochs, e->loss, 100 * e->train_accuracy, 100 * e->test_accuracy);
            else
                snprintf(line, sizeof line, _("epoch %d/%d  loss %.4f  train %.1f%%"), e->epoch, e->epochs, e->loss,
                         100 * e->train_accuracy);
            size_t n = strlen(line); /* room for what a longer previous line leaves behind */
            if (n + 2 < sizeof line)
                memcpy(line + n, " ", 2);
        }
        fprintf(stderr, "\r%s", line); /* over the previous epoch's line */
        if (e->epoch == e->epochs)
            fputc('\n', stderr);
        fflush(stderr);
    } else {
        if (tested)
            /* TRANSLATORS: train's line after each epoch when the output is not a terminal: the epoch, the
               number of epochs, the loss, the accuracy on the training and on the test sentences. */
            printf(_("epoch %d/%d  loss %.4f  train %.1f%%  test %5.1f%%"), e->epoch, e->epochs, e->loss,
                   100 * e->train_accuracy, 100 * e->test_accuracy);
        else
            /* TRANSLATORS: as above, when there are no test sentences. */
            printf(_("epoch %d/%d  loss %.4f  train %.1f%%"), e->epoch, e->epochs, e->loss, 100 * e->train_accuracy);
        putchar('\n');
        fflush(stdout);
    }
    return 0;
}

/* ---- --from: what is kept, what is new, and the words it does not know ---- */

/* Lines on standard output: the weights trained, the classifier kept or new,
 * and how the model's tokenizer reads the data (as at inference). */
static void train_from_report(const struct train_args *a, const struct dataset_job *job)
{
    const struct bundle *m = &job->model;
    if (a->freeze == TRANSFER_FREEZE_ENCODER)
        /* TRANSLATORS: train --from --freeze encoder's first line; %s: the model (a path). */
        printf(_("feature-based transfer from %s: embeddings, attention, norms and feed-forward stay as they are; "
                 "only the classifier (w_cls, b_cls) learns"), a->from);
    else
        /* TRANSLATORS: train --from's first line (--freeze none, the default); %s: the model (a path). */
        printf(_("fine-tuning %s: every weight starts from the model's and learns"), a->from);
    putchar('\n');
    if (job->new_classifier)
        /* TRANSLATORS: %d: the classes of the data; %s: the model (a path). */
        printf(ngettext("a new classifier with random weights over the data's %d class: they are not those of %s",
                        "a new classifier with random weights over the data's %d classes: they are not those of %s",
                        (unsigned long)m->enc.n_labels),
               m->enc.n_labels, a->from);
    else
        /* TRANSLATORS: %s: the model (a path). */
        printf(_("the classifier of %s is kept: the data's classes are among its classes"), a->from);
    putchar('\n');
    const struct transfer_coverage *c = &job->coverage;
    if (m->has_tokenizer)
        /* TRANSLATORS: train --from with a model that cuts words into pieces: the data file (a path), its words,
           how many of them the tokenizer cuts into pieces, how many have no known piece at all, then of all the
           pieces (tokens) how many are <unk>. */
        printf(_("%s as the model reads it: %ld words, %ld of them cut into pieces, %ld wholly unknown; %ld of %ld "
                 "tokens are <unk> (%.1f%%)"),
               a->data, c->words, c->pieced, c->unknown, c->unk, c->tokens,
               c->tokens ? 100.0 * c->unk / c->tokens : 0.0);
    else
        /* TRANSLATORS: train --from with a model whose tokens are whole words: the data file (a path), then of
           its tokens how many the vocabulary does not have (read as <unk>). */
        printf(_("%s as the model reads it: %ld of %ld tokens are not in its vocabulary and read as <unk> "
                 "(%.1f%%)"),
               a->data, c->unk, c->tokens, c->tokens ? 100.0 * c->unk / c->tokens : 0.0);
    putchar('\n');
    if (a->test) {
        c = &job->test_coverage;
        /* TRANSLATORS: the same for the test file (a path): tokens read as <unk>, of all its tokens. */
        printf(_("%s: %ld of %ld tokens are <unk> (%.1f%%)"), a->test, c->unk, c->tokens,
               c->tokens ? 100.0 * c->unk / c->tokens : 0.0);
        putchar('\n');
    }
    fflush(stdout);
}

/* ---- the command ----------------------------------------------------------- */

int train_cmd(int argc, char **argv)
{
    struct train_args a;
    int code = 0;
    if (parse_args(&a, argc, argv, &code))
        return code;
    struct error err = {{0}};
    int rc = 1;
    struct run run = {.args = &a, .tty = isatty(STDERR_FILENO), .cols = 80, .err = &err, .bigram = -1,
                      .last_test_ppl = -1};
    struct winsize ws;
    if (run.tty && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        run.cols = ws.ws_col;
    const char *out = a.out ? a.out : "bench";
    const char *slash = strrchr(out, '/');
    struct dataset_job_spec spec = {
        .data = a.data, .test = a.test, .from = a.from, .name = slash && slash[1] ? slash + 1 : out,
        .d_model = a.d_model, .heads = a.heads, .d_ff = a.d_ff, .lr = a.lr, .seed = a.seed,
        .word_tokenizer = a.word_tokenizer, .merges = a.merges ? a.merges : DATASET_MERGES, .lm = a.lm,
        .freeze = a.freeze > 0 ? a.freeze : TRANSFER_FREEZE_NONE,
    };
    /* Replacing DIR must not destroy what this run reads. */
    /* TRANSLATORS: what --out would overwrite, inside the error "DIR: is (or contains, or is inside) %s
       (PATH); choose another directory". */
    const struct { const char *path, *what; } inputs[] = {
        {a.from, N_("the model being read")}, {a.data, N_("the training data")}, {a.test, N_("the test data")},
    };
    for (size_t i = 0; a.out && i < sizeof inputs / sizeof inputs[0]; i++)
        if (inputs[i].path && fsutil_check_not_input(a.out, inputs[i].path, _(inputs[i].what), &err))
            return fprintf(stderr, "attnstep: %s\n", err.msg), 1;
    struct dataset_job job;
    struct bundle *const model = &job.model;
    struct train_set *const train_set = &job.train_set;
    if (dataset_job_prepare(&job, &spec, &err))
        goto done;
    char desc[1024], tok[64] = "", rec[48] = "";
    if (a.d_hidden)
        snprintf(rec, sizeof rec, " --recurrent --d-hidden %d", a.d_hidden);
    if (!a.from && a.word_tokenizer)
        snprintf(tok, sizeof tok, " --tokenizer word");
    else if (!a.from)
        snprintf(tok, sizeof tok, " --tokenizer bpe --merges %d", spec.merges);
    snprintf(desc, sizeof desc, "trained: attnstep train %s%s%s%s%s --epochs %d --d-model %d --heads %d --d-ff %d "
             "--lr %g --seed %llu%s%s%s", a.data, a.lm ? " --task lm" : "", a.test ? " --test " : "", a.test ? a.test : "",
             tok, a.epochs,
             model->d_model, model->n_heads, model->enc.d_ff, a.lr, a.seed, rec, a.from ? " --from " : "",
             a.from ? a.from : "");
    if (a.from && a.freeze == TRANSFER_FREEZE_ENCODER) {
        size_t n = strlen(desc);
        snprintf(desc + n, sizeof desc - n, " --freeze encoder");
    }
    free(model->description);
    model->description = strdup(desc);
    if (a.bench) { /* without a report, train_fit runs the training steps alone: forward, backward, Adam */
        clock_gettime(CLOCK_MONOTONIC, &run.start);
        if (train_fit(&job.tr, train_set, NULL, a.epochs, 16, a.seed, NULL, NULL))
            goto done;
        double train_secs = seconds_since(&run.start);
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        train_accuracy(&job.tr, train_set, NULL); /* forward passes alone, once over the data */
        double eval_secs = seconds_since(&t0);
        /* TRANSLATORS: train --bench's first line: the training sentences, the epochs, the model's sizes
           (d_model, heads, d_ff) and the mean number of tokens per sentence. */
        printf(ngettext("train bench: %d sentence × %d epochs, d_model %d, %d heads, d_ff %d, mean %.1f tokens",
                        "train bench: %d sentences × %d epochs, d_model %d, %d heads, d_ff %d, mean %.1f tokens",
                        (unsigned long)train_set->n),
               train_set->n, a.epochs, model->d_model, model->n_heads, model->enc.d_ff, mean_len(train_set));
        putchar('\n');
        /* TRANSLATORS: train --bench's second line: sentences trained per second, sentences evaluated per
           second, and the seconds both took. bench/torch_compare.py reads the English line. */
        printf(_("%.0f training sentences/s (forward + backward + Adam), %.0f evaluated sentences/s, %.2f s in all"),
               train_set->n * (double)a.epochs / train_secs, train_set->n / eval_secs, train_secs + eval_secs);
        putchar('\n');
        rc = 0;
        goto done;
    }
    /* From here until the model is in place, a signal stops the run and the staging directory goes. */
    interrupt_catch();
    if (fsutil_check_target(a.out, a.force, &err) || fsutil_make_staging(a.out, run.staging, sizeof run.staging, &err))
        goto done;
    char path[4200];
    if (fsutil_join(path, sizeof path, run.staging, "snapshots") || mkdir(path, 0777) ||
        fsutil_join(path, sizeof path, run.staging, "training.csv") || csvout_open(&run.log, path, &err)) {
        if (!err.msg[0])
            /* TRANSLATORS: an error reason after "attnstep: DIR: "; %s: the system's reason. */
            error_file(&err, run.staging, _("cannot write: %s"), strerror(errno));
        fsutil_discard(run.staging);
        goto done;
    }
    static const char *const head[] = {"epoch", "loss", "train_accuracy", "test_accuracy"};
    static const char *const lm_head[] = {"epoch", "loss", "train_perplexity", "test_perplexity", "bigram_perplexity"};
    for (int i = 0; i < (a.lm ? 5 : 4); i++)
        csvout_text(&run.log, a.lm ? lm_head[i] : head[i]);
    csvout_end_row(&run.log);
    run.bigram = job.bigram_perplexity;
    if (a.lm) {
        /* TRANSLATORS: train --task lm's first line: the training sentences, the tokens the model learns to
           predict (every token after a sentence's first, and <eos>), and the vocabulary's rows. */
        printf(ngettext("training a language model on %d sentence (%ld tokens to predict, vocabulary of %d)",
                        "training a language model on %d sentences (%ld tokens to predict, vocabulary of %d)",
                        (unsigned long)train_set->n),
               train_set->n, train_set->n_targets, model->n_vocab);
        putchar('\n');
        if (run.bigram >= 0)
            /* TRANSLATORS: train --task lm's second line: the test file (a path), then the perplexity of an
               add-one smoothed bigram model counted on the training data, over the same tokens. */
            printf(_("baseline to beat on %s: add-one bigram perplexity %.2f (same tokens, same targets)"), a.test,
                   run.bigram);
        else
            printf("%s", _("no --test: no held-out perplexity, and no bigram baseline to compare it with"));
        putchar('\n');
        fflush(stdout);
    } else if (!run.tty && model->has_tokenizer) {
        if (a.test)
            /* TRANSLATORS: train's first line when the output is not a terminal and words are cut into
               pieces: the training sentences, the classes, the vocabulary's rows (<unk>, the characters
               and the merge results), the merges learned, and the test file (a path). */
            printf(ngettext("training on %d sentence (%d classes, %d pieces, %d merges), testing on %s",
                            "training on %d sentences (%d classes, %d pieces, %d merges), testing on %s",
                            (unsigned long)train_set->n),
                   train_set->n, model->enc.n_labels, model->n_vocab, model->bpe.n_merges, a.test);
        else
            /* TRANSLATORS: as above, without test sentences. */
            printf(ngettext("training on %d sentence (%d classes, %d pieces, %d merges)",
                            "training on %d sentences (%d classes, %d pieces, %d merges)",
                            (unsigned long)train_set->n),
                   train_set->n, model->enc.n_labels, model->n_vocab, model->bpe.n_merges);
        putchar('\n');
    } else if (!run.tty) {
        if (a.test)
            /* TRANSLATORS: train's first line when the output is not a terminal: the training sentences,
               the classes, the words of the vocabulary, and the test file (a path). */
            printf(ngettext("training on %d sentence (%d classes, %d words), testing on %s",
                            "training on %d sentences (%d classes, %d words), testing on %s",
                            (unsigned long)train_set->n),
                   train_set->n, model->enc.n_labels, model->n_vocab, a.test);
        else
            /* TRANSLATORS: as above, without test sentences. */
            printf(ngettext("training on %d sentence (%d classes, %d words)",
                            "training on %d sentences (%d classes, %d words)", (unsigned long)train_set->n),
                   train_set->n, model->enc.n_labels, model->n_vocab);
        putchar('\n');
    }
    if (a.from)
        train_from_report(&a, &job);
    clock_gettime(CLOCK_MONOTONIC, &run.start);
    job.tr.stop = &fsutil_interrupted;
    int fit = train_fit(&job.tr, train_set, &job.test_set, a.epochs, 16, a.seed, on_epoch, &run);
    int closed = csvout_close(&run.log, run.failed ? NULL : &err);
    /* The recurrent models after the transformer: its training stays exactly as without them. */
    int rec_failed = !fit && !run.failed && !closed && !fsutil_interrupted && a.d_hidden &&
                     train_recurrent_cmd(model, train_set, &job.test_set, a.d_hidden, a.epochs, a.lr, a.seed,
                                         run.staging, &err);
    if (fit || run.failed || closed || rec_failed || fsutil_interrupted ||
        bundle_write_dir(model, run.staging, &err)) {
        if (fit && !err.msg[0])
            error_set(&err, "%s", _("out of memory"));
        if (fsutil_interrupted) {
            if (run.tty)
                fputc('\n', stderr); /* below the progress bar */
            fsutil_interrupted_error(a.out, &err);
        }
        fsutil_discard(run.staging);
        goto done;
    }
    if (fsutil_commit(run.staging, a.out, a.force, &err))
        goto done;
    double secs = seconds_since(&run.start);
    fputs("attnstep: ", stdout);
    /* TRANSLATORS: train's last line, after "attnstep: ": the model's directory, the training sentences, the
       epochs, the seconds it took and the sentences trained per second. */
    printf(ngettext("wrote %s (%d sentence × %d epochs in %.1f s, %.0f sentences/s)",
                    "wrote %s (%d sentences × %d epochs in %.1f s, %.0f sentences/s)", (unsigned long)train_set->n),
           a.out, train_set->n, a.epochs, secs, secs > 0 ? train_set->n * (double)a.epochs / secs : 0.0);
    putchar('\n');
    if (a.lm && run.bigram >= 0 && run.last_test_ppl >= 0) {
        if (run.last_test_ppl < run.bigram)
            /* TRANSLATORS: train --task lm's last line: the held-out perplexity of the model, then the add-one
               bigram baseline's, on the test file, when the model's is lower (better). */
            printf(_("held-out perplexity: model %.2f, below the bigram's %.2f"), run.last_test_ppl, run.bigram);
        else
            /* TRANSLATORS: as above, when the model's is not lower than the bigram's. */
            printf(_("held-out perplexity: model %.2f, not below the bigram's %.2f"), run.last_test_ppl, run.bigram);
        putchar('\n');
    }
    rc = 0;
done:
    if (rc)
        fprintf(stderr, "attnstep: %s\n", err.msg);
    dataset_job_free(&job);
    interrupt_release();
    return rc;
}
