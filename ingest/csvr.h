/*
 * ingest/csvr.h — streaming CSV reader: a fast path for lines without a
 * quote, libcsv for the others.
 *
 *   file --fread 64 KiB--> line without '"': split in place   --> on_record()
 *                          line with '"': libcsv --> record buffer --^
 *
 * Reads a file in fixed chunks (memory does not grow with file size), skips a
 * leading UTF-8 BOM, accepts LF and CRLF line ends (the contract's), RFC 4180
 * quotes, and hands each record to the caller as an array of (pointer, length)
 * fields that stay valid until the callback returns, with the physical line
 * it starts on. Blank lines are not records. A CR not followed by LF is not a
 * line end but a byte of its field, handed over as CSVR_LONE_CR (a control
 * character, so the line's validation rejects it when the column is read);
 * a file whose first line ends with a lone CR (CR-only line ends, an old Mac
 * export) is refused: read as one line, nothing of it would make sense.
 * Spaces are kept (libcsv trims by default; we do not). A field over
 * CSVR_FIELD_MAX is cut to that size and flagged (`too_long`), so the caller
 * can reject the line. A quote left open at the end of the file makes the last
 * record `unterminated` (the caller rejects it; earlier records are intact).
 */
#ifndef DR_CSVR_H
#define DR_CSVR_H

#include <stdbool.h>
#include <stddef.h>

#define CSVR_FIELD_MAX 4096          /* longer fields make the line a reject */
#define CSVR_MAX_FIELDS 1024         /* more fields make the line a reject */
#define CSVR_LONE_CR '\v'            /* what a CR without its LF reads as */

struct csvr_field {
	const char *s;
	size_t n;
	bool cut;                        /* longer than CSVR_FIELD_MAX in the file: cut */
};

struct csvr_record {
	long record_no;                  /* 1 = header line */
	long line_no;                    /* physical line (LF-counted) the record starts on */
	int nfields;                     /* as found in the file (may exceed the stored ones) */
	int stored;                      /* fields available in f[] (<= CSVR_MAX_FIELDS) */
	bool too_long;                   /* a field was cut to CSVR_FIELD_MAX (f[i].cut says which) */
	bool unterminated;               /* the file ended inside this record's quoted field */
	const struct csvr_field *f;
};

/* Returns 0 to go on, a negative DR_E_* code to stop (propagated by csvr_read). */
typedef int (*csvr_cb)(void *ctx, const struct csvr_record *rec);

/*
 * Reads path with delimiter delim, calling cb for every record (the header
 * too, as record 1). *records gets the number of records (header included).
 * Returns 0, the callback's code, or DR_E_NOINPUT / DR_E_IO / DR_E_DATA.
 */
int csvr_read(const char *path, char delim, csvr_cb cb, void *ctx, long *records);

/*
 * For tests only: how csvr_read_mode parses. csvr_read uses all zeros.
 * The fast path gives libcsv's records as long as libcsv_max is larger than
 * the read size (no field on the fast path is longer than a read, so none
 * would have hit libcsv's ceiling).
 */
struct csvr_mode {
	bool libcsv_only;        /* every byte through libcsv: the reference */
	size_t chunk;            /* read size; 0: 64 KiB; at least 4 (the BOM) */
	size_t libcsv_max;       /* libcsv's field buffer ceiling; 0: 64 MiB */
};

int csvr_read_mode(const char *path, char delim, csvr_cb cb, void *ctx, long *records,
		   const struct csvr_mode *mode);

#endif
