// SHA-256 block compression: x86 SHA extensions (per-function target attribute, chosen
// after a CPUID check, so no build flags are needed) with a portable fallback.
#include "synpref_sha256.h"
#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress_portable(uint32_t *h, const uint8_t *p, size_t blocks) {
    uint32_t w[64];
    for (; blocks > 0; blocks--, p += 64) {
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = hh + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
            uint32_t t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define SHA_NI 1

// Four rounds: message words `cur` (+K), then the schedule. STATE0 = ABEF, STATE1 = CDGH.
#define ROUNDS4(g, cur) \
    msg = _mm_add_epi32(cur, _mm_loadu_si128((const __m128i *)(K + 4 * (g)))); \
    s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
#define FINISH4 \
    msg = _mm_shuffle_epi32(msg, 0x0E); \
    s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
// Completes the schedule of `next` (w[t] needs w[t-7] via alignr, then sha256msg2).
#define SCHEDULE2(cur, prev, next) \
    tmp = _mm_alignr_epi8(cur, prev, 4); next = _mm_add_epi32(next, tmp); next = _mm_sha256msg2_epu32(next, cur);

__attribute__((target("sha,sse4.1")))
static void compress_shani(uint32_t *h, const uint8_t *p, size_t blocks) {
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)h);
    __m128i s1 = _mm_loadu_si128((const __m128i *)(h + 4));
    tmp = _mm_shuffle_epi32(tmp, 0xB1);        // CDAB
    s1 = _mm_shuffle_epi32(s1, 0x1B);          // EFGH
    __m128i s0 = _mm_alignr_epi8(tmp, s1, 8);  // ABEF
    s1 = _mm_blend_epi16(s1, tmp, 0xF0);       // CDGH
    for (; blocks > 0; blocks--, p += 64) {
        __m128i abef = s0, cdgh = s1, msg;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), mask);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), mask);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), mask);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), mask);
        ROUNDS4(0, m0) FINISH4
        ROUNDS4(1, m1) FINISH4 m0 = _mm_sha256msg1_epu32(m0, m1);
        ROUNDS4(2, m2) FINISH4 m1 = _mm_sha256msg1_epu32(m1, m2);
        ROUNDS4(3, m3) SCHEDULE2(m3, m2, m0) FINISH4 m2 = _mm_sha256msg1_epu32(m2, m3);
        ROUNDS4(4, m0) SCHEDULE2(m0, m3, m1) FINISH4 m3 = _mm_sha256msg1_epu32(m3, m0);
        ROUNDS4(5, m1) SCHEDULE2(m1, m0, m2) FINISH4 m0 = _mm_sha256msg1_epu32(m0, m1);
        ROUNDS4(6, m2) SCHEDULE2(m2, m1, m3) FINISH4 m1 = _mm_sha256msg1_epu32(m1, m2);
        ROUNDS4(7, m3) SCHEDULE2(m3, m2, m0) FINISH4 m2 = _mm_sha256msg1_epu32(m2, m3);
        ROUNDS4(8, m0) SCHEDULE2(m0, m3, m1) FINISH4 m3 = _mm_sha256msg1_epu32(m3, m0);
        ROUNDS4(9, m1) SCHEDULE2(m1, m0, m2) FINISH4 m0 = _mm_sha256msg1_epu32(m0, m1);
        ROUNDS4(10, m2) SCHEDULE2(m2, m1, m3) FINISH4 m1 = _mm_sha256msg1_epu32(m1, m2);
        ROUNDS4(11, m3) SCHEDULE2(m3, m2, m0) FINISH4 m2 = _mm_sha256msg1_epu32(m2, m3);
        ROUNDS4(12, m0) SCHEDULE2(m0, m3, m1) FINISH4 m3 = _mm_sha256msg1_epu32(m3, m0);
        ROUNDS4(13, m1) SCHEDULE2(m1, m0, m2) FINISH4
        ROUNDS4(14, m2) SCHEDULE2(m2, m1, m3) FINISH4
        ROUNDS4(15, m3) FINISH4
        s0 = _mm_add_epi32(s0, abef);
        s1 = _mm_add_epi32(s1, cdgh);
    }
    tmp = _mm_shuffle_epi32(s0, 0x1B);         // FEBA
    s1 = _mm_shuffle_epi32(s1, 0xB1);          // DCHG
    s0 = _mm_blend_epi16(tmp, s1, 0xF0);       // DCBA
    s1 = _mm_alignr_epi8(s1, tmp, 8);          // HGFE
    _mm_storeu_si128((__m128i *)h, s0);
    _mm_storeu_si128((__m128i *)(h + 4), s1);
}

static int cpu_has_shani(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int sse41 = (c >> 19) & 1, ssse3 = (c >> 9) & 1;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return sse41 && ssse3 && ((b >> 29) & 1);
}
#else
#define SHA_NI 0
#endif

static int force_portable = 0;

int synpref_sha256_accelerated(void) {
#if SHA_NI
    static int cached = -1;
    if (cached < 0) cached = cpu_has_shani();
    return cached && !force_portable;
#else
    return 0;
#endif
}

void synpref_sha256_force_portable(int on) { force_portable = on; }

static void compress(uint32_t *h, const uint8_t *p, size_t blocks) {
#if SHA_NI
    if (synpref_sha256_accelerated()) { compress_shani(h, p, blocks); return; }
#endif
    compress_portable(h, p, blocks);
}

void synpref_sha256_init(synpref_sha256_ctx *ctx) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(ctx->state, iv, sizeof iv);
    ctx->length = 0;
    ctx->pending = 0;
}

void synpref_sha256_update(synpref_sha256_ctx *ctx, const void *data, size_t count) {
    const uint8_t *p = data;
    ctx->length += count;
    if (ctx->pending > 0) {
        size_t take = 64 - ctx->pending < count ? 64 - ctx->pending : count;
        memcpy(ctx->block + ctx->pending, p, take);
        ctx->pending += (uint32_t)take;
        p += take;
        count -= take;
        if (ctx->pending < 64) return;
        compress(ctx->state, ctx->block, 1);
        ctx->pending = 0;
    }
    if (count >= 64) {
        compress(ctx->state, p, count / 64);
        p += count / 64 * 64;
        count %= 64;
    }
    if (count > 0) {
        memcpy(ctx->block, p, count);
        ctx->pending = (uint32_t)count;
    }
}

void synpref_sha256_final(synpref_sha256_ctx *ctx, uint8_t digest[32]) {
    uint64_t bits = ctx->length * 8;
    uint8_t tail[128];
    size_t n = ctx->pending;
    memcpy(tail, ctx->block, n);
    tail[n++] = 0x80;
    size_t total = n <= 56 ? 64 : 128;
    memset(tail + n, 0, total - 8 - n);
    for (int i = 0; i < 8; i++) tail[total - 1 - i] = (uint8_t)(bits >> (8 * i));
    compress(ctx->state, tail, total / 64);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(ctx->state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(ctx->state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(ctx->state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)ctx->state[i];
    }
}
