/*
 * lib/text.c — UTF-8 checks, CP1252 conversion, trimming.
 */
#include "lib/text.h"

#include <stdio.h>
#include <string.h>

/* CP1252 0x80-0x9F to Unicode; 0 = undefined in CP1252. */
static const unsigned short cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

size_t text_utf8_seq(const char *str, size_t n, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[0], v;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2; v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3; v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; v = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3F);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF))
	    || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

bool text_noncharacters_only(const char *s, size_t n)
{
	size_t i = 0;
	bool nonchar = false;

	while (i < n) {
		unsigned cp = (unsigned char)s[i];
		size_t len = 1;
		if (cp >= 0x80 && (len = text_utf8_seq(s + i, n - i, &cp)) == 0)
			return false;
		if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
			nonchar = true;
		else if (cp != ' ' && cp != '\t')
			return false;
		i += len;
	}
	return nonchar;
}

long text_utf8_check(const char *str, size_t n, bool allow_tab, const char **why)
{
	const unsigned char *u = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		/* printable ASCII, the bulk of every field, a byte at a time
		 * without decoding */
		if (u[i] >= 0x20 && u[i] < 0x7F) {
			i++;
			continue;
		}
		unsigned cp;
		size_t len = text_utf8_seq(str + i, n - i, &cp);
		if (len == 0) {
			*why = "invalid UTF-8";
			return (long)i;
		}
		if ((cp < 0x20 && !(allow_tab && cp == '\t')) || (cp >= 0x7F && cp <= 0x9F)) {
			*why = cp == 0 ? "NUL byte" : "control character";
			return (long)i;
		}
		if (cp == 0xFEFF) {
			*why = "byte order mark inside a field";
			return (long)i;
		}
		i += len;
	}
	return -1;
}

static int put_cp(struct buf *out, unsigned cp)
{
	char tmp[3];

	if (cp < 0x80)
		return buf_putc(out, (char)cp);
	if (cp < 0x800) {
		tmp[0] = (char)(0xC0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3F));
		return buf_append(out, tmp, 2);
	}
	tmp[0] = (char)(0xE0 | (cp >> 12));
	tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	tmp[2] = (char)(0x80 | (cp & 0x3F));
	return buf_append(out, tmp, 3);
}

static long cp1252_convert(const char *str, size_t n, struct buf *out, bool lenient)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i], cp;
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f) {
				if (!lenient)
					return (long)i;
				cp = ' ';
			} else {
				cp = c;
			}
		} else if (c < 0xA0) {
			cp = cp1252_high[c - 0x80];
			if (cp == 0) {
				if (!lenient)
					return (long)i;
				cp = ' ';
			}
		} else {
			cp = c;
		}
		if (put_cp(out, cp))
			return -2;
	}
	return -1;
}

long text_cp1252_to_utf8(const char *s, size_t n, struct buf *out)
{
	return cp1252_convert(s, n, out, false);
}

int text_cp1252_to_utf8_lenient(const char *s, size_t n, struct buf *out)
{
	return cp1252_convert(s, n, out, true) == -2 ? -1 : 0;
}

size_t text_trim(const char **s, size_t n)
{
	const char *p = *s;

	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	*s = p;
	return n;
}

bool text_all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

void text_hex(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

size_t text_decimal(long long v, char out[TEXT_DECIMAL_MAX])
{
	char tmp[TEXT_DECIMAL_MAX], *p = tmp + sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	size_t n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}

size_t text_json_char(unsigned char c, char out[TEXT_JSON_CHAR_MAX])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '"' || c == '\\') {
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (c < 0x20) {
		memcpy(out, "\\u00", 4);
		out[4] = hex[c >> 4];
		out[5] = hex[c & 15];
		return 6;
	}
	out[0] = (char)c;
	return 1;
}

char *text_escape(const char *s, enum text_escape_mode mode, char *out, size_t cap)
{
	size_t len = 0, n = strlen(s);

	if (cap == 0)
		return out;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp = 0;
		size_t k = c < 0x80 ? 1 : text_utf8_seq(s + i, n - i, &cp);
		char e[8];
		size_t en;

		if (c == '\n' || c == '\r' || c == '\t') {
			e[0] = '\\';
			e[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			en = 2;
		} else if (c < 0x20 || c == 0x7f || k == 0 || (cp >= 0x80 && cp < 0xa0)) {
			/* a C0/C1 control or a byte that is not UTF-8: one byte as \xHH */
			en = (size_t)snprintf(e, sizeof(e), "\\x%02x", c);
			k = 1;
		} else if (mode == TEXT_ESC_QUOTED && (c == '\\' || c == '"' || c == '\'')) {
			e[0] = '\\';
			e[1] = (char)c;
			en = 2;
		} else {
			memcpy(e, s + i, k);
			en = k;
		}
		if (len + en >= cap)
			break;
		memcpy(out + len, e, en);
		len += en;
		i += k;
	}
	out[len] = '\0';
	return out;
}

void text_given_name_case(char *s)
{
	bool first = true;

	for (unsigned char *p = (unsigned char *)s; *p; p++) {
		if (*p == ' ' || *p == '-' || *p == '\'') {
			first = true;
			continue;
		}
		if (*p >= 'A' && *p <= 'Z') {
			if (!first)
				*p = (unsigned char)(*p + ('a' - 'A'));
		} else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97) {
			if (!first)
				p[1] = (unsigned char)(p[1] + 0x20);   /* À-Þ -> à-þ */
			p++;
		} else if (*p == 0xC5 && p[1] == 0x92) {
			if (!first)
				p[1] = 0x93;                          /* Œ -> œ */
			p++;
		} else if (*p >= 0xC0) {                        /* another letter or sign: its bytes as they are */
			while ((p[1] & 0xC0) == 0x80)
				p++;
		}
		first = false;
	}
}
