/* term.h — the terminal's lifecycle: one place that starts curses, knows what
 * the terminal can do, and puts everything back however attnstep ends. */
#ifndef ATTNSTEP_TERM_H
#define ATTNSTEP_TERM_H

#include <signal.h>
#include <stdio.h>

struct term {
    int utf8;     /* the locale can encode UTF-8: wide glyphs and shade blocks */
    int colors;   /* 0 (monochrome or NO_COLOR), 8, or 256 */
    int mouse;
};

/* Set by the signal handlers (SIGINT, SIGTERM, SIGHUP, caught from term_init
 * to term_done); the main loop notices, restores the terminal and exits with
 * status 128 + the signal. */
extern volatile sig_atomic_t term_stop_signal;

/* Starts curses on out/in with TERM (NULL: $TERM). Returns 0, or -1 with the
 * reason in msg when the terminal cannot drive a full-screen view. */
int term_init(struct term *t, const char *termname, FILE *out, FILE *in, char *msg, size_t size);
/* Starts curses off-screen (--bench, --snapshot): a w×h xterm-256color
 * screen drawn into a scratch file, returned in *scratch (NULL: not wanted)
 * for the caller to measure; term_done closes it. Returns 0, or -1 with the
 * reason in msg. */
int term_offscreen(struct term *t, int w, int h, FILE **scratch, char *msg, size_t size);
/* Restores the terminal; safe to call twice and from atexit. */
void term_done(void);
/* Sets the locale from the environment; returns 1 when it encodes UTF-8. */
int term_locale_utf8(void);

#endif
