/*
 * lib/uuid.c — name-based UUIDs from SHA-256 (see uuid.h).
 */
#include "lib/uuid.h"

#include "lib/sha256.h"

#include <string.h>

void uuid_from_name(const void *name, size_t n, char out[UUID_LEN + 1])
{
	unsigned char d[32];

	sha256_once(name, n, d);
	uuid_from_digest(d, out);
}

void uuid_from_digest(const unsigned char digest[32], char out[UUID_LEN + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char d[16];

	memcpy(d, digest, 16);
	d[6] = (unsigned char)((d[6] & 0x0f) | 0x80);   /* version 8 */
	d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);   /* variant 10 */
	char *o = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[d[i] >> 4];
		*o++ = hex[d[i] & 15];
	}
	*o = '\0';
}
