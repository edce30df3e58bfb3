/*
 * ingest/dossier_events.h — lines of a dossier lifecycle event file.
 *
 * The DMP platform sends `INS_C;EVENEMENT;HORODATAGE` files (header first,
 * LF or CRLF, optional UTF-8 BOM; see lines.h): one event a line, e.g.
 *
 *     INS_C;EVENEMENT;HORODATAGE
 *     <22 digits>;CREATION;2026-11-16T09:00:00+01:00
 *
 * These functions only check a line's form; recording the events is the
 * caller's job. Messages (*why) never quote the value: INS_C is an
 * identifier. Pure functions: thread-safe, no allocation.
 */
#ifndef DR_DOSSIER_EVENTS_H
#define DR_DOSSIER_EVENTS_H

#include <stddef.h>

#define DOSSIER_EVENTS_HEADER "INS_C;EVENEMENT;HORODATAGE"

/* Longest HORODATAGE accepted: 2026-11-16T09:00:00.123456+01:00 */
#define DOSSIER_TS_MAX 32

struct dossier_event {
	char ins_c[23];                     /* 22 digits + NUL */
	const char *evenement;              /* static name, e.g. "CREATION" */
	char horodatage[DOSSIER_TS_MAX + 1]; /* as given, checked, NUL-terminated */
};

/* 0 when the line (without its end) is exactly the header, else -1. */
int dossier_events_header(const char *s, size_t n);

/*
 * Checks one data line and fills ev. Returns 0, or -1 with *column (NULL
 * when the line as a whole is wrong, e.g. its field count) and *why set.
 * Fields are trimmed of spaces; INS_C must be 22 digits with a valid key,
 * EVENEMENT one of CREATION, FERMETURE, REACTIVATION, SUPPRESSION, DECES,
 * OPPOSITION, LEVEE_OPPOSITION, HORODATAGE a timestamp as below.
 */
int dossier_events_parse(const char *s, size_t n, struct dossier_event *ev,
			 const char **column, const char **why);

/*
 * Strict ISO 8601 timestamp with an explicit offset:
 * AAAA-MM-JJTHH:MM:SS, then optionally '.' and 1 to 6 digits (PostgreSQL
 * keeps microseconds: more would be rounded silently), then Z or +HH:MM /
 * -HH:MM (hours 00-14). The date must exist (years 1900-2099), hours 00-23,
 * minutes and seconds 00-59 (no leap second). Returns 0 or -1 with *why.
 */
int dossier_events_timestamp(const char *s, size_t n, const char **why);

#endif
