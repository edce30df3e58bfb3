/*
 * transform/cda_body.c — the CDA body: "Usage et Responsabilités", then the
 * seven row sections of enum doc_section, as in the official examples.
 *
 *   section with rows:  <text><table> one <tr> per row, label in <content ID>
 *                       </table></text>, then one coded <entry> per row whose
 *                       text (or originalText) references "#" + that ID
 *   section without:    the sans-info form: <text ID="NO-...">Aucune donnée...
 *                       </text> and the "no known ..." entry
 *
 * Narrative: an absent value is an empty cell (<td/>). The entries themselves
 * are written by cda_entries.c.
 */
#include "transform/cda_priv.h"

#include "lib/err.h"

#include <stdio.h>
#include <string.h>

#define OID_LOINC     "2.16.840.1.113883.6.1"

#define NO_DATA "Aucune donnée de remboursement connue dans la période"

/* Narrative columns. COL_H is the unlabelled first column; the next header
 * spans it (colspan="2"), as in the example. */
enum col_kind {
	COL_END, COL_H, COL_DATE, COL_PERIOD, COL_CODE, COL_LABEL, COL_ATC, COL_COMPO, COL_VALENCE,
	COL_PRESCRIBER, COL_PRESC_SPE, COL_PRESC_ETB, COL_EXEC, COL_EXEC_SPE, COL_ETB, COL_QTY,
};

struct column {
	enum col_kind kind;
	const char *title;
};

typedef int (*entry_fn)(struct cda_w *cw, int s, size_t i, const struct doc_row *r,
			const char *id);
typedef int (*none_fn)(struct cda_w *cw, int s, const char *id);

struct section_def {
	const char *templates[4];
	const char *code, *display;       /* LOINC */
	const char *tr_code, *tr_display; /* LOINC translation, or NULL */
	const char *title;
	const char *id_prefix;            /* content IDs: prefix + 3 digits or more */
	const char *none_id;              /* text ID of the empty form */
	struct column cols[11];
	entry_fn entry;
	none_fn none;
};

/* "JJ/MM/AAAA" from a checked AAAAMMJJ. */
static void date_fr(const char *d, char out[11])
{
	memcpy(out, d + 6, 2);
	out[2] = '/';
	memcpy(out + 3, d + 4, 2);
	out[5] = '/';
	memcpy(out + 6, d, 4);
	out[10] = '\0';
}

/* ---- the sections ------------------------------------------------------- */

#define PROC_TEMPLATES { "1.3.6.1.4.1.19376.1.5.3.1.1.13.2.11", "1.2.250.1.213.1.1.2.118", NULL }
#define ACT_COLS(...) { { COL_H, NULL }, { COL_DATE, "Date de l'acte" }, \
	{ COL_CODE, "Code de l'acte" }, { COL_LABEL, "Libellé de l'acte" }, \
	{ COL_EXEC, "Réalisé par" }, __VA_ARGS__ { COL_ETB, "Établissement" } }

