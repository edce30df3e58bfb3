/*
 * cli/cmd_dossiers.c — `dmpremb dossiers import FILE`: record dossier events.
 *
 *   FILE|stdin --lines--> dossier_events_parse --COPY--> temp stage table
 *        bad lines: stderr (file, line, column)        |
 *                                  one transaction:    v
 *           INSERT dossier_event ... ON CONFLICT DO NOTHING
 *           upsert dossier (state 'open', created_at = earliest CREATION)
 *
 * Events are recorded faithfully and nothing more: applying the lifecycle
 * (closing, deleting, opposition...) to dossier rows is a later step. An
 * event already recorded (same INS-C, instant and event) is counted as
 * already known. No message ever holds an INS-C.
 */
#include "cli/cli.h"
#include "ingest/dossier_events.h"
#include "ingest/lines.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "load/copy.h"
#include "load/db.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define DOSSIER_LINE_MAX 4096

static const char dossiers_usage[] =
	"usage: dmpremb dossiers import FILE|-\n"
	"\n"
	"import  records the dossier lifecycle events of FILE ('-' for standard\n"
	"        input): a header 'INS_C;EVENEMENT;HORODATAGE', then one event a\n"
	"        line, e.g. an INS-C (22 digits), CREATION, 2026-11-16T09:00:00+01:00.\n"
	"        EVENEMENT is CREATION, FERMETURE, REACTIVATION, SUPPRESSION,\n"
	"        DECES, OPPOSITION or LEVEE_OPPOSITION; HORODATAGE is ISO 8601\n"
	"        with an offset (Z or +HH:MM), optional fraction of a second.\n"
	"        A dossier is created (open) for each INS-C not yet known, dated\n"
	"        by its earliest CREATION. Events already recorded are counted,\n"
	"        not doubled, so a file can be imported again safely.\n"
	"        A bad line is reported on standard error (line and column, never\n"
	"        the value); the others are imported and the exit status is 65.\n"
	"\n"
	"Prints lines read, imported, already known and rejected on stdout.\n"
	"\n";

struct import_counts {
	long read, valid, rejected;
	long long imported, created;
};

/* Appends s to b as a JSON string literal. */
static int json_string(struct buf *b, const char *s)
{
	int rc = buf_putc(b, '"');

	for (; *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			rc = buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			rc = buf_printf(b, "\\u%04x", c);
		else
			rc = buf_putc(b, (char)c);
	}
	return rc ? rc : buf_putc(b, '"');
}

/*
 * Reads the data lines after the header into the COPY: valid ones are sent,
 * bad ones said on stderr and counted. Returns 0 or a DR_E_* code.
 */
static int stage_lines(struct lines *in, const char *name, struct copy *cp,
		       struct import_counts *n)
{
	struct dossier_event ev;
	const char *column, *why;
	int rc;

	while ((rc = lines_next(in)) == 1) {
		if (dr_interrupted())
			return dr_error(DR_E_INTERRUPTED, "interrupted at line %ld of %s: nothing imported",
					in->lineno, name);
		if (lines_blank(in))
			continue;
		n->read++;
		column = NULL;
		why = "line is longer than 4096 bytes";
		if (in->too_long || dossier_events_parse(in->text, in->len, &ev, &column, &why) != 0) {
			n->rejected++;
			fprintf(stderr, "dmpremb dossiers: %s line %ld: %s%s%s\n", name, in->lineno,
				column ? column : "", column ? " " : "", why);
			continue;
		}
		n->valid++;
		if ((rc = copy_field(cp, ev.ins_c, 22)) != 0 ||
		    (rc = copy_fieldz(cp, ev.horodatage)) != 0 ||
		    (rc = copy_fieldz(cp, ev.evenement)) != 0 ||
		    (rc = copy_end_row(cp)) != 0)
			return rc;
	}
	return rc;
}

/* Moves the staged events into dossier_event and dossier (set-based). */
static int apply_stage(struct cli *cli, struct import_counts *n)
{
	char run[24];
	const char *params[1] = { run };
	int rc;

	snprintf(run, sizeof(run), "%lld", cli->run_id);
	rc = db_query_long(cli->conn,
		"WITH ins AS ("
		" INSERT INTO dossier_event (ins_c, event_at, evenement, run_id)"
		" SELECT DISTINCT ins_c, event_at, evenement, $1::bigint FROM dossier_event_stage"
		" ON CONFLICT DO NOTHING RETURNING 1)"
		" SELECT count(*) FROM ins", 1, params, 0, &n->imported);
	if (rc)
		return rc;
	/* a known dossier keeps its row; only an earlier CREATION moves created_at */
	return db_query_long(cli->conn,
		"WITH up AS ("
		" INSERT INTO dossier AS d (ins_c, created_at)"
		" SELECT ins_c, min(event_at) FILTER (WHERE evenement = 'CREATION')"
		" FROM dossier_event_stage GROUP BY ins_c"
		" ON CONFLICT (ins_c) DO UPDATE"
		" SET created_at = EXCLUDED.created_at, updated_at = clock_timestamp()"
		" WHERE EXCLUDED.created_at < d.created_at"
		" OR (d.created_at IS NULL AND EXCLUDED.created_at IS NOT NULL)"
		" RETURNING xmax = 0 AS created)"
		" SELECT count(*) FILTER (WHERE created) FROM up", 0, NULL, 0, &n->created);
}

