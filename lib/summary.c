/*
 * lib/summary.c — a run's counts, written as the run row's JSON and as the
 * `.done` line's logfmt pairs (see summary.h).
 */
#include "lib/summary.h"
#include "lib/err.h"
#include "lib/json.h"

#include <math.h>
#include <string.h>

static struct summary_item *add(struct run_summary *s, const char *key, enum summary_kind kind)
{
	if (s->n >= SUMMARY_MAX_ITEMS) {
		s->overflow = true;
		return NULL;
	}
	s->item[s->n] = (struct summary_item){ .key = key, .kind = kind };
	return &s->item[s->n++];
}

void summary_int(struct run_summary *s, const char *key, long long v)
{
	struct summary_item *it = add(s, key, SUMMARY_INT);

	if (it)
		it->i = v;
}

void summary_real(struct run_summary *s, const char *key, double v, int decimals)
{
	struct summary_item *it = add(s, key, SUMMARY_REAL);

	if (it) {
		it->r = v;
		it->decimals = decimals;
	}
}

void summary_str(struct run_summary *s, const char *key, const char *v)
{
	struct summary_item *it = add(s, key, SUMMARY_STR);
	size_t n = v ? strlen(v) + 1 : 0;

	if (it == NULL || v == NULL)
		return;
	if (n > sizeof(s->pool) - s->pool_used) {
		s->overflow = true;
		return;
	}
	it->s = memcpy(s->pool + s->pool_used, v, n);
	s->pool_used += n;
}

void summary_bool(struct run_summary *s, const char *key, bool v)
{
	struct summary_item *it = add(s, key, SUMMARY_BOOL);

	if (it)
		it->i = v;
}

void summary_object(struct run_summary *s, const char *key)
{
	add(s, key, SUMMARY_OBJECT);
}

void summary_close(struct run_summary *s)
{
	add(s, NULL, SUMMARY_CLOSE);
}

static int overflowed(void)
{
	return dr_error(DR_E_INTERNAL, "run summary holds more than %d items or %d bytes of text", SUMMARY_MAX_ITEMS,
			SUMMARY_POOL);
}

int summary_json(const struct run_summary *s, struct buf *out)
{
	struct json j;

	if (s->overflow)
		return overflowed();
	buf_reset(out);
	json_begin(&j, out);
	for (int k = 0; k < s->n; k++) {
		const struct summary_item *it = &s->item[k];
		switch (it->kind) {
		case SUMMARY_INT: json_int(&j, it->key, it->i); break;
		case SUMMARY_REAL: json_real(&j, it->key, it->r, it->decimals); break;
		case SUMMARY_STR: json_str(&j, it->key, it->s); break;
		case SUMMARY_BOOL: json_bool(&j, it->key, it->i != 0); break;
		case SUMMARY_OBJECT: json_object(&j, it->key); break;
		case SUMMARY_CLOSE: json_close(&j); break;
		}
	}
	return json_end(&j);
}

/* key="value" with " and \ escaped, as lib/log.c's tokenizer reads it back */
static int put_quoted(struct buf *b, const char *v)
{
	int rc = buf_putc(b, '"');

	for (; rc == 0 && *v; v++) {
		if (*v == '"' || *v == '\\')
			rc = buf_putc(b, '\\');
		if (rc == 0)
			rc = buf_putc(b, *v);
	}
	return rc ? rc : buf_putc(b, '"');
}

int summary_logfmt(const struct run_summary *s, struct buf *out)
{
	int depth = 0, rc = 0;

	if (s->overflow)
		return overflowed();
	buf_reset(out);
	for (int k = 0; k < s->n && rc == 0; k++) {
		const struct summary_item *it = &s->item[k];
		if (it->kind == SUMMARY_OBJECT || it->kind == SUMMARY_CLOSE) {
			depth += it->kind == SUMMARY_OBJECT ? 1 : -1;
			continue;
		}
		if (depth > 0)
			continue;
		rc = buf_printf(out, "%s%s=", out->len ? " " : "", it->key);
		if (rc)
			break;
		switch (it->kind) {
		case SUMMARY_INT: rc = buf_put_long(out, it->i); break;
		case SUMMARY_REAL:
			rc = isfinite(it->r) ? buf_printf(out, "%.*f", it->decimals, it->r) : buf_puts(out, "null");
			break;
		case SUMMARY_STR: rc = it->s ? put_quoted(out, it->s) : buf_puts(out, "null"); break;
		case SUMMARY_BOOL: rc = buf_puts(out, it->i ? "true" : "false"); break;
		default: break;
		}
	}
	return rc;
}
