/*
 * lib/text.h — encodings and small string helpers.
 *
 * The extracts come as UTF-8 or CP1252 (manifest ENCODAGE); everything stored
 * or rendered is UTF-8 with no control characters. These functions check and
 * convert one field at a time into a caller's struct buf.
 */
#ifndef DR_TEXT_H
#define DR_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

enum text_encoding { ENC_UTF8, ENC_CP1252 };

/*
 * Length (1..4) of the valid UTF-8 sequence at s, n >= 1 bytes left, with its
 * code point in *cp; 0 when s does not start one (overlong forms, surrogates
 * and code points above U+10FFFF are invalid).
 */
size_t text_utf8_seq(const char *s, size_t n, unsigned *cp);

/*
 * Checks s[0..n) is valid UTF-8 without NUL or other C0/C1 control characters
 * (TAB allowed when allow_tab). Returns -1 when valid, else the byte offset
 * (0-based) of the first offending byte; *why says what is wrong.
 */
long text_utf8_check(const char *s, size_t n, bool allow_tab, const char **why);

/*
 * True when valid UTF-8 s[0..n) holds no character but Unicode
 * non-characters (U+FDD0..U+FDEF, U+xxFFFE, U+xxFFFF), spaces and tabs: text
 * that says nothing (a document drops U+FFFE and U+FFFF, which XML cannot
 * hold), read as an empty field. False for n == 0.
 */
bool text_noncharacters_only(const char *s, size_t n);

/*
 * Appends the UTF-8 form of CP1252 bytes s[0..n) to out. Bytes CP1252 leaves
 * undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) and control characters make it
 * fail: returns the offset of the offending byte, -1 on success, or -2 when
 * out would exceed its limit.
 */
long text_cp1252_to_utf8(const char *s, size_t n, struct buf *out);

/* Same as above, but an undefined byte or control character becomes a space
 * (for referential files, where a label must not be lost for one stray byte). */
int text_cp1252_to_utf8_lenient(const char *s, size_t n, struct buf *out);

/* Trims ASCII spaces (and tabs) on both ends; returns the new length, *s moved. */
size_t text_trim(const char **s, size_t n);

/* True when s[0..n) is all ASCII digits (and n > 0). */
bool text_all_digits(const char *s, size_t n);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void text_hex(const unsigned char *in, size_t n, char *out);

/* The decimal text of v into out (NUL-terminated); returns its length.
 * printf's %lld without its cost: it runs for several numbers a row. */
#define TEXT_DECIMAL_MAX 21
size_t text_decimal(long long v, char out[TEXT_DECIMAL_MAX]);

/*
 * A string from outside (a path, a file or directory name, a header field)
 * made safe to print in a message or a log line: control characters (C0, DEL,
 * C1) become \n, \r, \t or \xHH, bytes that are not UTF-8 become \xHH, so the
 * string can neither forge a line nor drive a terminal. TEXT_ESC_QUOTED also
 * escapes the backslash and both quotes (\\, \", \'), for a string quoted in
 * a message; TEXT_ESC_CONTROLS leaves them (a whole log line or message, whose
 * quotes are its own). The result is cut on a character when out[cap] is
 * full. Returns out.
 */
enum text_escape_mode { TEXT_ESC_CONTROLS, TEXT_ESC_QUOTED };
#define TEXT_ESCAPE_MAX(n) (4 * (n) + 1)
char *text_escape(const char *s, enum text_escape_mode mode, char *out, size_t cap);

/*
 * Byte c as JSON (RFC 8259) spells it inside a string: itself, \" or \\,
 * or \u00XX for a control character. Writes up to TEXT_JSON_CHAR_MAX bytes
 * (no NUL) and returns their number. The one rule of the two JSON writers:
 * the run rows' (lib/json.c) and the log lines' (lib/log.c).
 */
#define TEXT_JSON_CHAR_MAX 6
size_t text_json_char(unsigned char c, char out[TEXT_JSON_CHAR_MAX]);

/*
 * A given name as the documents show it (the CDA model's "Laure"), in place:
 * the first letter of each part (after a space, a hyphen or an apostrophe)
 * kept, the others in lower case: "JEAN-PIERRE" -> "Jean-Pierre",
 * "ÉLODIE" -> "Élodie". Letters are ASCII, Latin-1's (À-Þ, but ×) and Œ,
 * the letters of French names; any other byte is left as it is, so valid
 * UTF-8 stays valid and keeps its length.
 */
void text_given_name_case(char *s);

#endif
