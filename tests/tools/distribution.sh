# tests/tools/distribution.sh — where each table lives on a Citus cluster
# (docs/scale.md, "Distribution"), sourced by t1000 (the catalog keeps the
# rules of its class) and t1100 (db distribute makes exactly these). A
# partition takes its parent's class. load/distribute.c carries the same
# lists: t1100 fails when they differ.
# distributed by ins_c, all co-located with dmpremb.dossier
DISTRIBUTED="dmpremb.dossier dmpremb.dossier_event dmpremb.beneficiary dmpremb.claim_line
	dmpremb.hospital_stay dmpremb.document dmpremb.document_version dmpremb.trace
	dmpremb.backfill_item analytics_private.dossier_pseudonym"
# reference tables, replicated to every node: referentials, names of
# professionals and establishments, the pseudonym key
REFERENCE="dmpremb.ref_ir_act_cod dmpremb.ref_ir_bio_r dmpremb.ref_ir_ccam dmpremb.ref_ir_cmd_v
	dmpremb.ref_ir_ghs_v dmpremb.ref_ir_nat_v dmpremb.ref_ir_spe_v dmpremb.ref_ms_gm9_v
	dmpremb.ref_nt_lpp dmpremb.ref_bdpm_cis dmpremb.ref_bdpm_cip dmpremb.ref_bdpm_compo
	dmpremb.professional dmpremb.establishment analytics_private.pseudonym_key"
# local to the coordinator: runs, batches and their reports, bookkeeping,
# the analysts' counts and materialised views, the render audit and what
# awaits dossiers vacuum (016)
LOCAL="dmpremb.schema_migration dmpremb.run dmpremb.batch dmpremb.batch_file dmpremb.reject
	dmpremb.referential_file dmpremb.claim_stat analytics_private.refreshed
	analytics_private.refresh_group analytics_private.first_feed_sla analytics_private.refresh_compliance
	analytics_private.document_section analytics_private.document_size analytics_private.top_code
	analytics_private.refresh_compliance_week dmpremb.render_audit dmpremb.destruction_pending"
