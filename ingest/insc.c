/*
 * ingest/insc.c — the INS-C of a person (ASIP Santé, 30/10/2009).
 *
 *   prenom (UTF-8) --insc_prenom--> 10 chars  \
 *   AAMMJJ (6 digits, as given)  ---------------> seed (29) --SHA-256--> 16 hex
 *   NIR13 (2A/2B kept)           --------------/      --> u64 on 20 digits + key
 *
 * First-name normalisation. The specification says "remove accents, every
 * non-letter becomes a space, upper case, delete the spaces". Decisions where
 * it is silent (the official sample is plain A-Z and spaces, so none of them
 * changes a sample row):
 *  - Latin-1 Supplement (U+00C0-U+00FF) and Latin Extended-A (U+0100-U+017F)
 *    letters map to their base letter: É -> E, Ç -> C, Ł -> L, Ÿ -> Y;
 *  - ligatures and digraph letters are spelled out as the Vitale card writes
 *    them: Œ -> OE, Æ -> AE, Ĳ -> IJ, ß -> SS, Þ -> TH;
 *  - everything else (hyphen, apostrophe, digits, other scripts, combining
 *    accents of decomposed input, bytes of invalid UTF-8) is dropped, so
 *    "E" + U+0301 gives E like "É";
 *  - a first name with no letter at all (the official sample has five blank
 *    ones) gives ten spaces: insc_prenom says so with -1, and insc_compute
 *    still computes, as the official sample expects.
 */
#include "ingest/insc.h"
#include "ingest/fields.h"
#include "lib/sha256.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * Base letters of U+00C0..U+017F, one character per code point: a letter is
 * itself, '.' drops the character (×, ÷), a digit indexes spelled[].
 */
static const char latin_base[] =
	"AAAAAA1CEEEEIIII" "DNOOOOO.OUUUUY23"    /* U+00C0 */
	"AAAAAA1CEEEEIIII" "DNOOOOO.OUUUUY2Y"    /* U+00E0 */
	"AAAAAACCCCCCCCDD" "DDEEEEEEEEEEGGGG"    /* U+0100 */
	"GGGGHHHHIIIIIIII" "II44JJKKKLLLLLLL"    /* U+0120 */
	"LLLNNNNNNNNNOOOO" "OO55RRRRRRSSSSSS"    /* U+0140 */
	"SSTTTTTTUUUUUUUU" "UUUUWWYYYZZZZZZS";   /* U+0160 */

static const char *const spelled[] = { "", "AE", "TH", "SS", "IJ", "OE" };

_Static_assert(sizeof(latin_base) == 0x180 - 0xC0 + 1, "one entry per code point");

/* Appends the letters of code point cp (U+00C0..U+017F) to out[*len < 10]. */
static void put_latin(unsigned cp, char out[11], size_t *len)
{
	char c = latin_base[cp - 0xC0];

	if (c >= '1' && c <= '5') {
		for (const char *p = spelled[c - '0']; *p && *len < 10; p++)
			out[(*len)++] = *p;
	} else if (c != '.') {
		out[(*len)++] = c;
	}
}

int insc_prenom(const char *prenom, size_t n, char out[11])
{
	const unsigned char *s = (const unsigned char *)prenom;
	size_t len = 0;

	for (size_t i = 0; i < n && len < 10; i++) {
		unsigned char c = s[i];

		if (c >= 'a' && c <= 'z')
			out[len++] = (char)(c - 'a' + 'A');
		else if (c >= 'A' && c <= 'Z')
			out[len++] = (char)c;
		else if (c >= 0xC3 && c <= 0xC5 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
			unsigned cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);

			if (cp >= 0xC0)
				put_latin(cp, out, &len);
			i++;
		}
		/* any other byte, including the rest of a longer sequence, is dropped */
	}
	memset(out + len, ' ', 10 - len);
	out[10] = '\0';
	return len > 0 ? 0 : -1;
}

static bool six_digits(const char *s)
{
	for (int i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int insc_compute(const char *prenom, size_t prenom_len, const char *date6,
		 const char *nir13, char out[23], const char **why)
{
	char seed[30];
	unsigned char md[32];
	uint64_t v = 0;

	if (!six_digits(date6)) {   /* stops at a NUL: never reads past it */
		*why = "birth date is not 6 digits (AAMMJJ)";
		return -1;
	}
	if (strnlen(nir13, 13) != 13 || field_nir(nir13, 13, why) != 0) {
		*why = "NIR is not a NIR (13 characters, 2A/2B allowed)";
		return -1;
	}
	(void)insc_prenom(prenom, prenom_len, seed);   /* no letter: ten spaces */
	memcpy(seed + 10, date6, 6);
	memcpy(seed + 16, nir13, 13);
	sha256_once(seed, 29, md);
	for (int i = 0; i < 8; i++)   /* first 16 hex digits = first 8 bytes */
		v = v << 8 | md[i];
	snprintf(out, 23, "%020llu%02u", (unsigned long long)v, (unsigned)(97 - v % 97));
	return 0;
}

bool insc_valid(const char *s, size_t n)
{
	unsigned rem = 0;

	if (n != 22)
		return false;
	for (size_t i = 0; i < 22; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	/* the 20 digits are a 64-bit number: at most 18446744073709551615 */
	if (memcmp(s, "18446744073709551615", 20) > 0)
		return false;
	for (int i = 0; i < 20; i++)
		rem = (rem * 10 + (unsigned)(s[i] - '0')) % 97;
	return (unsigned)((s[20] - '0') * 10 + (s[21] - '0')) == 97 - rem;
}
