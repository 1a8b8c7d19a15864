/* quiz_mode.h — predict, then reveal, on the screen: stepping forward onto a
 * result a student can predict holds the reveal and asks first (a word, a
 * class or a number); Enter commits and the truth is shown beside the guess.
 * The questions and their grading are the core's (attnstep/quiz.h). */
#ifndef ATTNSTEP_QUIZ_MODE_H
#define ATTNSTEP_QUIZ_MODE_H

#include "attnstep/quiz.h"

struct app;

struct app_quiz {
    int on;
    struct quiz_tally tally;
    int open;                /* a question waits for its answer */
    struct quiz_question q;
    int choice;              /* the word or class under the cursor */
    int typed;               /* the column number typed so far, 0 for none */
    char input[32];          /* the number typed (QUIZ_CELL) */
    long frontier;           /* the furthest step of this lesson asked; a step is asked once */
    int cmp_asked;           /* the compare view's questions of this sentence were opened */
    int shown;               /* the last answer is shown beside the truth, until the next key */
    struct quiz_question last; /* the question answered */
    int last_choice;
    char last_input[32];
};

/* A new lesson (sentence, granularity, mask, model): its steps ask anew. */
void quiz_mode_reset(struct app *a);
/* The quiz's keys: a (on / off), and every key while a question is open
 * except q, Q and ?. Returns 1 when it took the key. A key after an answer
 * puts the reveal away and goes on to do its own work. */
int quiz_mode_key(struct app *a, int key);
/* After one step forward (→, autoplay): asks when the new step is predictable. */
void quiz_mode_stepped(struct app *a);
/* After the compare view read a word: asks once every word is read. */
void quiz_mode_compare_read(struct app *a);
/* The step the views draw: the one before, while its reveal is held. */
long quiz_mode_shown_step(const struct app *a);
/* Whether the compare view hides the influence (not yet predicted). */
int quiz_mode_hides_influence(const struct app *a);
/* Cells the tally takes at the right of the status line (0 when off). */
int quiz_mode_status_width(const struct app *a);
/* The tally at the right of the status line, and the question's panel above it. */
void quiz_mode_draw(struct app *a);

#endif
