-- sql/001_schema.sql — the base schema of dmpremb.
--
-- Every dossier-scoped table carries the person's INS-C (22 digits) and has it
-- first in its primary key: it is the distribution column when the database is
-- spread over several nodes (Citus), and the one key feed uses to read a
-- dossier's data. Reference data (referentials, professionals, establishments)
-- are small tables without INS-C. Column names are the SNDS ones.

SET LOCAL search_path TO dmpremb;

-- Runs: one row per command that changes or checks state (ingest, feed, ...).
CREATE TABLE run (
    run_id      bigserial PRIMARY KEY,
    command     text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    ended_at    timestamptz,
    outcome     text NOT NULL DEFAULT 'running'
                CHECK (outcome IN ('running', 'ok', 'refused', 'failed', 'interrupted')),
    exit_code   int,
    options     jsonb NOT NULL DEFAULT '{}',
    counts      jsonb NOT NULL DEFAULT '{}',
    host        text NOT NULL,
    pid         int NOT NULL,
    message     text
);
CREATE INDEX run_command_started ON run (command, started_at DESC);
COMMENT ON TABLE run IS 'One row per dmpremb run: start, end, outcome, counts, options, host.';

-- Batches: identified by the SHA-256 of their manifest, so the same batch
-- received twice (or under another directory name) is recognised.
CREATE TABLE batch (
    batch_id        bigserial PRIMARY KEY,
    manifest_sha256 text NOT NULL UNIQUE,
    label           text NOT NULL,
    status          text NOT NULL CHECK (status IN ('applied', 'refused')),
    forced          boolean NOT NULL DEFAULT false,
    run_id          bigint REFERENCES run,
    received_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    applied_at      timestamptz,
    reason          text
);
COMMENT ON TABLE batch IS 'Claim extract batches; status refused = reject threshold exceeded, nothing applied.';

-- Per-file report: read = loaded + filtered + rejected + duplicate.
CREATE TABLE batch_file (
    batch_id      bigint NOT NULL REFERENCES batch ON DELETE CASCADE,
    file_name     text NOT NULL,
    encoding      text NOT NULL,
    sha256        text NOT NULL,
    bytes         bigint NOT NULL,
    lines_read    bigint NOT NULL,
    loaded        bigint NOT NULL,
    filtered      bigint NOT NULL,
    rejected      bigint NOT NULL,
    duplicate     bigint NOT NULL,
    filtered_by_rule   jsonb NOT NULL DEFAULT '{}',
    rejected_by_reason jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (batch_id, file_name),
    CHECK (lines_read = loaded + filtered + rejected + duplicate)
);

-- Rejected lines: position and reason for operators; raw_value (the offending
-- field, truncated) may hold an identifier or a care code and is restricted.
CREATE TABLE reject (
    batch_id     bigint NOT NULL REFERENCES batch ON DELETE CASCADE,
    file_name    text NOT NULL,
    line_no      bigint NOT NULL,
    column_name  text,
    reason_code  text NOT NULL,
    reason       text NOT NULL,
    raw_value    text,
    PRIMARY KEY (batch_id, file_name, line_no)
);

