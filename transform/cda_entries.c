/*
 * transform/cda_entries.c — the coded entries of the CDA body, one per row
 * (cda_entry_*) or, in an empty section, the sans-info "no known ..." entry
 * (cda_none_*), element for element as in the official examples.
 *
 * Coded entries carry only what is known: an unknown prescriber is left out,
 * an unknown id is nullFlavor UNK (the CNAM-HR schematron wants UNK on the
 * performer ids of stays, devices and dispensings anyway), and where IHE
 * needs a name that nobody knows, the name is nullFlavor UNK.
 * Entry ids the example gives as UUIDs are derived with cda_uuid().
 */
#include "transform/cda_priv.h"

#include <stdio.h>
#include <string.h>

#define OID_NULLCODES "2.16.840.1.113883.5.1150.1"   /* no-known-* codes */
#define OID_ACTCODE   "2.16.840.1.113883.5.4"
#define OID_PS        "1.2.250.1.71.4.2.1"           /* PFS number (PS, pharmacy, lab) */
#define OID_FINESS    "1.2.250.1.71.4.2.2"

#define JDV_BDM       "JDV_BDM_CNAM-HR_CISIS"
#define JDV_BDM_ATC   "JDV_BDM_ATC_CNAM-HR_CISIS"
#define JDV_BDM_CA    "JDV_BDM_CA_CNAM-HR_CISIS"
#define JDV_LPP       "JDV_LPP_CNAM-HR_CISIS"
#define JDV_ACTES     "JDV_sejours_actes_CNAM-HR_CISIS"
#define JDV_NABM      "JDV_NABM_CNAM-HR_CISIS"

/* Template ids of entries and their parts (NULL-terminated). */
static const char *const T_MED[] = { "2.16.840.1.113883.10.20.1.24",
	"1.3.6.1.4.1.19376.1.5.3.1.4.7", "1.2.250.1.213.1.1.3.42",
	"1.3.6.1.4.1.19376.1.5.3.1.4.7.1", NULL };
static const char *const T_VAC[] = { "2.16.840.1.113883.10.20.1.24",
	"1.3.6.1.4.1.19376.1.5.3.1.4.12", "1.2.250.1.213.1.1.3.45", NULL };
static const char *const T_PRODUCT[] = { "2.16.840.1.113883.10.20.1.53",
	"1.3.6.1.4.1.19376.1.5.3.1.4.7.2", "1.2.250.1.213.1.1.3.43", NULL };
static const char *const T_SUPPLY[] = { "2.16.840.1.113883.10.20.1.34",
	"1.3.6.1.4.1.19376.1.5.3.1.4.7.3", "1.2.250.1.213.1.1.3.44", NULL };
static const char *const T_DM[] = { "2.16.840.1.113883.10.20.1.34",
	"1.2.250.1.213.1.1.3.20", NULL };
static const char *const T_ENC[] = { "2.16.840.1.113883.10.20.1.21",
	"1.3.6.1.4.1.19376.1.5.3.1.4.14", "1.2.250.1.213.1.1.3.58", NULL };
static const char *const T_PROC[] = { "2.16.840.1.113883.10.20.1.29",
	"1.3.6.1.4.1.19376.1.5.3.1.4.19", "1.2.250.1.213.1.1.3.62", NULL };

/* ---- coded parts shared by entries --------------------------------------- */

/* A name particle the document can show: not NULL, not blank (cda_blank). */
static int name_shown(const char *s)
{
	return s != NULL && !cda_blank(s);
}

static int has_person(const struct doc_party *p)
{
	return name_shown(p->given) || name_shown(p->family);
}

static int party_known(const struct doc_party *p)
{
	return p->pfs_num != NULL || has_person(p) || name_shown(p->org_name);
}

static int etb_known(const struct doc_establishment *e)
{
	return e->finess != NULL || name_shown(e->name);
}

/*
 * The inside of an assignedEntity / assignedAuthor for party p:
 *   id            p's PFS number when pfs_as_id (else, or when unknown, UNK);
 *   assignedPerson/name when p is a person;
 *   representedOrganization: p's own organisation when p is one (or when its
 *                 PFS number could not go in the entity id), with that number
 *                 as id; else the establishment e (FINESS id, name) when known.
 * need_name: IHE wants a person or organisation name on dispensers and
 * prescribers; when none is known the name is written nullFlavor UNK.
 * *etb_used tells whether e was written.
 */
