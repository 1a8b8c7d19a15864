/* app.h — the interactive session: one sentence, its trace and lesson, the
 * current step and what the screen shows. Views read it; keys change it. */
#ifndef ATTNSTEP_APP_H
#define ATTNSTEP_APP_H

#include "attnstep/bundle.h"
#include "attnstep/history.h"
#include "attnstep/lesson.h"
#include "attnstep/trace.h"
#include "edit_mode.h"
#include "quiz_mode.h"
#include "widgets.h"

#define APP_MIN_W 64
#define APP_MIN_H 18
#define APP_MAX_PANELS 5

/* The views, in the order v cycles through them: indices into app_views. */
enum view { VIEW_PIPELINE, VIEW_HEATMAP, VIEW_COMPARE, VIEW_TRAINING, VIEW_GENERATE, VIEW_TRANSFER, VIEW_COUNT };

struct app;

/* One view behind one small interface (views.c lists them in app_views): the
 * app loop draws, routes keys and cycles through this table only. */
struct view_ops {
    const char *name; /* for --view and a lesson's view column */
    /* Whether the view shows anything for this model; when not, *why says
     * why (translated). NULL: always. */
    int (*applies)(const struct app *a, const char **why);
    void (*draw)(struct app *a, int y, int h);
    /* The view's own keys; returns 1 when handled. NULL: none. */
    int (*key)(struct app *a, int key);
    /* The status line (bottom row y); NULL: the lesson's (stage, step, heads). */
    void (*status)(struct app *a, int y);
    /* The sentence or the model changed: drop what was built for the old. NULL: nothing kept. */
    void (*reset)(struct app *a);
    /* The session ends: free what the view keeps. NULL: nothing kept. */
    void (*done)(struct app *a);
};

extern const struct view_ops app_views[VIEW_COUNT];
/* The view of that name, or -1. */
int app_view_find(const char *name);
/* Whether view v applies to the model shown (why: the reason when not). */
int app_view_applies(const struct app *a, int v, const char **why);

/* A click target: a panel's visible grid and the matrix behind it. */
struct app_hit {
    struct panel_hits at;
    enum matrix_id matrix;
    int head;
    int transpose;
    int col_offset;
};

/* Where Tab was last pressed: a stage, and the row and cell in it (-1 = not
 * known), so cell → row → stage → cell comes back to the same place. */
struct app_place {
    int stage, row, col;
};

/* How the model was trained, to retrain it live (from its recorded command). */
struct app_retrain {
    int available;
    char data[4096], test[4096]; /* test may be "" */
    int epochs, d_model, heads, d_ff;
    double lr;
    unsigned long long seed;
    int word_tokenizer, merges; /* as dataset_job_spec */
    int lm;                     /* --task lm */
};

struct gen_state; /* view_generate.c's */
struct xfer_state; /* view_transfer.c's */

/* How the generation view starts (--generate N --temperature T --top-k K --seed S). */
struct app_gen_opts {
    int n;              /* words to generate at the start (0: none) */
    double temperature; /* 0: greedy */
    int top_k;          /* 0: every word */
    unsigned long long seed;
};

struct app {
    const struct bundle *model; /* borrowed */
    const char *sentence;       /* borrowed */
    struct trace trace;
    struct lesson lesson;
    int causal;
    enum granularity gran;
    long step;
    enum view view;
    int head;                   /* selected head, 0-based; -1 = mean of heads (heatmap) */
    int heat_scores;            /* heatmap shows scaled scores instead of weights */
    int sel_row, sel_col;       /* heatmap cell shown with its value */
    int pan_r, pan_c;           /* manual panning, reset by stepping */
    int help;
    int help_top;               /* first help line shown when the overlay scrolls */
    int playing;
    double interval;            /* seconds per autoplay step */
    struct app_hit hits[APP_MAX_PANELS + 1];
    int n_hits;
    char message[640];          /* a one-off note, shown above the status line until the next key */
    char note[640];             /* a standing note in the same place, while what it is about is shown */
    double *range;              /* (MAT_COUNT, H+1, 2) cached colour ranges; NaN = unknown */
    enum trace_model lesson_model; /* which lesson the pipeline walks: attention, RNN or LSTM */
    int cmp_t;                  /* compare view: words the RNN has read (0..N) */
    struct history hist;        /* training view: the model's snapshots, if it has them */
    int hist_pending;           /* its snapshots/ is there but not read yet (app_history reads it) */
    char hist_error[640];       /* why the snapshots did not load when first asked for, or "" */
    char **late_warnings;       /* warnings found on the screen, for stderr once it ends (app_print_warnings) */
    int n_late_warnings;
    int live;                   /* app_run is drawing on a terminal (not --bench or --snapshot) */
    struct trace *hist_traces;  /* (n_snapshots) the sentence through each, built when first shown */
    int *hist_built;
    int hist_i;                 /* the snapshot shown */
    struct app_retrain retrain;
    char *const *examples;      /* sentences to pick from with n / N (borrowed), or NULL */
    const int *example_unknown; /* (n_examples) words of each the model does not know, or NULL */
    int n_examples, example_i;
    struct app_place place;     /* where Tab was last pressed */
    const char *recurrent_model; /* a bundled model with RNN and LSTM weights, to suggest, or NULL */
    int mask_untrained;         /* the classifier was trained without the causal mask */
    int token_w;                /* widest token, in cells */
    struct edit_state edit;     /* what-if edits (edit_mode.c); model points to its copy while edits are active */
    struct app_quiz quiz;       /* predict, then reveal (quiz_mode.c) */
    struct slideshow *show;     /* --lesson: its slides (slideshow.h), or NULL */
    struct app_gen_opts gen_opts;
    struct gen_state *gen;      /* the generation view's words and cache, built when first shown */
    const char *model_dir;      /* the model's directory (app_load_history's, borrowed), or NULL */
    struct xfer_state *xfer;    /* the transfer view's three histories, loaded when first shown */
};

