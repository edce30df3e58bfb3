/*
 * lib/arena.h — bump allocator for one unit of work (a record, a document).
 *
 * Everything allocated from an arena is freed at once by arena_reset() (keep
 * the first block, forget the rest) or arena_free(). One owner per arena; an
 * arena is not thread-safe, so each OpenMP worker has its own.
 * Allocation failure returns NULL (callers map it to DR_E_NOMEM).
 */
#ifndef DR_ARENA_H
#define DR_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;  /* current block, newest first */
	size_t block_size;         /* size of new ordinary blocks */
	size_t used_total;         /* bytes handed out since last reset */
};

void arena_init(struct arena *a, size_t block_size);
void *arena_alloc(struct arena *a, size_t n);            /* 16-byte aligned */
char *arena_strndup(struct arena *a, const char *s, size_t n); /* NUL-terminated copy */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

#endif