static int party_body(struct cda_w *cw, const struct doc_party *p,
		      const struct doc_establishment *e, int pfs_as_id, int need_name,
		      int *etb_used)
{
	int person = has_person(p);

	*etb_used = 0;
	if (pfs_as_id && p->pfs_num != NULL)
		CDA_TRY(cda_el(cw, "id", "root", OID_PS, "extension", p->pfs_num, NULL));
	else
		CDA_TRY(cda_el(cw, "id", "nullFlavor", "UNK", NULL));
	if (person) {
		CDA_TRY(cda_open(cw, "assignedPerson", NULL));
		CDA_TRY(cda_open(cw, "name", NULL));
		if (name_shown(p->family))
			CDA_TRY(cda_el_text(cw, "family", p->family));
		if (name_shown(p->given))
			CDA_TRY(cda_el_text(cw, "given", p->given));
		CDA_TRY(cda_end(cw));
		CDA_TRY(cda_end(cw));
	}
	if (name_shown(p->org_name) || (!pfs_as_id && !person && p->pfs_num != NULL)) {
		CDA_TRY(cda_open(cw, "representedOrganization", NULL));
		if (!pfs_as_id && p->pfs_num != NULL)
			CDA_TRY(cda_el(cw, "id", "root", OID_PS, "extension", p->pfs_num, NULL));
		if (name_shown(p->org_name))
			CDA_TRY(cda_el_text(cw, "name", p->org_name));
		else
			CDA_TRY(cda_el(cw, "name", "nullFlavor", "UNK", NULL));
		CDA_TRY(cda_end(cw));
	} else if (e != NULL && etb_known(e)) {
		CDA_TRY(cda_open(cw, "representedOrganization", NULL));
		if (e->finess != NULL)
			CDA_TRY(cda_el(cw, "id", "root", OID_FINESS, "extension", e->finess, NULL));
		if (name_shown(e->name))
			CDA_TRY(cda_el_text(cw, "name", e->name));
		else if (need_name)
			CDA_TRY(cda_el(cw, "name", "nullFlavor", "UNK", NULL));
		CDA_TRY(cda_end(cw));
		*etb_used = 1;
	} else if (!person && need_name) {
		CDA_TRY(cda_open(cw, "assignedPerson", NULL));
		CDA_TRY(cda_el(cw, "name", "nullFlavor", "UNK", NULL));
		CDA_TRY(cda_end(cw));
	}
	return 0;
}

/* <performer><assignedEntity> with id UNK and the establishment only. */
static int etb_performer(struct cda_w *cw, const char *type_code, const char *entity_class,
			 const struct doc_establishment *e)
{
	int used;
	const struct doc_party none = { 0 };

	CDA_TRY(cda_open(cw, "performer", "typeCode", type_code, NULL));
	CDA_TRY(cda_open(cw, "assignedEntity", "classCode", entity_class, NULL));
	CDA_TRY(party_body(cw, &none, e, 0, 0, &used));
	CDA_TRY(cda_end(cw));
	return cda_end(cw);
}

/*
 * Dispenser (performer, time = dispensing date, id UNK) then prescriber
 * (author, only when something of it is known). The dispenser is always
 * written: CNAM-HR wants a performer with id UNK on every dispensing, and the
 * date is known even when the pharmacy is not.
 */
static int supply_parties(struct cda_w *cw, const struct doc_row *r)
{
	int used;

	CDA_TRY(cda_open(cw, "performer", "typeCode", "PRF", NULL));
	CDA_TRY(cda_el(cw, "time", "value", r->date, NULL));
	CDA_TRY(cda_open(cw, "assignedEntity", NULL));
	CDA_TRY(party_body(cw, &r->executant, &r->executant_etb, 0, 1, &used));
	CDA_TRY(cda_end(cw));
	CDA_TRY(cda_end(cw));
	if (party_known(&r->prescriber) || etb_known(&r->prescriber_etb)) {
		CDA_TRY(cda_open(cw, "author", NULL));
		CDA_TRY(cda_el(cw, "time", "nullFlavor", "UNK", NULL));  /* prescription date unknown */
		CDA_TRY(cda_open(cw, "assignedAuthor", NULL));
		CDA_TRY(party_body(cw, &r->prescriber, &r->prescriber_etb, 1, 1, &used));
		CDA_TRY(cda_end(cw));
		CDA_TRY(cda_end(cw));
	}
	return 0;
}

