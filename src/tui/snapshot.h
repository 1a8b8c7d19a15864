/* snapshot.h — the screen as a picture: the cells curses holds after
 * app_draw(), written as SVG (monospace cells, the screen's colours, wide
 * glyphs two cells wide), for a slide. Off-screen (--snapshot) or from the
 * running screen (the S key). */
#ifndef ATTNSTEP_SNAPSHOT_H
#define ATTNSTEP_SNAPSHOT_H

#include "app.h"
#include "attnstep/error.h"

#define SNAPSHOT_DEFAULT_W 120
#define SNAPSHOT_DEFAULT_H 36
/* The largest --size: a screen this big is already a poster. */
#define SNAPSHOT_MAX_W 1000
#define SNAPSHOT_MAX_H 500
/* --view generate --step N: words generated at most (as --generate). */
#define SNAPSHOT_MAX_GENERATE 10000

/* Writes what stdscr holds now to path as SVG (through a temporary file in
 * the same folder, renamed at the end). Returns 0, or -1 with
 * "path: reason" in err. */
int snapshot_write_screen(const char *path, struct error *err);

/* Draws a off-screen at w×h in view (-1: the one a is in) at step (as the
 * status line counts it: step s of the pipeline and heatmap from 1, word k of
 * the compare view from 0, snapshot k of the training view from 1; -1: where
 * the screen starts; LONG_MAX: the last) and writes it to path. Returns the exit status: 0, 1
 * (cannot write) or 2 (a step or size out of range), the reason printed. */
int snapshot_run(struct app *a, const char *path, int view, long step, int w, int h);

/* The S key: writes the screen (without a message) to the first free
 * attnstep-NNN.svg in the current folder and says so in a->message. */
void snapshot_key(struct app *a);

#endif
