/*
 * tests/unit/check_build.c — the document rules of transform/build.c on rows
 * made up in memory: netting, the H mark at a stay's edges, sections, display
 * codes and order, neutral labels counted as warnings, partial birth dates,
 * stable ids.
 */
#include "tests/unit/unit.h"
#include "lib/err.h"
#include "transform/build.h"

#include <string.h>

static struct refcache rc;
static struct build_ctx ctx;
static struct arena a;

static void setup(void)
{
	memset(&rc, 0, sizeof(rc));
	struct strmap *maps[] = { &rc.cip, &rc.lpp, &rc.nat, &rc.ccam, &rc.bio,
				  &rc.spe, &rc.ghm, &rc.ghs, &rc.pro, &rc.etb, &rc.physician };
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		strmap_init(maps[i]);
	arena_init(&rc.mem, 4096);
	static struct ref_drug doliprane = { "DOLIPRANE 1000 mg, comprimé", NULL, 0 };
	static struct ref_nat c = { "C", "CONSULTATION" }, ik = { "IK IKP", "IK PLAINE" };
	strmap_put(&rc.cip, "3400935955838", 13, &doliprane);
	strmap_put(&rc.nat, "1111", 4, &c);
	strmap_put(&rc.nat, "1811", 4, &ik);
	strmap_put(&rc.bio, "552", 3, (void *)"GLUCOSE");
	strmap_put(&rc.ghs, "1667", 4, (void *)"Insuffisances cardiaques");

	memset(&ctx, 0, sizeof(ctx));
	ctx.rc = &rc;
	ctx.effective_time = "20261115100000+0100";
	ctx.period_low = "20241115100000+0100";
	memcpy(ctx.lo, "20241115", 9);
	memcpy(ctx.hi, "20261115", 9);
	ctx.ins_nir_root = OID_INS_NIR_TEST;
	arena_init(&a, 64 * 1024);
}

static void teardown(void)
{
	arena_free(&a);
	refcache_free(&rc);
}

static struct claim_in claim(char domain, const char *date, long qty, const char *code,
			     const char *exe, const char *key)
{
	struct claim_in c;
	memset(&c, 0, sizeof(c));
	c.domain = domain;
	memcpy(c.date, date, 9);
	c.qty = qty;
	c.pfs_exe_num = exe;
	c.line_key = key;
	switch (domain) {
	case 'P': c.pha_prs_c13 = code; break;
	case 'A': c.prs_nat_ref = code; break;
	case 'B': c.bio_prs_ide = code; break;
	}
	return c;
}

static struct dossier_in person(struct claim_in *claims, size_t n, struct stay_in *stays, size_t ns)
{
	struct dossier_in d;
	memset(&d, 0, sizeof(d));
	d.ins_c = "1234567890123456789012";
	d.has_identity = true;
	d.ben_nir = "178072A004215";
	d.ben_nir_cle = "48";
	d.nom_nai = "PIETRI";
	d.prn = "ANGE";
	d.nai_dte = "19780700";
	d.sex = 1;
	d.claims = claims;
	d.n_claims = n;
	d.stays = stays;
	d.n_stays = ns;
	return d;
}

START_TEST(netting)
{
	struct claim_in c[] = {
		claim('P', "20260301", 2, "3400935955838", "PH1", "k1"),
		claim('P', "20260301", -2, "3400935955838", "PH1", "k2"),   /* +2 -2: gone */
		claim('P', "20260302", 3, "3400935955838", "PH1", "k3"),
		claim('P', "20260302", -1, "3400935955838", "PH1", "k4"),   /* +3 -1: 2 */
		claim('P', "20260302", 1, "3400935955838", "PH2", "k5"),    /* another pharmacy */
		claim('P', "20260303", -1, "3400935955838", "PH1", "k6"),   /* negative alone: gone */
	};
	struct dossier_in d = person(c, 6, NULL, 0);
	struct doc_model m;
	struct build_stats st = { 0 };

	ck_assert_int_eq(build_model(&ctx, &d, &a, &m, &st), 0);
	ck_assert_uint_eq(m.sections[DOC_MEDICAMENTS].n, 2);
	const struct doc_row *r = m.sections[DOC_MEDICAMENTS].rows;
	ck_assert_str_eq(r[0].date, "20260302");
	ck_assert_int_eq(r[0].quantity + r[1].quantity, 3);
	ck_assert(r[0].quantity == 2 || r[1].quantity == 2);
	ck_assert_str_eq(r[0].label, "DOLIPRANE 1000 mg, comprimé");
	ck_assert_int_eq(st.lines, 6);
	ck_assert_int_eq(st.netted_out, 4);
	for (int s = 0; s < DOC_SECTIONS; s++)
		if (s != DOC_MEDICAMENTS)
			ck_assert_uint_eq(m.sections[s].n, 0);
}
END_TEST

