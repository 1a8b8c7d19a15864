/* slides.h — a lesson the teacher scripts (--lesson FILE): a CSV with the
 * header model,sentence,view,stage,note and one slide per row.
 *
 *   model     a folder relative to the lesson file's folder, else a bundled
 *             model's name (tiny-en); empty: the previous slide's
 *   sentence  the words shown; empty: the previous slide's sentence (on the
 *             first slide, the model's default example)
 *   view      pipeline, heatmap, compare, training, generate or transfer;
 *             empty: pipeline
 *   stage     a whole number from 1 in that view; empty: the view's start
 *               pipeline, heatmap: the attention lesson's stage k (the
 *                 status line's "stage k/K"), shown from its first step
 *               compare: k words read (the status line's "word k/N");
 *                 empty: none read yet
 *               training: snapshot k (the status line's "snapshot k/S");
 *                 empty: the first, the random start
 *               generate (a language model): k words generated greedily
 *                 after the sentence (fewer when <eos> comes first);
 *                 empty: none; on a classifier the screen says why the
 *                 view does not apply
 *               transfer (a model folder `attnstep transfer` wrote,
 *                 DIR/scratch, DIR/feature or DIR/finetune): epoch k
 *                 (the last when k is beyond it); empty: the last epoch
 *   note      free text for the note panel, may be empty
 *
 * Everything is checked when the file is read, so a class never meets an
 * error in the middle of a lesson: every model loads, every stage exists for
 * its model and sentence, every word is in the model's vocabulary (a word
 * read as <unk> is an error). Errors read FILE:LINE:COL: reason. */
#ifndef ATTNSTEP_SLIDES_H
#define ATTNSTEP_SLIDES_H

#include "attnstep/bundle.h"
#include "attnstep/error.h"
#include "attnstep/history.h"
#include "attnstep/table.h"

/* The most words a generate slide's stage asks for (as --generate). */
#define SLIDES_MAX_GENERATE 10000

/* In the order of the screen's views (app.h's enum view). */
enum slide_view { SLIDE_PIPELINE, SLIDE_HEATMAP, SLIDE_COMPARE, SLIDE_TRAINING, SLIDE_GENERATE, SLIDE_TRANSFER,
                  SLIDE_N_VIEWS };

struct slides_model {
    char *dir;            /* where it was found */
    const char *name;     /* as the lesson wrote it (in the table) */
    struct bundle bundle;
    struct history hist;  /* its training snapshots; none is fine */
};

struct slide {
    int model;            /* index into models */
    char *sentence;       /* as resolved (never empty) */
    enum slide_view view;
    int stage;            /* 1-based; 0: the view's start */
    const char *note;     /* "" when none (in the table) */
    int line;             /* the row's line in the file */
};

struct slides {
    struct table table;
    int n_slides;
    struct slide *slide;  /* (n_slides) */
    int n_models;
    struct slides_model *models; /* (n_models) each loaded once */
};

/* The sentence for a first slide that gives none: the model's default
 * example (NULL: none, an error). */
typedef const char *slides_default_fn(const struct bundle *model, void *ctx);

/* Reads and checks the lesson at path. A model name without a folder of
 * that name beside the lesson is looked for in bundled_dir (may be NULL).
 * Stages are counted with the causal mask as given. On failure *out is
 * untouched. */
int slides_load(struct slides *out, const char *path, const char *bundled_dir, int causal,
                slides_default_fn *fallback, void *ctx, struct error *err);
void slides_free(struct slides *s);
/* "pipeline", "heatmap", "compare", "training", "generate". */
const char *slides_view_name(enum slide_view v);

#endif
