/*
 * lib/err.h — status codes and the per-thread error message.
 *
 * Library code (ingest/, transform/, load/) never exits and never prints to
 * stdout: a failing function records a one-line message with dr_error() and
 * returns a negative DR_E_* code, so callers can write
 *
 *     return dr_error(DR_E_DATA, "%s line %ld: ...", file, line);
 *
 * cli/ turns the code into a sysexits.h exit status with dr_exit_code().
 * The message is per thread, so OpenMP workers do not trample each other.
 *
 * Messages follow the house wording: lower case, no final period, what failed
 * first. They must never contain an identifier, a name or a code of care.
 */
#ifndef DR_ERR_H
#define DR_ERR_H

enum dr_status {
	DR_OK = 0,
	DR_E_USAGE = -1,    /* bad command line                 -> 64 EX_USAGE */
	DR_E_DATA = -2,     /* input refused                    -> 65 EX_DATAERR */
	DR_E_NOINPUT = -3,  /* file or directory missing        -> 66 EX_NOINPUT */
	DR_E_DBDOWN = -4,   /* database unusable, retry futile  -> 69 EX_UNAVAILABLE */
	DR_E_INTERNAL = -5, /* bug or unexpected state          -> 70 EX_SOFTWARE */
	DR_E_IO = -6,       /* local I/O failure                -> 74 EX_IOERR */
	DR_E_RETRY = -7,    /* transient: worth retrying        -> 75 EX_TEMPFAIL */
	DR_E_NOMEM = -8,    /* allocation failed                -> 70 EX_SOFTWARE */
	DR_E_CONFIG = -9,   /* schema missing or misconfigured  -> 78 EX_CONFIG */
	DR_E_INTERRUPTED = -10, /* SIGINT/SIGTERM               -> 75 EX_TEMPFAIL */
	DR_E_PROMISE = -11, /* status: a feeding promise broken -> 1 (for monitoring) */
};

/* Records the message for this thread and returns code (for `return dr_error(...)`). */
int dr_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message recorded by this thread ("" when none). */
const char *dr_errmsg(void);

/* Forgets this thread's message. */
void dr_errclear(void);

/* sysexits.h status for a DR_* code. */
int dr_exit_code(int code);

/* Short name of a code ("data", "retry", ...), for logs. */
const char *dr_status_name(int code);

#endif
