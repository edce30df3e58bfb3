/*
 * lib/uuid.h — name-based identifiers: the same name always gives the same id.
 *
 * Document ids, set ids and entry ids must be stable (golden files, "nothing
 * changed" checks) and never collide: they are UUIDs made of the first 128
 * bits of SHA-256 of a name, with the version nibble 8 (RFC 9562 "custom")
 * and the RFC variant bits. Upper case, as in the ANS examples.
 */
#ifndef DR_UUID_H
#define DR_UUID_H

#include <stddef.h>

#define UUID_LEN 36

void uuid_from_name(const void *name, size_t n, char out[UUID_LEN + 1]);

/* The same from a SHA-256 digest already computed (hot loops keep their own
 * SHA-256 context: ingest keys every claim line). */
void uuid_from_digest(const unsigned char digest[32], char out[UUID_LEN + 1]);

#endif
