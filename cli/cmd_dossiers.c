/*
 * cli/cmd_dossiers.c — `dmpremb dossiers import FILE` (record and apply
 * dossier events) and `dmpremb dossiers vacuum` (destroy on disk what
 * deletions left): options, the job (jobs/dossiers.c), the report.
 *
 * An event already recorded (same INS-C, instant and event) is counted as
 * already known. A bad line, an event dated in the future and an event
 * refused by the lifecycle (an impossible transition) are said on stderr by
 * line number. No message ever holds an INS-C.
 */
#include "cli/cli.h"
#include "jobs/dossiers.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/reports.h"

#include <stdio.h>
#include <string.h>

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

static void say_bad_line(void *arg, const char *file, long line, const char *column, const char *why)
{
	(void)arg;
	fprintf(stderr, "dmpremb dossiers: %s line %ld: %s%s%s\n", file, line, column ? column : "",
		column ? " " : "", why);
}

static void say_future(void *arg, const char *file, long long line)
{
	(void)arg;
	fprintf(stderr, "dmpremb dossiers: %s line %lld: HORODATAGE is in the future"
		" (later than now + 5 minutes): rejected\n", file, line);
}

static void say_refused(void *arg, const char *file, long long line, const char *evenement, const char *at,
			const char *outcome)
{
	(void)arg;
	if (line > 0)
		fprintf(stderr, "dmpremb dossiers: %s line %lld: %s %s\n", file, line, evenement, outcome);
	else
		fprintf(stderr, "dmpremb dossiers: %s: %s of %s UTC recorded earlier for a dossier of"
			" this file: %s\n", file, evenement, at, outcome);
}

static void say_more_refused(void *arg, const char *file)
{
	(void)arg;
	fprintf(stderr, "dmpremb dossiers: %s: more refused events not listed"
		" (dossier_event.outcome holds them all)\n", file);
}

static const struct dossiers_say say = { say_bad_line, say_future, say_refused, say_more_refused, NULL };

static int dossiers_import(struct cli *cli, const char *path)
{
	bool use_stdin = strcmp(path, "-") == 0;
	const char *name = use_stdin ? "stdin" : path;
	struct dossiers_import_report n = { 0 };
	struct lines in;
	struct buf opts;
	struct json j;
	int rc = jobs_dossiers_open(use_stdin ? "-" : path, &in);

	if (rc)
		return rc;
	buf_init(&opts, 8192);
	json_begin(&j, &opts);
	json_str(&j, "file", path);
	rc = json_end(&j);
	if (rc == 0)
		rc = cli_run_begin(cli, "dossiers.done", "dossiers-import", opts.data);
	buf_free(&opts);
	if (rc) {
		jobs_dossiers_close(&in);
		return rc;
	}

	rc = jobs_dossiers_import(cli->conn, &in, name, cli->run_id, &say, &n);
	jobs_dossiers_close(&in);
	if (rc == 0)
		printf("lines read: %ld\nimported: %lld\nalready known: %lld\nrejected: %ld\n"
		       "new dossiers: %lld\n"
		       "dossiers re-folded: %lld\nevents applied: %lld\nevents waiting for a CREATION: %lld\n"
		       "events refused: %lld\ndossiers deleted: %lld\n",
		       n.read, n.imported, n.valid - n.imported, n.rejected, n.created,
		       n.lc.dossiers, n.lc.applied, n.lc.waiting, n.lc.refused, n.lc.deleted);
	if (rc == 0 && n.rejected)
		rc = dr_error(DR_E_DATA, "%ld of %ld lines of %s rejected (the others were imported)",
			      n.rejected, n.read, name);
	struct run_summary *sum = &cli->sum;
	summary_int(sum, "read", n.read);
	summary_int(sum, "imported", n.imported);
	summary_int(sum, "duplicate", n.valid - n.imported);
	summary_int(sum, "rejected", n.rejected);
	summary_int(sum, "dossiers_created", n.created);
	summary_int(sum, "dossiers_refolded", n.lc.dossiers);
	summary_int(sum, "events_applied", n.lc.applied);
	summary_int(sum, "events_waiting", n.lc.waiting);
	summary_int(sum, "events_refused", n.lc.refused);
	summary_int(sum, "dossiers_deleted", n.lc.deleted);
	summary_int(sum, "documents_destroyed", n.lc.destroyed_documents);
	summary_int(sum, "versions_destroyed", n.lc.destroyed_versions);
	summary_int(sum, "traces_destroyed", n.lc.destroyed_traces);
	summary_int(sum, "claims_destroyed", n.lc.destroyed_claims);
	cli->changed = rc == 0 || rc == DR_E_DATA;
	return rc;
}

/* `dossiers vacuum`: as the login (the owner's member), not as the events role. */
static int dossiers_vacuum(struct cli *cli, bool full)
{
	struct destruction_report r = { 0 };
	int rc;

	cli->role = NULL;
	if ((rc = cli_connect(cli)) != 0)
		return rc;
	if ((rc = cli_run_begin(cli, "dossiers.vacuum", NULL, NULL)) != 0)
		return rc;
	rc = jobs_dossiers_vacuum(cli->conn, full, &r);
	if (rc == 0)
		printf("relations vacuumed: %ld\nof which rewritten: %ld\ndropped since: %ld\nseconds: %.1f\n",
		       r.relations, r.rewritten, r.dropped, r.seconds);
	summary_int(&cli->sum, "relations", r.relations);
	summary_int(&cli->sum, "rewritten", r.rewritten);
	summary_int(&cli->sum, "dropped", r.dropped);
	summary_real(&cli->sum, "seconds", r.seconds, 1);
	summary_bool(&cli->sum, "full", full);
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
