/*
 * lib/log.h — one line per event on stderr, as logfmt or JSON.
 *
 *     dr_log(DR_LOG_INFO, "ingest.file", "file=%s read=%ld", name, n);
 *
 * The fields are written in logfmt (`key=value`, values with spaces quoted
 * with "..."); with --log-format json the same pairs become one JSON object
 * per line, so collectors need no parser of their own.  Every line carries a
 * UTC timestamp, the level and the event name.
 *
 * Never log an identifier (NIR, INS-C), a name, a birth date or a code of
 * care: log counts, file names, line numbers and column names.
 * Thread-safe: each line is written with one fwrite.
 */
#ifndef DR_LOG_H
#define DR_LOG_H

enum dr_log_level { DR_LOG_DEBUG, DR_LOG_INFO, DR_LOG_WARN, DR_LOG_ERROR };
enum dr_log_format { DR_LOG_TEXT, DR_LOG_JSON };

void dr_log_setup(enum dr_log_format format, enum dr_log_level min_level);
enum dr_log_format dr_log_get_format(void);

/* Sets a field added to every following line (e.g. "run=12"); NULL clears. */
void dr_log_context(const char *kv);

void dr_log(enum dr_log_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parses "text"/"json" into *out; returns 0 or -1. */
int dr_log_parse_format(const char *s, enum dr_log_format *out);

#endif
