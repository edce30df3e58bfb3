/*
 * lib/interrupt.h — SIGINT/SIGTERM as a flag that long loops poll.
 *
 * The first signal sets the flag: the current transaction is rolled back (or
 * finished when it is a commit already sent) and the command says what was
 * done, exiting 75. A second signal ends the process at once (the database
 * stays consistent either way: every write is transactional).
 */
#ifndef DR_INTERRUPT_H
#define DR_INTERRUPT_H

#include <stdbool.h>

void dr_interrupt_install(void);
bool dr_interrupted(void);

/*
 * Registers fn to be called from the signal handler at the first signal, to
 * stop work the process is waiting on (a statement running on the server:
 * load/db.c cancels it). fn must be async-signal-safe; NULL removes it.
 */
void dr_interrupt_hook(void (*fn)(void));
/*
 * Test hook: DMPREMB_KILL_AT=point:n[:SIG] sends the process SIGKILL (or SIG:
 * TERM, INT or STOP) at the n-th pass of point. STOP lets a test act while
 * the command is frozen mid-run (stop the database, send a signal), then
 * resume it with SIGCONT. The points are listed in docs/robustness.md.
 */
void dr_killpoint(const char *point);

#endif
