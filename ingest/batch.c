/*
 * ingest/batch.c — a batch directory as files: manifest, parse, counts (see batch.h).
 */
#include "ingest/batch.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/text.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert((int)FR_COUNT <= (int)INGEST_MAX_RULES, "filter rules do not fit struct ingest_file_report");
_Static_assert((int)RR_COUNT <= (int)INGEST_MAX_REASONS, "reject reasons do not fit struct ingest_file_report");
_Static_assert(MANIFEST_MAX_FILES <= INGEST_MAX_FILES, "manifest files do not fit struct ingest_report");

const char *ingest_rule_name(int k)
{
	return rows_rule_name((enum filter_rule)k);
}

const char *ingest_reason_name(int k)
{
	return rows_reason_name((enum reject_reason)k);
}

int ingest_batch_open(const struct ingest_opts *o, struct ingest_batch *b, struct ingest_report *rep)
{
	char dircopy[4096];
	int rc;

	memset(b, 0, sizeof(*b));
	snprintf(dircopy, sizeof(dircopy), "%s", o->dir);
	/* the label is printed, logged and stored: a line break or an ESC in the
	 * directory's name must not forge a log line nor reach a terminal raw */
	text_escape(basename(dircopy), TEXT_ESC_QUOTED, rep->label, sizeof(rep->label));
	b->m = calloc(1, sizeof(*b->m));
	if (b->m == NULL)
		return dr_error(DR_E_NOMEM, "out of memory");

	/* the manifest: refuse a truncated or corrupted transfer before anything */
	rc = manifest_read(o->dir, b->m);
	if (rc == 0)
		rc = manifest_verify(o->dir, b->m, o->jobs);
	if (rc)
		return rc;
	b->pf = calloc((size_t)b->m->n, sizeof(*b->pf));
	if (b->pf == NULL)
		return dr_error(DR_E_NOMEM, "out of memory");
	for (int i = 0; i < b->m->n; i++) {
		const struct manifest_entry *e = &b->m->e[i];
		int kind = rows_kind_of(e->name);
		if (kind < 0) {
			char q[256];
			return dr_error(DR_E_DATA, "manifest.csv lists '%s', which is not a file of the contract: refused",
					text_escape(e->name, TEXT_ESC_QUOTED, q, sizeof(q)));
		}
		snprintf(b->pf[i].path, sizeof(b->pf[i].path), "%s/%s", o->dir, e->name);
		rows_file_init(&b->pf[i].rf, (enum file_kind)kind, i, e->enc, e->name);
		b->names[i] = e->name;
		b->records += e->lines;
		b->n = i + 1;
	}
	dr_log(DR_LOG_INFO, "ingest.manifest", "batch=\"%s\" files=%d", rep->label, b->m->n);
	return 0;
}

int ingest_batch_parse(struct ingest_batch *b, int jobs, const struct parse_sink *sink)
{
	struct parse_file *order[MANIFEST_MAX_FILES];

	for (int i = 0; i < b->n; i++) {  /* insertion sort by bytes, descending */
		int k = i;
		for (; k > 0 && b->m->e[order[k - 1]->rf.file_no].bytes < b->m->e[i].bytes; k--)
			order[k] = order[k - 1];
		order[k] = &b->pf[i];
	}
	return parse_batch(order, b->n, jobs, sink);
}

int ingest_batch_count(const struct ingest_batch *b, struct ingest_report *rep)
{
	for (int i = 0; i < b->n; i++) {
		const struct manifest_entry *e = &b->m->e[i];
		struct ingest_file_report *f = &rep->f[i];
		snprintf(f->name, sizeof(f->name), "%s", e->name);
		f->bytes = e->bytes;
		snprintf(f->encoding, sizeof(f->encoding), "%s", e->enc == ENC_CP1252 ? "CP1252" : "UTF-8");
		memcpy(f->sha256, e->sha256, sizeof(f->sha256));
		f->read = b->pf[i].rf.read;
		f->filtered = b->pf[i].rf.filtered;
		f->rejected = b->pf[i].rf.rejected;
		memcpy(f->by_rule, b->pf[i].rf.by_rule, sizeof(b->pf[i].rf.by_rule));
		memcpy(f->by_reason, b->pf[i].rf.by_reason, sizeof(b->pf[i].rf.by_reason));
		if (b->pf[i].records != e->lines)
			return dr_error(DR_E_DATA, "'%s' has %ld data lines, manifest.csv says %ld: refused "
					"(truncated or corrupted transfer?)", e->name, b->pf[i].records, e->lines);
	}
	rep->nfiles = b->n;
	return 0;
}

/* The first file whose rejects exceed the ratio refuses the batch, unless forced. */
void ingest_batch_decide(const struct ingest_opts *o, struct ingest_report *rep)
{
	for (int i = 0; i < rep->nfiles && !rep->refused; i++) {
		const struct ingest_file_report *f = &rep->f[i];
		double ratio = f->read ? (double)f->rejected / (double)f->read : 0.0;
		if (ratio > o->max_reject_ratio) {
			rep->refused = true;
			rep->refused_ratio = ratio;
			snprintf(rep->refused_file, sizeof(rep->refused_file), "%s", f->name);
		}
	}
	if (rep->refused && o->force) {
		dr_log(DR_LOG_WARN, "ingest.forced", "file=%s reject_ratio=%.4f max=%.4f",
		       rep->refused_file, rep->refused_ratio, o->max_reject_ratio);
		rep->refused = false;
	}
}

int ingest_rules_json(const struct ingest_file_report *f, struct buf *out)
{
	int rc = buf_putc(out, '{');
	bool first = true;

	for (int k = 0; rc == 0 && k < FR_COUNT; k++)
		if (f->by_rule[k]) {
			rc = buf_printf(out, "%s\"%s\": %ld", first ? "" : ", ", rows_rule_name(k), f->by_rule[k]);
			first = false;
		}
	return rc ? rc : buf_putc(out, '}');
}

void ingest_batch_close(struct ingest_batch *b)
{
	if (b->pf) {
		for (int i = 0; i < (b->m ? b->m->n : 0); i++)
			rows_file_free(&b->pf[i].rf);
		free(b->pf);
	}
	free(b->m);
	memset(b, 0, sizeof(*b));
}
