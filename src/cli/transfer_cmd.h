/* transfer_cmd.h — `attnstep transfer`: scratch, feature-based and fine-tuned
 * training compared on the same small data and seed (DESIGN.md "Transfer"). */
#ifndef ATTNSTEP_TRANSFER_CMD_H
#define ATTNSTEP_TRANSFER_CMD_H

/* argv[0] is "transfer". Returns the exit status. */
int transfer_cmd(int argc, char **argv);

#endif
