/* slideshow.h — a lesson the teacher scripts (--lesson FILE) on the screen:
 * PgDn / PgUp page through its slides, each switching the app to its model,
 * sentence, view and stage, with its note in a panel above the status line. */
#ifndef ATTNSTEP_SLIDESHOW_H
#define ATTNSTEP_SLIDESHOW_H

#include "app.h"
#include "attnstep/slides.h"

/* What the app borrows about one model of the lesson, beside the bundle. */
struct show_model {
    char *const *examples;      /* n / N's sentences, or NULL */
    const int *example_unknown; /* (n_examples) */
    int n_examples;
    struct app_retrain retrain;
};

struct slideshow {
    struct slides *slides;     /* borrowed; its histories move into the app while shown */
    struct show_model *models; /* (slides->n_models) borrowed */
    int k;                     /* the slide shown, 0-based */
    int model;                 /* the model whose history the app holds, or -1 */
    int causal;                /* every slide starts with the command line's mask */
};

/* Shows slide k (clamped): its model, sentence, view and stage. */
void slideshow_goto(struct app *a, int k);
/* PgDn / PgUp; returns 1 when the key was theirs. Without a lesson they say what they would do. */
int slideshow_key(struct app *a, int key);
/* Rows of the note panel at this screen size; 0 without a lesson. */
int slideshow_height(const struct app *a);
/* The note panel: "slide k of K" and the note, wrapped, in rows y..y+h-1. */
void slideshow_draw(struct app *a, int y, int h);
/* Gives the history held by the app back to its model (before app_free). */
void slideshow_done(struct app *a);

#endif
