/*
 * ingest/insc.h — the INS-C (Identifiant National de Santé Calculé).
 *
 * Algorithm (ASIP Santé, 30/10/2009; ../shared/insc/README.md): first name
 * without accents, non-letters removed, upper case, cut or right-padded with
 * spaces to 10; birth date AAMMJJ as given (00 and "lunar" dates included);
 * NIR13 with 2A/2B kept as letters. SHA-256 of the 29-character seed, first 16
 * hex digits as an unsigned 64-bit number written on 20 digits, then the key
 * 97 - (that number mod 97) on 2 digits. Pure functions, thread-safe.
 */
#ifndef DR_INSC_H
#define DR_INSC_H

#include <stdbool.h>
#include <stddef.h>

/* Normalised first name (UTF-8 input) into out[11]: 10 chars + NUL.
 * Returns 0, or -1 when nothing is left (no letter at all); out is then ten
 * spaces, which insc_compute uses as is (the official sample has such rows). */
int insc_prenom(const char *prenom, size_t n, char out[11]);

/*
 * INS-C of a person into out[23] (22 digits + NUL). date6 is AAMMJJ (6 digits),
 * nir13 the 13-character NIR. Returns 0, or -1 with *why set.
 */
int insc_compute(const char *prenom, size_t prenom_len, const char *date6,
		 const char *nir13, char out[23], const char **why);

/* True when s is 22 digits whose last two are the key of the first 20. */
bool insc_valid(const char *s, size_t n);

#endif