-- Beneficiaries: the identity of each person, newest batch wins.
CREATE TABLE beneficiary (
    ins_c        text PRIMARY KEY CHECK (ins_c ~ '^[0-9]{22}$'),
    ben_nir      text NOT NULL CHECK (ben_nir ~ '^[0-9]{5}([0-9]{2}|2A|2B)[0-9]{6}$'),
    ben_nir_cle  text NOT NULL CHECK (ben_nir_cle ~ '^[0-9]{2}$'),
    ben_rng_gem  smallint NOT NULL DEFAULT 1,
    ben_nom_nai  text NOT NULL,
    ben_nom_usu  text,
    ben_prn      text NOT NULL,
    ben_prn_lis  text,
    ben_nai_dte  text NOT NULL CHECK (ben_nai_dte ~ '^[0-9]{8}$'),  -- AAAAMMJJ, 00 allowed
    ben_sex_cod  smallint NOT NULL CHECK (ben_sex_cod IN (1, 2)),
    ben_nai_com  text,
    ben_dcd_dte  date,
    content_hash bigint NOT NULL,
    batch_id     bigint NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX beneficiary_nir ON beneficiary (ben_nir);
COMMENT ON COLUMN beneficiary.ben_nai_dte IS 'Birth date AAAAMMJJ; day and/or month 00 when unknown.';

-- Claim lines of the four DCIR domains. line_key is the UUID (SHA-256 based)
-- of the ten-value claim line identity of the contract. Partitioned by the
-- month of FLX_TRT_DTD, which is part of that identity: a re-sent line always
-- falls in the partition of its first copy (one index probe finds it), and as
-- care precedes processing, a partition processed more than 24 months ago
-- holds only care older than the window: ageing out is a DROP of a partition.
-- See docs/claim-identity.md.
CREATE TABLE claim_line (
    ins_c        text NOT NULL,
    line_key     uuid NOT NULL,
    flx_trt_dtd  date NOT NULL,
    exe_soi_dtd  date NOT NULL,
    domain       "char" NOT NULL CHECK (domain IN ('P', 'A', 'R', 'B')),
    ben_rng_gem  smallint NOT NULL DEFAULT 1,
    dpn_qlf      smallint,
    pfs_exe_num  text,
    pse_spe_cod  smallint,
    etb_exe_fin  text,
    pfs_pre_num  text,
    psp_spe_cod  smallint,
    etb_pre_fin  text,
    pha_prs_c13  text,
    tip_prs_ide  text,
    pha_atc_c07  text,
    prs_nat_ref  int,
    cam_prs_ide  text,
    bio_prs_ide  int,
    act_qsn      int NOT NULL,
    content_hash bigint NOT NULL,
    batch_id     bigint NOT NULL,
    PRIMARY KEY (ins_c, line_key, flx_trt_dtd)
) PARTITION BY RANGE (flx_trt_dtd);
COMMENT ON TABLE claim_line IS 'Loaded DCIR claim lines (pharmacie P, actes A, radiologie R, biologie B); one partition per processing month (FLX_TRT_DTD).';
COMMENT ON COLUMN claim_line.act_qsn IS 'Signed quantity: PHA_ACT_QSN, TIP_ACT_QSN, PRS_ACT_QTE or BIO_ACT_QSN.';
COMMENT ON COLUMN claim_line.line_key IS 'UUID from SHA-256 of the 9 DCIR keys and the detail ordinal (docs/claim-identity.md).';

-- Creates the monthly partition holding day d if it does not exist yet.
CREATE FUNCTION claim_line_partition(d date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    lo date := date_trunc('month', d)::date;
    name text := format('claim_line_%s', to_char(lo, 'YYYYMM'));
BEGIN
    IF to_regclass(format('dmpremb.%I', name)) IS NULL THEN
        EXECUTE format('CREATE TABLE dmpremb.%I PARTITION OF dmpremb.claim_line FOR VALUES FROM (%L) TO (%L)',
                       name, lo, (lo + interval '1 month')::date);
    END IF;
    RETURN name;
END $$;

-- Hospital stays (PMSI).
CREATE TABLE hospital_stay (
    ins_c        text NOT NULL,
    eta_num      text NOT NULL,
    rsa_num      text NOT NULL,
    ben_rng_gem  smallint NOT NULL DEFAULT 1,
    ent_dat      date NOT NULL,
    sor_dat      date,
    sej_nbj      int,
    grg_ghm      text NOT NULL,
    ghs_num      int,
    content_hash bigint NOT NULL,
    batch_id     bigint NOT NULL,
    PRIMARY KEY (ins_c, eta_num, rsa_num)
);
CREATE INDEX hospital_stay_ent ON hospital_stay (ent_dat);

-- Names of professionals and establishments (reference data from batches).
CREATE TABLE professional (
    pfs_num      text PRIMARY KEY,
    pfs_nom      text,
    pfs_prn      text,
    pfs_rai_soc  text,
    content_hash bigint NOT NULL,
    batch_id     bigint NOT NULL
);
CREATE TABLE establishment (
    finess         text PRIMARY KEY,
    raison_sociale text,
    content_hash   bigint NOT NULL,
    batch_id       bigint NOT NULL
);

-- Dossiers and their lifecycle events (written by the DMP platform; by
-- `dmpremb dossiers import` here).
CREATE TABLE dossier (
    ins_c          text PRIMARY KEY CHECK (ins_c ~ '^[0-9]{22}$'),
    state          text NOT NULL DEFAULT 'open'
                   CHECK (state IN ('open', 'closed', 'deceased', 'deleted')),
    opposition     boolean NOT NULL DEFAULT false,
    created_at     timestamptz,
    reactivated_at timestamptz,
    last_event_at  timestamptz,
    last_fed_at    timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE dossier_event (
    ins_c        text NOT NULL CHECK (ins_c ~ '^[0-9]{22}$'),
    event_at     timestamptz NOT NULL,
    evenement    text NOT NULL CHECK (evenement IN ('CREATION', 'FERMETURE', 'REACTIVATION',
                 'SUPPRESSION', 'DECES', 'OPPOSITION', 'LEVEE_OPPOSITION')),
    received_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    run_id       bigint,
    applied_at   timestamptz,
    outcome      text,
    PRIMARY KEY (ins_c, event_at, evenement)
);

-- Documents: the current one per dossier (with its XML), and the metadata of
-- every version; traces are the dossier's access history.
CREATE TABLE document (
    ins_c         text PRIMARY KEY,
    set_id        text NOT NULL,
    doc_id        text NOT NULL,
    version       int NOT NULL CHECK (version >= 1),
    xml           text NOT NULL,
    sha256        text NOT NULL,
    bytes         int NOT NULL,
    section_rows  int[] NOT NULL,
    period_low    date NOT NULL,
    period_high   date NOT NULL,
    generated_at  timestamptz NOT NULL,
    run_id        bigint
);
ALTER TABLE document ALTER COLUMN xml SET COMPRESSION lz4;
CREATE TABLE document_version (
    ins_c         text NOT NULL,
    version       int NOT NULL,
    set_id        text NOT NULL,
    doc_id        text NOT NULL,
    sha256        text NOT NULL,
    bytes         int NOT NULL,
    section_rows  int[] NOT NULL,
    period_low    date NOT NULL,
    period_high   date NOT NULL,
    generated_at  timestamptz NOT NULL,
    run_id        bigint,
    PRIMARY KEY (ins_c, version)
);
CREATE TABLE trace (
    ins_c      text NOT NULL,
    trace_no   bigint GENERATED ALWAYS AS IDENTITY,
    at         timestamptz NOT NULL,
    author     text NOT NULL,
    action     text NOT NULL,
    version    int,
    run_id     bigint,
    PRIMARY KEY (ins_c, trace_no)
);
