/*
 * transform/cda_header.c — the CDA header: everything of ClinicalDocument
 * before component/structuredBody, in the order of the official example
 * (CNAM-HR_2021.01.xml): identification, recordTarget, author, custodian,
 * legalAuthenticator, documentationOf, relatedDocument (version >= 2),
 * componentOf.
 *
 * Author, custodian and legal authenticator are Assurance Maladie with the
 * example's fixed values; their times are the document's effective time.
 */
#include "transform/cda_priv.h"

#include <stdio.h>

/* Assurance Maladie, as in the example. */
#define AM_PS_ROOT   "1.2.250.1.71.4.2.1"
#define AM_PS_EXT    "518003502400041/1.2.250.1.215.1.2"
#define AM_ORG_ROOT  "1.2.250.1.71.4.2.2"
#define AM_ORG_EXT   "318003502400041"
#define AM_NAME      "Assurance Maladie"

static int write_identification(struct cda_w *cw)
{
	const struct doc_model *m = cw->m;
	char version[24];

	snprintf(version, sizeof(version), "%d", m->version);
	CDA_TRY(cda_el(cw, "realmCode", "code", "FR", NULL));
	CDA_TRY(cda_el(cw, "typeId", "root", "2.16.840.1.113883.1.3",
		       "extension", "POCD_HD000040", NULL));
	CDA_TRY(cda_template(cw, "2.16.840.1.113883.2.8.2.1"));
	CDA_TRY(cda_template(cw, "1.2.250.1.213.1.1.1.1"));
	CDA_TRY(cda_el(cw, "templateId", "root", "1.2.250.1.213.1.1.1.36",
		       "extension", "2021.01", NULL));
	CDA_TRY(cda_el(cw, "id", "root", m->doc_id, NULL));
	CDA_TRY(cda_el(cw, "code", "code", "REMB", "codeSystem", "1.2.250.1.213.1.1.4.12",
		       "displayName", "Données de remboursement", NULL));
	CDA_TRY(cda_el_text(cw, "title", "Données de remboursement"));
	CDA_TRY(cda_el(cw, "effectiveTime", "value", m->effective_time, NULL));
	CDA_TRY(cda_el(cw, "confidentialityCode", "code", "N", "displayName", "Normal",
		       "codeSystem", "2.16.840.1.113883.5.25",
		       "codeSystemName", "Confidentiality", NULL));
	CDA_TRY(cda_el(cw, "languageCode", "code", "fr-FR", NULL));
	CDA_TRY(cda_el(cw, "setId", "root", m->set_id, NULL));
	return cda_el(cw, "versionNumber", "value", version, NULL);
}

/*
 * The patient. No address or telephone exists in the extracts: both are
 * nullFlavor NASK, the value the CNAM-HR schematron asks for. The INS traits
 * (given names list, birthplace county) are required by the structuration
 * minimale whenever an INS-NIR is present, so they are never left out: an
 * unknown birthplace is a county with nullFlavor NASK.
 */
