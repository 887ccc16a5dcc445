// SHA-256 (FIPS 180-4) in C: the x86 SHA extensions (SHA-NI) when the CPU has them,
// chosen at run time, else a portable implementation. Used by SynprefCore.SHA256.
#ifndef SYNPREF_SHA256_H
#define SYNPREF_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t state[8];
    uint64_t length;   // bytes hashed so far
    uint32_t pending;  // bytes waiting in `block`
    uint8_t block[64];
} synpref_sha256_ctx;

void synpref_sha256_init(synpref_sha256_ctx *ctx);
void synpref_sha256_update(synpref_sha256_ctx *ctx, const void *data, size_t count);
/// Writes the 32-byte digest; the context must be initialised again before reuse.
void synpref_sha256_final(synpref_sha256_ctx *ctx, uint8_t digest[32]);

/// 1 when the SHA-NI path is in use.
int synpref_sha256_accelerated(void);
/// Forces the portable path (1) or restores CPU dispatch (0); for tests.
void synpref_sha256_force_portable(int on);

#endif
