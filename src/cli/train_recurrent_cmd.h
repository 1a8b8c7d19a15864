/* train_recurrent_cmd.h — `attnstep train --recurrent`: after the transformer,
 * an RNN and an LSTM classifier on its trained embeddings (frozen). */
#ifndef ATTNSTEP_TRAIN_RECURRENT_CMD_H
#define ATTNSTEP_TRAIN_RECURRENT_CMD_H

#include <stdint.h>

#include "attnstep/bundle.h"
#include "attnstep/error.h"
#include "attnstep/train.h"

/* Adds and trains both recurrent classifiers of width d_hidden in model
 * (epochs, batches of 16, lr and seed as the transformer's), writes
 * training_recurrent.csv into dir (header model,epoch,loss,train_accuracy,
 * test_accuracy) and prints each model's final accuracies. 0, or -1 with err
 * set (or on an interrupt, err empty). */
int train_recurrent_cmd(struct bundle *model, const struct train_set *train, const struct train_set *test,
                        int d_hidden, int epochs, double lr, uint64_t seed, const char *dir, struct error *err);

#endif
