/*
 * jobs/insc.h — `dmpremb insc`: the INS-C of each 'prenom;AAMMJJ;NIR13' line.
 */
#ifndef DR_JOBS_INSC_H
#define DR_JOBS_INSC_H

/* Called for each data line, in order: insc (22 digits) when computed, else
 * NULL with field (NULL: the line as a whole) and why, never the value. */
typedef void (*jobs_insc_fn)(void *arg, long lineno, const char *insc, const char *field, const char *why);

/*
 * Reads path ("-" = stdin; LF or CRLF; an optional first line starting with
 * 'prenom' is a header; blank lines skipped) and calls fn per data line.
 * *data counts the data lines, *bad those refused. Returns 0, or a reading
 * or interrupt code.
 */
int jobs_insc(const char *path, jobs_insc_fn fn, void *arg, long *data, long *bad);

#endif
