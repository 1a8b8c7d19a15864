/* train_cmd.h — `attnstep train`: a sentence classifier learned from a CSV file. */
#ifndef ATTNSTEP_TRAIN_CMD_H
#define ATTNSTEP_TRAIN_CMD_H

/* argv[0] is "train". Returns the exit status. */
int train_cmd(int argc, char **argv);

#endif
