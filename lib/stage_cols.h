/*
 * lib/stage_cols.h — the columns of the staging table `stg`, once.
 *
 * The contract between the parser (ingest/stage.c writes each row in COPY
 * text format, in this order) and the database (load/stage_io.c creates the
 * table and opens the COPY; load/batch_merge.c classifies its rows). Column
 * names are the SNDS ones; the type is PostgreSQL's ("char1" is its one-byte
 * "char"). Depends on nothing (docs/architecture.md, "Layers").
 */
#ifndef DR_STAGE_COLS_H
#define DR_STAGE_COLS_H

#define STAGE_COLUMNS(X) \
	X(FILE_NO, file_no, smallint) \
	X(LINE_NO, line_no, bigint) \
	X(REJ_CODE, rej_code, text) \
	X(REJ_COLUMN, rej_column, text) \
	X(REJ_REASON, rej_reason, text) \
	X(REJ_VALUE, rej_value, text) \
	X(BEN_NIR, ben_nir, text) \
	X(BEN_RNG_GEM, ben_rng_gem, smallint) \
	X(LINE_KEY, line_key, uuid) \
	X(CONTENT_HASH, content_hash, bigint) \
	X(DOMAIN, domain, char1) \
	X(FLX_TRT_DTD, flx_trt_dtd, date) \
	X(EXE_SOI_DTD, exe_soi_dtd, date) \
	X(DPN_QLF, dpn_qlf, smallint) \
	X(PFS_EXE_NUM, pfs_exe_num, text) \
	X(PSE_SPE_COD, pse_spe_cod, smallint) \
	X(ETB_EXE_FIN, etb_exe_fin, text) \
	X(PFS_PRE_NUM, pfs_pre_num, text) \
	X(PSP_SPE_COD, psp_spe_cod, smallint) \
	X(ETB_PRE_FIN, etb_pre_fin, text) \
	X(PHA_PRS_C13, pha_prs_c13, text) \
	X(TIP_PRS_IDE, tip_prs_ide, text) \
	X(PHA_ATC_C07, pha_atc_c07, text) \
	X(PRS_NAT_REF, prs_nat_ref, int) \
	X(CAM_PRS_IDE, cam_prs_ide, text) \
	X(BIO_PRS_IDE, bio_prs_ide, int) \
	X(ACT_QSN, act_qsn, int) \
	X(INS_C, ins_c, text) \
	X(BEN_NIR_CLE, ben_nir_cle, text) \
	X(BEN_NOM_NAI, ben_nom_nai, text) \
	X(BEN_NOM_USU, ben_nom_usu, text) \
	X(BEN_PRN, ben_prn, text) \
	X(BEN_PRN_LIS, ben_prn_lis, text) \
	X(BEN_NAI_DTE, ben_nai_dte, text) \
	X(BEN_SEX_COD, ben_sex_cod, smallint) \
	X(BEN_NAI_COM, ben_nai_com, text) \
	X(BEN_DCD_DTE, ben_dcd_dte, date) \
	X(ETA_NUM, eta_num, text) \
	X(RSA_NUM, rsa_num, text) \
	X(ENT_DAT, ent_dat, date) \
	X(SOR_DAT, sor_dat, date) \
	X(SEJ_NBJ, sej_nbj, int) \
	X(GRG_GHM, grg_ghm, text) \
	X(GHS_NUM, ghs_num, int) \
	X(PFS_NUM, pfs_num, text) \
	X(PFS_NOM, pfs_nom, text) \
	X(PFS_PRN, pfs_prn, text) \
	X(PFS_RAI_SOC, pfs_rai_soc, text) \
	X(FINESS, finess, text) \
	X(RAISON_SOCIALE, raison_sociale, text)

#define STAGE_ENUM(id, name, type) S_##id,
enum stage_col { STAGE_COLUMNS(STAGE_ENUM) S_NCOLS };
#undef STAGE_ENUM

#endif
