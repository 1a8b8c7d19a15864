#include "term.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/i18n.h"

volatile sig_atomic_t term_stop_signal;

static SCREEN *screen;
static int started;
static FILE *offscreen_out, *offscreen_in; /* term_offscreen's scratch file and /dev/null */

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction saved[sizeof stop_signals / sizeof stop_signals[0]];
static int caught;

static void on_signal(int sig)
{
    term_stop_signal = sig;
}

/* While the screen runs, a stop signal only sets term_stop_signal; before
 * and after, it does what it did before (the plain walk-through printed
 * instead of a screen is stopped by it at once, with status 128+signal).
 * A signal ignored from the start (nohup) stays ignored. */
static void catch_stop_signals(int on)
{
    if (on == caught)
        return;
    caught = on;
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++) {
        if (!on) {
            sigaction(stop_signals[i], &saved[i], NULL);
            continue;
        }
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(stop_signals[i], NULL, &saved[i]);
        if (saved[i].sa_handler != SIG_IGN)
            sigaction(stop_signals[i], &sa, NULL);
    }
}

int term_locale_utf8(void)
{
    /* LC_MESSAGES stays as the language setup (--lang) left it. */
    char messages[256];
    const char *m = setlocale(LC_MESSAGES, NULL);
    snprintf(messages, sizeof messages, "%s", m ? m : "");
    setlocale(LC_ALL, "");
    if (messages[0])
        setlocale(LC_MESSAGES, messages);
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

void term_done(void)
{
    if (!started)
        return;
    started = 0;
    mousemask(0, NULL);
    curs_set(1);
    endwin();
    /* delscreen frees the screen only; the terminal settings were restored by endwin. */
    delscreen(screen);
    screen = NULL;
    catch_stop_signals(0);
    if (offscreen_out)
        fclose(offscreen_out);
    if (offscreen_in)
        fclose(offscreen_in);
    offscreen_out = offscreen_in = NULL;
}

int term_offscreen(struct term *t, int w, int h, FILE **scratch, char *msg, size_t size)
{
    FILE *out = tmpfile(), *in = fopen("/dev/null", "r");
    if (!out || !in) {
        int e = errno;
        if (out)
            fclose(out);
        if (in)
            fclose(in);
        /* TRANSLATORS: why --bench or --snapshot cannot draw; %s is the system's reason. */
        snprintf(msg, size, _("cannot open a scratch file: %s"), strerror(e));
        return -1;
    }
    char n[32];
    snprintf(n, sizeof n, "%d", w);
    setenv("COLUMNS", n, 1);
    snprintf(n, sizeof n, "%d", h);
    setenv("LINES", n, 1);
    if (term_init(t, "xterm-256color", out, in, msg, size)) {
        fclose(out);
        fclose(in);
        return -1;
    }
    offscreen_out = out;
    offscreen_in = in;
    if (scratch)
        *scratch = out;
    return 0;
}

int term_init(struct term *t, const char *termname, FILE *out, FILE *in, char *msg, size_t size)
{
    memset(t, 0, sizeof *t);
    t->utf8 = term_locale_utf8();
    const char *name = termname ? termname : getenv("TERM");
    if (!name || !*name || !strcmp(name, "dumb")) {
        /* TRANSLATORS: why the full-screen view cannot start (attnstep then
           prints the walk-through); %s is TERM's value or "not set". */
        snprintf(msg, size, _("TERM is %s, which cannot drive a full-screen view"), name && *name ? name : _("not set"));
        return -1;
    }
    /* Our handlers go in first: ncurses then leaves SIGINT and SIGTERM alone,
     * and the main loop gets a chance to restore the terminal itself. */
    catch_stop_signals(1);
    screen = newterm(name, out, in);
    if (!screen) {
        catch_stop_signals(0);
        /* TRANSLATORS: why the full-screen view cannot start; %s is TERM's value. */
        snprintf(msg, size, _("TERM '%s' is not a terminal type this machine knows"), name);
        return -1;
    }
    set_term(screen);
    started = 1;
    atexit(term_done);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    const char *no_color = getenv("NO_COLOR");
    if (has_colors() && !(no_color && *no_color)) {
        start_color();
        use_default_colors();
        t->colors = COLORS >= 256 ? 256 : 8;
    }
    t->mouse = mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL) != 0;
    mouseinterval(0);
    return 0;
}