START_TEST(h_mark_and_stays)
{
	struct stay_in s[] = { { "20260310", "20260318", "20260318", "590780193", "05M09W", "1667" },
			       { "20241110", "", "20241120", "590780193", "05M09W", NULL } };
	struct claim_in c[] = {
		claim('A', "20260309", 1, "1111", "DR1", "k1"),   /* the day before: no H */
		claim('A', "20260310", 1, "1111", "DR1", "k2"),   /* admission day: H */
		claim('B', "20260318", 1, "552", "LAB", "k3"),    /* discharge day: H */
		claim('B', "20260319", 1, "552", "LAB", "k4"),    /* the day after: no H */
		claim('A', "20241116", 1, "1111", "DR1", "k5"),   /* inside a stay admitted before the window */
		claim('A', "20250101", 1, "1111", "DR1", "k6"),   /* ETB_EXE_FIN: H */
	};
	c[5].etb_exe_fin = "750000319";
	struct dossier_in d = person(c, 6, s, 2);
	struct doc_model m;
	struct build_stats st = { 0 };

	ck_assert_int_eq(build_model(&ctx, &d, &a, &m, &st), 0);
	const struct doc_section_rows *acts = &m.sections[DOC_ACTES], *bio = &m.sections[DOC_BIOLOGIE];
	ck_assert_uint_eq(acts->n, 4);
	ck_assert_str_eq(acts->rows[0].date, "20260310");
	ck_assert(acts->rows[0].h);
	ck_assert(!acts->rows[1].h);              /* 09/03 */
	ck_assert_str_eq(acts->rows[2].date, "20250101");
	ck_assert(acts->rows[2].h);
	ck_assert(acts->rows[3].h);               /* 16/11/2024 */
	ck_assert_str_eq(acts->rows[0].code, "C");   /* the NGAP key, not PRS_NAT_REF */
	ck_assert_uint_eq(bio->n, 2);
	ck_assert(!bio->rows[0].h);
	ck_assert(bio->rows[1].h);
	/* only the stay admitted inside the window is shown */
	ck_assert_uint_eq(m.sections[DOC_HOSPITALISATIONS].n, 1);
	const struct doc_row *stay = &m.sections[DOC_HOSPITALISATIONS].rows[0];
	ck_assert_str_eq(stay->date_end, "20260318");
	ck_assert_str_eq(stay->label, "Insuffisances cardiaques");
	ck_assert(!stay->h);
}
END_TEST

START_TEST(sections_codes_and_warnings)
{
	struct claim_in c[] = {
		claim('P', "20260101", 1, "3400939999999", "PH1", "k1"),   /* unknown CIP13 */
		claim('P', "20260101", 1, "3400935955838", "PH1", "k2"),
		claim('P', "20260102", 1, "3400930000001", "PH1", "k3"),   /* vaccine */
		claim('P', "20260103", 1, NULL, "PH1", "k4"),              /* LPP */
		claim('B', "20260104", 1, "9999", "LAB", "k5"),            /* unknown NABM */
	};
	c[2].pha_atc_c07 = "J07BB02";
	c[3].tip_prs_ide = "1136894";
	struct dossier_in d = person(c, 5, NULL, 0);
	struct doc_model m;
	struct build_stats st = { 0 };

	ck_assert_int_eq(build_model(&ctx, &d, &a, &m, &st), 0);
	ck_assert_uint_eq(m.sections[DOC_MEDICAMENTS].n, 2);
	ck_assert_uint_eq(m.sections[DOC_VACCINATIONS].n, 1);
	ck_assert_uint_eq(m.sections[DOC_DISPOSITIFS].n, 1);
	ck_assert_uint_eq(m.sections[DOC_BIOLOGIE].n, 1);
	/* same date: ordered by code */
	ck_assert_str_eq(m.sections[DOC_MEDICAMENTS].rows[0].code, "3400935955838");
	ck_assert_str_eq(m.sections[DOC_MEDICAMENTS].rows[1].label,
			 "Libellé non disponible (CIP 3400939999999)");
	ck_assert_str_eq(m.sections[DOC_DISPOSITIFS].rows[0].label, "Libellé non disponible (LPP 1136894)");
	ck_assert_str_eq(m.sections[DOC_BIOLOGIE].rows[0].label, "Libellé non disponible");
	ck_assert_str_eq(m.sections[DOC_VACCINATIONS].rows[0].atc_code, "J07BB02");
	ck_assert_int_eq(st.warnings[BW_CIP], 2);
	ck_assert_int_eq(st.warnings[BW_LPP], 1);
	ck_assert_int_eq(st.warnings[BW_NABM], 1);
}
END_TEST

