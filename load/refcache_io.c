/*
 * load/refcache_io.c — the COPYs of the referentials a feed keeps (see refcache_io.h).
 */
#include "load/refcache_io.h"
#include "lib/err.h"
#include "load/copy_out.h"

static const struct {
	const char *what, *sql;
	int nfield;
} queries[RQ_COUNT] = {
	/* a drug's components are its active substances (SA), each replaced by
	 * the therapeutic fraction (FT) numero_liaison links to it, in file order */
	[RQ_DRUGS] = { "BDPM",
		"COPY (SELECT s.cis, s.denomination, c.code_substance, c.substance "
		"FROM ref_bdpm_cis s LEFT JOIN LATERAL ("
		"  SELECT coalesce(ft.code_substance, sa.code_substance) AS code_substance,"
		"         coalesce(ft.substance, sa.substance) AS substance, sa.line_no"
		"    FROM ref_bdpm_compo sa"
		"    LEFT JOIN LATERAL (SELECT f.code_substance, f.substance FROM ref_bdpm_compo f"
		"                        WHERE f.cis = sa.cis AND f.nature = 'FT'"
		"                          AND f.numero_liaison = sa.numero_liaison"
		"                        ORDER BY f.line_no LIMIT 1) ft ON true"
		"   WHERE sa.cis = s.cis AND sa.nature = 'SA') c ON true "
		"ORDER BY s.cis, c.line_no) TO STDOUT", 4 },
	[RQ_CIP] = { "BDPM CIP", "COPY (SELECT cip13, cis FROM ref_bdpm_cip) TO STDOUT", 2 },
	[RQ_LPP] = { "NT_LPP", "COPY (SELECT lpp_prs_ide, lpp_red_lib FROM ref_nt_lpp) TO STDOUT", 2 },
	[RQ_NAT] = { "IR_NAT_V", "COPY (SELECT prs_nat, nullif(prs_nat_cb2, ''),"
		     " prs_nat_lib FROM ref_ir_nat_v) TO STDOUT", 3 },
	[RQ_CCAM] = { "IR_CCAM_V63", "COPY (SELECT cam_prs_ide_cod, cam_prs_ide_lib FROM ref_ir_ccam) TO STDOUT", 2 },
	[RQ_BIO] = { "IR_BIO_R", "COPY (SELECT bio_prs_ide, bio_inf_lib FROM ref_ir_bio_r) TO STDOUT", 2 },
	[RQ_SPE] = { "IR_SPE_V", "COPY (SELECT pfs_spe_cod, pfs_spe_lib FROM ref_ir_spe_v) TO STDOUT", 2 },
	[RQ_PHYSICIAN] = { "IR_SPE_V", "COPY (SELECT pfs_spe_cod, '1' FROM ref_ir_spe_v WHERE pfs_spe_pos IN (1, 2))"
			   " TO STDOUT", 2 },
	[RQ_GHM] = { "MS_GM9_V", "COPY (SELECT gm9_ghm_cod, ghm_lib FROM ref_ms_gm9_v) TO STDOUT", 2 },
	[RQ_GHS] = { "IR_GHS_V", "COPY (SELECT ghs_num, ghs_lib FROM ref_ghs_label) TO STDOUT", 2 },
	[RQ_PRO] = { "professional", "COPY (SELECT pfs_num, nullif(pfs_nom, ''),"
		     " nullif(pfs_prn, ''), nullif(pfs_rai_soc, '') FROM professional) TO STDOUT", 4 },
	[RQ_ETB] = { "establishment", "COPY (SELECT finess, nullif(raison_sociale, '') FROM establishment) TO STDOUT", 2 },
};

int refcache_read(PGconn *c, enum ref_query q, int (*fn)(void *arg, const struct ref_row *row), void *arg)
{
	struct copy_out co;
	int r = copy_out_begin(&co, c, queries[q].what, queries[q].sql);

	if (r != 0)
		return r;
	while ((r = copy_out_next(&co)) > 0) {
		struct ref_row row = { co.field, co.len, co.nfield };
		if (co.nfield != queries[q].nfield || co.field[0] == NULL)
			r = dr_error(DR_E_INTERNAL, "%s: unexpected row shape", queries[q].what);
		else
			r = fn(arg, &row);
		if (r != 0)
			break;
	}
	if (r != 0)
		copy_out_drain(&co);
	return r;
}
