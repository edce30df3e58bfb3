/*
 * ingest/rows.c — validation of each line of an extract, per file kind.
 *
 *   record --encoding check / CP1252->UTF-8--> trimmed values by SNDS column
 *          --per-kind handler (fields.h validators)--> staging row | reject | filter
 *
 * Handlers stop at the first problem of a line (one reject per line, naming
 * the column). A reject keeps the raw value, cut to 64 bytes, for the
 * restricted column reject.raw_value; the reason sentence never quotes it.
 */
#include "ingest/rows.h"
#include "ingest/fields.h"
#include "ingest/insc.h"
#include "lib/err.h"
#include "lib/sha256.h"
#include "lib/text.h"
#include "lib/uuid.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Source columns: the SNDS names the contract uses. */
#define SOURCE_COLUMNS(X) \
	X(DCT_ORD_NUM) X(FLX_DIS_DTD) X(FLX_EMT_NUM) X(FLX_EMT_ORD) X(FLX_EMT_TYP) \
	X(FLX_TRT_DTD) X(ORG_CLE_NUM) X(PRS_ORD_NUM) X(REM_TYP_AFF) \
	X(BEN_NIR) X(BEN_RNG_GEM) X(EXE_SOI_DTD) X(DPN_QLF) \
	X(PFS_EXE_NUM) X(PSE_SPE_COD) X(ETB_EXE_FIN) X(PFS_PRE_NUM) X(PSP_SPE_COD) X(ETB_PRE_FIN) \
	X(PHA_ORD_NUM) X(PHA_PRS_C13) X(PHA_ACT_QSN) X(TIP_PRS_IDE) X(TIP_ACT_QSN) X(PHA_ATC_C07) \
	X(CAM_ORD_NUM) X(PRS_NAT_REF) X(CAM_PRS_IDE) X(PRS_ACT_QTE) \
	X(BIO_ORD_NUM) X(BIO_PRS_IDE) X(BIO_ACT_QSN) \
	X(ETA_NUM) X(RSA_NUM) X(ENT_DAT) X(SOR_DAT) X(SEJ_NBJ) X(GRG_GHM) X(GHS_NUM) \
	X(BEN_NIR_CLE) X(BEN_NOM_NAI) X(BEN_NOM_USU) X(BEN_PRN) X(BEN_PRN_LIS) \
	X(BEN_NAI_DTE) X(BEN_SEX_COD) X(BEN_NAI_COM) X(BEN_DCD_DTE) \
	X(PFS_NUM) X(PFS_NOM) X(PFS_PRN) X(PFS_RAI_SOC) X(FINESS) X(RAISON_SOCIALE)

#define SC_ENUM(name) C_##name,
enum source_col { SOURCE_COLUMNS(SC_ENUM) C_NSRC };
#define SC_NAME(name) #name,
static const char *const source_names[C_NSRC] = { SOURCE_COLUMNS(SC_NAME) };

_Static_assert(C_NSRC <= ROWS_MAX_COLS, "ROWS_MAX_COLS too small");

#define FK_FILE(id, file) file,
static const char *const kind_files[FK_COUNT] = { FILE_KINDS(FK_FILE) };
#define RR_NAME(code) #code,
static const char *const reason_names[RR_COUNT] = { REJECT_REASONS(RR_NAME) };
#define FR_NAME(code) #code,
static const char *const rule_names[FR_COUNT] = { FILTER_RULES(FR_NAME) };

enum { UNUSED = 0, OPT = 1, REQ = 2 };

/* Which columns each kind reads, and which are required. */
static unsigned char need[FK_COUNT][C_NSRC];

static const enum source_col dcir_keys[] = {
	C_DCT_ORD_NUM, C_FLX_DIS_DTD, C_FLX_EMT_NUM, C_FLX_EMT_ORD, C_FLX_EMT_TYP,
	C_FLX_TRT_DTD, C_ORG_CLE_NUM, C_PRS_ORD_NUM, C_REM_TYP_AFF,
};

static void set_need(enum file_kind k, const enum source_col *cols, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		need[k][cols[i]] = v;
}

#define NEED(k, v, ...) do { \
	static const enum source_col cols_[] = { __VA_ARGS__ }; \
	set_need(k, cols_, sizeof(cols_) / sizeof(cols_[0]), v); \
} while (0)

