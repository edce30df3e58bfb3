/*
 * cli/cmd_dossiers.c — `dmpremb dossiers import FILE`: record and apply dossier events.
 *
 *   FILE|stdin --lines--> dossier_events_parse --COPY--> temp stage table
 *        bad lines: stderr (file, line, column)        |
 *                                  one transaction:    v
 *           INSERT dossier_event ... ON CONFLICT DO NOTHING
 *           INSERT dossier (new INS-Cs, state 'unknown')
 *           lifecycle_apply: re-fold the histories that changed
 *           (load/lifecycle_io.h): states, due times, deletions
 *
 * An event already recorded (same INS-C, instant and event) is counted as
 * already known. An event refused by the lifecycle (an impossible
 * transition) is recorded with its reason and said on stderr by line
 * number. No message ever holds an INS-C.
 */
#include "cli/cli.h"
#include "ingest/dossier_events.h"
#include "lib/lines.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/interrupt.h"
#include "lib/log.h"
#include "load/analytics.h"
#include "load/copy.h"
#include "load/db.h"
#include "load/lifecycle_io.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define DOSSIER_LINE_MAX 4096

static const char dossiers_usage[] =
	"usage: dmpremb dossiers import FILE|-\n"
	"       dmpremb dossiers vacuum [--full]\n"
	"\n"
	"import  records the dossier lifecycle events of FILE ('-' for standard\n"
	"        input): a header 'INS_C;EVENEMENT;HORODATAGE', then one event a\n"
	"        line, e.g. an INS-C (22 digits), CREATION, 2026-11-16T09:00:00+01:00.\n"
	"        EVENEMENT is CREATION, FERMETURE, REACTIVATION, SUPPRESSION,\n"
	"        DECES, OPPOSITION or LEVEE_OPPOSITION; HORODATAGE is ISO 8601\n"
	"        with an offset (Z or +HH:MM), optional fraction of a second.\n"
	"        Events already recorded are counted, not doubled, so a file can\n"
	"        be imported again safely.\n"
	"\n"
	"        The events are then applied in the same transaction: each\n"
	"        dossier's state is the fold of all its known events in timestamp\n"
	"        order, wherever and whenever they arrived (docs/lifecycle.md).\n"
	"        CREATION, REACTIVATION and LEVEE_OPPOSITION make it due for a\n"
	"        first feed; FERMETURE and OPPOSITION stop feeding; DECES closes\n"
	"        it for good; SUPPRESSION destroys its documents, versions, traces\n"
	"        and claim data at once and leaves only a tombstone. An impossible\n"
	"        transition (e.g. REACTIVATION after DECES) is refused and said on\n"
	"        standard error by line; an event before any CREATION waits for it.\n"
	"        A bad line is reported on standard error (line and column, never\n"
	"        the value); the others are imported and the exit status is 65.\n"
	"\n"
	"Prints lines read, imported, already known, rejected, and what the\n"
	"lifecycle did (applied, waiting, refused, dossiers deleted) on stdout.\n"
	"\n"
	"vacuum  destroys on disk what deletions left (docs/retention.md): each\n"
	"        relation a SUPPRESSION deleted rows from since the last vacuum\n"
	"        (dmpremb.destruction_pending) gets a VACUUM (INDEX_CLEANUP ON):\n"
	"        no tuple and no index entry left, the bytes may stay in the\n"
	"        pages' free space until overwritten; the identity tables\n"
	"        (beneficiary, the pseudonyms) are rewritten (VACUUM FULL): none\n"
	"        of their bytes is left. Run it hourly, after the import.\n"
	"  --full  rewrite every one of those relations (VACUUM FULL: each is\n"
	"        locked while it is rewritten; for a maintenance window)\n"
	"        Prints relations vacuumed, rewritten, seconds.\n"
	"\n"
	"'dossiers vacuum' runs as the login, which must be a member of\n"
	"dmpremb_owner (VACUUM needs the owner's rights): the DBA's login.\n"
	"\n"
	"Role: dmpremb_events.\n"
	"\n";

struct import_counts {
	long read, valid, rejected;
	long long imported, created;
	struct lifecycle_report lc;
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
		if ((rc = copy_long(cp, in->lineno)) != 0 ||
		    (rc = copy_field(cp, ev.ins_c, 22)) != 0 ||
		    (rc = copy_fieldz(cp, ev.horodatage)) != 0 ||
		    (rc = copy_fieldz(cp, ev.evenement)) != 0 ||
		    (rc = copy_end_row(cp)) != 0)
			return rc;
	}
	return rc;
}

