/*
 * lib/strmap.h — string-keyed hash table for read-mostly lookups.
 *
 * Built once by one thread (referentials, names of professionals), then read
 * by many: lookups take no lock and change nothing, so OpenMP workers share a
 * map once it is complete. Keys are copied into the map's own arena; values are
 * the caller's pointers. Open addressing with linear probing, FNV-1a hashes,
 * the table doubles at 50 % load. Putting an existing key replaces its value
 * (the last record of a referential wins, as in the database).
 */
#ifndef DR_STRMAP_H
#define DR_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/arena.h"

struct strmap_slot {
	const char *key;
	uint32_t len;
	uint32_t hash;
	void *value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap;      /* power of two, 0 before the first put */
	size_t count;
	struct arena keys;
};

void strmap_init(struct strmap *m);
/* Returns 0, or DR_E_NOMEM. */
int strmap_put(struct strmap *m, const char *key, size_t len, void *value);
/* The value for key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key, size_t len);
void *strmap_getz(const struct strmap *m, const char *key);
void strmap_free(struct strmap *m);

#endif