static int quantity(struct cda_w *cw, long q)
{
	char v[24];

	snprintf(v, sizeof(v), "%ld", q);
	return cda_el(cw, "quantity", "value", v, NULL);
}

/* consumable/manufacturedProduct of a drug or vaccine: CIP, ATC, components. */
static int product(struct cda_w *cw, const struct doc_row *r, const char *id,
		   const char *atc_oid, const char *consumable_type)
{
	CDA_TRY(cda_open(cw, "consumable", "typeCode", consumable_type, NULL));
	CDA_TRY(cda_open(cw, "manufacturedProduct", NULL));
	CDA_TRY(cda_templates(cw, T_PRODUCT));
	CDA_TRY(cda_open(cw, "manufacturedMaterial", NULL));
	CDA_TRY(cda_open(cw, "code", NULL));
	CDA_TRY(cda_original_text_ref(cw, id));
	if (r->code != NULL)
		CDA_TRY(cda_el(cw, "translation", "code", r->code, "displayName", r->label,
			       "codeSystem", r->code_system ? r->code_system : OID_CIP,
			       "codeSystemName", JDV_BDM, NULL));
	if (r->atc_code != NULL)
		CDA_TRY(cda_el(cw, "translation", "code", r->atc_code, "displayName", r->atc_label,
			       "codeSystem", atc_oid, "codeSystemName", JDV_BDM_ATC, NULL));
	/* Components: one group of translations; a component without a code is
	 * only in the narrative. */
	int group = 0;
	for (size_t k = 0; k < r->n_components; k++) {
		const struct doc_component *c = &r->components[k];
		if (c->code == NULL)
			continue;
		if (!group++)
			CDA_TRY(cda_open(cw, "translation", NULL));
		CDA_TRY(cda_el(cw, "translation", "code", c->code, "displayName", c->label,
			       "codeSystem", OID_COMPO, "codeSystemName", JDV_BDM_CA, NULL));
	}
	if (group)
		CDA_TRY(cda_end(cw));
	CDA_TRY(cda_end(cw));  /* code */
	CDA_TRY(cda_el_text(cw, "name", r->label));
	CDA_TRY(cda_end(cw));  /* manufacturedMaterial */
	CDA_TRY(cda_end(cw));  /* manufacturedProduct */
	return cda_end(cw);    /* consumable */
}

/* entryRelationship REFR / supply: dispensing and prescription. */
static int dispensing(struct cda_w *cw, int s, size_t i, const struct doc_row *r, int with_qty)
{
	char uuid[37];

	CDA_TRY(cda_uuid(cw, s, i, "supply", uuid));
	CDA_TRY(cda_open(cw, "entryRelationship", "typeCode", "REFR",
			 "inversionInd", "false", NULL));
	CDA_TRY(cda_open(cw, "supply", "classCode", "SPLY", "moodCode", "EVN", NULL));
	CDA_TRY(cda_templates(cw, T_SUPPLY));
	CDA_TRY(cda_el(cw, "id", "root", uuid, NULL));
	if (with_qty)
		CDA_TRY(quantity(cw, r->quantity));
	CDA_TRY(supply_parties(cw, r));
	CDA_TRY(cda_end(cw));  /* supply */
	return cda_end(cw);    /* entryRelationship */
}

/* ---- entries, one per row ------------------------------------------------- */

int cda_entry_medication(struct cda_w *cw, int s, size_t i, const struct doc_row *r,
			 const char *id)
{
	char uuid[37];

	CDA_TRY(cda_uuid(cw, s, i, "entry", uuid));
	CDA_TRY(cda_open(cw, "substanceAdministration", "classCode", "SBADM",
			 "moodCode", "EVN", NULL));
	CDA_TRY(cda_templates(cw, T_MED));
	CDA_TRY(cda_el(cw, "id", "root", uuid, NULL));
	CDA_TRY(cda_text_ref(cw, id));
	CDA_TRY(cda_el(cw, "statusCode", "code", "completed", NULL));
	CDA_TRY(cda_open(cw, "effectiveTime", "xsi:type", "IVL_TS", NULL));
	CDA_TRY(cda_el(cw, "low", "nullFlavor", "UNK", NULL));
	CDA_TRY(cda_el(cw, "high", "nullFlavor", "UNK", NULL));
	CDA_TRY(cda_end(cw));
	CDA_TRY(cda_el(cw, "effectiveTime", "operator", "A", NULL));
	CDA_TRY(product(cw, r, id, OID_ATC, NULL));
	CDA_TRY(dispensing(cw, s, i, r, 1));
	return cda_end(cw);
}

