/*
 * lib/progress.h — telling the operator how far long work has got.
 *
 * On a terminal (stderr is a tty): one live line, redrawn at most twice a
 * second, "feed  1200/5000 dossiers  24%  130/s  about 29 s left". Under
 * cron or systemd (not a tty): a plain log line (event NAME.progress, with
 * done, total, rate and eta_s) every `period` seconds, so a log shows that a
 * long run is alive and when it should end. Nothing with --quiet.
 * progress_end() clears the live line; the command's summary follows.
 */
#ifndef DR_PROGRESS_H
#define DR_PROGRESS_H

#include <stdbool.h>

struct progress {
	const char *name;         /* log event prefix and label, e.g. "feed" */
	const char *unit;         /* e.g. "dossiers" */
	long long total;          /* 0 when unknown */
	bool tty, quiet, drawn;
	double started, last;     /* monotonic seconds */
	double period;            /* seconds between plain lines */
};

void progress_init(struct progress *p, const char *name, const char *unit, long long total, bool quiet);
void progress_update(struct progress *p, long long done);
void progress_end(struct progress *p);

/*
 * Work measured in steps, not units: a phase of long SQL statements, where
 * nothing can be counted while the server works. Each step is announced as
 * it starts: on a terminal, the live line "ingest  step 2/5  classifying the
 * lines  (14 s so far)"; otherwise a log line NAME.step (step, steps, what,
 * elapsed_s), so a log shows which statement a long run is in.
 */
void progress_step(struct progress *p, int step, int steps, const char *what);

/* Monotonic clock, in seconds. */
double progress_now(void);

#endif
