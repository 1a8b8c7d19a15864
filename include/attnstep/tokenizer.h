/* tokenizer.h — a sentence into word tokens, as DESIGN.md "Tokenizer" says:
 * split on whitespace, lowercase ASCII letters when asked, every ASCII
 * punctuation character a token of its own, everything else (Korean, accents)
 * kept inside its word. */
#ifndef ATTNSTEP_TOKENIZER_H
#define ATTNSTEP_TOKENIZER_H

#include "attnstep/bpe.h"
#include "attnstep/error.h"

/* More tokens than a screen, a spreadsheet or a class can follow (with a
 * subword tokenizer, pieces). */
#define TOKENIZER_MAX_TOKENS 1024

struct tokens {
    int n;
    char **text; /* (n) NUL-terminated UTF-8 */
    int *word;   /* (n) 0-based index of the pre-split word each token comes from; NULL from tokenizer_split */
};

/* Splits sentence. Fails on invalid UTF-8, an empty sentence, or more than
 * TOKENIZER_MAX_TOKENS tokens; on failure *out is untouched. */
int tokenizer_split(struct tokens *out, const char *sentence, int lowercase, struct error *err);
/* Splits sentence as tokenizer_split does, then, when bpe is not NULL, cuts
 * each word into pieces (DESIGN.md "Subword tokenizer"), "##" before every
 * piece but a word's first; fills word. The same failures, the limit counting
 * pieces. With bpe NULL the tokens are tokenizer_split's, word[i] = i. */
int tokenizer_pieces(struct tokens *out, const char *sentence, int lowercase, const struct bpe *bpe,
                     struct error *err);
void tokenizer_free(struct tokens *t);

#endif
