-- sql/002_referentials.sql — tables of the referentials (SNDS nomenclatures, BDPM).
--
-- Small reference tables (no INS-C): replicated to every node at scale.
-- `dmpremb referentials load` replaces each one whole (DELETE + INSERT, all
-- files of a run in one transaction), so readers see the old or the new
-- content, never a mix (docs/referentials.md). Only the columns the documents
-- need are kept. Every lookup of the documents is one primary key:
--   CIP13 -> CIS            ref_bdpm_cip (cip13)
--   CIS -> drug name        ref_bdpm_cis (cis)
--   CIS -> components       ref_bdpm_compo (cis, line_no), nature SA / FT
--   LPP -> label            ref_nt_lpp (lpp_prs_ide)
--   PRS_NAT -> key, label   ref_ir_nat_v (prs_nat)
--   CCAM -> label           ref_ir_ccam (cam_prs_ide_cod)
--   NABM -> label           ref_ir_bio_r (bio_prs_ide, int: no leading zero)
--   specialty -> label      ref_ir_spe_v (pfs_spe_cod)
--   GHM -> label, CMD       ref_ms_gm9_v (gm9_ghm_cod)
--   GHS -> label            ref_ir_ghs_v ('S', ghs_num, lowest ghs_num_sec), or the view ref_ghs_label

SET LOCAL search_path TO dmpremb;

-- One row per referential file last loaded: what was read and what is in the table.
CREATE TABLE referential_file (
    file_name   text PRIMARY KEY,
    table_name  text NOT NULL,
    records     bigint NOT NULL,   -- data records of the file (header excluded)
    rows        bigint NOT NULL,   -- rows in the table after the load
    duplicates  bigint NOT NULL,   -- records whose key a later record repeated (the last one is kept)
    skipped     bigint NOT NULL,   -- records with an empty code
    repaired    bigint NOT NULL,   -- records fixed deterministically (stray tabs, CCAM code notes)
    bytes       bigint NOT NULL,
    sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    loaded_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    run_id      bigint REFERENCES run,
    CHECK (records = rows + duplicates + skipped)
);
COMMENT ON TABLE referential_file IS 'Last load of each referential file: counts, SHA-256, run.';

-- SNDS nomenclatures (shared/referentials/snds, Table Schema JSON beside each file).
CREATE TABLE ref_ir_act_cod (act_cod text PRIMARY KEY, act_cod_lib text);
COMMENT ON COLUMN ref_ir_act_cod.act_cod IS 'As in the file, inner spaces kept (A   F).';
CREATE TABLE ref_ir_bio_r (bio_prs_ide int PRIMARY KEY, bio_inf_lib text, bio_grp_lib text);
CREATE TABLE ref_ir_ccam (cam_prs_ide_cod text PRIMARY KEY, cam_prs_ide_lib text, cam_prs_rgt text);
COMMENT ON COLUMN ref_ir_ccam.cam_prs_ide_cod IS 'CCAM code without padding; a note after a line break in the file (JANH798 [A]) is dropped.';
CREATE TABLE ref_ir_cmd_v (ghs_cmd int PRIMARY KEY, cmd_lib text);
CREATE TABLE ref_ir_ghs_v (ghs_grp_typ text NOT NULL, ghs_num int NOT NULL, ghs_num_sec int NOT NULL,
                           ghs_lib text, PRIMARY KEY (ghs_grp_typ, ghs_num, ghs_num_sec));
COMMENT ON TABLE ref_ir_ghs_v IS 'GHS_GRP_TYP S = GHS, T = GHT; one row per sector GHS_NUM_SEC.';
CREATE TABLE ref_ir_nat_v (prs_nat int PRIMARY KEY, prs_nat_cb2 text, prs_nat_lib text);
CREATE TABLE ref_ir_spe_v (pfs_spe_cod int PRIMARY KEY, pfs_spe_lib text);
CREATE TABLE ref_ms_gm9_v (gm9_ghm_cod text PRIMARY KEY, cmd_cod int, ghm_lib text);
CREATE TABLE ref_nt_lpp (lpp_prs_ide text PRIMARY KEY CHECK (lpp_prs_ide ~ '^[0-9]+$'), lpp_red_lib text);

-- The label of a GHS number as stays carry it (no sector): the GHS row (S) of
-- the lowest sector. Labels differ between sectors for a handful of old GHS.
CREATE VIEW ref_ghs_label AS
    SELECT DISTINCT ON (ghs_num) ghs_num, ghs_lib
      FROM ref_ir_ghs_v WHERE ghs_grp_typ = 'S'
     ORDER BY ghs_num, ghs_num_sec;

-- BDPM (shared/referentials/bdpm): CIS_bdpm.txt, CIS_CIP_bdpm.txt, CIS_COMPO_bdpm.txt.
CREATE TABLE ref_bdpm_cis (cis text PRIMARY KEY CHECK (cis ~ '^[0-9]+$'), denomination text);
CREATE TABLE ref_bdpm_cip (cip13 text PRIMARY KEY CHECK (cip13 ~ '^[0-9]{13}$'),
                           cis text NOT NULL, cip7 text, libelle text);
CREATE TABLE ref_bdpm_compo (cis text NOT NULL, line_no int NOT NULL, element text, code_substance text,
                             substance text, dosage text, nature text, numero_liaison text,
                             PRIMARY KEY (cis, line_no));
COMMENT ON COLUMN ref_bdpm_compo.line_no IS 'Line of the record in CIS_COMPO_bdpm.txt (keeps the file order).';
COMMENT ON COLUMN ref_bdpm_compo.nature IS 'SA active substance, FT therapeutic fraction; numero_liaison pairs them.';