int cda_entry_vaccination(struct cda_w *cw, int s, size_t i, const struct doc_row *r,
			  const char *id)
{
	char uuid[37];

	CDA_TRY(cda_uuid(cw, s, i, "entry", uuid));
	CDA_TRY(cda_open(cw, "substanceAdministration", "classCode", "SBADM",
			 "moodCode", "EVN", "negationInd", "false", NULL));
	CDA_TRY(cda_templates(cw, T_VAC));
	CDA_TRY(cda_el(cw, "id", "root", uuid, NULL));
	CDA_TRY(cda_el(cw, "code", "code", "IMMUNIZ",
		       "displayName", "Vaccination sans autres précisions",
		       "codeSystem", OID_ACTCODE, NULL));
	CDA_TRY(cda_text_ref(cw, id));
	CDA_TRY(cda_el(cw, "statusCode", "code", "completed", NULL));
	CDA_TRY(cda_el(cw, "effectiveTime", "nullFlavor", "UNK", NULL));  /* administration date */
	CDA_TRY(product(cw, r, id, OID_ATC7, "CSM"));
	CDA_TRY(dispensing(cw, s, i, r, 0));
	return cda_end(cw);
}

int cda_entry_device(struct cda_w *cw, int s, size_t i, const struct doc_row *r,
		     const char *id)
{
	char uuid[37];

	CDA_TRY(cda_uuid(cw, s, i, "entry", uuid));
	CDA_TRY(cda_open(cw, "supply", "classCode", "SPLY", "moodCode", "EVN", NULL));
	CDA_TRY(cda_templates(cw, T_DM));
	CDA_TRY(cda_el(cw, "id", "root", uuid, NULL));
	CDA_TRY(cda_text_ref(cw, id));
	CDA_TRY(cda_open(cw, "effectiveTime", "xsi:type", "IVL_TS", NULL));
	CDA_TRY(cda_el(cw, "low", "nullFlavor", "UNK", NULL));   /* date of use */
	CDA_TRY(cda_end(cw));
	CDA_TRY(quantity(cw, r->quantity));
	CDA_TRY(supply_parties(cw, r));
	CDA_TRY(cda_open(cw, "participant", "typeCode", "DEV", NULL));
	CDA_TRY(cda_open(cw, "participantRole", "classCode", "MANU", NULL));
	CDA_TRY(cda_open(cw, "playingDevice", "classCode", "DEV", "determinerCode", "INSTANCE", NULL));
	CDA_TRY(cda_open(cw, "code", NULL));
	CDA_TRY(cda_original_text_ref(cw, id));
	if (r->code != NULL)
		CDA_TRY(cda_el(cw, "translation", "code", r->code, "displayName", r->label,
			       "codeSystem", r->code_system ? r->code_system : OID_LPP,
			       "codeSystemName", JDV_LPP, NULL));
	CDA_TRY(cda_end(cw));  /* code */
	CDA_TRY(cda_end(cw));  /* playingDevice */
	CDA_TRY(cda_end(cw));  /* participantRole */
	CDA_TRY(cda_end(cw));  /* participant */
	return cda_end(cw);    /* supply */
}

int cda_entry_stay(struct cda_w *cw, int s, size_t i, const struct doc_row *r,
		   const char *id)
{
	(void)s;
	(void)i;
	CDA_TRY(cda_open(cw, "encounter", "classCode", "ENC", "moodCode", "EVN", NULL));
	CDA_TRY(cda_templates(cw, T_ENC));
	CDA_TRY(cda_el(cw, "id", "nullFlavor", "UNK", NULL));
	CDA_TRY(cda_open(cw, "code", "code", "IMP",
			 "displayName", "Hospitalisation (établissement, y compris HAD)",
			 "codeSystem", OID_ACTCODE, "codeSystemName", "ActCode", NULL));
	if (r->code != NULL) {
		CDA_TRY(cda_open(cw, "qualifier", NULL));
		CDA_TRY(cda_inline_begin(cw));
		CDA_TRY(cda_el(cw, "value", "code", r->code, "displayName", r->label,
			       "codeSystem", r->code_system ? r->code_system : OID_GHS,
			       "codeSystemName", JDV_ACTES, NULL));
		CDA_TRY(cda_inline_end(cw));
		CDA_TRY(cda_end(cw));
	}
	CDA_TRY(cda_end(cw));  /* code */
	CDA_TRY(cda_text_ref(cw, id));
	CDA_TRY(cda_open(cw, "effectiveTime", NULL));
	CDA_TRY(cda_el(cw, "low", "value", r->date, NULL));
	if (r->date_end[0] != '\0')
		CDA_TRY(cda_el(cw, "high", "value", r->date_end, NULL));
	CDA_TRY(cda_end(cw));
	if (etb_known(&r->executant_etb))
		CDA_TRY(etb_performer(cw, "PRF", NULL, &r->executant_etb));
	return cda_end(cw);
}

