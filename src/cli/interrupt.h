/* interrupt.h — Ctrl-C, SIGTERM and SIGHUP while a directory is being written:
 * the writer stops, removes its staging directory, and the program then dies
 * by the same signal (a shell reports 128+signal), like any Unix tool. */
#ifndef ATTNSTEP_INTERRUPT_H
#define ATTNSTEP_INTERRUPT_H

/* From here on, those signals only set fsutil_interrupted. A signal that was
 * ignored when the program started (nohup, a background job) stays ignored. */
void interrupt_catch(void);
/* Puts the previous handling back; if a signal came meanwhile, raises it again
 * (the caller has cleaned up and said what happened), so this does not return. */
void interrupt_release(void);

#endif
