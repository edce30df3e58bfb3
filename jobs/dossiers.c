/*
 * jobs/dossiers.c — `dmpremb dossiers import`: its transactions.
 *
 *   FILE|stdin --lines--> dossier_events_parse (ingest) --COPY--> dossier_event_stage
 *   one transaction: future events taken out; INSERT dossier_event ... ON
 *   CONFLICT DO NOTHING; INSERT dossier (new INS-Cs, state 'unknown')
 *   then the fold, slice by slice, each slice its own transaction:
 *   lifecycle_take_slice, lifecycle_read_slice, lifecycle_step
 *   (transform/lifecycle.c) per event, lifecycle_send, lifecycle_write
 *
 * A kill before the first commit (kill point dossiers-before-commit)
 * leaves nothing; after it (dossiers-after-commit) the events are recorded
 * and the next import folds them; a kill between slices leaves the slices
 * done applied and the rest pending (t0950). SIGINT/SIGTERM: nothing
 * imported while the file is read; between slices, the rest is pending.
 * Slices keep memory flat whatever the number of events.
 */
#include "jobs/dossiers.h"
#include "ingest/dossier_events.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/lines.h"
#include "load/copy.h"
#include "load/db.h"
#include "load/lifecycle_io.h"
#include "transform/lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOSSIER_LINE_MAX 4096
#define LC_SLICE 20000                /* dossiers per slice */

/* --- recording ------------------------------------------------------------- */

/* Reads the data lines after the header into the COPY: valid ones are sent,
 * bad ones said and counted. A message names the file and its line. */
static int stage_lines_at(struct lines *in, const char *name, struct copy *cp, const struct dossiers_say *say,
			  struct dossiers_import_report *n)
{
	struct dossier_event ev;
	const char *column, *why;
	int rc;

	while ((rc = lines_next(in)) == 1) {
		if (dr_interrupted())
			return dr_error(DR_E_INTERRUPTED, "interrupted: nothing imported");
		if (lines_blank(in))
			continue;
		n->read++;
		column = NULL;
		why = "line is longer than 4096 bytes";
		if (in->too_long || dossier_events_parse(in->text, in->len, &ev, &column, &why) != 0) {
			n->rejected++;
			say->bad_line(say->arg, name, in->lineno, column, why);
			continue;
		}
		n->valid++;
		if ((rc = copy_long(cp, in->lineno)) != 0 ||
		    (rc = copy_field(cp, ev.ins_c, 22)) != 0 ||
		    (rc = copy_fieldz(cp, ev.horodatage)) != 0 ||
		    (rc = copy_fieldz(cp, ev.evenement)) != 0 ||
		    (rc = copy_end_row(cp)) != 0)
			return rc;
	}
	return rc;
}

static int stage_lines(struct lines *in, const char *name, struct copy *cp, const struct dossiers_say *say,
		       struct dossiers_import_report *n)
{
	struct dr_errline at;
	int rc;

	dr_errline_push(&at, name, &in->lineno);
	rc = stage_lines_at(in, name, cp, say, n);
	dr_errctx_pop(&at.ctx);
	return rc;
}

struct say_ctx {
	const struct dossiers_say *say;
	const char *name;
};

static void say_future(void *arg, long long line)
{
	const struct say_ctx *x = arg;
	x->say->future(x->say->arg, x->name, line);
}

static void say_refused(void *arg, long long line, const char *evenement, const char *at, const char *outcome)
{
	const struct say_ctx *x = arg;
	x->say->refused(x->say->arg, x->name, line, evenement, at, outcome);
}

/* The file's events recorded, in one transaction. */
static int record_events(PGconn *c, struct lines *in, const char *name, long long run_id,
			 const struct dossiers_say *say, struct dossiers_import_report *n)
{
	struct say_ctx x = { say, name };
	struct copy cp;
	long long future = 0;
	int rc = lines_next(in);

	if (rc == 0)
		return dr_error(DR_E_DATA, "%s is empty: expected the header %s", name, DOSSIER_EVENTS_HEADER);
	if (rc < 0)
		return rc;
	if (in->too_long || dossier_events_header(in->text, in->len) != 0)
		return dr_error(DR_E_DATA, "%s line 1: header must be %s: nothing imported",
				name, DOSSIER_EVENTS_HEADER);

	rc = db_begin(c);
	if (rc == 0)
		rc = events_stage_open(c, &cp);
	if (rc)
		return rc;
	rc = stage_lines(in, name, &cp, say, n);
	if (rc) {
		copy_abort(&cp, "import abandoned");
		return rc;
	}
	rc = copy_finish(&cp, NULL);
	/* the platform sends what happened: an event dated in the future would
	 * change a dossier early (a closure, a deletion); a rejected line each */
	if (rc == 0 && (rc = events_stage_future(c, say_future, &x, &future)) == 0) {
		n->rejected += (long)future;
		n->valid -= (long)future;
	}
	if (rc == 0)
		rc = events_stage_apply(c, run_id, &n->imported, &n->created);
	dr_killpoint("dossiers-before-commit");
	if (rc == 0 && dr_interrupted())
		rc = dr_error(DR_E_INTERRUPTED, "interrupted before commit: nothing imported");
	if (rc == 0)
		rc = db_commit(c);
	return rc;
}

/* --- folding --------------------------------------------------------------- */

struct slice {
	char **rows;                       /* kept buffers of the read rows */
	size_t n_rows, cap_rows;
	struct lc_event_out *ev;
	size_t n_ev, cap_ev;
	struct { const char *ins_c; struct lc_dossier d; } *dos;
	size_t n_dos, cap_dos;
	struct lc_dossier_out *out;
	size_t cap_out;
	struct lifecycle_report *r;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	return array_grow(p, cap, need, size, "folding dossier events");
}