/*
 * Refuses the staged events dated in the future (beyond the server's now and
 * a few minutes of clock skew): the platform sends what happened, and an
 * event applied before its time would change a dossier early (a closure, a
 * deletion). Each is a rejected line, said by its line number.
 */
#define EVENT_SKEW "5 minutes"
static int reject_future(struct cli *cli, const char *name, struct import_counts *n)
{
	PGresult *r;
	int rc = db_query(cli->conn, "refusing events dated in the future",
		"WITH gone AS (DELETE FROM dossier_event_stage WHERE event_at > now() + interval '" EVENT_SKEW "'"
		"              RETURNING line_no)"
		" SELECT line_no FROM gone ORDER BY 1", 0, NULL, &r);

	if (rc != 0)
		return rc;
	for (int i = 0; i < PQntuples(r); i++)
		fprintf(stderr, "dmpremb dossiers: %s line %s: HORODATAGE is in the future"
			" (later than now + 5 minutes): rejected\n", name, PQgetvalue(r, i, 0));
	n->rejected += PQntuples(r);
	n->valid -= PQntuples(r);
	PQclear(r);
	return 0;
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
	return db_query_long(cli->conn,
		"WITH ins AS ("
		" INSERT INTO dossier (ins_c) SELECT DISTINCT ins_c FROM dossier_event_stage"
		" ON CONFLICT (ins_c) DO NOTHING RETURNING 1)"
		" SELECT count(*) FROM ins", 0, NULL, 0, &n->created);
}

/* Says on stderr each refused event of the dossiers this file touched: by
 * line when it is in the file, by its instant when recorded earlier (the
 * re-fold can change an old event's outcome). */
static void say_refused(struct cli *cli, const char *name)
{
	PGresult *r;

	if (db_query(cli->conn, "listing refused events",
		     "SELECT min(s.line_no), e.evenement, e.event_at AT TIME ZONE 'UTC', e.outcome"
		     " FROM dossier_event e JOIN (SELECT DISTINCT ins_c FROM dossier_event_stage) t USING (ins_c)"
		     " LEFT JOIN dossier_event_stage s ON s.ins_c = e.ins_c AND s.event_at = e.event_at"
		     "  AND s.evenement = e.evenement"
		     " WHERE e.outcome LIKE 'refused%' GROUP BY e.ins_c, e.event_at, e.evenement, e.outcome"
		     " ORDER BY 1 NULLS LAST, 3 LIMIT 1000", 0, NULL, &r) != 0)
		return;
	for (int i = 0; i < PQntuples(r); i++)
		if (!PQgetisnull(r, i, 0))
			fprintf(stderr, "dmpremb dossiers: %s line %s: %s %s\n", name, PQgetvalue(r, i, 0),
				PQgetvalue(r, i, 1), PQgetvalue(r, i, 3));
		else
			fprintf(stderr, "dmpremb dossiers: %s: %s of %s UTC recorded earlier for a dossier of"
				" this file: %s\n", name, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
				PQgetvalue(r, i, 3));
	if (PQntuples(r) == 1000)
		fprintf(stderr, "dmpremb dossiers: %s: more refused events not listed"
			" (dossier_event.outcome holds them all)\n", name);
	PQclear(r);
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
			     " (line_no bigint NOT NULL, ins_c text NOT NULL, event_at timestamptz NOT NULL,"
			     " evenement text NOT NULL)");
	if (rc == 0)
		rc = copy_begin(&cp, cli->conn,
				"COPY dossier_event_stage (line_no, ins_c, event_at, evenement) FROM STDIN");
	if (rc)
		return rc;
	rc = stage_lines(in, name, &cp, n);
	if (rc) {
		copy_abort(&cp, "import abandoned");
		return rc;
	}
	rc = copy_finish(&cp, NULL);
	if (rc == 0)
		rc = reject_future(cli, name, n);
	if (rc == 0)
		rc = apply_stage(cli, n);
	dr_killpoint("dossiers-before-commit");
	if (rc == 0 && dr_interrupted())
		rc = dr_error(DR_E_INTERRUPTED, "interrupted before commit: nothing imported");
	if (rc == 0)
		rc = db_commit(cli->conn);
	if (rc)
		return rc;
	dr_killpoint("dossiers-after-commit");
	/* the fold, slice by slice, each its own transaction (lifecycle_io.h):
	 * events recorded and not applied yet are applied by the next import */
	rc = lifecycle_apply(cli->conn, &n->lc);
	if (rc == 0 && n->lc.refused > 0)
		say_refused(cli, name);
	return rc;
}