static void init_needs(void)
{
	static int done;
	static const enum file_kind claims[] = { FK_PHARMACIE, FK_ACTES, FK_RADIOLOGIE, FK_BIOLOGIE };

	if (__atomic_load_n(&done, __ATOMIC_ACQUIRE))
		return;
#pragma omp critical(rows_init)
	if (!done) {
		for (size_t i = 0; i < 4; i++) {
			enum file_kind k = claims[i];
			set_need(k, dcir_keys, 9, REQ);
			NEED(k, REQ, C_BEN_NIR, C_EXE_SOI_DTD);
			NEED(k, OPT, C_BEN_RNG_GEM, C_DPN_QLF, C_PFS_EXE_NUM, C_PSE_SPE_COD, C_ETB_EXE_FIN,
			     C_PFS_PRE_NUM, C_PSP_SPE_COD, C_ETB_PRE_FIN);
		}
		NEED(FK_PHARMACIE, REQ, C_PHA_ORD_NUM);
		NEED(FK_PHARMACIE, OPT, C_PHA_PRS_C13, C_PHA_ACT_QSN, C_TIP_PRS_IDE, C_TIP_ACT_QSN, C_PHA_ATC_C07);
		NEED(FK_ACTES, REQ, C_CAM_ORD_NUM, C_PRS_NAT_REF, C_PRS_ACT_QTE);
		NEED(FK_ACTES, OPT, C_CAM_PRS_IDE);
		NEED(FK_RADIOLOGIE, REQ, C_CAM_ORD_NUM, C_PRS_NAT_REF, C_PRS_ACT_QTE);
		NEED(FK_RADIOLOGIE, OPT, C_CAM_PRS_IDE);
		NEED(FK_BIOLOGIE, REQ, C_BIO_ORD_NUM, C_BIO_PRS_IDE, C_BIO_ACT_QSN);
		NEED(FK_HOSPITALISATION, REQ, C_ETA_NUM, C_RSA_NUM, C_BEN_NIR, C_ENT_DAT, C_GRG_GHM);
		NEED(FK_HOSPITALISATION, OPT, C_BEN_RNG_GEM, C_SOR_DAT, C_SEJ_NBJ, C_GHS_NUM);
		NEED(FK_BENEFICIAIRES, REQ, C_BEN_NIR, C_BEN_NIR_CLE, C_BEN_NOM_NAI, C_BEN_PRN,
		     C_BEN_NAI_DTE, C_BEN_SEX_COD);
		NEED(FK_BENEFICIAIRES, OPT, C_BEN_RNG_GEM, C_BEN_NOM_USU, C_BEN_PRN_LIS, C_BEN_NAI_COM,
		     C_BEN_DCD_DTE);
		NEED(FK_PROFESSIONNELS, REQ, C_PFS_NUM);
		NEED(FK_PROFESSIONNELS, OPT, C_PFS_NOM, C_PFS_PRN, C_PFS_RAI_SOC);
		NEED(FK_ETABLISSEMENTS, REQ, C_FINESS);
		NEED(FK_ETABLISSEMENTS, OPT, C_RAISON_SOCIALE);
		__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	}
}

int rows_kind_of(const char *name)
{
	for (int k = 0; k < FK_COUNT; k++)
		if (strcmp(name, kind_files[k]) == 0)
			return k;
	return -1;
}

const char *rows_kind_file(enum file_kind k) { return kind_files[k]; }
const char *rows_reason_name(enum reject_reason r) { return reason_names[r]; }
const char *rows_rule_name(enum filter_rule r) { return rule_names[r]; }

/* The window of FLX_TRT_DTD: 1 January ROWS_PROCESSING_FLOOR_Y to today +
 * ROWS_PROCESSING_AHEAD_YEARS (the local date of the ingest). */
static void processing_window(struct rows_file *f)
{
	time_t now = time(NULL);
	struct tm tm;
	struct dr_date lo = { ROWS_PROCESSING_FLOOR_Y, 1, 1 }, hi;

	localtime_r(&now, &tm);
	hi = (struct dr_date){ tm.tm_year + 1900 + ROWS_PROCESSING_AHEAD_YEARS, tm.tm_mon + 1,
			       tm.tm_mon == 1 && tm.tm_mday == 29 ? 28 : tm.tm_mday };
	f->processing_lo = field_date_days(&lo);
	f->processing_hi = field_date_days(&hi);
}

void rows_file_init(struct rows_file *f, enum file_kind kind, int file_no,
		    enum text_encoding enc, const char *name)
{
	init_needs();
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->file_no = file_no;
	f->enc = enc;
	f->name = name;
	processing_window(f);
	for (int i = 0; i < ROWS_MAX_COLS; i++)
		f->colmap[i] = -1;
	arena_init(&f->scratch, 16 * 1024);
	if (sha256_init(&f->sha) != 0)
		f->sha.ctx = NULL;           /* claim_identity then rejects: out of memory */
	buf_init(&f->conv, (size_t)CSVR_MAX_FIELDS * CSVR_FIELD_MAX * 3 + 1024);
}

