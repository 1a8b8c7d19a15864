/* fuzz_train — any bytes as training data (text,label): reading, the classes
 * and the vocabulary, a fresh model or one loaded with --from (the input's
 * length picks which), one epoch, then saving and loading the result. Data
 * that training accepts must give a model that loads again, the same in every
 * stored field: anything else aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/bundle.h"
#include "attnstep/dataset.h"
#include "attnstep/train.h"
#include "attnstep/utf8.h"
#include "fuzz_common.h"

#define MAX_INPUT 4096

static const char *const from_dirs[] = {
    NULL,                               /* a fresh model from the data's words and classes */
    "tests/data/bundles/encoder-relu",  /* a classifier, whose classes the data must use */
    "tests/data/bundles/causal-small",  /* attention only: a classifier is added */
};
#define N_FROM (sizeof from_dirs / sizeof from_dirs[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    fuzz_scratch();
    const char *path = fuzz_path(0, "data.csv");
    fuzz_write(path, data, size);
    const char *from = from_dirs[size % N_FROM];
    struct dataset_job_spec spec = {
        .data = path, .test = size % 2 ? path : NULL, .from = from ? fuzz_source(0, from) : NULL, .name = "fuzz",
        .d_model = 4, .heads = 2, .d_ff = 4, .lr = 0.01, .seed = 1,
    };
    struct dataset_job job;
    struct error err;
    if (dataset_job_prepare(&job, &spec, &err)) {
        if (utf8_invalid_at(err.msg, strlen(err.msg)) >= 0)
            fuzz_fail("an error message that is not valid UTF-8", err.msg);
        dataset_job_free(&job);
        return 0;
    }
    if (train_fit(&job.tr, &job.train_set, spec.test ? &job.test_set : NULL, 1, 16, 1, NULL, NULL))
        fuzz_fail("one epoch of training failed", NULL);
    const char *out = fuzz_path(1, "model");
    struct bundle again;
    if (bundle_save(&job.model, out, 0, &err))
        fuzz_fail("a trained model cannot be saved", err.msg);
    if (bundle_load(&again, out, &err))
        fuzz_fail("a saved model does not load", err.msg);
    fuzz_check_same(&job.model, &again);
    bundle_free(&again);
    dataset_job_free(&job);
    return 0;
}
