/* options.h — the command line, parsed into a struct and nothing more. */
#ifndef ATTNSTEP_OPTIONS_H
#define ATTNSTEP_OPTIONS_H

#include <stddef.h>

#include "attnstep/lesson.h"

#define DEFAULT_SENTENCE "the movie was not good"
/* The most tokens --generate adds. */
#define GENERATE_MAX 10000

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
    int quiz;                /* predict, then reveal; with --print, the handout */
    int bench;               /* render every step off-screen and report timings */
    int bench_w, bench_h;
    /* --init-model */
    const char *init_model;
    int d_model, heads, d_hidden;
    unsigned long long seed;
    const char *vocab;
    struct {                 /* --snapshot FILE.svg [--view V] [--step N] [--size WxH] */
        const char *file;    /* NULL: no snapshot */
        int view;            /* enum view's order: 0 pipeline, 1 heatmap, 2 compare, 3 training; -1 not given */
        long step;           /* as the status line counts; -1 not given; LONG_MAX: last */
        int w, h;            /* 0: not given */
    } snapshot;
    const char **sets;       /* --set NAME[ROW,COL]=VALUE, in order; owned array */
    int n_sets;
    char *sentence;          /* the words after the options, joined; owned */
    const char *lesson;      /* --lesson FILE: slides of models, sentences, views and stages */
    /* --generate N [--temperature T] [--top-k K] [--seed S]: an lm continues the sentence */
    int generate;            /* tokens to add at most; -1: no generation */
    double temperature;      /* 0: greedy (the default) */
    int top_k;               /* 0: every token */
    int temperature_given, top_k_given;
};

/* Fills o from argv. Returns 0, or -1 with a usage message in msg. */
int options_parse(struct options *o, int argc, char **argv, char *msg, size_t size);
void options_free(struct options *o);
void options_help(void);

#endif
