/*
 * ingest/dossier_events.c — checks the lines of a dossier event file.
 */
#include "ingest/dossier_events.h"
#include "ingest/fields.h"
#include "ingest/insc.h"
#include "lib/lines.h"
#include "lib/text.h"

#include <stdbool.h>
#include <string.h>

static const char *const evenements[] = {
	"CREATION", "FERMETURE", "REACTIVATION", "SUPPRESSION",
	"DECES", "OPPOSITION", "LEVEE_OPPOSITION",
};

int dossier_events_header(const char *s, size_t n)
{
	size_t want = sizeof(DOSSIER_EVENTS_HEADER) - 1;

	return n == want && memcmp(s, DOSSIER_EVENTS_HEADER, want) == 0 ? 0 : -1;
}

/* Value of the 2 digits at s into *v when they are digits and *v <= max. */
static bool two_digits(const char *s, int max, int *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return false;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return *v <= max;
}

int dossier_events_timestamp(const char *s, size_t n, const char **why)
{
	struct dr_date d;
	const char *date_why;
	size_t i = 19;
	int v;

	*why = "is not an ISO 8601 timestamp with offset (AAAA-MM-JJTHH:MM:SS+HH:MM)";
	if (n < 20 || n > DOSSIER_TS_MAX || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if (field_date(s, 10, false, &d, &date_why) != 0) {
		*why = "is not an ISO 8601 timestamp (no such date)";
		return -1;
	}
	if (!two_digits(s + 11, 23, &v) || !two_digits(s + 14, 59, &v) || !two_digits(s + 17, 59, &v)) {
		*why = "is not an ISO 8601 timestamp (no such time of day)";
		return -1;
	}
	if (s[i] == '.') {
		size_t start = ++i;

		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start || i - start > 6) {
			*why = "is not an ISO 8601 timestamp (1 to 6 digits of fraction)";
			return -1;
		}
	}
	if (i == n - 1 && s[i] == 'Z')
		return 0;
	if (i + 6 != n || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':' ||
	    !two_digits(s + i + 1, 14, &v) || !two_digits(s + i + 4, 59, &v)) {
		*why = "is not an ISO 8601 timestamp (offset must be Z or +HH:MM)";
		return -1;
	}
	return 0;
}

static const char *evenement_name(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(evenements) / sizeof(evenements[0]); i++)
		if (strlen(evenements[i]) == n && memcmp(evenements[i], s, n) == 0)
			return evenements[i];
	return NULL;
}

int dossier_events_parse(const char *s, size_t n, struct dossier_event *ev,
			 const char **column, const char **why)
{
	struct lines_field f[3];
	const char *p;
	size_t len;

	*column = NULL;
	if (lines_split(s, n, ';', f, 3) != 3) {
		*why = "line does not have 3 fields (INS_C;EVENEMENT;HORODATAGE)";
		return -1;
	}
	p = f[0].s;
	len = text_trim(&p, f[0].n);
	*column = "INS_C";
	if (len == 0 || !insc_valid(p, len)) {
		*why = len == 0 ? "is empty" : "is not an INS-C (22 digits with a valid key)";
		return -1;
	}
	memcpy(ev->ins_c, p, 22);
	ev->ins_c[22] = '\0';

	p = f[1].s;
	len = text_trim(&p, f[1].n);
	*column = "EVENEMENT";
	ev->evenement = evenement_name(p, len);
	if (ev->evenement == NULL) {
		*why = len == 0 ? "is empty" : "is not a known event (CREATION, FERMETURE, REACTIVATION, "
			"SUPPRESSION, DECES, OPPOSITION, LEVEE_OPPOSITION)";
		return -1;
	}

	p = f[2].s;
	len = text_trim(&p, f[2].n);
	*column = "HORODATAGE";
	if (len == 0) {
		*why = "is empty";
		return -1;
	}
	if (dossier_events_timestamp(p, len, why) != 0)
		return -1;
	memcpy(ev->horodatage, p, len);
	ev->horodatage[len] = '\0';
	return 0;
}
