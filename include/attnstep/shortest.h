/* shortest.h — the shortest decimal that reads back as a given double (Ryu). */
#ifndef ATTNSTEP_SHORTEST_H
#define ATTNSTEP_SHORTEST_H

#include <stdint.h>

/* For a finite, non-zero v (the sign is ignored): the decimal digits × 10^exponent
 * with the fewest digits that strtod reads back as exactly |v|, and among those
 * the closest to |v| (ties to an even last digit). *digits has no trailing zero
 * and at most 17 digits. Ulf Adams' Ryu, d2s with the small tables. */
void shortest_decimal(double v, uint64_t *digits, int *exponent);

#endif
