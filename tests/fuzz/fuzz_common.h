/* fuzz_common.h — what the libFuzzer targets share: one scratch directory per
 * process (emptied before each input, removed at exit), writing bytes to a
 * file, the source tree's paths, and walking every step of every lesson. */
#ifndef ATTNSTEP_FUZZ_COMMON_H
#define ATTNSTEP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "attnstep/bundle.h"
#include "attnstep/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The scratch directory, emptied (created on first use). */
const char *fuzz_scratch(void);
/* scratch + "/" + name, in a static buffer per slot (0..3). */
const char *fuzz_path(int slot, const char *name);
/* Writes size bytes to path; aborts if it cannot (the fuzzer, not the input, is broken). */
void fuzz_write(const char *path, const void *data, size_t size);
/* The source tree's path of rel (tests read the shipped models and data). */
const char *fuzz_source(int slot, const char *rel);
/* Walks every lesson the trace has, at every granularity, asking each step
 * for its formula, operands and labels (up to about max_per_stage steps of a
 * stage and max_stages stages, spread over the lesson); aborts on what must
 * not happen (a formula that is not valid UTF-8, a step that maps back
 * elsewhere). */
void fuzz_walk_lessons(const struct trace *t, long max_per_stage, int max_stages);
/* Aborts unless b is a, as saved and loaded: every stored field, exactly. */
void fuzz_check_same(const struct bundle *a, const struct bundle *b);
/* Prints why the run must stop and aborts, so libFuzzer keeps the input. */
_Noreturn void fuzz_fail(const char *what, const char *detail);

#endif
