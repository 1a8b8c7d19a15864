/* optval.h — the values train's and transfer's options share (--lr, --seed,
 * --epochs and the other sizes), checked the same way for both commands. Each
 * returns 0 with the value, or -1 when v is not one; the caller says which
 * option and how (its usage line names its own command). */
#ifndef ATTNSTEP_OPTVAL_H
#define ATTNSTEP_OPTVAL_H

/* Adam's learning rate: a number above 0 and below 10. */
int optval_lr(const char *v, double *out);
/* A seed: a whole number from 0 to 2^64 − 1 (no sign). */
int optval_seed(const char *v, unsigned long long *out);
/* A whole number from lo to hi. */
int optval_int(const char *v, long lo, long hi, long *out);

#endif