void rows_file_free(struct rows_file *f)
{
	arena_free(&f->scratch);
	buf_free(&f->conv);
	sha256_free(&f->sha);
}

int rows_header(struct rows_file *f, const struct csvr_record *rec)
{
	f->header_fields = rec->nfields;
	/* a known column past the ones read would be dropped without a word:
	 * refuse the layout rather than load its lines without it */
	if (rec->nfields > rec->stored)
		return dr_error(DR_E_DATA, "%s: the header has %d columns, more than the %d read: refused",
				f->name, rec->nfields, rec->stored);
	for (int i = 0; i < rec->stored; i++) {
		const char *s = rec->f[i].s;
		size_t n = text_trim(&s, rec->f[i].n);
		for (int c = 0; c < C_NSRC; c++) {
			if (need[f->kind][c] == UNUSED || strlen(source_names[c]) != n
			    || strncasecmp(s, source_names[c], n) != 0)
				continue;
			if (f->colmap[c] >= 0)
				return dr_error(DR_E_DATA, "%s: column %s appears twice in the header: refused",
						f->name, source_names[c]);
			f->colmap[c] = i;
		}
	}
	for (int c = 0; c < C_NSRC; c++)
		if (need[f->kind][c] == REQ && f->colmap[c] < 0)
			return dr_error(DR_E_DATA, "%s: unknown column set: missing %s: refused",
					f->name, source_names[c]);
	return 0;
}

/* ---- per-line state ------------------------------------------------------ */

struct line {
	struct rows_file *f;
	const struct csvr_record *rec;
	struct stage_row *out;
	const char *v[C_NSRC];        /* trimmed UTF-8 value, NULL when absent/empty */
	size_t n[C_NSRC];
	enum reject_reason reason;
	enum filter_rule rule;
	struct dr_date processed;     /* FLX_TRT_DTD of a claim line, once its identity is read */
};

static void set_out(struct line *l, enum stage_col c, const char *s, size_t n)
{
	l->out->v[c] = s;
	l->out->n[c] = n;
}

static void set_outz(struct line *l, enum stage_col c, const char *s)
{
	set_out(l, c, s, strlen(s));
}

