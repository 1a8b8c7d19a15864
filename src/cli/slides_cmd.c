#include "slides_cmd.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attnstep/i18n.h"
#include "attnstep/slides.h"
#include "config.h"
#include "examples.h"
#include "paths.h"
#include "slideshow.h"
#include "term.h"
#include "theme.h"

extern int widgets_utf8;

/* A translated format, never NULL (as app.c's FMT: GCC's sanitizer build checks for a NULL format). */
__attribute__((format_arg(1), returns_nonnull)) static const char *nonnull_format(const char *s)
{
    return s ? s : "";
}

/* The first slide's sentence when it gives none: as attnstep without words. */
static const char *default_example(const struct bundle *model, void *ctx)
{
    struct examples *ex = ctx;
    examples_free(ex);
    examples_load(ex, model);
    return examples_default(ex, DEFAULT_SENTENCE);
}

/* The slides as text: a teacher's checklist (and what a pipe gets). */
static int list_slides(const struct slides *s)
{
    for (int k = 0; k < s->n_slides; k++) {
        const struct slide *sl = &s->slide[k];
        char stage[64] = "";
        if (sl->stage)
            /* TRANSLATORS: --lesson --print: follows the view's name ("heatmap, stage 3"). */
            snprintf(stage, sizeof stage, nonnull_format(_(", stage %d")), sl->stage);
        /* TRANSLATORS: --lesson --print: one line per slide: the slide, of how many, the model's name, the
           view (pipeline, heatmap, compare, training: kept in English, as the file writes them), ", stage k"
           when it gives one, the sentence; the note follows on its own line. */
        printf(nonnull_format(_("slide %d of %d: %s, %s%s: %s\n")), k + 1, s->n_slides, s->models[sl->model].bundle.name,
               slides_view_name(sl->view), stage, sl->sentence);
        if (*sl->note)
            printf("  %s\n", sl->note);
    }
    return fflush(stdout) ? 1 : 0;
}

/* The bundled model that has RNN and LSTM weights, as short as it can be typed from here. */
static const char *recurrent_model(char *buf, size_t size)
{
    char found[4096], cwd[PATH_MAX];
    if (paths_find_data("models/" RECURRENT_MODEL, found, sizeof found) || !realpath(found, buf))
        return NULL;
    size_t n = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
    (void)size;
    return n > 1 && !strncmp(buf, cwd, n) && buf[n] == '/' ? buf + n + 1 : buf;
}

static int show(const struct options *o, struct slides *s, int *interactive)
{
    struct error err;
    struct app app;
    struct slideshow sh = {s, NULL, 0, -1, o->causal};
    struct examples *ex = calloc((size_t)s->n_models, sizeof *ex);
    struct show_model *models = calloc((size_t)s->n_models, sizeof *models);
    int rc = 0;
    if (!ex || !models) {
        free(ex);
        free(models);
        return fprintf(stderr, "attnstep: %s\n", _("out of memory")), 1;
    }
    for (int m = 0; m < s->n_models; m++) {
        examples_load(&ex[m], &s->models[m].bundle);
        models[m] = (struct show_model){ex[m].text, ex[m].unknown, ex[m].n, {0}};
        retrain_from_description(&s->models[m].bundle, &models[m].retrain);
    }
    sh.models = models;
    if (app_init(&app, &s->models[s->slide[0].model].bundle, s->slide[0].sentence, o->causal, o->gran, &err)) {
        app_free(&app);
        fprintf(stderr, "attnstep: %s\n", err.msg);
        rc = 1;
        goto done;
    }
    struct term t;
    char msg[256], rec[PATH_MAX];
    if (term_init(&t, NULL, stdout, stdin, msg, sizeof msg)) {
        /* TRANSLATORS: after "attnstep: ", when the terminal cannot show a lesson (--lesson); %s: why. */
        fprintf(stderr, "attnstep: ");
        fprintf(stderr, nonnull_format(_("%s; listing the slides instead")), msg);
        fputc('\n', stderr);
        *interactive = 0;
        app_free(&app);
        goto done;
    }
    widgets_utf8 = t.utf8;
    theme_init(&t);
    app.recurrent_model = recurrent_model(rec, sizeof rec);
    app.show = &sh;
    slideshow_goto(&app, 0);
    app.playing = o->autoplay > 0;
    if (o->autoplay > 0)
        app.interval = o->autoplay;
    rc = app_run(&app);
    term_done();
    slideshow_done(&app);
    app_free(&app);
done:
    for (int m = 0; m < s->n_models; m++)
        examples_free(&ex[m]);
    free(ex);
    free(models);
    return rc;
}

int slides_cmd(const struct options *o)
{
    struct error err;
    char bundled[4096];
    const char *models = paths_find_data("models", bundled, sizeof bundled) ? NULL : bundled;
    /* A bare name that is not a file here: a bundled lesson (attention-101.en.csv). */
    char name[4096], shipped[4096];
    const char *path = o->lesson;
    snprintf(name, sizeof name, "lessons/%s", path);
    if (!strchr(path, '/') && access(path, F_OK) && paths_find_data(name, shipped, sizeof shipped) == 0)
        path = shipped;
    struct examples ex = {0};
    struct slides s;
    int rc = slides_load(&s, path, models, o->causal, default_example, &ex, &err);
    examples_free(&ex);
    if (rc)
        return fprintf(stderr, "attnstep: %s\n", err.msg), 1;
    for (int m = 0; m < s.n_models; m++) /* before the screen starts, so they stay readable */
        for (int i = 0; i < s.models[m].hist.n_warnings; i++)
            fprintf(stderr, nonnull_format(_("attnstep: warning: %s\n")), s.models[m].hist.warnings[i]);
    int interactive = !o->print && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
    if (interactive)
        rc = show(o, &s, &interactive);
    if (!interactive && rc == 0 && list_slides(&s)) {
        fprintf(stderr, "attnstep: %s\n", _("cannot write the slides to standard output"));
        rc = 1;
    }
    slides_free(&s);
    return rc;
}
