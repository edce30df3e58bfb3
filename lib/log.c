/*
 * lib/log.c — logfmt / JSON event lines on stderr.
 *
 * The caller formats logfmt pairs; for JSON the pairs are re-read by a small
 * tokenizer (key=value or key="quoted value") and written as a JSON object.
 * Whatever the caller formatted, control characters and bytes that are not
 * UTF-8 are escaped (text_escape) before the line is written: a value from
 * outside (a directory or file name) cannot forge a second line, nor reach
 * the terminal raw, nor make the JSON invalid.
 */
#include "lib/log.h"
#include "lib/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

static enum dr_log_format log_format = DR_LOG_TEXT;
static enum dr_log_level log_min = DR_LOG_INFO;
static char log_ctx[128];

static const char *level_names[] = { "debug", "info", "warn", "error" };

void dr_log_setup(enum dr_log_format format, enum dr_log_level min_level)
{
	log_format = format;
	log_min = min_level;
}

enum dr_log_format dr_log_get_format(void)
{
	return log_format;
}

void dr_log_context(const char *kv)
{
	if (kv == NULL)
		log_ctx[0] = '\0';
	else
		text_escape(kv, TEXT_ESC_CONTROLS, log_ctx, sizeof(log_ctx));
}

int dr_log_parse_format(const char *s, enum dr_log_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = DR_LOG_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = DR_LOG_JSON;
	else
		return -1;
	return 0;
}

/* Appends s[0..n) to out as JSON string content (text_json_char), whole
 * characters only, keeping room for the line's end. Returns new length. */
static size_t json_escape(char *out, size_t len, size_t cap, const char *s, size_t n)
{
	for (size_t i = 0; i < n && len + TEXT_JSON_CHAR_MAX + 1 < cap; i++)
		len += text_json_char((unsigned char)s[i], out + len);
	return len;
}

/* A logfmt value written bare in JSON: a number as JSON spells one (no
 * leading zero: "007" stays a string), true or false. */
static bool json_bare(const char *v, size_t n)
{
	size_t i = 0;

	if ((n == 4 && memcmp(v, "true", 4) == 0) || (n == 5 && memcmp(v, "false", 5) == 0))
		return true;
	if (i < n && v[i] == '-')
		i++;
	if (i == n || v[i] < '0' || v[i] > '9')
		return false;
	if (v[i] == '0' && i + 1 < n && v[i + 1] >= '0' && v[i + 1] <= '9')
		return false;
	while (i < n && v[i] >= '0' && v[i] <= '9')
		i++;
	if (i < n && v[i] == '.') {
		if (++i == n || v[i] < '0' || v[i] > '9')
			return false;
		while (i < n && v[i] >= '0' && v[i] <= '9')
			i++;
	}
	return i == n;
}

/* Writes logfmt pairs of `in` as JSON members into out: a quoted value as a
 * string, a bare one as a number or boolean when it is one. Returns new length. */
static size_t logfmt_to_json(char *out, size_t len, size_t cap, const char *in)
{
	const char *p = in;

	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *k = p;
		while (*p && *p != '=' && *p != ' ')
			p++;
		size_t klen = (size_t)(p - k);
		const char *v = p;
		size_t vlen = 0;
		bool quoted = false;
		if (*p == '=') {
			p++;
			if (*p == '"') {
				quoted = true;
				v = ++p;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1])
						p++;
					p++;
				}
				vlen = (size_t)(p - v);
				if (*p == '"')
					p++;
			} else {
				v = p;
				while (*p && *p != ' ')
					p++;
				vlen = (size_t)(p - v);
			}
		}
		if (len + klen + vlen + 16 >= cap)
			break;
		out[len++] = ',';
		out[len++] = '"';
		len = json_escape(out, len, cap, k, klen);
		out[len++] = '"';
		out[len++] = ':';
		if (!quoted && json_bare(v, vlen)) {
			memcpy(out + len, v, vlen);
			len += vlen;
			continue;
		}
		/* a quoted value's \" \\ \' stand for the character itself */
		char plain[4096];
		size_t pn = 0;
		for (size_t i = 0; i < vlen && pn < sizeof(plain); i++) {
			if (quoted && v[i] == '\\' && i + 1 < vlen && strchr("\"\\'", v[i + 1]))
				i++;
			plain[pn++] = v[i];
		}
		out[len++] = '"';
		len = json_escape(out, len, cap, plain, pn);
		out[len++] = '"';
	}
	return len;
}

void dr_log(enum dr_log_level level, const char *event, const char *fmt, ...)
{
	char raw[2048], fields[4096], line[4096], ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;
	size_t len;

	if (level < log_min)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	text_escape(raw, TEXT_ESC_CONTROLS, fields, sizeof(fields));

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);

	if (log_format == DR_LOG_JSON) {
		len = (size_t)snprintf(line, sizeof(line),
			"{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"event\":\"%s\"",
			ts, now.tv_nsec / 1000000, level_names[level], event);
		if (log_ctx[0])
			len = logfmt_to_json(line, len, sizeof(line) - 2, log_ctx);
		len = logfmt_to_json(line, len, sizeof(line) - 2, fields);
		line[len++] = '}';
		line[len++] = '\n';
	} else {
		int n = snprintf(line, sizeof(line) - 1, "%s.%03ldZ %s %s%s%s%s%s\n",
			ts, now.tv_nsec / 1000000, level_names[level], event,
			log_ctx[0] ? " " : "", log_ctx,
			fields[0] ? " " : "", fields);
		len = n < 0 ? 0 : (size_t)n >= sizeof(line) - 1 ? sizeof(line) - 1 : (size_t)n;
		if (len && line[len - 1] != '\n')
			line[len++] = '\n';
	}
	fwrite(line, 1, len, stderr);
}