/* Acts, radiology, biology: the executant (with its establishment when it is
 * a person), then the establishment on its own when the executant is an
 * organisation (a laboratory) or unknown. */
int cda_entry_procedure(struct cda_w *cw, int s, size_t i, const struct doc_row *r,
			const char *id)
{
	const char *sys = r->code_system ? r->code_system : OID_CCAM;
	int used = 0;

	(void)s;
	(void)i;
	CDA_TRY(cda_open(cw, "procedure", "classCode", "PROC", "moodCode", "EVN", NULL));
	CDA_TRY(cda_templates(cw, T_PROC));
	CDA_TRY(cda_el(cw, "id", "nullFlavor", "UNK", NULL));
	if (r->code != NULL)
		CDA_TRY(cda_el(cw, "code", "code", r->code, "displayName", r->label,
			       "codeSystem", sys,
			       "codeSystemName", strcmp(sys, OID_NABM) == 0 ? JDV_NABM : JDV_ACTES,
			       NULL));
	else
		CDA_TRY(cda_el(cw, "code", "nullFlavor", "UNK", NULL));
	CDA_TRY(cda_text_ref(cw, id));
	CDA_TRY(cda_el(cw, "statusCode", "code", "completed", NULL));
	CDA_TRY(cda_el(cw, "effectiveTime", "value", r->date, NULL));
	if (party_known(&r->executant)) {
		CDA_TRY(cda_open(cw, "performer", NULL));
		CDA_TRY(cda_open(cw, "assignedEntity", "classCode", "ASSIGNED", NULL));
		CDA_TRY(party_body(cw, &r->executant, &r->executant_etb, 1, 0, &used));
		CDA_TRY(cda_end(cw));
		CDA_TRY(cda_end(cw));
	}
	if (!used && etb_known(&r->executant_etb))
		CDA_TRY(etb_performer(cw, NULL, "ASSIGNED", &r->executant_etb));
	return cda_end(cw);
}

/* ---- the "no known ..." entries of the sans-info example ------------------ */

static int no_material(struct cda_w *cw, const char *consumable_type)
{
	CDA_TRY(cda_open(cw, "consumable", "typeCode", consumable_type, NULL));
	CDA_TRY(cda_open(cw, "manufacturedProduct", NULL));
	CDA_TRY(cda_templates(cw, T_PRODUCT));
	CDA_TRY(cda_open(cw, "manufacturedMaterial", NULL));
	CDA_TRY(cda_el(cw, "code", "nullFlavor", "NA", NULL));
	CDA_TRY(cda_el(cw, "name", "nullFlavor", "NA", NULL));
	CDA_TRY(cda_end(cw));
	CDA_TRY(cda_end(cw));
	return cda_end(cw);
}

int cda_none_medication(struct cda_w *cw, int s, const char *id)
{
	char uuid[37];

	CDA_TRY(cda_uuid(cw, s, 0, "none", uuid));
	CDA_TRY(cda_open(cw, "substanceAdministration", "classCode", "SBADM",
			 "moodCode", "EVN", NULL));
	CDA_TRY(cda_templates(cw, T_MED));
	CDA_TRY(cda_el(cw, "id", "root", uuid, NULL));
	CDA_TRY(cda_el(cw, "code", "code", "no-known-medications",
		       "displayName", "Pas de traitement médicamenteux connu",
		       "codeSystem", OID_NULLCODES, NULL));
	CDA_TRY(cda_text_ref(cw, id));
	CDA_TRY(cda_el(cw, "statusCode", "code", "completed", NULL));
	CDA_TRY(cda_open(cw, "effectiveTime", "xsi:type", "IVL_TS", NULL));
	CDA_TRY(cda_el(cw, "low", "nullFlavor", "UNK", NULL));
	CDA_TRY(cda_el(cw, "high", "nullFlavor", "UNK", NULL));
	CDA_TRY(cda_end(cw));
	CDA_TRY(cda_el(cw, "effectiveTime", "operator", "A", NULL));
	CDA_TRY(no_material(cw, NULL));
	return cda_end(cw);
}

