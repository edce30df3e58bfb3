/*
 * ingest/ref_catalog.c — the known referential files and what we keep of them.
 *
 * Only the columns the documents need are loaded (code, label and the few
 * attributes of shared/docs/document.md); the other columns (dates such as
 * 01JAN1996:00:00:00, tariffs) are not read. SNDS columns are found by header
 * name, BDPM ones by position (the files have no header; names below are the
 * official ones, used in messages). See docs/referentials.md.
 */
#include "ingest/referentials.h"

#include <string.h>

#define SNDS(file_, table_, pk_, n_, ...) \
	{ .file = file_, .source = REF_SNDS, .table = table_, .pk = pk_, \
	  .repair_after = -1, .ncols = n_, .cols = { __VA_ARGS__ } }
#define BDPM(file_, table_, pk_, line_no_, names_, repair_, n_, ...) \
	{ .file = file_, .source = REF_BDPM, .table = table_, .pk = pk_, \
	  .line_no = line_no_, .field_names = names_, \
	  .nfields = (int)(sizeof(names_) / sizeof(names_[0])), .repair_after = repair_, \
	  .ncols = n_, .cols = { __VA_ARGS__ } }

/* SNDS column found by header name; BDPM column at a position. */
#define KEY(name_, sql_, kind_) { name_, sql_, kind_, 0, true, -1 }
#define COL(name_, sql_, kind_) { name_, sql_, kind_, 0, false, -1 }
#define AT(pos_, name_, sql_, kind_, len_, req_) { name_, sql_, kind_, len_, req_, pos_ }

/* Official column names of the BDPM files, in file order. */
static const char *const cis_fields[] = {
	"code_cis", "denomination", "forme_pharmaceutique", "voies_administration",
	"statut_amm", "type_procedure", "etat_commercialisation", "date_amm",
	"statut_bdm", "numero_autorisation_europeenne", "titulaires", "surveillance_renforcee",
};
static const char *const cip_fields[] = {
	"code_cis", "code_cip7", "libelle_presentation", "statut_administratif",
	"etat_commercialisation", "date_declaration", "code_cip13", "agrement_collectivites",
	"taux_remboursement", "prix_1", "prix_2", "prix_3", "indications_remboursement",
};
static const char *const compo_fields[] = {
	"code_cis", "element_pharmaceutique", "code_substance", "denomination_substance",
	"dosage", "reference_dosage", "nature_composant", "numero_liaison",
};

