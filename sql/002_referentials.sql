-- sql/002_referentials.sql — tables of the referentials (SNDS nomenclatures, BDPM).
--
-- Small reference tables (no INS-C): replicated to every node at scale.
-- `dmpremb referentials load` replaces each one whole, in one transaction.

SET LOCAL search_path TO dmpremb;

-- Referentials (SNDS nomenclatures and BDPM), replaced whole on reload.
CREATE TABLE referential_file (
    file_name   text PRIMARY KEY,
    table_name  text NOT NULL,
    rows        bigint NOT NULL,
    sha256      text NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    run_id      bigint
);
CREATE TABLE ref_ir_act_cod (act_cod text PRIMARY KEY, act_cod_lib text);
CREATE TABLE ref_ir_bio_r (bio_prs_ide int PRIMARY KEY, bio_inf_lib text NOT NULL, bio_grp_lib text);
CREATE TABLE ref_ir_ccam (cam_prs_ide_cod text PRIMARY KEY, cam_prs_ide_lib text NOT NULL, cam_prs_rgt text);
CREATE TABLE ref_ir_cmd_v (ghs_cmd text PRIMARY KEY, cmd_lib text);
CREATE TABLE ref_ir_ghs_v (ghs_num int NOT NULL, ghs_num_sec int NOT NULL, ghs_lib text, ghs_grp_typ text,
                           PRIMARY KEY (ghs_num, ghs_num_sec, ghs_grp_typ));
CREATE TABLE ref_ir_nat_v (prs_nat int PRIMARY KEY, prs_nat_cb2 text, prs_nat_lib text);
CREATE TABLE ref_ir_spe_v (pfs_spe_cod int PRIMARY KEY, pfs_spe_lib text);
CREATE TABLE ref_ms_gm9_v (gm9_ghm_cod text PRIMARY KEY, cmd_cod text, ghm_lib text);
CREATE TABLE ref_nt_lpp (lpp_prs_ide text PRIMARY KEY, lpp_red_lib text);
-- BDPM: CIS_bdpm.txt (specialities), CIS_CIP_bdpm.txt (presentations), CIS_COMPO_bdpm.txt.
CREATE TABLE ref_bdpm_cis (cis text PRIMARY KEY, denomination text NOT NULL, forme text, voies text,
                           statut_amm text, etat_commercialisation text, titulaires text);
CREATE TABLE ref_bdpm_cip (cip13 text PRIMARY KEY, cis text NOT NULL, cip7 text, libelle text,
                           taux_remboursement text);
CREATE TABLE ref_bdpm_compo (cis text NOT NULL, element text, code_substance text, substance text NOT NULL,
                             dosage text, reference_dosage text, nature text, numero_liaison text,
                             line_no int NOT NULL, PRIMARY KEY (cis, line_no));
CREATE INDEX ref_bdpm_cip_cis ON ref_bdpm_cip (cis);

