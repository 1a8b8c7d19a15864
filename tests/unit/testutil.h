/* testutil.h — shared by the cmocka unit tests. */
#ifndef ATTNSTEP_TESTUTIL_H
#define ATTNSTEP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The source tree, from argv[1] (meson passes it). */
extern const char *source_root;

/* source_root + "/" + rel, in a static buffer (one at a time). */
const char *src_path(const char *rel);
/* Writes bytes to a fresh file in a temporary directory; returns its path. */
const char *write_temp(const char *name, const char *bytes, size_t len);

#define ASSERT_NEAR(a, b, rel)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (rel) * fabs(b_) + 1e-12))                                          \
            fail_msg("%s = %.17g, expected %.17g", #a, a_, b_);                                     \
    } while (0)

#endif
