/*
 * lib/json.c — a JSON object writer over struct buf (see json.h).
 */
#include "lib/json.h"
#include "lib/err.h"
#include "lib/text.h"

#include <math.h>

static void put(struct json *j, int rc)
{
	if (j->rc == 0)
		j->rc = rc;
}

static void escaped(struct json *j, const char *s)
{
	char u[TEXT_JSON_CHAR_MAX];

	put(j, buf_putc(j->b, '"'));
	for (; j->rc == 0 && *s; s++)
		put(j, buf_append(j->b, u, text_json_char((unsigned char)*s, u)));
	put(j, buf_putc(j->b, '"'));
}

/* ", " between members, then "key": */
static void key(struct json *j, const char *k)
{
	if (j->rc)
		return;
	if (!j->first[j->depth])
		put(j, buf_puts(j->b, ", "));
	j->first[j->depth] = false;
	escaped(j, k);
	put(j, buf_puts(j->b, ": "));
}

void json_begin(struct json *j, struct buf *b)
{
	j->b = b;
	j->rc = 0;
	j->depth = 0;
	j->first[0] = true;
	put(j, buf_putc(b, '{'));
}

void json_str(struct json *j, const char *k, const char *value)
{
	key(j, k);
	if (j->rc == 0 && value == NULL)
		put(j, buf_puts(j->b, "null"));
	else if (j->rc == 0)
		escaped(j, value);
}

void json_int(struct json *j, const char *k, long long value)
{
	key(j, k);
	if (j->rc == 0)
		put(j, buf_put_long(j->b, value));
}

void json_real(struct json *j, const char *k, double value, int decimals)
{
	key(j, k);
	if (j->rc == 0)
		put(j, isfinite(value) ? buf_printf(j->b, "%.*f", decimals, value) : buf_puts(j->b, "null"));
}

void json_number(struct json *j, const char *k, double value)
{
	key(j, k);
	if (j->rc == 0)
		put(j, isfinite(value) ? buf_printf(j->b, "%g", value) : buf_puts(j->b, "null"));
}

void json_bool(struct json *j, const char *k, bool value)
{
	key(j, k);
	if (j->rc == 0)
		put(j, buf_puts(j->b, value ? "true" : "false"));
}

void json_raw(struct json *j, const char *k, const char *json_text)
{
	key(j, k);
	if (j->rc == 0)
		put(j, buf_puts(j->b, json_text ? json_text : "null"));
}

void json_object(struct json *j, const char *k)
{
	key(j, k);
	if (j->rc == 0 && j->depth + 1 >= JSON_MAX_DEPTH)
		put(j, dr_error(DR_E_INTERNAL, "JSON nested deeper than %d", JSON_MAX_DEPTH));
	if (j->rc)
		return;
	put(j, buf_putc(j->b, '{'));
	j->first[++j->depth] = true;
}

void json_close(struct json *j)
{
	if (j->rc == 0 && j->depth > 0) {
		put(j, buf_putc(j->b, '}'));
		j->depth--;
	}
}

int json_end(struct json *j)
{
	while (j->rc == 0 && j->depth > 0)
		json_close(j);
	put(j, buf_putc(j->b, '}'));
	return j->rc;
}