static void slice_reset(struct slice *s)
{
	for (size_t i = 0; i < s->n_rows; i++)
		lifecycle_row_free(s->rows[i]);
	s->n_rows = s->n_ev = s->n_dos = 0;
}

static void slice_free(struct slice *s)
{
	slice_reset(s);
	free(s->rows);
	free(s->ev);
	free(s->dos);
	free(s->out);
}

/* One event of the slice, in fold order: the dossier's history goes on. */
static int fold_event(void *arg, char *row, const char *ins_c, const char *evenement, const char *event_at)
{
	struct slice *s = arg;
	int e = lifecycle_event(evenement);
	const char *why;
	int rc;

	if ((rc = grow((void **)&s->rows, &s->cap_rows, s->n_rows + 1, sizeof(*s->rows))) != 0) {
		lifecycle_row_free(row);
		return rc;
	}
	s->rows[s->n_rows++] = row;
	if (e < 0)
		return dr_error(DR_E_INTERNAL, "unexpected dossier event row");
	if ((rc = grow((void **)&s->ev, &s->cap_ev, s->n_ev + 1, sizeof(*s->ev))) != 0
	    || (rc = grow((void **)&s->dos, &s->cap_dos, s->n_dos + 1, sizeof(*s->dos))) != 0)
		return rc;
	if (s->n_dos == 0 || strcmp(s->dos[s->n_dos - 1].ins_c, ins_c) != 0) {
		s->dos[s->n_dos].ins_c = ins_c;
		lifecycle_init(&s->dos[s->n_dos].d);
		s->n_dos++;
	}
	struct lc_event_out *f = &s->ev[s->n_ev++];
	enum lc_outcome o = lifecycle_step(&s->dos[s->n_dos - 1].d, (enum lc_event)e, event_at, &why);
	f->ins_c = ins_c;
	f->evenement = evenement;
	f->event_at = event_at;
	snprintf(f->outcome, sizeof(f->outcome), "%s%s%s",
		 o == LC_APPLIED ? "applied" : o == LC_WAITING ? "waiting" : "refused", why ? ": " : "", why ? why : "");
	s->r->events++;
	if (o == LC_APPLIED)
		s->r->applied++;
	else if (o == LC_WAITING)
		s->r->waiting++;
	else
		s->r->refused++;
	return 0;
}

/* The folded dossiers as lifecycle_send wants them. */
static int dossiers_out(struct slice *s)
{
	int rc = grow((void **)&s->out, &s->cap_out, s->n_dos + 1, sizeof(*s->out));

	for (size_t i = 0; rc == 0 && i < s->n_dos; i++) {
		const struct lc_dossier *d = &s->dos[i].d;
		s->out[i] = (struct lc_dossier_out){ .ins_c = s->dos[i].ins_c, .state = lifecycle_state_name(d->state),
						     .opposition = d->opposition, .created_at = d->created_at,
						     .due_at = d->due_at, .last_event_at = d->last_event_at };
	}
	return rc;
}

/* One slice in its own transaction; *n = dossiers taken (0: nothing left). */
static int apply_slice(PGconn *c, struct slice *s, long long *n)
{
	int rc = db_begin(c);

	*n = 0;
	if (rc != 0)
		return rc;
	if ((rc = lifecycle_take_slice(c, LC_SLICE, n)) != 0 || *n == 0) {
		db_rollback(c);
		return rc;
	}
	slice_reset(s);
	rc = lifecycle_read_slice(c, fold_event, s);
	s->r->dossiers += (long long)s->n_dos;
	if (rc != 0 || (rc = dossiers_out(s)) != 0 || (rc = lifecycle_send(c, s->ev, s->n_ev, s->out, s->n_dos)) != 0
	    || (rc = lifecycle_write(c, s->r)) != 0 || (rc = db_commit(c)) != 0) {
		db_rollback(c);
		return rc;
	}
	return 0;
}

/* Folds every dossier with events not applied yet. */
static int apply_events(PGconn *c, struct lifecycle_report *r)
{
	struct slice s = { .r = r };
	long long n;
	int rc;

	memset(r, 0, sizeof(*r));
	/* the session's staging tables, once: emptied by each slice's commit */
	if ((rc = lifecycle_prepare(c)) != 0)
		return rc;
	do
		rc = apply_slice(c, &s, &n);
	while (rc == 0 && n == LC_SLICE);
	slice_free(&s);
	return rc;
}

/* --- the job --------------------------------------------------------------- */

int jobs_dossiers_open(const char *path, struct lines *in)
{
	int rc = lines_open(in, path, DOSSIER_LINE_MAX, LINES_CUT);

	if (rc)
		lines_close(in, NULL);
	return rc;
}

void jobs_dossiers_close(struct lines *in)
{
	lines_close(in, NULL);
}

int jobs_dossiers_import(PGconn *c, struct lines *in, const char *name, long long run_id,
			 const struct dossiers_say *say, struct dossiers_import_report *n)
{
	struct say_ctx x = { say, name };
	bool more = false;
	int rc;

	memset(n, 0, sizeof(*n));
	rc = record_events(c, in, name, run_id, say, n);
	if (rc) {
		db_rollback(c);
		return rc;
	}
	dr_killpoint("dossiers-after-commit");
	/* the fold, slice by slice: events recorded and not applied yet are
	 * applied by the next import */
	rc = apply_events(c, &n->lc);
	if (rc == 0 && n->lc.refused > 0 && events_stage_refused(c, say_refused, &x, &more) == 0 && more)
		say->more_refused(say->arg, name);
	if (rc)
		db_rollback(c);
	return rc;
}

int jobs_dossiers_vacuum(PGconn *c, bool full, struct destruction_report *r)
{
	return lifecycle_destroy_pending(c, full, r);
}
