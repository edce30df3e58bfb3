/*
 * lib/sha256.c — thin wrapper over OpenSSL EVP SHA-256.
 */
#include "lib/sha256.h"
#include "lib/err.h"

#include <openssl/evp.h>

int sha256_init(struct sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		h->ctx = NULL;
		return dr_error(DR_E_NOMEM, "cannot initialise SHA-256");
	}
	h->ctx = ctx;
	return 0;
}

void sha256_update(struct sha256 *h, const void *p, size_t n)
{
	EVP_DigestUpdate(h->ctx, p, n);
}

void sha256_final(struct sha256 *h, unsigned char out[32])
{
	unsigned int len = 32;

	EVP_DigestFinal_ex(h->ctx, out, &len);
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void sha256_digest(struct sha256 *h, const void *p, size_t n, unsigned char out[32])
{
	unsigned int len = 32;

	EVP_DigestInit_ex(h->ctx, NULL, NULL);   /* NULL: same algorithm, no new lookup */
	EVP_DigestUpdate(h->ctx, p, n);
	EVP_DigestFinal_ex(h->ctx, out, &len);
}

void sha256_free(struct sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void sha256_once(const void *p, size_t n, unsigned char out[32])
{
	unsigned int len = 32;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}
