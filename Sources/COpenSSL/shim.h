#ifndef GRANTLEDGER_COPENSSL_SHIM_H
#define GRANTLEDGER_COPENSSL_SHIM_H

/* Build against the OpenSSL 3 API only: deprecated functions disappear instead of warning. */
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED

#include <openssl/opensslv.h>
#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "GrantLedger needs OpenSSL 3.0 or later (Debian: apt-get install libssl-dev)"
#endif

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

/* Function-like macros and variadic functions Swift cannot import. */

static inline void grantledger_openssl_free(void *ptr) {
    OPENSSL_free(ptr);
}

static inline long grantledger_bio_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline EVP_PKEY *grantledger_ed25519_generate(void) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    if (ctx == NULL) return NULL;
    if (EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &key) <= 0) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

#endif