static char *scratch_printf(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *scratch_printf(struct line *l, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	char *p = arena_strndup(&l->f->scratch, tmp, (size_t)n);
	return p ? p : "";
}

/* Column c = the decimal text of v, in the line's arena. */
static void set_long(struct line *l, enum stage_col c, long long v)
{
	char tmp[TEXT_DECIMAL_MAX];
	size_t n = text_decimal(v, tmp);
	char *s = arena_strndup(&l->f->scratch, tmp, n);

	set_out(l, c, s ? s : "", s ? n : 0);
}

/* Keeps at most 64 bytes of the raw value, cut on a UTF-8 boundary, with
 * control characters blanked (values reach here already valid UTF-8). */
static void set_raw_value(struct line *l, const char *s, size_t n)
{
	if (n > 64) {
		n = 64;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	char *p = arena_strndup(&l->f->scratch, s, n);
	if (p == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20)
			p[i] = ' ';
	set_out(l, S_REJ_VALUE, p, n);
}

/* Records a reject naming column `col` (a name) and returns -1. */
static int reject_named(struct line *l, enum reject_reason r, const char *col, const char *sentence)
{
	l->reason = r;
	set_outz(l, S_REJ_CODE, reason_names[r]);
	if (col)
		set_outz(l, S_REJ_COLUMN, col);
	set_outz(l, S_REJ_REASON, sentence);
	return -1;
}

/* Reject of source column c: "COLUMN why". */
static int reject(struct line *l, enum reject_reason r, enum source_col c, const char *why)
{
	if (l->v[c])
		set_raw_value(l, l->v[c], l->n[c]);
	return reject_named(l, r, source_names[c], scratch_printf(l, "%s %s", source_names[c], why));
}

static bool present(const struct line *l, enum source_col c)
{
	return l->v[c] != NULL;
}

static int require(struct line *l, enum source_col c)
{
	if (!present(l, c))
		return reject_named(l, RR_missing, source_names[c],
				    scratch_printf(l, "%s is required", source_names[c]));
	return 0;
}

/* ---- typed takers: validate column c and stage it in s; -1 = rejected ------ */

static int take_text(struct line *l, enum source_col c, enum stage_col s)
{
	if (present(l, c))
		set_out(l, s, l->v[c], l->n[c]);
	return 0;
}

static int take_date(struct line *l, enum source_col c, enum stage_col s, bool partial,
		     struct dr_date *out)
{
	struct dr_date d;
	const char *why;

	if (!present(l, c))
		return 0;
	if (field_date(l->v[c], l->n[c], partial, &d, &why) != 0)
		return reject(l, RR_bad_date, c, why);
	char *iso = arena_alloc(&l->f->scratch, 11);
	if (iso == NULL)
		return reject(l, RR_too_long, c, "cannot be stored (out of memory)");
	if (partial) {
		field_date_compact(&d, iso);
		set_out(l, s, iso, 8);
	} else {
		field_date_iso(&d, iso);
		set_out(l, s, iso, 10);
	}
	if (out)
		*out = d;
	return 0;
}

static int take_long(struct line *l, enum source_col c, enum stage_col s, long min, long max,
		     long *out)
{
	const char *why;
	long v;

	if (!present(l, c))
		return 0;
	if (field_long(l->v[c], l->n[c], min, max, &v, &why) != 0)
		return reject(l, RR_bad_number, c, why);
	if (s != S_NCOLS)
		set_long(l, s, v);
	if (out)
		*out = v;
	return 0;
}

static int take_code(struct line *l, enum source_col c, enum stage_col s, size_t max)
{
	const char *why;

	if (!present(l, c))
		return 0;
	if (field_code(l->v[c], l->n[c], max, &why) != 0)
		return reject(l, RR_bad_code, c, why);
	if (s != S_NCOLS)
		set_out(l, s, l->v[c], l->n[c]);
	return 0;
}

static int take_finess(struct line *l, enum source_col c, enum stage_col s)
{
	const char *why;

	if (!present(l, c))
		return 0;
	if (field_finess(l->v[c], l->n[c], &why) != 0)
		return reject(l, RR_bad_code, c, why);
	set_out(l, s, l->v[c], l->n[c]);
	return 0;
}

static int take_quantity(struct line *l, enum source_col c)
{
	const char *why;
	int q;

	if (require(l, c))
		return -1;
	if (field_quantity(l->v[c], l->n[c], &q, &why) != 0)
		return reject(l, RR_bad_quantity, c, why);
	set_long(l, S_ACT_QSN, q);
	return 0;
}

static int take_nir(struct line *l)
{
	const char *why;

	if (require(l, C_BEN_NIR))
		return -1;
	if (field_nir(l->v[C_BEN_NIR], l->n[C_BEN_NIR], &why) != 0)
		return reject(l, RR_bad_nir, C_BEN_NIR, why);
	set_out(l, S_BEN_NIR, l->v[C_BEN_NIR], l->n[C_BEN_NIR]);
	return 0;
}

/* The canonical text of a whole number (no leading zeros). */
static void canon_number(const char *s, size_t n, const char **out, size_t *outn)
{
	while (n > 1 && *s == '0') {
		s++;
		n--;
	}
	*out = s;
	*outn = n;
}

/* 64-bit FNV-1a over the staged values of columns [from, to], NULLs included. */
static long long content_hash(const struct stage_row *r, int from, int to)
{
	unsigned long long h = 1469598103934665603ULL;

	for (int c = from; c <= to; c++) {
		if (c == S_LINE_KEY || c == S_CONTENT_HASH)
			continue;
		if (r->v[c] == NULL) {
			h = (h ^ 0xFF) * 1099511628211ULL;
		} else {
			for (size_t i = 0; i < r->n[c]; i++)
				h = (h ^ (unsigned char)r->v[c][i]) * 1099511628211ULL;
		}
		h = (h ^ 0x1F) * 1099511628211ULL;   /* column separator */
	}
	return (long long)h;
}

static void stage_hash(struct line *l, int from, int to)
{
	set_long(l, S_CONTENT_HASH, content_hash(l->out, from, to));
}

/* ---- claims (pharmacie, actes, radiologie, biologie) ----------------------- */

/*
 * The identity of a claim line: the 9 DCIR keys and the detail ordinal, in
 * canonical form (numbers without leading zeros, dates AAAAMMJJ), hashed with
 * SHA-256 into a UUID (version nibble 8, "custom"). docs/claim-identity.md.
 */
static int claim_identity(struct line *l, enum source_col ordinal, char domain)
{
	char canon[512];
	size_t len = 0;
	unsigned char d[32];

	canon[len++] = domain;
	for (size_t i = 0; i < 10; i++) {
		enum source_col c = i < 9 ? dcir_keys[i] : ordinal;
		const char *s;
		size_t n;
		char date[11];

		if (require(l, c))
			return -1;
		if (c == C_FLX_DIS_DTD || c == C_FLX_TRT_DTD) {
			struct dr_date dt;
			const char *why;
			if (field_date(l->v[c], l->n[c], false, &dt, &why) != 0)
				return reject(l, RR_bad_date, c, why);
			field_date_compact(&dt, date);
			s = date;
			n = 8;
			if (c == C_FLX_TRT_DTD) {   /* the partition key of claim_line */
				char *iso = arena_alloc(&l->f->scratch, 11);
				if (iso == NULL)
					return reject(l, RR_too_long, c, "cannot be stored");
				long days = field_date_days(&dt);
				/* each processing month is a partition: a date no extract
				 * can carry must not create one */
				if (days < l->f->processing_lo || days > l->f->processing_hi)
					return reject(l, RR_processing_out_of_window, c,
						      scratch_printf(l, "is outside the processing window (01/01/%d to"
								     " %d years after today)", ROWS_PROCESSING_FLOOR_Y,
								     ROWS_PROCESSING_AHEAD_YEARS));
				field_date_iso(&dt, iso);
				set_out(l, S_FLX_TRT_DTD, iso, 10);
				l->processed = dt;
			}
		} else if (c == C_ORG_CLE_NUM) {
			const char *why;
			if (field_code(l->v[c], l->n[c], 16, &why) != 0)
				return reject(l, RR_bad_code, c, why);
			s = l->v[c];
			n = l->n[c];
		} else {
			long v;
			const char *why;
			if (field_long(l->v[c], l->n[c], 0, 999999999999999L, &v, &why) != 0)
				return reject(l, RR_bad_code, c, why);
			canon_number(l->v[c], l->n[c], &s, &n);
		}
		if (len + n + 2 >= sizeof(canon))
			return reject(l, RR_too_long, c, "is too long for a key");
		canon[len++] = '|';
		memcpy(canon + len, s, n);
		len += n;
	}
	if (l->f->sha.ctx == NULL)
		return reject(l, RR_too_long, ordinal, "cannot be keyed (out of memory)");
	sha256_digest(&l->f->sha, canon, len, d);
	char *uuid = arena_alloc(&l->f->scratch, UUID_LEN + 1);
	if (uuid == NULL)
		return reject(l, RR_too_long, ordinal, "cannot be keyed (out of memory)");
	uuid_from_digest(d, uuid);
	set_out(l, S_LINE_KEY, uuid, 36);
	return 0;
}

static int claim_common(struct line *l)
{
	struct dr_date care = { 0 };
	long qlf = 0;

	if (take_nir(l))
		return -1;
	if (require(l, C_EXE_SOI_DTD) || take_date(l, C_EXE_SOI_DTD, S_EXE_SOI_DTD, false, &care))
		return -1;
	/* care cannot be reimbursed before it was given: no tolerance (contract silent) */
	if (field_date_days(&care) > field_date_days(&l->processed))
		return reject(l, RR_care_after_processing, C_EXE_SOI_DTD,
			      "is after FLX_TRT_DTD (the processing date)");
	if (take_long(l, C_BEN_RNG_GEM, S_BEN_RNG_GEM, 1, 99, NULL))
		return -1;
	if (!present(l, C_BEN_RNG_GEM))
		set_outz(l, S_BEN_RNG_GEM, "1");
	if (take_long(l, C_DPN_QLF, S_DPN_QLF, 0, 99, &qlf))
		return -1;
	if (take_code(l, C_PFS_EXE_NUM, S_PFS_EXE_NUM, 16)
	    || take_long(l, C_PSE_SPE_COD, S_PSE_SPE_COD, 0, 999, NULL)
	    || take_finess(l, C_ETB_EXE_FIN, S_ETB_EXE_FIN)
	    || take_code(l, C_PFS_PRE_NUM, S_PFS_PRE_NUM, 16)
	    || take_long(l, C_PSP_SPE_COD, S_PSP_SPE_COD, 0, 999, NULL)
	    || take_finess(l, C_ETB_PRE_FIN, S_ETB_PRE_FIN))
		return -1;
	if (present(l, C_DPN_QLF) && qlf == 71)
		l->rule = FR_DPN_QLF_71;
	return 0;
}

static int line_pharmacie(struct line *l)
{
	const char *why;

	if (claim_identity(l, C_PHA_ORD_NUM, 'P') || claim_common(l))
		return -1;
	bool cip = present(l, C_PHA_PRS_C13), lpp = present(l, C_TIP_PRS_IDE);
	if (cip == lpp)
		return reject_named(l, RR_product, cip ? "PHA_PRS_C13" : "TIP_PRS_IDE",
				    "a pharmacie line needs exactly one of PHA_PRS_C13 and TIP_PRS_IDE");
	if (cip) {
		if (field_cip13(l->v[C_PHA_PRS_C13], l->n[C_PHA_PRS_C13], &why) != 0)
			return reject(l, RR_bad_cip13, C_PHA_PRS_C13, why);
		set_out(l, S_PHA_PRS_C13, l->v[C_PHA_PRS_C13], l->n[C_PHA_PRS_C13]);
		if (take_quantity(l, C_PHA_ACT_QSN))
			return -1;
	} else {
		if (field_lpp(l->v[C_TIP_PRS_IDE], l->n[C_TIP_PRS_IDE], &why) != 0)
			return reject(l, RR_bad_lpp, C_TIP_PRS_IDE, why);
		set_out(l, S_TIP_PRS_IDE, l->v[C_TIP_PRS_IDE], l->n[C_TIP_PRS_IDE]);
		if (take_quantity(l, C_TIP_ACT_QSN))
			return -1;
	}
	if (present(l, C_PHA_ATC_C07)) {
		if (field_atc(l->v[C_PHA_ATC_C07], l->n[C_PHA_ATC_C07], &why) != 0)
			return reject(l, RR_bad_atc, C_PHA_ATC_C07, why);
		set_out(l, S_PHA_ATC_C07, l->v[C_PHA_ATC_C07], l->n[C_PHA_ATC_C07]);
	}
	set_outz(l, S_DOMAIN, "P");
	return 0;
}

static int line_acte(struct line *l, char domain)
{
	const char *why;
	char *ccam;

	if (claim_identity(l, C_CAM_ORD_NUM, domain) || claim_common(l))
		return -1;
	if (require(l, C_PRS_NAT_REF) || take_long(l, C_PRS_NAT_REF, S_PRS_NAT_REF, 0, 99999999, NULL))
		return -1;
	if (present(l, C_CAM_PRS_IDE)) {
		ccam = arena_alloc(&l->f->scratch, 8);
		if (ccam == NULL || field_ccam(l->v[C_CAM_PRS_IDE], l->n[C_CAM_PRS_IDE], ccam, &why) != 0)
			return reject(l, RR_bad_ccam, C_CAM_PRS_IDE, ccam ? why : "cannot be stored");
		set_out(l, S_CAM_PRS_IDE, ccam, 7);
	}
	if (take_quantity(l, C_PRS_ACT_QTE))
		return -1;
	set_out(l, S_DOMAIN, domain == 'A' ? "A" : "R", 1);
	return 0;
}

static int line_biologie(struct line *l)
{
	const char *why;
	int code;

	if (claim_identity(l, C_BIO_ORD_NUM, 'B') || claim_common(l))
		return -1;
	if (require(l, C_BIO_PRS_IDE))
		return -1;
	if (field_nabm(l->v[C_BIO_PRS_IDE], l->n[C_BIO_PRS_IDE], &code, &why) != 0)
		return reject(l, RR_bad_nabm, C_BIO_PRS_IDE, why);
	set_long(l, S_BIO_PRS_IDE, code);
	if (take_quantity(l, C_BIO_ACT_QSN))
		return -1;
	set_outz(l, S_DOMAIN, "B");
	return 0;
}

/* ---- hospital stays -------------------------------------------------------- */

static int line_stay(struct line *l)
{
	struct dr_date ent, sor;
	const char *why;
	long ghs = 0;

	if (take_nir(l) || require(l, C_ETA_NUM) || take_finess(l, C_ETA_NUM, S_ETA_NUM)
	    || require(l, C_RSA_NUM) || take_code(l, C_RSA_NUM, S_RSA_NUM, 20)
	    || require(l, C_ENT_DAT) || take_date(l, C_ENT_DAT, S_ENT_DAT, false, &ent)
	    || take_date(l, C_SOR_DAT, S_SOR_DAT, false, &sor)
	    || take_long(l, C_SEJ_NBJ, S_SEJ_NBJ, 0, 99999, NULL)
	    || take_long(l, C_GHS_NUM, S_GHS_NUM, 0, 99999, &ghs)
	    || take_long(l, C_BEN_RNG_GEM, S_BEN_RNG_GEM, 1, 99, NULL)
	    || require(l, C_GRG_GHM))
		return -1;
	if (!present(l, C_BEN_RNG_GEM))
		set_outz(l, S_BEN_RNG_GEM, "1");
	if (present(l, C_SOR_DAT) && field_date_days(&sor) < field_date_days(&ent))
		return reject(l, RR_bad_value, C_SOR_DAT, "is before ENT_DAT");
	if (field_ghm(l->v[C_GRG_GHM], l->n[C_GRG_GHM], &why) != 0)
		return reject(l, RR_bad_code, C_GRG_GHM, why);
	set_out(l, S_GRG_GHM, l->v[C_GRG_GHM], l->n[C_GRG_GHM]);
	if (l->v[C_GRG_GHM][0] == '9' && l->v[C_GRG_GHM][1] == '0')
		l->rule = FR_GHM_ERREUR;
	else if (present(l, C_GHS_NUM) && ghs == 9999)
		l->rule = FR_GHS_9999;
	return 0;
}

/* ---- beneficiaries --------------------------------------------------------- */

static int line_beneficiary(struct line *l)
{
	struct dr_date birth, death = { 0 };
	const char *why;
	char *ins_c;
	char date6[16];
	long sex;

	if (take_nir(l) || require(l, C_BEN_NIR_CLE))
		return -1;
	if (field_nir_cle(l->v[C_BEN_NIR], l->v[C_BEN_NIR_CLE], l->n[C_BEN_NIR_CLE], &why) != 0)
		return reject(l, RR_bad_nir_key, C_BEN_NIR_CLE, why);
	set_out(l, S_BEN_NIR_CLE, l->v[C_BEN_NIR_CLE], l->n[C_BEN_NIR_CLE]);
	if (require(l, C_BEN_NOM_NAI) || require(l, C_BEN_PRN) || require(l, C_BEN_NAI_DTE)
	    || take_date(l, C_BEN_NAI_DTE, S_BEN_NAI_DTE, true, &birth)
	    || require(l, C_BEN_SEX_COD))
		return -1;
	if (field_long(l->v[C_BEN_SEX_COD], l->n[C_BEN_SEX_COD], 1, 2, &sex, &why) != 0)
		return reject(l, RR_bad_value, C_BEN_SEX_COD, "must be 1 (male) or 2 (female)");
	set_outz(l, S_BEN_SEX_COD, sex == 1 ? "1" : "2");
	if (take_long(l, C_BEN_RNG_GEM, S_BEN_RNG_GEM, 1, 99, NULL)
	    || take_date(l, C_BEN_DCD_DTE, S_BEN_DCD_DTE, false, &death))
		return -1;
	/* a 00 day or month of the birth date counts as the earliest it can be */
	if (present(l, C_BEN_DCD_DTE) && field_date_days(&death) < field_date_days(&birth))
		return reject(l, RR_death_before_birth, C_BEN_DCD_DTE,
			      "is before BEN_NAI_DTE (the birth date)");
	if (!present(l, C_BEN_RNG_GEM))
		set_outz(l, S_BEN_RNG_GEM, "1");
	if (present(l, C_BEN_NAI_COM)) {
		if (l->n[C_BEN_NAI_COM] != 5 || field_code(l->v[C_BEN_NAI_COM], 5, 5, &why) != 0)
			return reject(l, RR_bad_code, C_BEN_NAI_COM, "is not a 5-character INSEE code");
		set_out(l, S_BEN_NAI_COM, l->v[C_BEN_NAI_COM], 5);
	}
	take_text(l, C_BEN_NOM_NAI, S_BEN_NOM_NAI);
	take_text(l, C_BEN_NOM_USU, S_BEN_NOM_USU);
	take_text(l, C_BEN_PRN, S_BEN_PRN);
	take_text(l, C_BEN_PRN_LIS, S_BEN_PRN_LIS);

	snprintf(date6, sizeof(date6), "%02d%02d%02d", birth.y % 100, birth.m, birth.d);
	ins_c = arena_alloc(&l->f->scratch, 23);
	if (ins_c == NULL || insc_compute(l->v[C_BEN_PRN], l->n[C_BEN_PRN], date6,
					  l->v[C_BEN_NIR], ins_c, &why) != 0)
		return reject(l, RR_bad_value, C_BEN_PRN, ins_c ? why : "cannot be stored");
	set_out(l, S_INS_C, ins_c, 22);
	return 0;
}

static int line_professional(struct line *l)
{
	if (require(l, C_PFS_NUM) || take_code(l, C_PFS_NUM, S_PFS_NUM, 16))
		return -1;
	take_text(l, C_PFS_NOM, S_PFS_NOM);
	take_text(l, C_PFS_PRN, S_PFS_PRN);
	take_text(l, C_PFS_RAI_SOC, S_PFS_RAI_SOC);
	return 0;
}

static int line_establishment(struct line *l)
{
	if (require(l, C_FINESS) || take_finess(l, C_FINESS, S_FINESS))
		return -1;
	take_text(l, C_RAISON_SOCIALE, S_RAISON_SOCIALE);
	return 0;
}

/* ---- one record ------------------------------------------------------------ */

/* Checks/converts the used fields to UTF-8 and fills l->v; -1 = rejected. */
static int line_values(struct line *l)
{
	struct rows_file *f = l->f;
	const struct csvr_record *rec = l->rec;
	size_t off[C_NSRC];
	bool conv = f->enc == ENC_CP1252;

	buf_reset(&f->conv);
	for (int c = 0; c < C_NSRC; c++) {
		int i = f->colmap[c];
		l->v[c] = NULL;
		if (i < 0 || i >= rec->stored)
			continue;
		const char *s = rec->f[i].s;
		size_t n = text_trim(&s, rec->f[i].n);
		if (n == 0)
			continue;
		if (rec->f[i].cut)
			return reject_named(l, RR_too_long, source_names[c],
					    scratch_printf(l, "%s is longer than %d bytes",
							   source_names[c], CSVR_FIELD_MAX));
		if (conv) {
			off[c] = f->conv.len;
			long bad = text_cp1252_to_utf8(s, n, &f->conv);
			if (bad == -2)
				return reject_named(l, RR_too_long, source_names[c], "line too long");
			if (bad >= 0)
				return reject_named(l, RR_encoding, source_names[c],
					scratch_printf(l, "%s: byte %ld is not a printable CP1252 character",
						       source_names[c], bad + 1));
			l->n[c] = f->conv.len - off[c];
			l->v[c] = "";        /* resolved below, once conv stops moving */
		} else {
			const char *why;
			long bad = text_utf8_check(s, n, true, &why);
			if (bad >= 0)
				return reject_named(l, RR_encoding, source_names[c],
					scratch_printf(l, "%s: %s at byte %ld of the field",
						       source_names[c], why, bad + 1));
			/* nothing but non-characters: no name a document could show
			 * (it drops U+FFFF), so no value: missing when required */
			if (text_noncharacters_only(s, n))
				continue;
			l->v[c] = s;
			l->n[c] = n;
		}
	}
	if (conv) {
		for (int c = 0; c < C_NSRC; c++)
			if (l->v[c])
				l->v[c] = f->conv.data + off[c];
	}
	return 0;
}

enum row_outcome rows_line(struct rows_file *f, const struct csvr_record *rec, struct stage_row *out)
{
	struct line l = { .f = f, .rec = rec, .out = out, .rule = FR_COUNT };
	int rc;

	arena_reset(&f->scratch);
	stage_row_clear(out);
	set_long(&l, S_FILE_NO, f->file_no);
	set_long(&l, S_LINE_NO, rec->line_no);
	f->read++;

	if (rec->unterminated)
		rc = reject_named(&l, RR_bad_quote, NULL, "the file ends inside a quoted field of this line");
	else if (rec->nfields != f->header_fields)
		rc = reject_named(&l, RR_field_count, NULL,
				  scratch_printf(&l, "line has %d fields, header has %d",
						 rec->nfields, f->header_fields));
	else
		rc = line_values(&l);

	if (rc == 0) {
		switch (f->kind) {
		case FK_PHARMACIE: rc = line_pharmacie(&l); break;
		case FK_ACTES: rc = line_acte(&l, 'A'); break;
		case FK_RADIOLOGIE: rc = line_acte(&l, 'R'); break;
		case FK_BIOLOGIE: rc = line_biologie(&l); break;
		case FK_HOSPITALISATION: rc = line_stay(&l); break;
		case FK_BENEFICIAIRES: rc = line_beneficiary(&l); break;
		case FK_PROFESSIONNELS: rc = line_professional(&l); break;
		case FK_ETABLISSEMENTS: rc = line_establishment(&l); break;
		default: rc = reject_named(&l, RR_bad_value, NULL, "unknown file kind"); break;
		}
	}
	if (rc != 0) {
		/* keep only the position and the reason: nothing half-validated */
		struct stage_row keep = *out;
		stage_row_clear(out);
		for (int c = S_FILE_NO; c <= S_REJ_VALUE; c++) {
			out->v[c] = keep.v[c];
			out->n[c] = keep.n[c];
		}
		f->rejected++;
		f->by_reason[l.reason]++;
		return ROW_REJECT;
	}
	if (l.rule != FR_COUNT) {
		f->filtered++;
		f->by_rule[l.rule]++;
		return ROW_FILTER;
	}
	/* content = every staged value but position and keys: same identity with
	 * another hash is a conflict, with the same hash a duplicate */
	stage_hash(&l, S_BEN_NIR, S_NCOLS - 1);
	return ROW_STAGE;
}
