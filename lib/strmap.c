/*
 * lib/strmap.c — string-keyed hash table (see strmap.h).
 */
#include "lib/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

void strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
	arena_init(&m->keys, 64 * 1024);
}

static struct strmap_slot *probe(struct strmap_slot *slots, size_t cap, const char *key,
				 size_t len, uint32_t h)
{
	size_t i = h & (cap - 1);
	for (;;) {
		struct strmap_slot *s = &slots[i];
		if (s->key == NULL || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
			return s;
		i = (i + 1) & (cap - 1);
	}
}

static int grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct strmap_slot *slots = calloc(cap, sizeof(*slots));
	if (slots == NULL)
		return dr_error(DR_E_NOMEM, "out of memory for a lookup table of %zu entries", cap);
	for (size_t i = 0; i < m->cap; i++) {
		struct strmap_slot *old = &m->slots[i];
		if (old->key != NULL)
			*probe(slots, cap, old->key, old->len, old->hash) = *old;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int strmap_put(struct strmap *m, const char *key, size_t len, void *value)
{
	if (len > UINT32_MAX)
		return dr_error(DR_E_INTERNAL, "lookup key too long");
	if ((m->count + 1) * 2 > m->cap && grow(m) != 0)
		return DR_E_NOMEM;
	uint32_t h = fnv1a(key, len);
	struct strmap_slot *s = probe(m->slots, m->cap, key, len, h);
	if (s->key == NULL) {
		char *k = arena_strndup(&m->keys, key, len);
		if (k == NULL)
			return dr_error(DR_E_NOMEM, "out of memory for lookup keys");
		s->key = k;
		s->len = (uint32_t)len;
		s->hash = h;
		m->count++;
	}
	s->value = value;
	return 0;
}

void *strmap_get(const struct strmap *m, const char *key, size_t len)
{
	if (m->cap == 0 || key == NULL)
		return NULL;
	return probe(m->slots, m->cap, key, len, fnv1a(key, len))->value;
}

void *strmap_getz(const struct strmap *m, const char *key)
{
	return key ? strmap_get(m, key, strlen(key)) : NULL;
}

void strmap_free(struct strmap *m)
{
	free(m->slots);
	arena_free(&m->keys);
	memset(m, 0, sizeof(*m));
}
