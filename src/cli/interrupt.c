#include "interrupt.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "attnstep/fsutil.h"

static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_SIGNALS (sizeof signals / sizeof signals[0])
static struct sigaction saved[N_SIGNALS];
static int caught[N_SIGNALS];

static void on_signal(int sig)
{
    fsutil_interrupted = sig;
}

void interrupt_catch(void)
{
    struct sigaction sa;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* a write in progress finishes; the writer checks the flag after it */
    sa.sa_handler = on_signal;
    for (size_t i = 0; i < N_SIGNALS; i++) {
        sigaddset(&sa.sa_mask, signals[i]);
        caught[i] = sigaction(signals[i], NULL, &saved[i]) == 0 && saved[i].sa_handler != SIG_IGN;
    }
    for (size_t i = 0; i < N_SIGNALS; i++)
        if (caught[i])
            sigaction(signals[i], &sa, NULL);
}

void interrupt_release(void)
{
    for (size_t i = 0; i < N_SIGNALS; i++)
        if (caught[i])
            sigaction(signals[i], &saved[i], NULL);
    int sig = fsutil_interrupted;
    if (!sig)
        return;
    fflush(NULL);
    signal(sig, SIG_DFL);
    raise(sig);
    exit(128 + sig); /* not reached: the default action of these three signals ends the program */
}
