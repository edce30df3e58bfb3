/*
 * lib/err.h — status codes, the per-thread error message, its context frames
 * and its hint.
 *
 * Library code (ingest/, transform/, load/) never exits and never prints to
 * stdout: a failing function records a one-line message with dr_error() and
 * returns a negative DR_E_* code, so callers can write
 *
 *     return dr_error(DR_E_DATA, "SHA256 is not 64 hex digits");
 *
 * cli/ turns the code into a sysexits.h exit status with dr_exit_code().
 * The message is per thread, so OpenMP workers do not trample each other.
 *
 * Where it happened: context frames. A loop says where it is once, by pushing
 * a frame whose callback reads its *current* position when an error is raised
 * (as PostgreSQL's error_context_stack and errcontext callbacks do); every
 * dr_error() below it, however deep, gains the position without formatting it:
 *
 *     long line = 0;                    // the reader sets it per record
 *     struct dr_errline at;
 *     dr_errline_push(&at, "manifest.csv", &line);
 *     ... dr_error(DR_E_DATA, "LIGNES is not a whole number") ...
 *     dr_errctx_pop(&at.ctx);
 *     // -> "manifest.csv line 5: LIGNES is not a whole number"
 *
 * The frames are per thread and prefix the message outer to inner ("batch 12:
 * PHA.csv line 8: ..."). A frame that describes itself as "" adds nothing (a
 * line frame while the reader is between records, *line == 0), and a frame
 * whose text the message already holds is not repeated (a step that wraps the
 * message below it, "step: %s" with dr_errmsg(), names each position once).
 * A frame lives on its owner's stack: pop it before returning, on every path.
 *
 * What to do about it: the hint. dr_hint() attaches a separate hint to the
 * message just raised ("see 'dmpremb feed --help'"), instead of a bracketed
 * tail in the message; cli/ prints it after the message ("dmpremb CMD: MESSAGE
 * (HINT)") or as the "hint" field of the JSON event; the run row keeps the
 * message alone.
 * A new message drops the hint of the previous one, unless it wraps it.
 *
 * Outcomes are not errors: a function with a normal result besides success
 * (a dossier with no identity, a document over the size limit) returns an
 * enum of its own (>= 0); DR_E_* codes are only for what went wrong.
 *
 * Messages follow the house wording: lower case, no final period, what failed
 * first. They must never contain an identifier, a name or a code of care.
 * "line" is always the physical line (LF-counted, 1 = the header) a record
 * starts on.
 */
#ifndef DR_ERR_H
#define DR_ERR_H

#include <stddef.h>

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

#define DR_ERRMSG_MAX 1024     /* a message with its context, NUL included */
#define DR_ERRCTX_MAX 256      /* what one frame may say */

/* Records the message for this thread, after the text of its context frames,
 * and returns code (for `return dr_error(...)`). */
int dr_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message recorded by this thread ("" when none). */
const char *dr_errmsg(void);

/* Forgets this thread's message and hint. */
void dr_errclear(void);

/* ---- context frames ------------------------------------------------------ */

struct dr_errctx {
	struct dr_errctx *prev;                               /* set by push */
	void (*describe)(const void *arg, char *out, size_t n); /* "" for nothing */
	const void *arg;
};

/* Makes f this thread's innermost frame (f->describe and f->arg set first). */
void dr_errctx_push(struct dr_errctx *f);

/* Removes f, and any frame pushed after it that is still there. */
void dr_errctx_pop(struct dr_errctx *f);

/* A file position: "NAME line N" while *line > 0, nothing otherwise; with
 * line NULL, the file as a whole: "NAME". */
struct dr_errline {
	struct dr_errctx ctx;
	const char *name;
	const long *line;
};
void dr_errline_describe(const void *arg, char *out, size_t n);
void dr_errline_push(struct dr_errline *f, const char *name, const long *line);

/* A counted step: "WHAT N" ("batch 12", "lane 2", "chunk 7") while *n > 0. */
struct dr_errstep {
	struct dr_errctx ctx;
	const char *what;
	const long long *n;
};
void dr_errstep_push(struct dr_errstep *f, const char *what, const long long *n);

/* ---- hints --------------------------------------------------------------- */

/* Attaches a hint to this thread's message and returns code, for
 * `return dr_hint(dr_error(DR_E_USAGE, "..."), "see 'dmpremb %s --help'", cmd)`. */
int dr_hint(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The hint of the last message ("" when none). */
const char *dr_errhint(void);

/* A message and its hint kept aside: to report it later (after a rollback)
 * or on another thread (a worker's failure, reported by the one that waits
 * for it). dr_errrestore() raises it again, under the current thread's
 * frames, with its hint, and returns code. */
struct dr_errsaved {
	char msg[DR_ERRMSG_MAX];
	char hint[DR_ERRMSG_MAX];
};
void dr_errsave(struct dr_errsaved *s);
int dr_errrestore(int code, const struct dr_errsaved *s);

/* ---- codes --------------------------------------------------------------- */

/* sysexits.h status for a DR_* code. */
int dr_exit_code(int code);

/* Short name of a code ("data", "retry", ...), for logs. */
const char *dr_status_name(int code);

#endif
