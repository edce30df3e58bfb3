-- bench/sql_feed.sql — the pure-SQL feed: the baseline `dmpremb feed` is measured against (issue 7).
--
--   psql -v ON_ERROR_STOP=1 -f bench/sql_feed.sql          (as a superuser, in a migrated database)
--   SELECT bench.sql_feed('2026-11-15T12:00:00+01'::timestamptz);   -- number of documents
--
-- What a DBA would write to do the feed's job without a program: one
-- set-based statement (CTEs, window functions, joins to the referentials)
-- that builds, with PostgreSQL's XML functions, the CNAM-HR
-- "Données de remboursement" document of every dossier `dmpremb feed` would
-- feed at that as-of (open, no objection, created by then, with an identity),
-- and upserts it (INSERT ... ON CONFLICT) with a trace row. Same rules as
-- transform/build.c (docs/documents.md), same layout as transform/cda*.c
-- (docs/cda.md): the same 24-month window, netting of reversals, H mark,
-- sections, rows, order, labels, header and coded entries. Not byte-identical
-- (no newline between elements; set, document and entry ids of its own, from
-- md5 rather than SHA-256); bench/sql_feed_check.sh checks that the content
-- is the same, element for element.
--
-- Everything lives in schema bench; nothing of schema dmpremb is written
-- (so the C feed's due times are untouched). Idempotent: run it again at will.
-- Design choices and what this baseline does not do: docs/bench.md.

SET client_min_messages = warning;   -- no "already exists, skipping" on a second run
CREATE SCHEMA IF NOT EXISTS bench;

-- The stored documents: one per dossier, like dmpremb.document. The XML is
-- lz4-compressed as dmpremb.document's is (pglz, the default, would make the
-- SQL side pay several times the C side's compression cost).
CREATE TABLE IF NOT EXISTS bench.sql_document (
    ins_c     text PRIMARY KEY,
    version   int NOT NULL,
    xml       text COMPRESSION lz4 NOT NULL,
    bytes     int NOT NULL,
    sha256    text NOT NULL,
    stored_at timestamptz NOT NULL
);

-- One row per stored document: dmpremb.trace's row with the version
-- metadata of dmpremb.document_version's (version, bytes, SHA-256), so that
-- the writes per document compare with document_store()'s.
CREATE TABLE IF NOT EXISTS bench.sql_trace (
    ins_c    text NOT NULL,
    trace_no bigint GENERATED ALWAYS AS IDENTITY,
    at       timestamptz NOT NULL,
    author   text NOT NULL,
    action   text NOT NULL,
    version  int NOT NULL,
    bytes    int NOT NULL,
    sha256   text NOT NULL,
    PRIMARY KEY (ins_c, trace_no)
);

-- The inside of an assignedEntity / assignedAuthor (party_body() of
-- transform/cda_entries.c): the party's id, its person's name, its own
-- organisation or else its establishment, a nullFlavor name where IHE wants
-- one. A one-expression SQL function: the planner inlines it into the feed's
-- query (EXPLAIN VERBOSE shows no call), so it costs what the CASEs cost.
CREATE OR REPLACE FUNCTION bench.cda_party(num text, given text, family text, org text, finess text,
                                           etb_name text, pfs_as_id boolean, need_name boolean)
RETURNS xml LANGUAGE sql IMMUTABLE AS $$
    SELECT xmlconcat(
        CASE WHEN pfs_as_id AND num IS NOT NULL
             THEN xmlelement(name id, xmlattributes('1.2.250.1.71.4.2.1' AS root, num AS extension))
             ELSE xmlelement(name id, xmlattributes('UNK' AS "nullFlavor")) END,
        CASE WHEN given IS NOT NULL OR family IS NOT NULL
             THEN xmlelement(name "assignedPerson",
                             xmlelement(name name, xmlforest(family AS family, given AS given))) END,
        CASE WHEN org IS NOT NULL OR (NOT pfs_as_id AND given IS NULL AND family IS NULL AND num IS NOT NULL)
             THEN xmlelement(name "representedOrganization",
                    CASE WHEN NOT pfs_as_id AND num IS NOT NULL
                         THEN xmlelement(name id, xmlattributes('1.2.250.1.71.4.2.1' AS root, num AS extension)) END,
                    CASE WHEN org IS NOT NULL THEN xmlelement(name name, org)
                         ELSE xmlelement(name name, xmlattributes('UNK' AS "nullFlavor")) END)
             WHEN finess IS NOT NULL
             THEN xmlelement(name "representedOrganization",
                    xmlelement(name id, xmlattributes('1.2.250.1.71.4.2.2' AS root, finess AS extension)),
                    CASE WHEN etb_name IS NOT NULL THEN xmlelement(name name, etb_name)
                         WHEN need_name THEN xmlelement(name name, xmlattributes('UNK' AS "nullFlavor")) END)
             WHEN given IS NULL AND family IS NULL AND need_name
             THEN xmlelement(name "assignedPerson", xmlelement(name name, xmlattributes('UNK' AS "nullFlavor")))
        END)
$$;

-- <templateId root="..."/> for each root, in order. Called only to build the
-- run's constants (bench.sql_feed's DECLARE), never per row.
CREATE OR REPLACE FUNCTION bench.cda_templates(VARIADIC roots text[]) RETURNS xml
LANGUAGE sql IMMUTABLE AS $$
    SELECT xmlagg(xmlelement(name "templateId", xmlattributes(r AS root)) ORDER BY i)
      FROM unnest(roots) WITH ORDINALITY AS t(r, i)
$$;

-- <reference value="#id"/>, the link from an entry to its row (inlined like cda_party).
CREATE OR REPLACE FUNCTION bench.cda_ref(id text) RETURNS xml LANGUAGE sql IMMUTABLE AS $$
    SELECT xmlelement(name reference, xmlattributes('#' || id AS value))
$$;

