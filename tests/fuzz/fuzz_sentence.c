/* fuzz_sentence — any bytes as the sentence, as the command line would pass
 * them (up to the first NUL, which an argument cannot hold): the tokenizer,
 * the trace and every lesson step, on one of three models picked by the
 * input's length (English with a classifier, Korean under the causal mask,
 * one with an RNN and an LSTM; the first two cut words into pieces). Either the sentence is refused with a reason,
 * or every step can be shown. */
#include <stdlib.h>
#include <string.h>

#include "attnstep/bundle.h"
#include "attnstep/tokenizer.h"
#include "attnstep/trace.h"
#include "attnstep/utf8.h"
#include "fuzz_common.h"

#define MAX_INPUT 512
#define MAX_PER_STAGE 16
#define MAX_STAGES 48

static const char *const model_dirs[] = {"assets/models/tiny-en", "assets/models/tiny-ko", "tests/data/bundles/recurrent"};
#define N_MODELS (sizeof model_dirs / sizeof model_dirs[0])
static struct bundle models[N_MODELS];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct error err;
    for (size_t i = 0; i < N_MODELS; i++)
        if (bundle_load(&models[i], fuzz_source(0, model_dirs[i]), &err))
            fuzz_fail("cannot load a shipped model", err.msg);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    char *sentence = malloc(size + 1); /* exactly: ASan sees a read past the end */
    if (!sentence)
        return 0;
    memcpy(sentence, data, size);
    sentence[size] = '\0';
    size_t m = size % N_MODELS;
    const struct bundle *b = &models[m];
    struct error err;
    struct tokens tk;
    int n_tokens = 0;
    /* the models cut words into pieces when they have tokenizer.csv */
    int split = tokenizer_pieces(&tk, sentence, b->lowercase, b->has_tokenizer ? &b->bpe : NULL, &err);
    if (split == 0) {
        for (int i = 0; i < tk.n; i++) {
            if (!tk.text[i][0] || utf8_invalid_at(tk.text[i], strlen(tk.text[i])) >= 0)
                fuzz_fail("a token that is empty or not valid UTF-8", NULL);
            if (i && (tk.word[i] < tk.word[i - 1] || tk.word[i] > tk.word[i - 1] + 1))
                fuzz_fail("pieces whose word numbers are not 0, 1, 2, … in order", sentence);
        }
        n_tokens = tk.n;
        tokenizer_free(&tk);
    } else if (utf8_invalid_at(err.msg, strlen(err.msg)) >= 0) {
        fuzz_fail("an error message that is not valid UTF-8", err.msg);
    }
    struct trace t;
    int traced = trace_build(&t, b, sentence, m == 1, &err);
    if (traced != split)
        fuzz_fail("the trace and the tokenizer disagree on the sentence", sentence);
    if (traced == 0) {
        if (t.N != n_tokens)
            fuzz_fail("the trace has a different number of tokens", sentence);
        fuzz_walk_lessons(&t, MAX_PER_STAGE, MAX_STAGES);
        trace_free(&t);
    }
    free(sentence);
    return 0;
}