static int write_record_target(struct cda_w *cw)
{
	const struct doc_model *m = cw->m;

	CDA_TRY(cda_open(cw, "recordTarget", NULL));
	CDA_TRY(cda_open(cw, "patientRole", NULL));
	CDA_TRY(cda_el(cw, "id", "extension", m->ins_nir, "root", m->ins_nir_root, NULL));
	CDA_TRY(cda_el(cw, "id", "extension", m->ins_c, "root", OID_INS_C, NULL));
	CDA_TRY(cda_el(cw, "addr", "nullFlavor", "NASK", NULL));
	CDA_TRY(cda_el(cw, "telecom", "nullFlavor", "NASK", NULL));
	CDA_TRY(cda_open(cw, "patient", "classCode", "PSN", NULL));

	/* A name stored with nothing the document can hold (only U+FFFF, say,
	 * loaded before the ingest read such a field as empty) is a missing
	 * name, never an empty particle (dtr1-3-EN): an optional one falls back
	 * as when absent (the used name to the birth name, the list of given
	 * names to the first one); a required one is left out (docs/validation.md:
	 * the ingest no longer loads it). */
	CDA_TRY(cda_open(cw, "name", NULL));
	CDA_TRY(cda_name_part(cw, "family", "BR", m->family_birth));
	/* The INS traits need the list of given names; when the extract has none,
	 * the first given name is the one known member of that list (a nullFlavor
	 * here is reported by the structuration minimale). */
	CDA_TRY(cda_name_part(cw, "given", NULL,
			      m->given_all && !cda_blank(m->given_all) ? m->given_all : m->given_first));
	CDA_TRY(cda_name_part(cw, "given", "BR", m->given_first));
	CDA_TRY(cda_name_part(cw, "family", "CL",
			      m->family_used && !cda_blank(m->family_used) ? m->family_used : m->family_birth));
	CDA_TRY(cda_name_part(cw, "given", "CL", m->given_used));
	CDA_TRY(cda_end(cw));  /* name */

	if (m->sex == 1)
		CDA_TRY(cda_el(cw, "administrativeGenderCode", "code", "M", "displayName", "Masculin",
			       "codeSystem", "2.16.840.1.113883.5.1", NULL));
	else if (m->sex == 2)
		CDA_TRY(cda_el(cw, "administrativeGenderCode", "code", "F", "displayName", "Féminin",
			       "codeSystem", "2.16.840.1.113883.5.1", NULL));
	else    /* outside the contract; the value set's "unknown" */
		CDA_TRY(cda_el(cw, "administrativeGenderCode", "code", "UN", "displayName", "Inconnu",
			       "codeSystem", "2.16.840.1.113883.5.1", NULL));
	CDA_TRY(cda_el(cw, "birthTime", "value", m->birth_time, NULL));

	CDA_TRY(cda_open(cw, "birthplace", NULL));
	CDA_TRY(cda_open(cw, "place", NULL));
	CDA_TRY(cda_open(cw, "addr", NULL));
	if (m->birth_place != NULL)
		CDA_TRY(cda_el_text(cw, "county", m->birth_place));
	else
		CDA_TRY(cda_el(cw, "county", "nullFlavor", "NASK", NULL));
	CDA_TRY(cda_end(cw));  /* addr */
	CDA_TRY(cda_end(cw));  /* place */
	CDA_TRY(cda_end(cw));  /* birthplace */

	CDA_TRY(cda_end(cw));  /* patient */
	CDA_TRY(cda_end(cw));  /* patientRole */
	return cda_end(cw);    /* recordTarget */
}

static int write_author(struct cda_w *cw)
{
	CDA_TRY(cda_open(cw, "author", NULL));
	CDA_TRY(cda_el(cw, "time", "value", cw->m->effective_time, NULL));
	CDA_TRY(cda_open(cw, "assignedAuthor", NULL));
	CDA_TRY(cda_el(cw, "id", "root", AM_PS_ROOT, "extension", AM_PS_EXT, NULL));
	CDA_TRY(cda_el(cw, "code", "code", "ALIM_AM",
		       "displayName", "Alimentation auto à partir du SI de l'Ass Maladie",
		       "codeSystem", "1.2.250.1.213.1.1.4.6", NULL));
	CDA_TRY(cda_el(cw, "addr", "nullFlavor", "NASK", NULL));
	CDA_TRY(cda_el(cw, "telecom", "nullFlavor", "NASK", NULL));
	CDA_TRY(cda_open(cw, "assignedAuthoringDevice", NULL));
	CDA_TRY(cda_el_text(cw, "manufacturerModelName", "."));
	CDA_TRY(cda_el_text(cw, "softwareName", AM_NAME));
	CDA_TRY(cda_end(cw));
	CDA_TRY(cda_open(cw, "representedOrganization", NULL));
	CDA_TRY(cda_el(cw, "id", "root", AM_ORG_ROOT, "extension", AM_ORG_EXT, NULL));
	CDA_TRY(cda_el_text(cw, "name", AM_NAME));
	CDA_TRY(cda_end(cw));  /* representedOrganization */
	CDA_TRY(cda_end(cw));  /* assignedAuthor */
	return cda_end(cw);    /* author */
}

static int write_custodian(struct cda_w *cw)
{
	CDA_TRY(cda_open(cw, "custodian", NULL));
	CDA_TRY(cda_open(cw, "assignedCustodian", NULL));
	CDA_TRY(cda_open(cw, "representedCustodianOrganization", NULL));
	CDA_TRY(cda_el(cw, "id", "root", AM_ORG_ROOT, "extension", AM_ORG_EXT, NULL));
	CDA_TRY(cda_el_text(cw, "name", AM_NAME));
	CDA_TRY(cda_end(cw));
	CDA_TRY(cda_end(cw));
	return cda_end(cw);
}