/* an NGAP letter key with a blank cannot be a CDA code (XSD [^\s]+): the PRS_NAT number is */
START_TEST(ngap_key_with_blank)
{
	struct claim_in c[] = {
		claim('A', "20260101", 1, "1111", "DR1", "k1"),
		claim('A', "20260102", 1, "1811", "DR1", "k2"),
	};
	struct dossier_in d = person(c, 2, NULL, 0);
	struct doc_model m;
	struct build_stats st = { 0 };

	ck_assert_int_eq(build_model(&ctx, &d, &a, &m, &st), 0);
	ck_assert_uint_eq(m.sections[DOC_ACTES].n, 2);
	/* the latest first */
	ck_assert_str_eq(m.sections[DOC_ACTES].rows[0].code, "1811");
	ck_assert_str_eq(m.sections[DOC_ACTES].rows[0].label, "IK PLAINE");
	ck_assert_str_eq(m.sections[DOC_ACTES].rows[1].code, "C");
}
END_TEST

START_TEST(identity_and_ids)
{
	struct dossier_in d = person(NULL, 0, NULL, 0);
	struct doc_model m1, m2;
	struct build_stats st = { 0 };

	ck_assert_int_eq(build_model(&ctx, &d, &a, &m1, &st), 0);
	ck_assert_str_eq(m1.ins_nir, "178072A00421548");
	ck_assert_str_eq(m1.birth_time, "197807");      /* day unknown */
	ck_assert_str_eq(m1.given_all, "ANGE");          /* no BEN_PRN_LIS: the first name */
	ck_assert_str_eq(m1.family_used, "PIETRI");
	ck_assert_int_eq(m1.version, 1);
	ck_assert_ptr_null(m1.parent_doc_id);
	ck_assert_int_eq(build_model(&ctx, &d, &a, &m2, &st), 0);
	ck_assert_str_eq(m1.doc_id, m2.doc_id);          /* same inputs, same ids */
	ck_assert_str_eq(m1.set_id, m2.set_id);

	d.nai_dte = "19780000";
	d.prev_version = 3;
	d.prev_set_id = m1.set_id;
	d.prev_doc_id = m1.doc_id;
	ck_assert_int_eq(build_model(&ctx, &d, &a, &m2, &st), 0);
	ck_assert_str_eq(m2.birth_time, "1978");
	ck_assert_int_eq(m2.version, 4);
	ck_assert_str_eq(m2.set_id, m1.set_id);
	ck_assert_str_eq(m2.parent_doc_id, m1.doc_id);
	ck_assert_str_ne(m2.doc_id, m1.doc_id);

	/* no identity: an outcome, not an error (the thread's message untouched) */
	d.has_identity = false;
	dr_error(DR_E_IO, "earlier");
	ck_assert_int_eq(build_model(&ctx, &d, &a, &m2, &st), BUILD_NO_IDENTITY);
	ck_assert_str_eq(dr_errmsg(), "earlier");
}
END_TEST

Suite *suite_build(void)
{
	Suite *s = suite_create("build");
	TCase *tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, netting);
	tcase_add_test(tc, h_mark_and_stays);
	tcase_add_test(tc, sections_codes_and_warnings);
	tcase_add_test(tc, ngap_key_with_blank);
	tcase_add_test(tc, identity_and_ids);
	suite_add_tcase(s, tc);
	return s;
}
