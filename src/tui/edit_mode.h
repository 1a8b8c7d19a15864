/* edit_mode.h — what-if edits in the screen (DESIGN.md "What-if edits"): a
 * cell cursor over the weight matrices a stage shows, an inline editor that
 * sends NAME[ROW,COL]=VALUE through bundle_edit() on the app's own copy of the
 * model, undo, and the unedited model's trace to mark what changed. */
#ifndef ATTNSTEP_EDIT_MODE_H
#define ATTNSTEP_EDIT_MODE_H

#include "attnstep/bundle.h"
#include "attnstep/lesson.h"
#include "attnstep/trace.h"

#define EDIT_MAX 256
#define EDIT_TEXT 192

enum edit_ui { EDIT_OFF, EDIT_SELECT, EDIT_TYPING };

struct edit_state {
    const struct bundle *original; /* the model as loaded (borrowed) */
    struct bundle *clone;          /* the edited copy the trace is built on, or NULL without edits */
    char (*edits)[EDIT_TEXT];      /* (EDIT_MAX) the active edits, in order, as --set writes them */
    int n;
    struct trace base;             /* the sentence through the unedited model, while edits are active */
    struct lesson base_lesson;
    int has_base;
    enum edit_ui ui;
    enum matrix_id matrix;         /* the selected cell: its matrix (MAT_COUNT = none yet), */
    int row, col;                  /* row and column of the whole matrix (not of a head's slice) */
    char input[128];               /* the editor's text */
    int prefilled;                 /* the text is the old value: the first key typed replaces it */
    int by_name;                   /* E: the editor takes a whole edit, NAME[ROW,COL]=VALUE (biases, norms) */
    enum edit_ui ui_before;        /* where the editor opened by E goes back to */
};

struct app;
struct panel;

void edit_mode_free(struct app *a);
/* Forgets every edit, for when the app switches to another model: call it
 * before setting a->model and building the new trace (the old trace must not
 * be used after it). */
void edit_mode_reset(struct app *a);
/* After the trace was rebuilt (another sentence, mask, lesson, detail):
 * the unedited model's trace follows. */
void edit_mode_rebase(struct app *a);
/* Keys of the editor: returns 1 when the key was taken. */
int edit_mode_key(struct app *a, int key);
/* A click on cell (row, col) of weight matrix m: selects it for editing; 1 when it can be. */
int edit_mode_click(struct app *a, enum matrix_id m, int row, int col);
/* The pipeline's panels of a stage: the changed cells and the cursor. */
void edit_mode_panels(struct app *a, struct panel *panels, int n);
/* Appends the current result cell's change to the formula line. */
void edit_mode_formula(struct app *a, char *formula, size_t size);
/* Whether heatmap cell (i, j) of matrix m (head, or -1 for the mean)
 * differs from the unedited model's. */
int edit_mode_heat_changed(const struct app *a, enum matrix_id m, int head, int i, int j, double v);
/* The line under the heatmap, with the selected cell's change appended. */
void edit_mode_heat_line(const struct app *a, enum matrix_id m, int head, int i, int j, double v, char *line,
                         size_t size);
/* Cells the status line's edit count takes, and drawing it at (y, x). */
int edit_mode_status_width(const struct app *a);
/* after_bar: the status line so far ends in "│" (the count then ends in one too). */
int edit_mode_status(const struct app *a, int y, int x, int after_bar);
/* The editor's prompt and the cursor's note, drawn over the frame. */
void edit_mode_draw(struct app *a);

#endif
