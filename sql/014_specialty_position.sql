-- sql/014_specialty_position.sql — which specialties are physicians'.
--
-- The CDA model names a physician "Dr Laure MARIGNY" (issue 18). IR_SPE_V
-- says who is one: PFS_SPE_POS 1 (médecins omnipraticiens) or 2 (médecins
-- spécialistes). The column is kept from the next `referentials load`; until
-- then it is empty and names show without "Dr".

SET LOCAL ROLE dmpremb_owner;
SET LOCAL search_path TO dmpremb;

ALTER TABLE ref_ir_spe_v ADD COLUMN pfs_spe_pos int;
COMMENT ON COLUMN ref_ir_spe_v.pfs_spe_pos IS 'PFS_SPE_POS of IR_SPE_V: 1 general practitioners, 2 specialist physicians (the documents write "Dr" before their names), others not physicians.';
