/*
 * lib/sha256.h — SHA-256 through OpenSSL's libcrypto (already a dependency of
 * libpq), for manifest digests, INS-C seeds and stable identifiers.
 */
#ifndef DR_SHA256_H
#define DR_SHA256_H

#include <stddef.h>

struct sha256 {
	void *ctx;  /* EVP_MD_CTX */
};

int sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *p, size_t n);
void sha256_final(struct sha256 *h, unsigned char out[32]);  /* also frees */
void sha256_once(const void *p, size_t n, unsigned char out[32]);

/* For hot loops: digest of p[0..n) on the context of h (from sha256_init),
 * which stays open for the next call; sha256_free() releases it. */
void sha256_digest(struct sha256 *h, const void *p, size_t n, unsigned char out[32]);
void sha256_free(struct sha256 *h);

#endif
