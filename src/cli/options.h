/* options.h — the command line, parsed into a struct and nothing more. */
#ifndef ATTNSTEP_OPTIONS_H
#define ATTNSTEP_OPTIONS_H

#include <stddef.h>

#include "attnstep/lesson.h"

#define DEFAULT_SENTENCE "the movie was not good"

struct options {
    const char *model;       /* NULL: the bundled default */
    int causal;
    int print;
    const char *export_dir;
    int force;
    enum granularity gran;
    int help, version;
    double autoplay;         /* seconds per step; 0 = start paused */
    int compare;             /* start in the RNN-versus-attention view */
    int bench;               /* render every step off-screen and report timings */
    int bench_w, bench_h;
    /* --init-model */
    const char *init_model;
    int d_model, heads, d_hidden;
    unsigned long long seed;
    const char *vocab;
    const char **sets;       /* --set NAME[ROW,COL]=VALUE, in order; owned array */
    int n_sets;
    char *sentence;          /* the words after the options, joined; owned */
    const char *lesson;      /* --lesson FILE: slides of models, sentences, views and stages */
};

/* Fills o from argv. Returns 0, or -1 with a usage message in msg. */
int options_parse(struct options *o, int argc, char **argv, char *msg, size_t size);
void options_free(struct options *o);
void options_help(void);

#endif
