/* fuzz_bundle — model loading: the first byte picks one file of one of four
 * valid bundles (present or not), the rest of the input replaces it. A bundle
 * that loads must trace a sentence, walk every lesson step, export, and save
 * and reload to the same model; one that does not must say where. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attnstep/bundle.h"
#include "attnstep/export.h"
#include "attnstep/table.h"
#include "attnstep/trace.h"
#include "attnstep/utf8.h"
#include "fuzz_common.h"

#define MAX_INPUT 16384
#define MAX_PER_STAGE 100000 /* every step: the bundles are small */

static const char *const bases[] = {
    "tests/data/bundles/recurrent",    /* attention with biases, RNN, LSTM */
    "tests/data/bundles/encoder-relu", /* encoder block and classifier */
    "tests/data/bundles/encoder-gelu", /* Korean, 3 classes, no positions */
    "tests/data/bundles/bias-crlf",    /* BOM, CRLF, quotes */
};
#define N_BASES (sizeof bases / sizeof bases[0])
#define N_NAMES (2 + 2 * BUNDLE_N_PROJ + 3 * BUNDLE_N_RECURRENT + BUNDLE_N_ENCODER_FILES)

static const char *names[N_NAMES];
struct file {
    char *data; /* NULL: absent from this base */
    size_t size;
};
static struct file files[N_BASES][N_NAMES];

static char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 16);
    *size = buf ? fread(buf, 1, 1 << 16, f) : 0;
    fclose(f);
    return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int n = 0;
    names[n++] = "config.csv";
    names[n++] = "vocab.csv";
    for (int m = 0; m < BUNDLE_N_PROJ; m++) {
        names[n++] = bundle_w_file[m];
        names[n++] = bundle_b_file[m];
    }
    for (int r = 0; r < BUNDLE_N_RECURRENT; r++) {
        names[n++] = bundle_rec_wx_file[r];
        names[n++] = bundle_rec_wh_file[r];
        names[n++] = bundle_rec_b_file[r];
    }
    for (int e = 0; e < BUNDLE_N_ENCODER_FILES; e++)
        names[n++] = bundle_encoder_file[e];
    char rel[512];
    for (size_t b = 0; b < N_BASES; b++)
        for (int i = 0; i < n; i++) {
            snprintf(rel, sizeof rel, "%s/%s", bases[b], names[i]);
            files[b][i].data = slurp(fuzz_source(0, rel), &files[b][i].size);
        }
    if (!files[0][0].data)
        fuzz_fail("cannot read the base bundles under", FUZZ_SOURCE_ROOT);
    return 0;
}

static void check_error(const char *what, const struct error *err, const char *dir)
{
    if (utf8_invalid_at(err->msg, strlen(err->msg)) >= 0)
        fuzz_fail("an error message that is not valid UTF-8", err->msg);
    if (strncmp(err->msg, dir, strlen(dir)))
        fuzz_fail(what, err->msg);
}

/* Every file of an export reads back as CSV. */
static void check_export(const char *dir, int n_files)
{
    DIR *d = opendir(dir);
    if (!d)
        fuzz_fail("the export is missing", dir);
    int seen = 0;
    struct dirent *e;
    char path[4200];
    struct error err;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 4, ".csv"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct table t;
        if (table_read(&t, path, &err))
            fuzz_fail("an exported file does not read back", err.msg);
        table_free(&t);
        seen++;
    }
    closedir(d);
    if (seen != n_files)
        fuzz_fail("export counted files it did not write", dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return 0;
    size_t pick = data[0] % (N_BASES * N_NAMES), base = pick / N_NAMES, which = pick % N_NAMES;
    int causal = (data[0] / (N_BASES * N_NAMES)) & 1;
    fuzz_scratch();
    const char *dir = fuzz_path(0, "model");
    char path[4200];
    if (mkdir(dir, 0700))
        fuzz_fail("cannot create", dir);
    for (size_t i = 0; i < N_NAMES; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (i == which)
            fuzz_write(path, data + 1, size - 1);
        else if (files[base][i].data)
            fuzz_write(path, files[base][i].data, files[base][i].size);
    }
    struct bundle b;
    struct error err;
    if (bundle_load(&b, dir, &err)) {
        check_error("a load error that does not name the file", &err, dir);
        return 0;
    }
    /* Known words (the first ones of the vocabulary), an unknown one, punctuation. */
    char sentence[1024] = "the movie was not good";
    for (int i = 0; i < b.n_vocab && i < 4; i++)
        if (strlen(sentence) + strlen(b.vocab[i]) + 2 < sizeof sentence)
            strcat(strcat(sentence, " "), b.vocab[i]);
    strcat(sentence, " zzqx !");
    struct trace t;
    if (trace_build(&t, &b, sentence, causal, &err))
        fuzz_fail("a model that loads cannot trace a sentence", err.msg);
    fuzz_walk_lessons(&t, MAX_PER_STAGE, 1 << 20);
    const char *out = fuzz_path(1, "export");
    int n_files = 0;
    if (export_write(&t, out, 0, &n_files, &err))
        fuzz_fail("a model that loads cannot export", err.msg);
    check_export(out, n_files);
    trace_free(&t);
    const char *saved = fuzz_path(2, "saved");
    struct bundle again;
    if (bundle_save(&b, saved, 0, &err))
        fuzz_fail("a model that loads cannot be saved", err.msg);
    if (bundle_load(&again, saved, &err))
        fuzz_fail("a saved model does not load again", err.msg);
    fuzz_check_same(&b, &again);
    bundle_free(&again);
    bundle_free(&b);
    return 0;
}
