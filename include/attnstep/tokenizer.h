/* tokenizer.h — a sentence into word tokens, as DESIGN.md "Tokenizer" says:
 * split on whitespace, lowercase ASCII letters when asked, every ASCII
 * punctuation character a token of its own, everything else (Korean, accents)
 * kept inside its word. */
#ifndef ATTNSTEP_TOKENIZER_H
#define ATTNSTEP_TOKENIZER_H

#include "attnstep/error.h"

/* More tokens than a screen, a spreadsheet or a class can follow. */
#define TOKENIZER_MAX_TOKENS 1024

struct tokens {
    int n;
    char **text; /* (n) NUL-terminated UTF-8 */
};

/* Splits sentence. Fails on invalid UTF-8, an empty sentence, or more than
 * TOKENIZER_MAX_TOKENS tokens; on failure *out is untouched. */
int tokenizer_split(struct tokens *out, const char *sentence, int lowercase, struct error *err);
void tokenizer_free(struct tokens *t);

#endif