static int dossiers_import(struct cli *cli, const char *path)
{
	bool use_stdin = strcmp(path, "-") == 0;
	const char *name = use_stdin ? "stdin" : path;
	struct import_counts n = { 0 };
	struct lines in;
	struct buf opts;
	char counts[512];
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
		       "new dossiers: %lld\n"
		       "dossiers re-folded: %lld\nevents applied: %lld\nevents waiting for a CREATION: %lld\n"
		       "events refused: %lld\ndossiers deleted: %lld\n",
		       n.read, n.imported, n.valid - n.imported, n.rejected, n.created,
		       n.lc.dossiers, n.lc.applied, n.lc.waiting, n.lc.refused, n.lc.deleted);
	if (rc == 0 && n.rejected)
		rc = dr_error(DR_E_DATA, "%ld of %ld lines of %s rejected (the others were imported)",
			      n.rejected, n.read, name);
	snprintf(counts, sizeof(counts),
		 "{\"read\":%ld,\"imported\":%lld,\"duplicate\":%lld,\"rejected\":%ld,"
		 "\"dossiers_created\":%lld,\"events_applied\":%lld,\"events_waiting\":%lld,"
		 "\"events_refused\":%lld,\"dossiers_deleted\":%lld,\"documents_destroyed\":%lld}",
		 n.read, n.imported, n.valid - n.imported, n.rejected, n.created, n.lc.applied,
		 n.lc.waiting, n.lc.refused, n.lc.deleted, n.lc.destroyed_documents);
	if (rc == 0 || rc == DR_E_DATA)
		dr_log(DR_LOG_INFO, "dossiers.import", "read=%ld imported=%lld duplicate=%lld rejected=%ld"
		       " applied=%lld waiting=%lld refused=%lld deleted=%lld documents_destroyed=%lld"
		       " versions_destroyed=%lld traces_destroyed=%lld claims_destroyed=%lld",
		       n.read, n.imported, n.valid - n.imported, n.rejected, n.lc.applied, n.lc.waiting,
		       n.lc.refused, n.lc.deleted, n.lc.destroyed_documents, n.lc.destroyed_versions,
		       n.lc.destroyed_traces, n.lc.destroyed_claims);
	cli_run_finish(cli, rc, counts, dr_errmsg());
	if (rc == 0 || rc == DR_E_DATA)
		analytics_refresh(cli->conn, ANALYTICS_DOSSIERS, NULL);
	return rc;
}

/* `dossiers vacuum`: as the login (the owner's member), not as the events role. */
static int dossiers_vacuum(struct cli *cli, bool full)
{
	struct destruction_report r;
	int rc;

	cli->role = NULL;
	if ((rc = cli_connect(cli)) != 0)
		return rc;
	rc = lifecycle_destroy_pending(cli->conn, full, &r);
	if (rc == 0) {
		printf("relations vacuumed: %ld\nof which rewritten: %ld\ndropped since: %ld\nseconds: %.1f\n",
		       r.relations, r.rewritten, r.dropped, r.seconds);
		dr_log(DR_LOG_INFO, "dossiers.vacuum", "relations=%ld rewritten=%ld dropped=%ld seconds=%.1f full=%s",
		       r.relations, r.rewritten, r.dropped, r.seconds, full ? "true" : "false");
	}
	return rc;
}

int cmd_dossiers(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "full", no_argument, NULL, 'F' }, CLI_COMMON_LONGOPTS, { 0 }
	};
	bool full = false;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'F') {
			full = true;
			continue;
		}
		rc = cli_common_option(cli, "dossiers", opt, optarg, dossiers_usage);
		if (rc)
			return rc > 0 ? DR_OK : rc;
	}
	if (optind < argc && strcmp(argv[optind], "vacuum") == 0) {
		if (argc - optind != 1)
			return cli_usage_error("dossiers", "vacuum takes no argument but --full");
		return dossiers_vacuum(cli, full);
	}
	if (full)
		return cli_usage_error("dossiers", "--full is an option of 'dossiers vacuum'");
	if (optind >= argc || strcmp(argv[optind], "import") != 0)
		return cli_usage_error("dossiers", "expected 'import FILE' or 'vacuum'");
	if (argc - optind != 2)
		return cli_usage_error("dossiers", "import takes one FILE ('-' for standard input)");
	return dossiers_import(cli, argv[optind + 1]);
}