int cda_none_vaccination(struct cda_w *cw, int s, const char *id)
{
	char uuid[37];

	CDA_TRY(cda_uuid(cw, s, 0, "none", uuid));
	CDA_TRY(cda_open(cw, "substanceAdministration", "classCode", "SBADM",
			 "moodCode", "EVN", "negationInd", "false", NULL));
	CDA_TRY(cda_templates(cw, T_VAC));
	CDA_TRY(cda_el(cw, "id", "root", uuid, NULL));
	CDA_TRY(cda_el(cw, "code", "code", "no-known-immunizations",
		       "displayName", "Pas de vaccin connu", "codeSystem", OID_NULLCODES, NULL));
	CDA_TRY(cda_text_ref(cw, id));
	CDA_TRY(cda_el(cw, "statusCode", "code", "completed", NULL));
	CDA_TRY(cda_el(cw, "effectiveTime", "nullFlavor", "NA", NULL));
	CDA_TRY(no_material(cw, "CSM"));
	return cda_end(cw);
}

int cda_none_device(struct cda_w *cw, int s, const char *id)
{
	(void)s;
	CDA_TRY(cda_open(cw, "supply", "classCode", "SPLY", "moodCode", "EVN", NULL));
	CDA_TRY(cda_templates(cw, T_DM));
	CDA_TRY(cda_el(cw, "id", "nullFlavor", "NA", NULL));
	CDA_TRY(cda_text_ref(cw, id));
	CDA_TRY(cda_open(cw, "effectiveTime", "xsi:type", "IVL_TS", NULL));
	CDA_TRY(cda_el(cw, "low", "nullFlavor", "NA", NULL));
	CDA_TRY(cda_end(cw));
	CDA_TRY(cda_open(cw, "participant", "typeCode", "DEV", NULL));
	CDA_TRY(cda_open(cw, "participantRole", "classCode", "MANU", NULL));
	CDA_TRY(cda_open(cw, "playingDevice", "classCode", "DEV", "determinerCode", "INSTANCE", NULL));
	CDA_TRY(cda_el(cw, "code", "code", "no-known-devices",
		       "displayName", "Pas de dispositif médical connu",
		       "codeSystem", OID_NULLCODES, NULL));
	CDA_TRY(cda_end(cw));
	CDA_TRY(cda_end(cw));
	CDA_TRY(cda_end(cw));
	return cda_end(cw);
}

int cda_none_stay(struct cda_w *cw, int s, const char *id)
{
	(void)s;
	CDA_TRY(cda_open(cw, "encounter", "classCode", "ENC", "moodCode", "EVN", NULL));
	CDA_TRY(cda_templates(cw, T_ENC));
	CDA_TRY(cda_el(cw, "id", "nullFlavor", "NA", NULL));
	CDA_TRY(cda_el(cw, "code", "code", "02276797", "displayName", "Aucun",
		       "codeSystem", "1.2.250.1.213.2.63", "codeSystemName", "Wolf", NULL));
	CDA_TRY(cda_text_ref(cw, id));
	CDA_TRY(cda_el(cw, "effectiveTime", "nullFlavor", "NA", NULL));
	return cda_end(cw);
}

int cda_none_procedure(struct cda_w *cw, int s, const char *id)
{
	(void)s;
	CDA_TRY(cda_open(cw, "procedure", "classCode", "PROC", "moodCode", "EVN", NULL));
	CDA_TRY(cda_templates(cw, T_PROC));
	CDA_TRY(cda_el(cw, "id", "nullFlavor", "NA", NULL));
	CDA_TRY(cda_el(cw, "code", "code", "no-known-procedures",
		       "displayName", "Pas d'acte ou intervention connu",
		       "codeSystem", OID_NULLCODES, NULL));
	CDA_TRY(cda_text_ref(cw, id));
	CDA_TRY(cda_el(cw, "statusCode", "code", "completed", NULL));
	CDA_TRY(cda_el(cw, "effectiveTime", "nullFlavor", "NA", NULL));
	return cda_end(cw);
}
