/*
 * lib/progress.c — live line on a terminal, periodic log line otherwise (see progress.h).
 */
#include "lib/progress.h"
#include "lib/log.h"
#include "lib/num.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

double progress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p, const char *name, const char *unit, long long total, bool quiet)
{
	const char *period = getenv("DMPREMB_PROGRESS_SECONDS");

	p->name = name;
	p->unit = unit;
	p->total = total;
	p->quiet = quiet;
	p->tty = isatty(STDERR_FILENO) == 1;
	p->drawn = false;
	p->started = p->last = progress_now();
	double v;
	p->period = period && num_parse_double(period, &v) == 0 && v > 0 ? v : 60.0;
}

void progress_update(struct progress *p, long long done)
{
	double now = progress_now(), elapsed = now - p->started;
	double rate = elapsed > 0 ? (double)done / elapsed : 0.0;
	double eta = rate > 0 && p->total > done ? (double)(p->total - done) / rate : 0.0;

	if (p->quiet || now - p->last < (p->tty ? 0.5 : p->period))
		return;
	p->last = now;
	if (p->tty) {
		fprintf(stderr, "\r%s  %lld/%lld %s  %3.0f%%  %.0f/s  about %.0f s left   ", p->name, done,
			p->total, p->unit, p->total > 0 ? 100.0 * (double)done / (double)p->total : 0.0, rate, eta);
		fflush(stderr);
		p->drawn = true;
	} else {
		char event[64];
		snprintf(event, sizeof(event), "%s.progress", p->name);
		dr_log(DR_LOG_INFO, event, "done=%lld total=%lld unit=%s rate=%.1f elapsed_s=%.0f eta_s=%.0f",
		       done, p->total, p->unit, rate, elapsed, eta);
	}
}

void progress_end(struct progress *p)
{
	if (p->drawn) {
		fprintf(stderr, "\r%*s\r", 78, "");
		fflush(stderr);
		p->drawn = false;
	}
}

void progress_step(struct progress *p, int step, int steps, const char *what)
{
	double elapsed = progress_now() - p->started;
	char event[64];

	if (p->quiet)
		return;
	if (p->tty) {
		fprintf(stderr, "\r%s  step %d/%d  %s  (%.0f s so far)%*s", p->name, step, steps, what, elapsed, 8, "");
		fflush(stderr);
		p->drawn = true;
		return;
	}
	snprintf(event, sizeof(event), "%s.step", p->name);
	dr_log(DR_LOG_INFO, event, "step=%d steps=%d what=\"%s\" elapsed_s=%.0f", step, steps, what, elapsed);
}