static const struct section_def sections[DOC_SECTIONS] = {
	[DOC_MEDICAMENTS] = {
		{ "2.16.840.1.113883.10.20.1.8", "1.3.6.1.4.1.19376.1.5.3.1.3.19",
		  "1.2.250.1.213.1.1.2.143", NULL },
		"10160-0", "Médication administrée", NULL, NULL, "Médicaments",
		"MED", "NO-TREATMENT",
		{ { COL_H, NULL }, { COL_DATE, "Date de délivrance" },
		  { COL_LABEL, "Libellé du médicament" }, { COL_ATC, "Groupe thérapeutique" },
		  { COL_COMPO, "Composants actifs du médicament" },
		  { COL_PRESCRIBER, "Prescrit par" }, { COL_PRESC_SPE, "Spécialité du prescripteur" },
		  { COL_PRESC_ETB, "Établissement du prescripteur" }, { COL_EXEC, "Délivré par" },
		  { COL_QTY, "Quantité délivrée" } },
		cda_entry_medication, cda_none_medication,
	},
	[DOC_VACCINATIONS] = {
		{ "2.16.840.1.113883.10.20.1.6", "1.3.6.1.4.1.19376.1.5.3.1.3.23",
		  "1.2.250.1.213.1.1.2.147", NULL },
		"11369-6", "Historique des vaccinations", NULL, NULL, "Vaccinations",
		"VAC", "NO-VACCIN",
		{ { COL_H, NULL }, { COL_DATE, "Date de délivrance" },
		  { COL_LABEL, "Libellé du vaccin" }, { COL_VALENCE, "Valence vaccinale" },
		  { COL_PRESCRIBER, "Prescrit par" }, { COL_PRESC_SPE, "Spécialité du prescripteur" },
		  { COL_PRESC_ETB, "Établissement du prescripteur" }, { COL_EXEC, "Délivré par" } },
		cda_entry_vaccination, cda_none_vaccination,
	},
	[DOC_DISPOSITIFS] = {
		/* "11383" (sic): the example's root, which the schematrons accept */
		{ "2.16.840.1.11383.10.20.1.7", "1.3.6.1.4.1.19376.1.5.3.1.1.5.3.5",
		  "1.2.250.1.213.1.1.2.1", NULL },
		"46264-8", "Historique des dispositifs médicaux utilisés", NULL, NULL,
		"Dispositifs médicaux", "DM", "NO-DM",
		{ { COL_H, NULL }, { COL_DATE, "Date de délivrance" },
		  { COL_LABEL, "Libellé du dispositif médical" },
		  { COL_PRESCRIBER, "Prescrit par" }, { COL_PRESC_SPE, "Spécialité du prescripteur" },
		  { COL_PRESC_ETB, "Établissement du prescripteur" }, { COL_EXEC, "Délivré par" },
		  { COL_QTY, "Quantité délivrée" } },
		cda_entry_device, cda_none_device,
	},
	[DOC_HOSPITALISATIONS] = {
		{ "2.16.840.1.113883.10.20.1.3", "1.3.6.1.4.1.19376.1.5.3.1.1.5.3.3",
		  "1.2.250.1.213.1.1.2.76", NULL },
		"46240-8", "Historique des rencontres", NULL, NULL, "Hospitalisations",
		"HOSP", "NO-ENCOUNTER",
		{ { COL_PERIOD, "Période du séjour" }, { COL_LABEL, "Nature du séjour" },
		  { COL_ETB, "Lieu du séjour" } },
		cda_entry_stay, cda_none_stay,
	},
	[DOC_ACTES] = {
		PROC_TEMPLATES, "29554-3", "Actes", "67803-7", "Liste des actes",
		"Soins médicaux et dentaires", "ACTE", "NO-ACT-MED",
		ACT_COLS({ COL_EXEC_SPE, "Spécialité" },),
		cda_entry_procedure, cda_none_procedure,
	},
	[DOC_RADIOLOGIE] = {
		PROC_TEMPLATES, "29554-3", "Actes", "18726-0", "Radiologie",
		"Radiologie", "RAD", "NO-ACT-RAD",
		ACT_COLS(),
		cda_entry_procedure, cda_none_procedure,
	},
	[DOC_BIOLOGIE] = {
		PROC_TEMPLATES, "29554-3", "Actes", "26436-6", "Biologie",
		"Biologie", "BIO", "NO-ACT-BIO",
		ACT_COLS(),
		cda_entry_procedure, cda_none_procedure,
	},
};

/* <td>s</td>, or <td/> when s is NULL. */
static int cell(struct cda_w *cw, const char *s)
{
	if (s == NULL)
		return cda_el(cw, "td", NULL);
	return cda_el_text(cw, "td", s);
}

static int label_cell(struct cda_w *cw, const char *label, const char *id)
{
	CDA_TRY(cda_open(cw, "td", NULL));
	CDA_TRY(cda_inline_begin(cw));
	CDA_TRY(cda_open(cw, "content", "ID", id, NULL));
	CDA_TRY(cda_text(cw, label));
	CDA_TRY(cda_end(cw));
	CDA_TRY(cda_inline_end(cw));
	return cda_end(cw);
}

/* Active components, one per line. */
static int components_cell(struct cda_w *cw, const struct doc_row *r)
{
	int first = 1;

	if (r->n_components == 0)
		return cell(cw, NULL);
	CDA_TRY(cda_open(cw, "td", NULL));
	CDA_TRY(cda_inline_begin(cw));
	for (size_t k = 0; k < r->n_components; k++) {
		const char *s = r->components[k].label ? r->components[k].label
						       : r->components[k].code;
		if (s == NULL)
			continue;
		if (!first)
			CDA_TRY(cda_el(cw, "br", NULL));
		CDA_TRY(cda_text(cw, s));
		first = 0;
	}
	CDA_TRY(cda_inline_end(cw));
	return cda_end(cw);
}

/*
 * The valence of a vaccine as a person reads it: one line per substance, its
 * BDPM label without the strain details after " - " (for a flu vaccine the
 * "SOUCHE ANALOGUE (...)" part of each strain, ~500 characters for four);
 * the coded entry keeps the labels whole. Without substances: the ATC label.
 */