const struct ref_spec ref_specs[] = {
	SNDS("IR_ACT_COD.csv", "ref_ir_act_cod", "act_cod", 2,
	     KEY("ACT_COD", "act_cod", REF_CODE),
	     COL("ACT_COD_LIB", "act_cod_lib", REF_LABEL)),
	SNDS("IR_BIO_R.csv", "ref_ir_bio_r", "bio_prs_ide", 3,
	     KEY("BIO_PRS_IDE", "bio_prs_ide", REF_INT),
	     COL("BIO_INF_LIB", "bio_inf_lib", REF_LABEL),
	     COL("BIO_GRP_LIB", "bio_grp_lib", REF_LABEL)),
	SNDS("IR_CCAM_V63.csv", "ref_ir_ccam", "cam_prs_ide_cod", 3,
	     KEY("CAM_PRS_IDE_COD", "cam_prs_ide_cod", REF_CODE),
	     COL("CAM_PRS_IDE_LIB", "cam_prs_ide_lib", REF_LABEL),
	     COL("CAM_PRS_RGT", "cam_prs_rgt", REF_CODE)),
	SNDS("IR_CMD_V.csv", "ref_ir_cmd_v", "ghs_cmd", 2,
	     KEY("GHS_CMD", "ghs_cmd", REF_INT),
	     COL("CMD_LIB", "cmd_lib", REF_LABEL)),
	SNDS("IR_GHS_V.csv", "ref_ir_ghs_v", "ghs_grp_typ, ghs_num, ghs_num_sec", 4,
	     KEY("GHS_GRP_TYP", "ghs_grp_typ", REF_CODE),
	     KEY("GHS_NUM", "ghs_num", REF_INT),
	     KEY("GHS_NUM_SEC", "ghs_num_sec", REF_INT),
	     COL("GHS_LIB", "ghs_lib", REF_LABEL)),
	SNDS("IR_NAT_V.csv", "ref_ir_nat_v", "prs_nat", 3,
	     KEY("PRS_NAT", "prs_nat", REF_INT),
	     COL("PRS_NAT_CB2", "prs_nat_cb2", REF_CODE),
	     COL("PRS_NAT_LIB", "prs_nat_lib", REF_LABEL)),
	SNDS("IR_SPE_V.csv", "ref_ir_spe_v", "pfs_spe_cod", 3,
	     KEY("PFS_SPE_COD", "pfs_spe_cod", REF_INT),
	     COL("PFS_SPE_LIB", "pfs_spe_lib", REF_LABEL),
	     COL("PFS_SPE_POS", "pfs_spe_pos", REF_INT)),
	SNDS("MS_GM9_V.csv", "ref_ms_gm9_v", "gm9_ghm_cod", 3,
	     KEY("GM9_GHM_COD", "gm9_ghm_cod", REF_CODE),
	     COL("CMD_COD", "cmd_cod", REF_INT),
	     COL("GHM_LIB", "ghm_lib", REF_LABEL)),
	SNDS("NT_LPP.csv", "ref_nt_lpp", "lpp_prs_ide", 2,
	     KEY("LPP_PRS_IDE", "lpp_prs_ide", REF_DIGITS),
	     COL("LPP_RED_LIB", "lpp_red_lib", REF_LABEL)),
	BDPM("CIS_bdpm.txt", "ref_bdpm_cis", "cis", false, cis_fields, -1, 2,
	     AT(0, "code_cis", "cis", REF_DIGITS, 0, true),
	     AT(1, "denomination", "denomination", REF_LABEL, 0, false)),
	/* the 7th field is the CIP13 */
	BDPM("CIS_CIP_bdpm.txt", "ref_bdpm_cip", "cip13", false, cip_fields, -1, 4,
	     AT(6, "code_cip13", "cip13", REF_DIGITS, 13, true),
	     AT(0, "code_cis", "cis", REF_DIGITS, 0, true),
	     AT(1, "code_cip7", "cip7", REF_DIGITS, 7, false),
	     AT(2, "libelle_presentation", "libelle", REF_LABEL, 0, false)),
	/* lines end with a TAB; a few carry stray empty fields right after
	 * denomination_substance (position 3) */
	BDPM("CIS_COMPO_bdpm.txt", "ref_bdpm_compo", "cis, line_no", true, compo_fields, 3, 7,
	     AT(0, "code_cis", "cis", REF_DIGITS, 0, true),
	     AT(1, "element_pharmaceutique", "element", REF_LABEL, 0, false),
	     AT(2, "code_substance", "code_substance", REF_CODE, 0, false),
	     AT(3, "denomination_substance", "substance", REF_LABEL, 0, false),
	     AT(4, "dosage", "dosage", REF_LABEL, 0, false),
	     AT(6, "nature_composant", "nature", REF_CODE, 0, false),
	     AT(7, "numero_liaison", "numero_liaison", REF_CODE, 0, false)),
};

const int ref_nspecs = (int)(sizeof(ref_specs) / sizeof(ref_specs[0]));
_Static_assert(sizeof(ref_specs) / sizeof(ref_specs[0]) <= REF_MAX_FILES, "raise REF_MAX_FILES");

const struct ref_spec *ref_spec_find(enum ref_source source, const char *file)
{
	for (int i = 0; i < ref_nspecs; i++)
		if (ref_specs[i].source == source && strcmp(ref_specs[i].file, file) == 0)
			return &ref_specs[i];
	return NULL;
}