/* Imports the events of in (header not read yet) in one transaction. */
static int import_events(struct cli *cli, struct lines *in, const char *name,
			 struct import_counts *n)
{
	struct copy cp;
	int rc = lines_next(in);

	if (rc == 0)
		return dr_error(DR_E_DATA, "%s is empty: expected the header %s",
				name, DOSSIER_EVENTS_HEADER);
	if (rc < 0)
		return rc;
	if (in->too_long || dossier_events_header(in->text, in->len) != 0)
		return dr_error(DR_E_DATA, "%s line 1: header must be %s: nothing imported",
				name, DOSSIER_EVENTS_HEADER);

	rc = db_begin(cli->conn);
	if (rc == 0)
		rc = db_exec(cli->conn, "CREATE TEMP TABLE dossier_event_stage"
			     " (ins_c text NOT NULL, event_at timestamptz NOT NULL,"
			     " evenement text NOT NULL) ON COMMIT DROP");
	if (rc == 0)
		rc = copy_begin(&cp, cli->conn,
				"COPY dossier_event_stage (ins_c, event_at, evenement) FROM STDIN");
	if (rc)
		return rc;
	rc = stage_lines(in, name, &cp, n);
	if (rc) {
		copy_abort(&cp, "import abandoned");
		return rc;
	}
	rc = copy_finish(&cp, NULL);
	if (rc == 0)
		rc = apply_stage(cli, n);
	if (rc == 0)
		rc = db_commit(cli->conn);
	return rc;
}

static int dossiers_import(struct cli *cli, const char *path)
{
	bool use_stdin = strcmp(path, "-") == 0;
	const char *name = use_stdin ? "stdin" : path;
	struct import_counts n = { 0 };
	struct lines in;
	struct buf opts;
	char counts[256];
	int rc = lines_open(&in, use_stdin ? "-" : path, DOSSIER_LINE_MAX, LINES_CUT);

	if (rc) {
		lines_close(&in, NULL);
		return rc;
	}
	buf_init(&opts, 8192);
	rc = buf_puts(&opts, "{\"file\":");
	if (rc == 0)
		rc = json_string(&opts, path);
	if (rc == 0)
		rc = buf_putc(&opts, '}');
	if (rc == 0)
		rc = cli_run_start(cli, "dossiers-import", opts.data);
	buf_free(&opts);
	if (rc) {
		lines_close(&in, NULL);
		return rc;
	}

	rc = import_events(cli, &in, name, &n);
	lines_close(&in, NULL);
	if (rc)
		db_rollback(cli->conn);
	else
		printf("lines read: %ld\nimported: %lld\nalready known: %lld\nrejected: %ld\n"
		       "new dossiers: %lld\n",
		       n.read, n.imported, n.valid - n.imported, n.rejected, n.created);
	if (rc == 0 && n.rejected)
		rc = dr_error(DR_E_DATA, "%ld of %ld lines of %s rejected (the others were imported)",
			      n.rejected, n.read, name);
	snprintf(counts, sizeof(counts),
		 "{\"read\":%ld,\"imported\":%lld,\"duplicate\":%lld,\"rejected\":%ld,"
		 "\"dossiers_created\":%lld}",
		 n.read, n.imported, n.valid - n.imported, n.rejected, n.created);
	if (rc == 0 || rc == DR_E_DATA)
		dr_log(DR_LOG_INFO, "dossiers.import", "read=%ld imported=%lld duplicate=%lld rejected=%ld",
		       n.read, n.imported, n.valid - n.imported, n.rejected);
	cli_run_finish(cli, rc, counts, dr_errmsg());
	return rc;
}

int cmd_dossiers(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = { CLI_COMMON_LONGOPTS, { 0 } };
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		rc = cli_common_option(cli, "dossiers", opt, optarg, dossiers_usage);
		if (rc)
			return rc > 0 ? DR_OK : rc;
	}
	if (optind >= argc || strcmp(argv[optind], "import") != 0)
		return cli_usage_error("dossiers", "expected 'import FILE'");
	if (argc - optind != 2)
		return cli_usage_error("dossiers", "import takes one FILE ('-' for standard input)");
	return dossiers_import(cli, argv[optind + 1]);
}