static int write_legal_authenticator(struct cda_w *cw)
{
	CDA_TRY(cda_open(cw, "legalAuthenticator", NULL));
	CDA_TRY(cda_el(cw, "time", "value", cw->m->effective_time, NULL));
	CDA_TRY(cda_el(cw, "signatureCode", "code", "S", NULL));
	CDA_TRY(cda_open(cw, "assignedEntity", NULL));
	CDA_TRY(cda_el(cw, "id", "root", AM_PS_ROOT, "extension", AM_PS_EXT, NULL));
	CDA_TRY(cda_el(cw, "addr", "nullFlavor", "NASK", NULL));
	CDA_TRY(cda_el(cw, "telecom", "nullFlavor", "NASK", NULL));
	CDA_TRY(cda_open(cw, "assignedPerson", NULL));
	CDA_TRY(cda_open(cw, "name", NULL));
	CDA_TRY(cda_el_text(cw, "given", "."));
	CDA_TRY(cda_el_text(cw, "family", AM_NAME));
	CDA_TRY(cda_end(cw));  /* name */
	CDA_TRY(cda_end(cw));  /* assignedPerson */
	CDA_TRY(cda_end(cw));  /* assignedEntity */
	return cda_end(cw);    /* legalAuthenticator */
}

/* The covered period and the AMO performer. */
static int write_documentation_of(struct cda_w *cw)
{
	CDA_TRY(cda_open(cw, "documentationOf", NULL));
	CDA_TRY(cda_open(cw, "serviceEvent", NULL));
	CDA_TRY(cda_open(cw, "effectiveTime", NULL));
	CDA_TRY(cda_el(cw, "low", "value", cw->m->period_low, NULL));
	CDA_TRY(cda_el(cw, "high", "value", cw->m->period_high, NULL));
	CDA_TRY(cda_end(cw));  /* effectiveTime */
	CDA_TRY(cda_open(cw, "performer", "typeCode", "PRF", NULL));
	CDA_TRY(cda_open(cw, "assignedEntity", NULL));
	CDA_TRY(cda_el(cw, "id", "nullFlavor", "NA", NULL));
	CDA_TRY(cda_open(cw, "representedOrganization", NULL));
	CDA_TRY(cda_el(cw, "standardIndustryClassCode", "code", "AMO",
		       "displayName", "Organisme d'assurance maladie obligatoire",
		       "codeSystem", "1.2.250.1.213.1.1.4.9", NULL));
	CDA_TRY(cda_end(cw));  /* representedOrganization */
	CDA_TRY(cda_end(cw));  /* assignedEntity */
	CDA_TRY(cda_end(cw));  /* performer */
	CDA_TRY(cda_end(cw));  /* serviceEvent */
	return cda_end(cw);    /* documentationOf */
}

/* From version 2 on: this document replaces version - 1. */
static int write_related_document(struct cda_w *cw)
{
	char parent_version[24];

	if (cw->m->version < 2)
		return 0;
	snprintf(parent_version, sizeof(parent_version), "%d", cw->m->version - 1);
	CDA_TRY(cda_open(cw, "relatedDocument", "typeCode", "RPLC", NULL));
	CDA_TRY(cda_open(cw, "parentDocument", NULL));
	CDA_TRY(cda_el(cw, "id", "root", cw->m->parent_doc_id, NULL));
	CDA_TRY(cda_el(cw, "versionNumber", "value", parent_version, NULL));
	CDA_TRY(cda_end(cw));
	return cda_end(cw);
}

static int write_component_of(struct cda_w *cw)
{
	CDA_TRY(cda_open(cw, "componentOf", NULL));
	CDA_TRY(cda_open(cw, "encompassingEncounter", NULL));
	CDA_TRY(cda_el(cw, "effectiveTime", "nullFlavor", "NA", NULL));
	CDA_TRY(cda_open(cw, "location", NULL));
	CDA_TRY(cda_open(cw, "healthCareFacility", NULL));
	CDA_TRY(cda_el(cw, "code", "code", "SA24", "displayName", "Organisme de sécurité sociale",
		       "codeSystem", "1.2.250.1.71.4.2.4", NULL));
	CDA_TRY(cda_end(cw));  /* healthCareFacility */
	CDA_TRY(cda_end(cw));  /* location */
	CDA_TRY(cda_end(cw));  /* encompassingEncounter */
	return cda_end(cw);    /* componentOf */
}

int cda_write_header(struct cda_w *cw)
{
	CDA_TRY(write_identification(cw));
	CDA_TRY(write_record_target(cw));
	CDA_TRY(write_author(cw));
	CDA_TRY(write_custodian(cw));
	CDA_TRY(write_legal_authenticator(cw));
	CDA_TRY(write_documentation_of(cw));
	CDA_TRY(write_related_document(cw));
	return write_component_of(cw);
}
