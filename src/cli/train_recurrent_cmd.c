/* `attnstep train --recurrent`: the RNN and the LSTM classifiers, trained after
 * the transformer with the same loop, data, batches and seed. */
#include "train_recurrent_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "attnstep/csvout.h"
#include "attnstep/fsutil.h"
#include "attnstep/i18n.h"
#include "attnstep/train_recurrent.h"

struct rec_run {
    struct csvout *log;
    const char *name;
};

static int on_rec_epoch(const struct train_epoch *e, const struct bundle *model, void *ctx)
{
    (void)model;
    struct rec_run *r = ctx;
    csvout_text(r->log, r->name);
    csvout_number(r->log, e->epoch);
    csvout_number(r->log, e->loss);
    csvout_number(r->log, e->train_accuracy);
    if (e->test_accuracy >= 0)
        csvout_number(r->log, e->test_accuracy);
    else
        csvout_text(r->log, "");
    csvout_end_row(r->log);
    if (e->epoch == e->epochs) {
        if (e->test_accuracy >= 0)
            /* TRANSLATORS: train --recurrent, after the model is trained: the model (RNN or LSTM), its
               accuracy on the training and on the test sentences. */
            printf(_("%s: train %.1f%%  test %.1f%%"), r->name[0] == 'r' ? "RNN" : "LSTM", 100 * e->train_accuracy,
                   100 * e->test_accuracy);
        else
            /* TRANSLATORS: as above, without test sentences. */
            printf(_("%s: train %.1f%%"), r->name[0] == 'r' ? "RNN" : "LSTM", 100 * e->train_accuracy);
        putchar('\n');
        fflush(stdout);
    }
    return 0;
}

int train_recurrent_cmd(struct bundle *model, const struct train_set *train, const struct train_set *test,
                        int d_hidden, int epochs, double lr, uint64_t seed, const char *dir, struct error *err)
{
    if (train_recurrent_init(model, d_hidden, seed, err))
        return -1;
    /* TRANSLATORS: train --recurrent, before the recurrent models train: %d is d_hidden. */
    printf(_("training an RNN and an LSTM (d_hidden %d) on the transformer's trained embeddings, which they "
             "do not change"), d_hidden);
    putchar('\n');
    fflush(stdout);
    char path[4200];
    struct csvout log;
    if (fsutil_join(path, sizeof path, dir, "training_recurrent.csv") || csvout_open(&log, path, err)) {
        if (!err->msg[0])
            error_file(err, dir, _("cannot write: %s"), strerror(errno));
        return -1;
    }
    static const char *const head[] = {"model", "epoch", "loss", "train_accuracy", "test_accuracy"};
    for (int i = 0; i < 5; i++)
        csvout_text(&log, head[i]);
    csvout_end_row(&log);
    int max_len = train->max_len;
    if (test && test->max_len > max_len)
        max_len = test->max_len;
    int failed = 0;
    for (int m = 0; m < BUNDLE_N_RECURRENT && !failed && !fsutil_interrupted; m++) {
        struct rec_trainer tr;
        struct rec_run run = {&log, m == BUNDLE_RNN ? "rnn" : "lstm"};
        if (rec_trainer_init(&tr, model, m, max_len, lr, err)) {
            failed = 1;
            break;
        }
        tr.stop = &fsutil_interrupted;
        if (rec_train_fit(&tr, train, test, epochs, 16, seed, on_rec_epoch, &run)) {
            error_set(err, "%s", _("out of memory"));
            failed = 1;
        }
        rec_trainer_free(&tr);
    }
    if (csvout_close(&log, failed ? NULL : err))
        failed = 1;
    return failed || fsutil_interrupted ? -1 : 0;
}