/* Builds trace and lesson. On failure err says why. */
int app_init(struct app *a, const struct bundle *model, const char *sentence, int causal, enum granularity gran,
             struct error *err);
/* Loads the training log beside the model in dir (none is fine); the
 * snapshots wait for app_history. */
int app_load_history(struct app *a, const char *dir, struct error *err);
/* The training snapshots, read the first time a view asks for them (on a
 * terminal, a line on the screen says so meanwhile). Their warnings go to
 * stderr, or, on the screen, to the message line and to stderr once the
 * screen ends. Returns 0, or -1 when they could not be read (hist_error
 * says why; the history then has no snapshots). */
int app_history(struct app *a);
/* Prints the warnings kept while the screen was on (app_history's) and forgets them. */
void app_print_warnings(struct app *a, FILE *to);
void app_free(struct app *a);
/* Builds trace and lesson again (the model changed) and comes back to the same step and view. */
int app_rebuild(struct app *a, struct error *err);
/* Shows another model and sentence from the first step of the attention
 * lesson (heads, heatmap choices, words read back at their start). The
 * caller sets what is borrowed about the model first (examples, history,
 * retrain). On failure nothing changes and err says why. */
int app_use(struct app *a, const struct bundle *model, const char *sentence, int causal, struct error *err);
/* Moves to step s (clamped) and updates what follows the step. */
void app_goto(struct app *a, long s);
/* Draws the whole screen for the current state. */
void app_draw(struct app *a);
/* Handles one key (or mouse event); returns 0 to go on, 1 to quit. */
int app_key(struct app *a, int key);
/* The colour range of a matrix (min and max of its finite values). */
void app_range(struct app *a, enum matrix_id m, int head, double *lo, double *hi);
/* Scores, scaled, masked and weights: the N×N stages the heatmap follows. */
int app_is_attention_stage(enum stage_kind kind);
/* The stage whose result is matrix m of head (or -1). */
int app_stage_of(const struct app *a, enum matrix_id m, int head);

void view_pipeline_draw(struct app *a, int y, int h);
void view_heatmap_draw(struct app *a, int y, int h);
/* A view's own keys; returns 1 when handled. */
int view_heatmap_key(struct app *a, int key);
void view_compare_draw(struct app *a, int y, int h);
void view_training_draw(struct app *a, int y, int h);
int view_training_key(struct app *a, int key);
/* Trains the model again from random, epoch by epoch, redrawing as it goes. */
void app_retrain_live(struct app *a);
int view_compare_key(struct app *a, int key);
void view_generate_draw(struct app *a, int y, int h);
int view_generate_key(struct app *a, int key);
void view_generate_status(struct app *a, int y);
int view_generate_applies(const struct app *a, const char **why);
void view_generate_reset(struct app *a);
void view_generate_free(struct app *a);
/* The transfer view (view_transfer.c): a model written by `attnstep transfer`. */
int view_transfer_applies(const struct app *a, const char **why);
void view_transfer_draw(struct app *a, int y, int h);
int view_transfer_key(struct app *a, int key);
void view_transfer_status(struct app *a, int y);
void view_transfer_free(struct app *a);
/* Show epoch e (clamped to the last; -1: the last), loading the run first if need be. */
void view_transfer_goto(struct app *a, int e);
/* For --bench: greedy words (past <eos>) until the sequence holds n tokens;
 * returns how many it holds, or -1. touch drops the cached distribution, so a
 * frame computes it again. */
int view_generate_fill(struct app *a, int n);
void view_generate_touch(struct app *a);
/* The generated words (vocabulary strings), at most max; how many. */
int view_generate_words(struct app *a, const char **words, int max);

/* For a view's status line: key hints {key, what} after column x, gap cells
 * apart, as many whole ones as fit; and the line's own part from column 0
 * (then the edit count when edits is set); returns the cells used. */
void app_draw_hints(int y, int x, const char *const (*hints)[2], int n, int gap);
int app_draw_status_left(struct app *a, int y, const char *left, int edits);

/* Runs the interactive loop on the terminal; returns the exit status. */
int app_run(struct app *a);
/* Renders every step off-screen at w×h and prints timing figures to out:
 * first the time from started (app_now() at the start of main) to the first
 * frame, then the training snapshots' loading, then every frame. */
int app_bench(struct app *a, int w, int h, double started, FILE *out);
/* CLOCK_MONOTONIC, in seconds: app_bench's started is main()'s. */
double app_now(void);

#endif
