/*
 * ingest/fields.h — strict validators for the fields of the extract contract.
 *
 * Each validator takes the raw field bytes (s, n), already trimmed of spaces
 * by the caller, and returns 0 when valid or -1 with *why set to a static
 * phrase that completes "COLUMN ... " in a reject message ("is not a date",
 * "fails its EAN-13 check digit"). The phrase never quotes the value: values
 * may be identifiers or care codes (the raw value is stored separately, in a
 * restricted column). Pure functions: thread-safe, no allocation.
 * Rules and reason codes: docs/validation.md.
 */
#ifndef DR_FIELDS_H
#define DR_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

struct dr_date {
	int y, m, d;   /* m or d may be 0 only for a partial birth date */
};

/*
 * Dates: JJ/MM/AAAA, AAAA-MM-JJ or JJMMAAAA (exactly; "1/2/2024" is refused).
 * Years 1900..2099. With allow_unknown, day and/or month may be 00 (birth
 * dates of the NIR register: 00/00/1950, 00/05/1950); otherwise the date must
 * exist in the calendar (31/02/2024, 29/02/2023 are refused).
 */
int field_date(const char *s, size_t n, bool allow_unknown, struct dr_date *out, const char **why);

/* "AAAA-MM-JJ" + NUL into out[11] (00 kept for partial dates). */
void field_date_iso(const struct dr_date *d, char out[11]);
/* "AAAAMMJJ" + NUL into out[9]. */
void field_date_compact(const struct dr_date *d, char out[9]);
/* Days since 1970-01-01 of a complete date (for comparisons). */
long field_date_days(const struct dr_date *d);

/*
 * NIR (13 characters, key excluded): sex digit 1-4, 7 or 8; year 2 digits;
 * month 2 digits; department 2 digits or 2A/2B (Corsica); 6 more digits.
 */
int field_nir(const char *s, size_t n, const char **why);

/* NIR key 97 - (NIR mod 97), 2A read as 19 and 2B as 18; -1 if not a NIR. */
int nir_key(const char nir13[13]);

/* BEN_NIR_CLE: 2 digits equal to nir_key(nir13). */
int field_nir_cle(const char nir13[13], const char *s, size_t n, const char **why);

/* CIP13: 13 digits with a valid EAN-13 check digit. */
int field_cip13(const char *s, size_t n, const char **why);

/* LPP code: 7 digits. */
int field_lpp(const char *s, size_t n, const char **why);

/* CCAM code: 4 letters + 3 digits, possibly right-padded with spaces to 13;
 * the 7-character code + NUL goes to out[8]. */
int field_ccam(const char *s, size_t n, char out[8], const char **why);

/* NABM code: 1 to 4 digits; "514" and "0514" are the same act (*code = 514). */
int field_nabm(const char *s, size_t n, int *code, const char **why);

/* Signed quantity: optional + or -, digits only, |q| <= 99999 ("3.0", "1e3",
 * "99999999999999999999" are refused). */
int field_quantity(const char *s, size_t n, int *out, const char **why);

/* Whole number in [min, max], digits only (optional leading - when min < 0). */
int field_long(const char *s, size_t n, long min, long max, long *out, const char **why);

/* FINESS: 9 characters, digits, or 2A/2B followed by 7 digits. */
int field_finess(const char *s, size_t n, const char **why);

/* ATC code: 1 to 7 characters of the pattern A99AA99 (prefixes allowed). */
int field_atc(const char *s, size_t n, const char **why);

/* GHM code: 2 digits, a letter, 2 digits, a letter or digit (e.g. 05M09T, 90Z00Z). */
int field_ghm(const char *s, size_t n, const char **why);

/* Identifier-like code (DCIR keys, PFS numbers, RSA_NUM): 1..max characters
 * of [0-9A-Za-z]. */
int field_code(const char *s, size_t n, size_t max, const char **why);

#endif