static int valence_cell(struct cda_w *cw, const struct doc_row *r)
{
	char line[256];
	int first = 1;

	if (r->n_valence == 0)
		return cell(cw, r->atc_label);
	CDA_TRY(cda_open(cw, "td", NULL));
	CDA_TRY(cda_inline_begin(cw));
	for (size_t k = 0; k < r->n_valence; k++) {
		const char *s = r->valence[k].label ? r->valence[k].label : r->valence[k].code;
		if (s == NULL)
			continue;
		const char *cut = strstr(s, " - ");
		size_t n = cut ? (size_t)(cut - s) : strlen(s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		while (n > 0 && (s[n] & 0xC0) == 0x80)   /* never inside a UTF-8 character */
			n--;
		memcpy(line, s, n);
		line[n] = '\0';
		if (!first)
			CDA_TRY(cda_el(cw, "br", NULL));
		CDA_TRY(cda_text(cw, line));
		first = 0;
	}
	CDA_TRY(cda_inline_end(cw));
	return cda_end(cw);
}

static int row_cells(struct cda_w *cw, const struct section_def *def,
		     const struct doc_row *r, const char *id)
{
	char d1[11], d2[11], text[40];

	for (const struct column *c = def->cols; c->kind != COL_END; c++) {
		switch (c->kind) {
		case COL_H:
			CDA_TRY(cell(cw, r->h ? "H" : NULL));
			break;
		case COL_DATE:
			date_fr(r->date, d1);
			CDA_TRY(cell(cw, d1));
			break;
		case COL_PERIOD:
			date_fr(r->date, d1);
			if (r->date_end[0] != '\0') {
				date_fr(r->date_end, d2);
				snprintf(text, sizeof(text), "du %s au %s", d1, d2);
			} else {
				snprintf(text, sizeof(text), "le %s", d1);
			}
			CDA_TRY(cell(cw, text));
			break;
		case COL_CODE:
			CDA_TRY(cell(cw, r->code));
			break;
		case COL_LABEL:
			CDA_TRY(label_cell(cw, r->label, id));
			break;
		case COL_ATC:
			CDA_TRY(cell(cw, r->atc_label));
			break;
		case COL_COMPO:
			CDA_TRY(components_cell(cw, r));
			break;
		case COL_VALENCE:
			CDA_TRY(valence_cell(cw, r));
			break;
		case COL_PRESCRIBER:
			CDA_TRY(cell(cw, r->prescriber.display));
			break;
		case COL_PRESC_SPE:
			CDA_TRY(cell(cw, r->prescriber.spe_label));
			break;
		case COL_PRESC_ETB:
			CDA_TRY(cell(cw, r->prescriber_etb.display));
			break;
		case COL_EXEC:
			CDA_TRY(cell(cw, r->executant.display));
			break;
		case COL_EXEC_SPE:
			CDA_TRY(cell(cw, r->executant.spe_label));
			break;
		case COL_ETB:
			CDA_TRY(cell(cw, r->executant_etb.display));
			break;
		case COL_QTY:
			snprintf(text, sizeof(text), "%ld", r->quantity);
			CDA_TRY(cell(cw, text));
			break;
		case COL_END:
			break;
		}
	}
	return 0;
}

/* MED001 ... MED999, MED1000 ...: unique in the document (distinct prefixes). */
static void content_id(const struct section_def *def, size_t i, char out[32])
{
	snprintf(out, 32, "%s%03zu", def->id_prefix, i + 1);
}

static int check_rows(int s, const struct doc_section_rows *sr)
{
	for (size_t i = 0; i < sr->n; i++) {
		const struct doc_row *r = &sr->rows[i];
		if (!cda_is_date8(r->date))
			return dr_error(DR_E_INTERNAL,
					"document model: section %d row %zu: date is not AAAAMMJJ", s, i);
		if (r->date_end[0] != '\0' && !cda_is_date8(r->date_end))
			return dr_error(DR_E_INTERNAL,
					"document model: section %d row %zu: end date is not AAAAMMJJ", s, i);
	}
	return 0;
}

static int table(struct cda_w *cw, const struct section_def *def,
		 const struct doc_section_rows *sr)
{
	int span = 0;
	char id[32];

	CDA_TRY(cda_open(cw, "text", NULL));
	CDA_TRY(cda_open(cw, "table", "border", "0", NULL));
	CDA_TRY(cda_open(cw, "thead", NULL));
	CDA_TRY(cda_open(cw, "tr", NULL));
	for (const struct column *c = def->cols; c->kind != COL_END; c++) {
		if (c->kind == COL_H) {
			span = 1;
			continue;
		}
		CDA_TRY(cda_open(cw, "th", "colspan", span ? "2" : NULL, NULL));
		CDA_TRY(cda_text(cw, c->title));
		CDA_TRY(cda_end(cw));
		span = 0;
	}
	CDA_TRY(cda_end(cw));  /* tr */
	CDA_TRY(cda_end(cw));  /* thead */
	CDA_TRY(cda_open(cw, "tbody", NULL));
	for (size_t i = 0; i < sr->n; i++) {
		CDA_TRY(cda_room(cw));
		content_id(def, i, id);
		CDA_TRY(cda_open(cw, "tr", NULL));
		CDA_TRY(row_cells(cw, def, &sr->rows[i], id));
		CDA_TRY(cda_end(cw));
	}
	CDA_TRY(cda_end(cw));  /* tbody */
	CDA_TRY(cda_end(cw));  /* table */
	return cda_end(cw);    /* text */
}

static int write_section(struct cda_w *cw, int s)
{
	const struct section_def *def = &sections[s];
	const struct doc_section_rows *sr = &cw->m->sections[s];
	char id[32];

	CDA_TRY(check_rows(s, sr));
	CDA_TRY(cda_open(cw, "component", NULL));
	CDA_TRY(cda_open(cw, "section", NULL));
	CDA_TRY(cda_templates(cw, def->templates));
	CDA_TRY(cda_el(cw, "id", "nullFlavor", "UNK", NULL));
	CDA_TRY(cda_open(cw, "code", "code", def->code, "displayName", def->display,
			 "codeSystem", OID_LOINC, "codeSystemName", "LOINC", NULL));
	if (def->tr_code != NULL)
		CDA_TRY(cda_el(cw, "translation", "code", def->tr_code,
			       "displayName", def->tr_display, "codeSystem", OID_LOINC, NULL));
	CDA_TRY(cda_end(cw));
	CDA_TRY(cda_el_text(cw, "title", def->title));
	if (sr->n == 0) {
		CDA_TRY(cda_open(cw, "text", "ID", def->none_id, NULL));
		CDA_TRY(cda_text(cw, NO_DATA));
		CDA_TRY(cda_end(cw));
		CDA_TRY(cda_open(cw, "entry", NULL));
		CDA_TRY(def->none(cw, s, def->none_id));
		CDA_TRY(cda_end(cw));
	} else {
		CDA_TRY(table(cw, def, sr));
		for (size_t i = 0; i < sr->n; i++) {
			CDA_TRY(cda_room(cw));
			content_id(def, i, id);
			CDA_TRY(cda_open(cw, "entry", NULL));
			CDA_TRY(def->entry(cw, s, i, &sr->rows[i], id));
			CDA_TRY(cda_end(cw));
		}
	}
	CDA_TRY(cda_end(cw));  /* section */
	return cda_end(cw);    /* component */
}

/* The fixed notice of the sans-info example (24 months and the H mark). */
static const char *const usage_lines[] = {
	"Les données affichées sont le reflet des informations issues des procédures de "
	"remboursement ou de prise en charge détenues par l'Assurance Maladie pour les "
	"vingt-quatre derniers mois.",
	"Elles sont fournies à titre purement informatif et leur exhaustivité ne peut être "
	"garantie, notamment en cas de changement administratif durant ces vingt-quatre mois.",
	"Toute interprétation ou toute décision, de quelle que nature que ce soit, se basant "
	"sur ces données relève de la seule responsabilité de la personne qui les consulte.",
	"La présence d'un H en début de ligne signale que l'acte a été réalisé durant la même "
	"période qu'un séjour hospitalier.",
};

static int write_usage(struct cda_w *cw)
{
	CDA_TRY(cda_open(cw, "component", NULL));
	CDA_TRY(cda_open(cw, "section", NULL));
	CDA_TRY(cda_template(cw, "2.16.840.1.113883.10.12.201"));
	CDA_TRY(cda_template(cw, "1.3.6.1.4.1.19376.1.4.1.2.16"));
	CDA_TRY(cda_template(cw, "1.2.250.1.213.1.1.2.73"));
	CDA_TRY(cda_el(cw, "code", "code", "55112-7", "displayName", "Commentaire sur le document",
		       "codeSystem", OID_LOINC, "codeSystemName", "LOINC", NULL));
	CDA_TRY(cda_el_text(cw, "title", "Usage et Responsabilités"));
	CDA_TRY(cda_open(cw, "text", "ID", "mention", NULL));
	CDA_TRY(cda_inline_begin(cw));
	for (size_t k = 0; k < sizeof(usage_lines) / sizeof(usage_lines[0]); k++) {
		if (k > 0)
			CDA_TRY(cda_el(cw, "br", NULL));
		CDA_TRY(cda_text(cw, usage_lines[k]));
	}
	CDA_TRY(cda_inline_end(cw));
	CDA_TRY(cda_end(cw));  /* text */
	CDA_TRY(cda_end(cw));  /* section */
	return cda_end(cw);    /* component */
}

int cda_write_body(struct cda_w *cw)
{
	CDA_TRY(cda_open(cw, "component", NULL));
	CDA_TRY(cda_open(cw, "structuredBody", NULL));
	CDA_TRY(write_usage(cw));
	for (int s = 0; s < DOC_SECTIONS; s++)
		CDA_TRY(write_section(cw, s));
	CDA_TRY(cda_end(cw));
	return cda_end(cw);
}