CREATE OR REPLACE FUNCTION bench.sql_feed(as_of timestamptz) RETURNS bigint
LANGUAGE plpgsql
-- The window, the effective time and its offset are Paris times, as the C
-- feed's session has them (load/db.c sets the time zone).
SET TimeZone = 'Europe/Paris'
-- The statement sorts and aggregates the whole run's rows at once (the C
-- feed does it a chunk at a time in its own memory): give its sorts and
-- hashes room, as a DBA would for a batch statement, instead of spilling at
-- the 4 MB default.
SET work_mem = '64MB'
AS $fn$
DECLARE
    -- the window of feed_window() (load/feed_io.c): hi = the as-of's day,
    -- lo = hi - 24 months (PostgreSQL's month arithmetic), both included
    win_hi date := as_of::date;
    win_lo date := (as_of::date - interval '24 months')::date;
    -- effectiveTime and serviceEvent/low, AAAAMMJJHHMMSS+HHMM
    eff text := to_char(as_of, 'YYYYMMDDHH24MISS') || replace(to_char(as_of, 'TZH:TZM'), ':', '');
    eff_low text := to_char(as_of - interval '24 months', 'YYYYMMDDHH24MISS')
                    || replace(to_char(as_of - interval '24 months', 'TZH:TZM'), ':', '');
    loinc constant text := '2.16.840.1.113883.6.1';
    nullcodes constant text := '2.16.840.1.113883.5.1150.1';

    -- What is the same in every document is built once here, as constants
    -- of the statement below (the C writer has them as literals).
    id_unk xml := xmlelement(name id, xmlattributes('UNK' AS "nullFlavor"));
    id_na xml := xmlelement(name id, xmlattributes('NA' AS "nullFlavor"));
    nask xml := xmlconcat(xmlelement(name addr, xmlattributes('NASK' AS "nullFlavor")),
                          xmlelement(name telecom, xmlattributes('NASK' AS "nullFlavor")));
    am_ps xml := xmlelement(name id, xmlattributes('1.2.250.1.71.4.2.1' AS root,
                                                   '518003502400041/1.2.250.1.215.1.2' AS extension));
    am_org xml := xmlconcat(xmlelement(name id, xmlattributes('1.2.250.1.71.4.2.2' AS root,
                                                              '318003502400041' AS extension)),
                            xmlelement(name name, 'Assurance Maladie'));
    completed xml := xmlelement(name "statusCode", xmlattributes('completed' AS code));
    t_med xml := bench.cda_templates('2.16.840.1.113883.10.20.1.24', '1.3.6.1.4.1.19376.1.5.3.1.4.7',
                                     '1.2.250.1.213.1.1.3.42', '1.3.6.1.4.1.19376.1.5.3.1.4.7.1');
    t_vac xml := bench.cda_templates('2.16.840.1.113883.10.20.1.24', '1.3.6.1.4.1.19376.1.5.3.1.4.12',
                                     '1.2.250.1.213.1.1.3.45');
    t_product xml := bench.cda_templates('2.16.840.1.113883.10.20.1.53', '1.3.6.1.4.1.19376.1.5.3.1.4.7.2',
                                         '1.2.250.1.213.1.1.3.43');
    t_supply xml := bench.cda_templates('2.16.840.1.113883.10.20.1.34', '1.3.6.1.4.1.19376.1.5.3.1.4.7.3',
                                        '1.2.250.1.213.1.1.3.44');
    t_dm xml := bench.cda_templates('2.16.840.1.113883.10.20.1.34', '1.2.250.1.213.1.1.3.20');
    t_enc xml := bench.cda_templates('2.16.840.1.113883.10.20.1.21', '1.3.6.1.4.1.19376.1.5.3.1.4.14',
                                     '1.2.250.1.213.1.1.3.58');
    t_proc xml := bench.cda_templates('2.16.840.1.113883.10.20.1.29', '1.3.6.1.4.1.19376.1.5.3.1.4.19',
                                      '1.2.250.1.213.1.1.3.62');
    -- a drug's effectiveTimes; a vaccination's and a device's
    med_times xml := xmlconcat(xmlelement(name "effectiveTime", xmlattributes('IVL_TS' AS "xsi:type"),
                                          xmlelement(name low, xmlattributes('UNK' AS "nullFlavor")),
                                          xmlelement(name high, xmlattributes('UNK' AS "nullFlavor"))),
                               xmlelement(name "effectiveTime", xmlattributes('A' AS operator)));
    vac_code xml := xmlelement(name code, xmlattributes('IMMUNIZ' AS code,
                                                        'Vaccination sans autres précisions' AS "displayName",
                                                        '2.16.840.1.113883.5.4' AS "codeSystem"));
    vac_time xml := xmlelement(name "effectiveTime", xmlattributes('UNK' AS "nullFlavor"));
    dm_time xml := xmlelement(name "effectiveTime", xmlattributes('IVL_TS' AS "xsi:type"),
                              xmlelement(name low, xmlattributes('UNK' AS "nullFlavor")));
    stay_code xml := xmlelement(name code, xmlattributes('IMP' AS code,
                                'Hospitalisation (établissement, y compris HAD)' AS "displayName",
                                '2.16.840.1.113883.5.4' AS "codeSystem", 'ActCode' AS "codeSystemName"));

    -- The header around the patient (cda_header.c).
    head_top xml := xmlconcat(
        xmlelement(name "realmCode", xmlattributes('FR' AS code)),
        xmlelement(name "typeId", xmlattributes('2.16.840.1.113883.1.3' AS root, 'POCD_HD000040' AS extension)),
        bench.cda_templates('2.16.840.1.113883.2.8.2.1', '1.2.250.1.213.1.1.1.1'),
        xmlelement(name "templateId", xmlattributes('1.2.250.1.213.1.1.1.36' AS root, '2021.01' AS extension)));
    head_mid xml := xmlconcat(
        xmlelement(name code, xmlattributes('REMB' AS code, '1.2.250.1.213.1.1.4.12' AS "codeSystem",
                                            'Données de remboursement' AS "displayName")),
        xmlelement(name title, 'Données de remboursement'),
        xmlelement(name "effectiveTime", xmlattributes(eff AS value)),
        xmlelement(name "confidentialityCode", xmlattributes('N' AS code, 'Normal' AS "displayName",
                   '2.16.840.1.113883.5.25' AS "codeSystem", 'Confidentiality' AS "codeSystemName")),
        xmlelement(name "languageCode", xmlattributes('fr-FR' AS code)));
    head_parties xml := xmlconcat(
        xmlelement(name author, xmlelement(name time, xmlattributes(eff AS value)),
            xmlelement(name "assignedAuthor", am_ps,
                xmlelement(name code, xmlattributes('ALIM_AM' AS code,
                           'Alimentation auto à partir du SI de l''Ass Maladie' AS "displayName",
                           '1.2.250.1.213.1.1.4.6' AS "codeSystem")),
                nask,
                xmlelement(name "assignedAuthoringDevice", xmlelement(name "manufacturerModelName", '.'),
                           xmlelement(name "softwareName", 'Assurance Maladie')),
                xmlelement(name "representedOrganization", am_org))),
        xmlelement(name custodian, xmlelement(name "assignedCustodian",
                   xmlelement(name "representedCustodianOrganization", am_org))),
        xmlelement(name "legalAuthenticator", xmlelement(name time, xmlattributes(eff AS value)),
            xmlelement(name "signatureCode", xmlattributes('S' AS code)),
            xmlelement(name "assignedEntity", am_ps, nask,
                xmlelement(name "assignedPerson", xmlelement(name name, xmlelement(name given, '.'),
                                                             xmlelement(name family, 'Assurance Maladie'))))),
        xmlelement(name "documentationOf", xmlelement(name "serviceEvent",
            xmlelement(name "effectiveTime", xmlelement(name low, xmlattributes(eff_low AS value)),
                       xmlelement(name high, xmlattributes(eff AS value))),
            xmlelement(name performer, xmlattributes('PRF' AS "typeCode"),
                xmlelement(name "assignedEntity", id_na,
                    xmlelement(name "representedOrganization",
                        xmlelement(name "standardIndustryClassCode", xmlattributes('AMO' AS code,
                                   'Organisme d''assurance maladie obligatoire' AS "displayName",
                                   '1.2.250.1.213.1.1.4.9' AS "codeSystem"))))))));
    component_of xml := xmlelement(name "componentOf", xmlelement(name "encompassingEncounter",
        xmlelement(name "effectiveTime", xmlattributes('NA' AS "nullFlavor")),
        xmlelement(name location, xmlelement(name "healthCareFacility",
            xmlelement(name code, xmlattributes('SA24' AS code, 'Organisme de sécurité sociale' AS "displayName",
                                                '1.2.250.1.71.4.2.4' AS "codeSystem"))))));
    -- "Usage et Responsabilités", fixed text (cda_body.c write_usage())
    usage xml := xmlelement(name component, xmlelement(name section,
        bench.cda_templates('2.16.840.1.113883.10.12.201', '1.3.6.1.4.1.19376.1.4.1.2.16', '1.2.250.1.213.1.1.2.73'),
        xmlelement(name code, xmlattributes('55112-7' AS code, 'Commentaire sur le document' AS "displayName",
                                            loinc AS "codeSystem", 'LOINC' AS "codeSystemName")),
        xmlelement(name title, 'Usage et Responsabilités'),
        xmlelement(name text, xmlattributes('mention' AS "ID"),
            'Les données affichées sont le reflet des informations issues des procédures de remboursement '
            'ou de prise en charge détenues par l''Assurance Maladie pour les vingt-quatre derniers mois.',
            xmlelement(name br),
            'Elles sont fournies à titre purement informatif et leur exhaustivité ne peut être garantie, '
            'notamment en cas de changement administratif durant ces vingt-quatre mois.',
            xmlelement(name br),
            'Toute interprétation ou toute décision, de quelle que nature que ce soit, se basant sur ces '
            'données relève de la seule responsabilité de la personne qui les consulte.',
            xmlelement(name br),
            'La présence d''un H en début de ligne signale que l''acte a été réalisé durant la même période '
            'qu''un séjour hospitalier.')));

    -- Per section (index 1..7 = section): what comes before its text (the
    -- templates, id, code, title), its table head, and its empty form: the
    -- text, and the entry (for 1 and 2 the entry's children after its id,
    -- a UUID made for each document).
    sec_open xml[];
    sec_thead xml[];
    sec_none_text xml[];
    sec_none xml[];
    stored bigint;
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'bench.sql_feed: as_of is NULL' USING ERRCODE = '22004';
    END IF;

    SELECT array_agg(xmlconcat(
               bench.cda_templates(VARIADIC d.templates), id_unk,
               xmlelement(name code, xmlattributes(d.code AS code, d.display AS "displayName", loinc AS "codeSystem",
                                                   'LOINC' AS "codeSystemName"),
                          CASE WHEN d.tr_code IS NOT NULL
                               THEN xmlelement(name translation, xmlattributes(d.tr_code AS code,
                                               d.tr_display AS "displayName", loinc AS "codeSystem")) END),
               xmlelement(name title, d.title)) ORDER BY d.sec),
           array_agg((SELECT xmlelement(name thead, xmlelement(name tr,
                                 xmlagg(xmlelement(name th, xmlattributes(CASE WHEN i = 1 AND d.has_h THEN '2' END
                                                                          AS colspan), t) ORDER BY i)))
                        FROM unnest(d.cols) WITH ORDINALITY AS c(t, i)) ORDER BY d.sec),
           array_agg(xmlelement(name text, xmlattributes(d.none_id AS "ID"),
                                'Aucune donnée de remboursement connue dans la période') ORDER BY d.sec),
           array_agg(CASE d.sec
               WHEN 1 THEN xmlconcat(
                   xmlelement(name code, xmlattributes('no-known-medications' AS code,
                              'Pas de traitement médicamenteux connu' AS "displayName", nullcodes AS "codeSystem")),
                   xmlelement(name text, bench.cda_ref(d.none_id)), completed, med_times,
                   xmlelement(name consumable, xmlelement(name "manufacturedProduct", t_product,
                       xmlelement(name "manufacturedMaterial", xmlelement(name code, xmlattributes('NA' AS "nullFlavor")),
                                  xmlelement(name name, xmlattributes('NA' AS "nullFlavor"))))))
               WHEN 2 THEN xmlconcat(
                   xmlelement(name code, xmlattributes('no-known-immunizations' AS code,
                              'Pas de vaccin connu' AS "displayName", nullcodes AS "codeSystem")),
                   xmlelement(name text, bench.cda_ref(d.none_id)), completed,
                   xmlelement(name "effectiveTime", xmlattributes('NA' AS "nullFlavor")),
                   xmlelement(name consumable, xmlattributes('CSM' AS "typeCode"),
                       xmlelement(name "manufacturedProduct", t_product,
                           xmlelement(name "manufacturedMaterial", xmlelement(name code, xmlattributes('NA' AS "nullFlavor")),
                                      xmlelement(name name, xmlattributes('NA' AS "nullFlavor"))))))
               WHEN 3 THEN xmlelement(name entry, xmlelement(name supply,
                   xmlattributes('SPLY' AS "classCode", 'EVN' AS "moodCode"), t_dm, id_na,
                   xmlelement(name text, bench.cda_ref(d.none_id)),
                   xmlelement(name "effectiveTime", xmlattributes('IVL_TS' AS "xsi:type"),
                              xmlelement(name low, xmlattributes('NA' AS "nullFlavor"))),
                   xmlelement(name participant, xmlattributes('DEV' AS "typeCode"),
                       xmlelement(name "participantRole", xmlattributes('MANU' AS "classCode"),
                           xmlelement(name "playingDevice", xmlattributes('DEV' AS "classCode",
                                                                          'INSTANCE' AS "determinerCode"),
                               xmlelement(name code, xmlattributes('no-known-devices' AS code,
                                          'Pas de dispositif médical connu' AS "displayName",
                                          nullcodes AS "codeSystem")))))))
               WHEN 4 THEN xmlelement(name entry, xmlelement(name encounter,
                   xmlattributes('ENC' AS "classCode", 'EVN' AS "moodCode"), t_enc, id_na,
                   xmlelement(name code, xmlattributes('02276797' AS code, 'Aucun' AS "displayName",
                              '1.2.250.1.213.2.63' AS "codeSystem", 'Wolf' AS "codeSystemName")),
                   xmlelement(name text, bench.cda_ref(d.none_id)),
                   xmlelement(name "effectiveTime", xmlattributes('NA' AS "nullFlavor"))))
               ELSE xmlelement(name entry, xmlelement(name procedure,
                   xmlattributes('PROC' AS "classCode", 'EVN' AS "moodCode"), t_proc, id_na,
                   xmlelement(name code, xmlattributes('no-known-procedures' AS code,
                              'Pas d''acte ou intervention connu' AS "displayName", nullcodes AS "codeSystem")),
                   xmlelement(name text, bench.cda_ref(d.none_id)), completed,
                   xmlelement(name "effectiveTime", xmlattributes('NA' AS "nullFlavor"))))
               END ORDER BY d.sec)
      INTO sec_open, sec_thead, sec_none_text, sec_none
      FROM (VALUES
        (1, ARRAY['2.16.840.1.113883.10.20.1.8', '1.3.6.1.4.1.19376.1.5.3.1.3.19', '1.2.250.1.213.1.1.2.143'],
         '10160-0', 'Médication administrée', NULL, NULL, 'Médicaments', 'NO-TREATMENT', true,
         ARRAY['Date de délivrance', 'Libellé du médicament', 'Groupe thérapeutique',
               'Composants actifs du médicament', 'Prescrit par', 'Spécialité du prescripteur',
               'Établissement du prescripteur', 'Délivré par', 'Quantité délivrée']),
        (2, ARRAY['2.16.840.1.113883.10.20.1.6', '1.3.6.1.4.1.19376.1.5.3.1.3.23', '1.2.250.1.213.1.1.2.147'],
         '11369-6', 'Historique des vaccinations', NULL, NULL, 'Vaccinations', 'NO-VACCIN', true,
         ARRAY['Date de délivrance', 'Libellé du vaccin', 'Valence vaccinale', 'Prescrit par',
               'Spécialité du prescripteur', 'Établissement du prescripteur', 'Délivré par']),
        -- "11383" (sic): the example's root, which the schematrons accept
        (3, ARRAY['2.16.840.1.11383.10.20.1.7', '1.3.6.1.4.1.19376.1.5.3.1.1.5.3.5', '1.2.250.1.213.1.1.2.1'],
         '46264-8', 'Historique des dispositifs médicaux utilisés', NULL, NULL, 'Dispositifs médicaux', 'NO-DM',
         true, ARRAY['Date de délivrance', 'Libellé du dispositif médical', 'Prescrit par',
                     'Spécialité du prescripteur', 'Établissement du prescripteur', 'Délivré par',
                     'Quantité délivrée']),
        (4, ARRAY['2.16.840.1.113883.10.20.1.3', '1.3.6.1.4.1.19376.1.5.3.1.1.5.3.3', '1.2.250.1.213.1.1.2.76'],
         '46240-8', 'Historique des rencontres', NULL, NULL, 'Hospitalisations', 'NO-ENCOUNTER', false,
         ARRAY['Période du séjour', 'Nature du séjour', 'Lieu du séjour']),
        (5, ARRAY['1.3.6.1.4.1.19376.1.5.3.1.1.13.2.11', '1.2.250.1.213.1.1.2.118'],
         '29554-3', 'Actes', '67803-7', 'Liste des actes', 'Soins médicaux et dentaires', 'NO-ACT-MED', true,
         ARRAY['Date de l''acte', 'Code de l''acte', 'Libellé de l''acte', 'Réalisé par', 'Spécialité',
               'Établissement']),
        (6, ARRAY['1.3.6.1.4.1.19376.1.5.3.1.1.13.2.11', '1.2.250.1.213.1.1.2.118'],
         '29554-3', 'Actes', '18726-0', 'Radiologie', 'Radiologie', 'NO-ACT-RAD', true,
         ARRAY['Date de l''acte', 'Code de l''acte', 'Libellé de l''acte', 'Réalisé par', 'Établissement']),
        (7, ARRAY['1.3.6.1.4.1.19376.1.5.3.1.1.13.2.11', '1.2.250.1.213.1.1.2.118'],
         '29554-3', 'Actes', '26436-6', 'Biologie', 'Biologie', 'NO-ACT-BIO', true,
         ARRAY['Date de l''acte', 'Code de l''acte', 'Libellé de l''acte', 'Réalisé par', 'Établissement']))
        AS d(sec, templates, code, display, tr_code, tr_display, title, none_id, has_h, cols);

    WITH
    -- The dossiers `feed` would feed at this as-of: open, no objection, due
    -- by then, with an identity (dossier_row() of load/feed_io.c: names and
    -- birth date present; "" counts as absent there, as nullif does here).
    fed AS (
        SELECT d.ins_c, b.ben_nir || b.ben_nir_cle AS ins_nir, b.ben_nom_nai AS family_birth,
               coalesce(nullif(b.ben_prn_lis, ''), b.ben_prn) AS given_all, b.ben_prn AS given,
               coalesce(nullif(b.ben_nom_usu, ''), b.ben_nom_nai) AS family_used, b.ben_sex_cod AS sex,
               CASE WHEN substr(b.ben_nai_dte, 5, 2) = '00' THEN left(b.ben_nai_dte, 4)
                    WHEN substr(b.ben_nai_dte, 7, 2) = '00' THEN left(b.ben_nai_dte, 6)
                    ELSE b.ben_nai_dte END AS birth_time,
               nullif(b.ben_nai_com, '') AS birth_place,
               v.version, v.set_id,
               -- ids: the set named by the dossier, each version by its set
               -- and number (so version n knows version n - 1's id), entries
               -- by the version, section, row and role, as lib/uuid.h does
               -- with SHA-256 (md5 here, the cheaper of PostgreSQL's two)
               upper(md5(v.set_id || '/' || v.version)::uuid::text) AS doc_id,
               upper(md5(v.set_id || '/' || (v.version - 1))::uuid::text) AS parent_id
          FROM dmpremb.dossier d
          JOIN dmpremb.beneficiary b ON b.ins_c = d.ins_c
          LEFT JOIN bench.sql_document s ON s.ins_c = d.ins_c
          CROSS JOIN LATERAL (SELECT coalesce(s.version, 0) + 1 AS version,
                                     upper(md5('dmpremb-bench/set/' || d.ins_c)::uuid::text) AS set_id) v
         WHERE d.state = 'open' AND NOT d.opposition AND d.due_at <= as_of
           AND b.ben_nom_nai <> '' AND b.ben_prn <> ''),

    -- Claim lines of the window, never DPN_QLF 71, with their section
    -- (1 Médicaments, 2 Vaccinations, 3 Dispositifs, 5 Actes, 6 Radiologie,
    -- 7 Biologie; 4 is the stays) and netting code. flx_trt_dtd >= lo prunes
    -- the partitions processed before the window (care precedes
    -- processing), as the C feed's query does. The join is on ins_c, the
    -- first column of claim_line's primary key: the planner may probe it per
    -- dossier; with every dossier fed it rightly scans the window's
    -- partitions once and hash-joins them.
    line AS (
        SELECT c.*, f.doc_id, k.sec, k.code
          FROM fed f
          JOIN dmpremb.claim_line c ON c.ins_c = f.ins_c
          CROSS JOIN LATERAL (SELECT
                CASE c.domain WHEN 'P' THEN CASE WHEN c.pha_prs_c13 IS NULL THEN 3
                                                 WHEN c.pha_atc_c07 LIKE 'J07%' THEN 2 ELSE 1 END
                              WHEN 'A' THEN 5 WHEN 'R' THEN 6 WHEN 'B' THEN 7 END AS sec,
                CASE c.domain WHEN 'P' THEN coalesce(c.pha_prs_c13, c.tip_prs_ide)
                              WHEN 'B' THEN c.bio_prs_ide::text
                              ELSE coalesce(c.cam_prs_ide, c.prs_nat_ref::text) END AS code) k
         WHERE c.exe_soi_dtd BETWEEN win_lo AND win_hi AND c.flx_trt_dtd >= win_lo
           AND c.dpn_qlf IS DISTINCT FROM 71 AND k.code IS NOT NULL),

    -- Netting: one group per (section, date, code, executant); its net
    -- quantity, whether a line of it was billed by an establishment, and its
    -- first positive line in line_key order, whose values the row shows.
    -- Both windows share one sort.
    netted AS (
        SELECT l.*, sum(l.act_qsn) OVER g AS net, bool_or(l.etb_exe_fin IS NOT NULL) OVER g AS any_etb,
               row_number() OVER (g ORDER BY l.act_qsn <= 0, l.line_key) AS pick
          FROM line l
        WINDOW g AS (PARTITION BY l.ins_c, l.sec, l.exe_soi_dtd, l.code, l.pfs_exe_num)),

    -- Each person's stays as one multirange: the H mark is one containment
    -- test per row rather than a probe per row and stay.
    stay_days AS (
        SELECT s.ins_c,
               range_agg(daterange(s.ent_dat, coalesce(s.sor_dat, s.ent_dat + coalesce(s.sej_nbj, 0)), '[]')) AS days
          FROM fed f JOIN dmpremb.hospital_stay s ON s.ins_c = f.ins_c
         GROUP BY s.ins_c),

    -- A drug's components (refcache.c load_drugs()): its active substances
    -- (SA) in file order, each replaced by the therapeutic fraction (FT)
    -- numero_liaison links it to, a substance listed twice shown once.
    compo AS (
        SELECT DISTINCT ON (sa.cis, x.code) sa.cis, sa.line_no, x.code, x.label
          FROM dmpremb.ref_bdpm_compo sa
          LEFT JOIN (SELECT DISTINCT ON (f.cis, f.numero_liaison) f.cis, f.numero_liaison, f.code_substance,
                            f.substance
                       FROM dmpremb.ref_bdpm_compo f WHERE f.nature = 'FT'
                      ORDER BY f.cis, f.numero_liaison, f.line_no) ft
                 ON ft.cis = sa.cis AND ft.numero_liaison = sa.numero_liaison
          CROSS JOIN LATERAL (SELECT coalesce(ft.code_substance, sa.code_substance) AS code,
                                     coalesce(ft.substance, sa.substance) AS label) x
         WHERE sa.nature = 'SA' AND x.code IS NOT NULL AND x.label IS NOT NULL
         ORDER BY sa.cis, x.code, sa.line_no),
    -- ... per drug, once: the narrative cell (one per line), the coded group
    -- and the vaccine's valence. PostgreSQL 15 has no xmltext(): the cell's
    -- text is escaped by hand and cast, once per drug, not per row.
    drug AS (
        SELECT cis.cis, cis.denomination,
               string_agg(replace(replace(replace(c.label, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                          '<br/>' ORDER BY c.line_no)::xml AS compo_cell,
               xmlelement(name translation,
                          xmlagg(xmlelement(name translation,
                                            xmlattributes(c.code AS code, c.label AS "displayName",
                                                          '1.2.250.1.215.200.1.3.1' AS "codeSystem",
                                                          'JDV_BDM_CA_CNAM-HR_CISIS' AS "codeSystemName"))
                                 ORDER BY c.line_no)) AS compo_codes,
               string_agg(c.label, ', ' ORDER BY c.line_no) AS valence,
               count(c.code) AS n_compo
          FROM dmpremb.ref_bdpm_cis cis
          LEFT JOIN compo c ON c.cis = cis.cis
         GROUP BY cis.cis, cis.denomination),

    -- One row per group with a positive net: labels from the referentials
    -- (each a primary-key join; an unknown code keeps its code with the
    -- neutral label), people and places from professional / establishment.
    claim_row AS (
        SELECT n.ins_c, n.doc_id, n.sec, n.exe_soi_dtd AS day, NULL::date AS day_end,
               n.any_etb OR coalesce(n.exe_soi_dtd <@ sd.days, false) AS h,
               least(n.net, 1000000000) AS qty,
               CASE WHEN n.sec IN (5, 6) AND n.cam_prs_ide IS NULL THEN coalesce(nullif(nat.prs_nat_cb2, ''), n.code)
                    ELSE n.code END AS code,
               CASE WHEN n.sec IN (1, 2) THEN '1.2.250.1.215.200.1.1.1'
                    WHEN n.sec = 3 THEN '1.2.250.1.215.200.2.1'
                    WHEN n.sec = 7 THEN '1.2.250.1.215.200.4.1'
                    WHEN n.cam_prs_ide IS NOT NULL THEN '1.2.250.1.215.200.3.4'
                    ELSE '1.2.250.1.215.200.3.3' END AS code_system,
               CASE WHEN n.sec IN (1, 2) THEN coalesce(nullif(dr.denomination, ''),
                                                       'Libellé non disponible (CIP ' || n.code || ')')
                    WHEN n.sec = 3 THEN coalesce(nullif(lpp.lpp_red_lib, ''),
                                                 'Libellé non disponible (LPP ' || n.code || ')')
                    ELSE coalesce(nullif(CASE WHEN n.sec = 7 THEN bio.bio_inf_lib
                                              WHEN n.cam_prs_ide IS NOT NULL THEN ccam.cam_prs_ide_lib
                                              ELSE nat.prs_nat_lib END, ''), 'Libellé non disponible') END AS label,
               CASE n.sec WHEN 1 THEN left(n.pha_atc_c07, 3) WHEN 2 THEN n.pha_atc_c07 END AS atc_code,
               CASE n.sec WHEN 1 THEN left(n.pha_atc_c07, 3)
                          WHEN 2 THEN coalesce(dr.valence, n.pha_atc_c07) END AS atc_label,
               CASE WHEN n.sec = 1 AND dr.n_compo > 0 THEN dr.compo_cell END AS compo_cell,
               CASE WHEN n.sec = 1 AND dr.n_compo > 0 THEN dr.compo_codes END AS compo_codes,
               n.pfs_pre_num AS pre_num, nullif(pp.pfs_prn, '') AS pre_given, nullif(pp.pfs_nom, '') AS pre_family,
               nullif(pp.pfs_rai_soc, '') AS pre_org, psp.pfs_spe_lib AS pre_spe_lib,
               n.etb_pre_fin AS pre_finess, nullif(ep.raison_sociale, '') AS pre_etb_name,
               n.pfs_exe_num AS exe_num, nullif(pe.pfs_prn, '') AS exe_given, nullif(pe.pfs_nom, '') AS exe_family,
               nullif(pe.pfs_rai_soc, '') AS exe_org, pse.pfs_spe_lib AS exe_spe_lib,
               n.etb_exe_fin AS exe_finess, nullif(ee.raison_sociale, '') AS exe_etb_name
          FROM netted n
          LEFT JOIN stay_days sd ON sd.ins_c = n.ins_c
          LEFT JOIN (dmpremb.ref_bdpm_cip cip JOIN drug dr ON dr.cis = cip.cis)
                 ON n.sec IN (1, 2) AND cip.cip13 = n.code
          LEFT JOIN dmpremb.ref_nt_lpp lpp ON n.sec = 3 AND lpp.lpp_prs_ide = n.code
          LEFT JOIN dmpremb.ref_ir_ccam ccam ON n.sec IN (5, 6) AND ccam.cam_prs_ide_cod = n.cam_prs_ide
          LEFT JOIN dmpremb.ref_ir_nat_v nat ON n.sec IN (5, 6) AND n.cam_prs_ide IS NULL
                                            AND nat.prs_nat = n.prs_nat_ref
          LEFT JOIN dmpremb.ref_ir_bio_r bio ON n.sec = 7 AND bio.bio_prs_ide = n.bio_prs_ide
          LEFT JOIN dmpremb.professional pp ON n.sec <= 3 AND pp.pfs_num = n.pfs_pre_num
          LEFT JOIN dmpremb.ref_ir_spe_v psp ON n.sec <= 3 AND psp.pfs_spe_cod = n.psp_spe_cod
          LEFT JOIN dmpremb.establishment ep ON n.sec <= 3 AND ep.finess = n.etb_pre_fin
          LEFT JOIN dmpremb.professional pe ON pe.pfs_num = n.pfs_exe_num
          LEFT JOIN dmpremb.ref_ir_spe_v pse ON pse.pfs_spe_cod = n.pse_spe_cod
          LEFT JOIN dmpremb.establishment ee ON ee.finess = n.etb_exe_fin
         WHERE n.pick = 1 AND n.net > 0),

    -- Stays admitted in the window: GHS label (lowest sector), else GHM label.
    stay_row AS (
        SELECT s.ins_c, f.doc_id, 4 AS sec, s.ent_dat AS day, nullif(s.sor_dat, s.ent_dat) AS day_end, false AS h,
               NULL::bigint AS qty, s.ghs_num::text AS code, '1.2.250.1.215.200.3.1' AS code_system,
               coalesce(nullif(CASE WHEN nullif(ghs.ghs_lib, '') IS NOT NULL THEN ghs.ghs_lib ELSE ghm.ghm_lib END, ''),
                        'Libellé non disponible (GHM ' || s.grg_ghm || ')') AS label,
               NULL AS atc_code, NULL AS atc_label, NULL::xml AS compo_cell, NULL::xml AS compo_codes,
               NULL AS pre_num, NULL AS pre_given, NULL AS pre_family, NULL AS pre_org, NULL AS pre_spe_lib,
               NULL AS pre_finess, NULL AS pre_etb_name,
               NULL AS exe_num, NULL AS exe_given, NULL AS exe_family, NULL AS exe_org, NULL AS exe_spe_lib,
               s.eta_num AS exe_finess, nullif(e.raison_sociale, '') AS exe_etb_name
          FROM fed f
          JOIN dmpremb.hospital_stay s ON s.ins_c = f.ins_c
          LEFT JOIN dmpremb.ref_ghs_label ghs ON ghs.ghs_num = s.ghs_num
          LEFT JOIN dmpremb.ref_ms_gm9_v ghm ON ghm.gm9_ghm_cod = s.grg_ghm
          LEFT JOIN dmpremb.establishment e ON e.finess = s.eta_num
         WHERE s.ent_dat BETWEEN win_lo AND win_hi),

    -- The cells' texts (people: PFS_RAI_SOC, else "prénom nom", else what is
    -- known, else "Non communiqué"; none at all: empty cell), and the rows'
    -- display order (newest first, then code, label, executant, its number,
    -- its establishment; byte order as strcmp, absent first), numbered per
    -- section for the content IDs MED001, MED002, ...
    cells AS (
        SELECT r.*,
               CASE WHEN r.pre_num IS NOT NULL
                    THEN coalesce(r.pre_org, r.pre_given || ' ' || r.pre_family, r.pre_family, r.pre_given,
                                  'Non communiqué') END AS pre_display,
               CASE WHEN r.pre_num IS NOT NULL THEN coalesce(nullif(r.pre_spe_lib, ''), 'Non communiqué') END AS pre_spe_label,
               CASE WHEN r.pre_finess IS NOT NULL THEN coalesce(r.pre_etb_name, 'Non communiqué') END AS pre_etb_display,
               CASE WHEN r.exe_num IS NOT NULL
                    THEN coalesce(r.exe_org, r.exe_given || ' ' || r.exe_family, r.exe_family, r.exe_given,
                                  'Non communiqué') END AS exe_display,
               CASE WHEN r.exe_num IS NOT NULL THEN coalesce(nullif(r.exe_spe_lib, ''), 'Non communiqué') END AS exe_spe_label,
               CASE WHEN r.exe_finess IS NOT NULL THEN coalesce(r.exe_etb_name, 'Non communiqué') END AS exe_etb_display
          FROM (SELECT * FROM claim_row UNION ALL SELECT * FROM stay_row) r),
    shown AS (
        SELECT c.*, row_number() OVER (PARTITION BY c.ins_c, c.sec
                                       ORDER BY c.day DESC, c.code COLLATE "C" NULLS FIRST, c.label COLLATE "C",
                                                c.exe_display COLLATE "C" NULLS FIRST, c.exe_num COLLATE "C" NULLS FIRST,
                                                c.exe_finess COLLATE "C" NULLS FIRST) AS rn
          FROM cells c),

    -- Each row as a table row and a coded entry (cda_body.c row_cells(),
    -- cda_entries.c). An absent value is an empty cell: xmlelement(name td,
    -- NULL) is <td/>.
    row_xml AS (
        SELECT r.ins_c, r.sec, r.rn,
               xmlelement(name tr,
                   CASE WHEN r.sec <> 4 THEN xmlelement(name td, CASE WHEN r.h THEN 'H' END) END,
                   xmlelement(name td, CASE WHEN r.sec <> 4 THEN to_char(r.day, 'DD/MM/YYYY')
                                            WHEN r.day_end IS NULL THEN 'le ' || to_char(r.day, 'DD/MM/YYYY')
                                            ELSE 'du ' || to_char(r.day, 'DD/MM/YYYY') || ' au '
                                                 || to_char(r.day_end, 'DD/MM/YYYY') END),
                   CASE WHEN r.sec >= 5 THEN xmlelement(name td, r.code) END,
                   xmlelement(name td, xmlelement(name content, xmlattributes(r.cid AS "ID"), r.label)),
                   CASE WHEN r.sec <= 2 THEN xmlelement(name td, r.atc_label) END,
                   CASE WHEN r.sec = 1 THEN xmlelement(name td, r.compo_cell) END,
                   CASE WHEN r.sec <= 3 THEN xmlconcat(xmlelement(name td, r.pre_display),
                                                       xmlelement(name td, r.pre_spe_label),
                                                       xmlelement(name td, r.pre_etb_display)) END,
                   CASE WHEN r.sec <> 4 THEN xmlelement(name td, r.exe_display) END,
                   CASE WHEN r.sec = 5 THEN xmlelement(name td, r.exe_spe_label) END,
                   CASE WHEN r.sec >= 4 THEN xmlelement(name td, r.exe_etb_display) END,
                   CASE WHEN r.sec IN (1, 3) THEN xmlelement(name td, r.qty) END) AS tr,
               xmlelement(name entry, CASE
               WHEN r.sec <= 2 THEN
                   xmlelement(name "substanceAdministration",
                       xmlattributes('SBADM' AS "classCode", 'EVN' AS "moodCode",
                                     CASE WHEN r.sec = 2 THEN 'false' END AS "negationInd"),
                       CASE WHEN r.sec = 1 THEN t_med ELSE t_vac END,
                       xmlelement(name id, xmlattributes(r.entry_id AS root)),
                       CASE WHEN r.sec = 2 THEN vac_code END,
                       xmlelement(name text, r.ref), completed,
                       CASE WHEN r.sec = 1 THEN med_times ELSE vac_time END,
                       -- the drug: CIP, ATC (group / ATC 7), components
                       xmlelement(name consumable, xmlattributes(CASE WHEN r.sec = 2 THEN 'CSM' END AS "typeCode"),
                           xmlelement(name "manufacturedProduct", t_product,
                               xmlelement(name "manufacturedMaterial",
                                   xmlelement(name code, xmlelement(name "originalText", r.ref),
                                       xmlelement(name translation, xmlattributes(r.code AS code,
                                                  r.label AS "displayName", r.code_system AS "codeSystem",
                                                  'JDV_BDM_CNAM-HR_CISIS' AS "codeSystemName")),
                                       CASE WHEN r.atc_code IS NOT NULL
                                            THEN xmlelement(name translation, xmlattributes(r.atc_code AS code,
                                                     r.atc_label AS "displayName",
                                                     CASE WHEN r.sec = 1 THEN '1.2.250.1.215.200.1.2.1'
                                                          ELSE '1.2.250.1.215.200.1.2.2' END AS "codeSystem",
                                                     'JDV_BDM_ATC_CNAM-HR_CISIS' AS "codeSystemName")) END,
                                       r.compo_codes),
                                   xmlelement(name name, r.label)))),
                       -- the dispensing
                       xmlelement(name "entryRelationship", xmlattributes('REFR' AS "typeCode",
                                                                         'false' AS "inversionInd"),
                           xmlelement(name supply, xmlattributes('SPLY' AS "classCode", 'EVN' AS "moodCode"),
                               t_supply, xmlelement(name id, xmlattributes(
                                   upper(md5(r.doc_id || '/' || r.sec || '/' || r.rn || '/supply')::uuid::text) AS root)),
                               CASE WHEN r.sec = 1 THEN xmlelement(name quantity, xmlattributes(r.qty AS value)) END,
                               r.parties)))
               WHEN r.sec = 3 THEN
                   xmlelement(name supply, xmlattributes('SPLY' AS "classCode", 'EVN' AS "moodCode"), t_dm,
                       xmlelement(name id, xmlattributes(r.entry_id AS root)),
                       xmlelement(name text, r.ref), dm_time,
                       xmlelement(name quantity, xmlattributes(r.qty AS value)), r.parties,
                       xmlelement(name participant, xmlattributes('DEV' AS "typeCode"),
                           xmlelement(name "participantRole", xmlattributes('MANU' AS "classCode"),
                               xmlelement(name "playingDevice", xmlattributes('DEV' AS "classCode",
                                                                              'INSTANCE' AS "determinerCode"),
                                   xmlelement(name code, xmlelement(name "originalText", r.ref),
                                       xmlelement(name translation, xmlattributes(r.code AS code,
                                                  r.label AS "displayName", r.code_system AS "codeSystem",
                                                  'JDV_LPP_CNAM-HR_CISIS' AS "codeSystemName")))))))
               WHEN r.sec = 4 THEN
                   xmlelement(name encounter, xmlattributes('ENC' AS "classCode", 'EVN' AS "moodCode"), t_enc, id_unk,
                       xmlelement(name code, xmlattributes('IMP' AS code,
                                  'Hospitalisation (établissement, y compris HAD)' AS "displayName",
                                  '2.16.840.1.113883.5.4' AS "codeSystem", 'ActCode' AS "codeSystemName"),
                           CASE WHEN r.code IS NOT NULL
                                THEN xmlelement(name qualifier, xmlelement(name value, xmlattributes(r.code AS code,
                                         r.label AS "displayName", r.code_system AS "codeSystem",
                                         'JDV_sejours_actes_CNAM-HR_CISIS' AS "codeSystemName"))) END),
                       xmlelement(name text, r.ref),
                       xmlelement(name "effectiveTime", xmlelement(name low, xmlattributes(r.day8 AS value)),
                           CASE WHEN r.day_end IS NOT NULL
                                THEN xmlelement(name high, xmlattributes(to_char(r.day_end, 'YYYYMMDD') AS value)) END),
                       CASE WHEN r.exe_finess IS NOT NULL
                            THEN xmlelement(name performer, xmlattributes('PRF' AS "typeCode"),
                                     xmlelement(name "assignedEntity", r.etb_alone)) END)
               ELSE
                   -- acts, radiology, biology: the executant (a person with its
                   -- establishment), then the establishment alone when the
                   -- executant is an organisation or unknown
                   xmlelement(name procedure, xmlattributes('PROC' AS "classCode", 'EVN' AS "moodCode"), t_proc, id_unk,
                       xmlelement(name code, xmlattributes(r.code AS code, r.label AS "displayName",
                                  r.code_system AS "codeSystem",
                                  CASE WHEN r.sec = 7 THEN 'JDV_NABM_CNAM-HR_CISIS'
                                       ELSE 'JDV_sejours_actes_CNAM-HR_CISIS' END AS "codeSystemName")),
                       xmlelement(name text, r.ref), completed,
                       xmlelement(name "effectiveTime", xmlattributes(r.day8 AS value)),
                       CASE WHEN r.exe_num IS NOT NULL
                            THEN xmlelement(name performer, xmlelement(name "assignedEntity",
                                     xmlattributes('ASSIGNED' AS "classCode"),
                                     bench.cda_party(r.exe_num, r.exe_given, r.exe_family, r.exe_org, r.exe_finess,
                                                     r.exe_etb_name, true, false))) END,
                       CASE WHEN r.exe_finess IS NOT NULL AND NOT (r.exe_num IS NOT NULL AND r.exe_org IS NULL)
                            THEN xmlelement(name performer, xmlelement(name "assignedEntity",
                                     xmlattributes('ASSIGNED' AS "classCode"), r.etb_alone)) END)
               END) AS entry
          FROM (SELECT s.*, bench.cda_ref(s.cid) AS ref, to_char(s.day, 'YYYYMMDD') AS day8,
                       CASE WHEN s.sec <= 3
                            THEN upper(md5(s.doc_id || '/' || s.sec || '/' || s.rn || '/entry')::uuid::text) END AS entry_id,
                       bench.cda_party(NULL, NULL, NULL, NULL, s.exe_finess, s.exe_etb_name, false, false) AS etb_alone,
                       -- a dispensing's dispenser (performer, always) and prescriber (author, when known)
                       CASE WHEN s.sec <= 3 THEN xmlconcat(
                           xmlelement(name performer, xmlattributes('PRF' AS "typeCode"),
                               xmlelement(name time, xmlattributes(to_char(s.day, 'YYYYMMDD') AS value)),
                               xmlelement(name "assignedEntity",
                                   bench.cda_party(s.exe_num, s.exe_given, s.exe_family, s.exe_org, s.exe_finess,
                                                   s.exe_etb_name, false, true))),
                           CASE WHEN s.pre_num IS NOT NULL OR s.pre_finess IS NOT NULL
                                THEN xmlelement(name author, xmlelement(name time, xmlattributes('UNK' AS "nullFlavor")),
                                         xmlelement(name "assignedAuthor",
                                             bench.cda_party(s.pre_num, s.pre_given, s.pre_family, s.pre_org,
                                                             s.pre_finess, s.pre_etb_name, true, true))) END) END AS parties
                  FROM (SELECT sh.*, (ARRAY['MED', 'VAC', 'DM', 'HOSP', 'ACTE', 'RAD', 'BIO'])[sh.sec]
                                     || lpad(sh.rn::text, greatest(3, length(sh.rn::text)), '0') AS cid
                          FROM shown sh) s) r),

    -- Each section's rows and entries in display order. Not xmlagg: in
    -- PostgreSQL 15 its step (xmlconcat2) copies the whole value built so
    -- far, so it is quadratic in the group's size: 8,000 elements of 1 KB
    -- take 15 s where string_agg takes 0.03 s, and one patient's section
    -- holds thousands of rows. string_agg is linear; the cast back to xml
    -- re-parses the text once (docs/bench.md). xmlagg stays where groups
    -- are small: a drug's components, a document's seven sections.
    sec_xml AS (
        SELECT x.ins_c, x.sec, string_agg(x.tr::text, '' ORDER BY x.rn)::xml AS trs,
               string_agg(x.entry::text, '' ORDER BY x.rn)::xml AS entries
          FROM row_xml x
         GROUP BY x.ins_c, x.sec),

    -- The whole document: the header (cda_header.c) and the eight sections,
    -- always, in order, a section without rows in its empty form. One
    -- aggregate per dossier over its seven (dossier, section) pairs; the
    -- header's values are grouped on, so no join back to fed is needed.
    doc AS (
        SELECT f.ins_c, f.version,
               '<?xml version="1.0" encoding="UTF-8"?>' || chr(10) ||
               xmlelement(name "ClinicalDocument",
                   xmlattributes('urn:hl7-org:v3' AS xmlns, 'http://www.w3.org/2001/XMLSchema-instance' AS "xmlns:xsi"),
                   head_top,
                   xmlelement(name id, xmlattributes(f.doc_id AS root)),
                   head_mid,
                   xmlelement(name "setId", xmlattributes(f.set_id AS root)),
                   xmlelement(name "versionNumber", xmlattributes(f.version AS value)),
                   xmlelement(name "recordTarget", xmlelement(name "patientRole",
                       -- INS-NIR under the test root, as the C feed without --ins-nir-oid
                       xmlelement(name id, xmlattributes(f.ins_nir AS extension, '1.2.250.1.213.1.4.10' AS root)),
                       xmlelement(name id, xmlattributes(f.ins_c AS extension, '1.2.250.1.213.1.4.2' AS root)),
                       nask,
                       xmlelement(name patient, xmlattributes('PSN' AS "classCode"),
                           xmlelement(name name,
                               xmlelement(name family, xmlattributes('BR' AS qualifier), f.family_birth),
                               xmlelement(name given, f.given_all),
                               xmlelement(name given, xmlattributes('BR' AS qualifier), f.given),
                               xmlelement(name family, xmlattributes('CL' AS qualifier), f.family_used),
                               xmlelement(name given, xmlattributes('CL' AS qualifier), f.given)),
                           xmlelement(name "administrativeGenderCode", xmlattributes(
                               CASE f.sex WHEN 1 THEN 'M' WHEN 2 THEN 'F' ELSE 'UN' END AS code,
                               CASE f.sex WHEN 1 THEN 'Masculin' WHEN 2 THEN 'Féminin' ELSE 'Inconnu' END AS "displayName",
                               '2.16.840.1.113883.5.1' AS "codeSystem")),
                           xmlelement(name "birthTime", xmlattributes(f.birth_time AS value)),
                           xmlelement(name birthplace, xmlelement(name place, xmlelement(name addr,
                               CASE WHEN f.birth_place IS NOT NULL THEN xmlelement(name county, f.birth_place)
                                    ELSE xmlelement(name county, xmlattributes('NASK' AS "nullFlavor")) END)))))),
                   head_parties,
                   CASE WHEN f.version >= 2
                        THEN xmlelement(name "relatedDocument", xmlattributes('RPLC' AS "typeCode"),
                                 xmlelement(name "parentDocument", xmlelement(name id, xmlattributes(f.parent_id AS root)),
                                            xmlelement(name "versionNumber", xmlattributes(f.version - 1 AS value)))) END,
                   component_of,
                   xmlelement(name component, xmlelement(name "structuredBody", usage,
                       xmlagg(xmlelement(name component, xmlelement(name section, sec_open[k],
                           CASE WHEN s.ins_c IS NOT NULL
                                THEN xmlconcat(xmlelement(name text, xmlelement(name table, xmlattributes('0' AS border),
                                                          sec_thead[k], xmlelement(name tbody, s.trs))),
                                               s.entries)
                                WHEN k <= 2
                                THEN xmlconcat(sec_none_text[k], xmlelement(name entry,
                                         xmlelement(name "substanceAdministration",
                                             xmlattributes('SBADM' AS "classCode", 'EVN' AS "moodCode",
                                                           CASE WHEN k = 2 THEN 'false' END AS "negationInd"),
                                             CASE WHEN k = 1 THEN t_med ELSE t_vac END,
                                             xmlelement(name id, xmlattributes(
                                                 upper(md5(f.doc_id || '/' || k || '/none')::uuid::text) AS root)),
                                             sec_none[k])))
                                ELSE xmlconcat(sec_none_text[k], sec_none[k]) END))
                           ORDER BY k))))::text AS xml
          FROM fed f
          CROSS JOIN generate_series(1, 7) k
          LEFT JOIN sec_xml s ON s.ins_c = f.ins_c AND s.sec = k
         GROUP BY f.ins_c, f.version, f.doc_id, f.set_id, f.parent_id, f.ins_nir, f.family_birth, f.given_all,
                  f.given, f.family_used, f.sex, f.birth_time, f.birth_place),

    -- Stored as document_store() stores: the current document replaced only
    -- by a higher version; a trace (with the version's metadata) for each.
    up AS (
        INSERT INTO bench.sql_document AS d (ins_c, version, xml, bytes, sha256, stored_at)
        SELECT doc.ins_c, doc.version, doc.xml, octet_length(doc.xml),
               encode(sha256(convert_to(doc.xml, 'UTF8')), 'hex'), now()
          FROM doc
        ON CONFLICT (ins_c) DO UPDATE SET version = EXCLUDED.version, xml = EXCLUDED.xml, bytes = EXCLUDED.bytes,
               sha256 = EXCLUDED.sha256, stored_at = EXCLUDED.stored_at
         WHERE d.version < EXCLUDED.version
        RETURNING d.ins_c, d.version, d.bytes, d.sha256),
    tr AS (
        INSERT INTO bench.sql_trace (ins_c, at, author, action, version, bytes, sha256)
        SELECT up.ins_c, now(), 'Assurance Maladie',
               CASE WHEN up.version = 1 THEN 'a ajouté : Données de remboursement'
                    ELSE 'a modifié : Données de remboursement' END, up.version, up.bytes, up.sha256
          FROM up
        RETURNING 1)
    SELECT count(*) INTO stored FROM tr;

    RETURN stored;
END
$fn$;
