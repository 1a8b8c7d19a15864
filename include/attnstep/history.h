/* history.h — what `attnstep train` left beside a model: snapshots of the
 * weights at chosen epochs (snapshots/epoch-NNN/) and training.csv (loss and
 * accuracy per epoch), for the training view to scrub through. */
#ifndef ATTNSTEP_HISTORY_H
#define ATTNSTEP_HISTORY_H

#include "attnstep/bundle.h"
#include "attnstep/error.h"

/* The most epochs `attnstep train --epochs` runs; a larger snapshot number is not one train wrote. */
#define HISTORY_MAX_EPOCH 100000

struct history {
    int n_snapshots;
    int *snapshot_epoch;      /* (n_snapshots) ascending, from 0 */
    struct bundle *snapshots; /* (n_snapshots) */
    int n_epochs;             /* rows of training.csv */
    double *loss, *train_accuracy, *test_accuracy; /* (n_epochs); test -1 when absent */
    /* A language model's training.csv (header epoch,loss,train_perplexity,
     * test_perplexity,bigram_perplexity): lm is 1, the accuracies above are
     * all -1, and these hold the perplexities (test -1 when absent). */
    int lm;
    double *train_perplexity, *test_perplexity; /* (n_epochs), NULL for a classifier */
    double bigram_perplexity; /* the add-one bigram baseline on the test data; -1 when absent */
    /* training_recurrent.csv (train --recurrent): the last epoch's held-out
     * accuracy of the RNN and of the LSTM (enum bundle_recurrent order); -1
     * when the file, the model's rows or a test accuracy is absent. */
    double recurrent_test_accuracy[BUNDLE_N_RECURRENT];
    int n_warnings;
    char **warnings;          /* (n_warnings) "PATH: what was ignored and why", one line each */
};

/* Whether training writes a snapshot after this epoch (of epochs): every early
 * one, then sparser, and always the last, so the training view shows the fast
 * start in detail. train and transfer both use it. */
int history_keeps_epoch(int epoch, int epochs);

/* Loads dir's history. A model without one gives n_snapshots = 0 and no error.
 * Entries of snapshots/ that are not snapshots (a stray file, a name train
 * does not write, a snapshot that does not load) are skipped, each with a
 * warning for the caller to show; the core prints nothing. */
int history_load(struct history *out, const char *dir, struct error *err);
/* history_load in two parts, for a caller that shows the snapshots later
 * (parsing them is most of the time a trained model takes to open):
 * history_load_logs reads training.csv and training_recurrent.csv (small)
 * and leaves n_snapshots 0; history_load_snapshots then reads the snapshots
 * into h, which holds none yet, adding their warnings. A failure leaves h
 * as it was but for the warnings. */
int history_load_logs(struct history *out, const char *dir, struct error *err);
int history_load_snapshots(struct history *h, const char *dir, struct error *err);
/* Whether dir has a snapshots/ folder (one stat; nothing is read). */
int history_has_snapshots(const char *dir);
void history_free(struct history *h);

#endif
