#include "synpref_kernels.h"
#include "internal.h"
#include <string.h>

// Per thread: a test that forces narrower kernels affects only its own computation
// (ComputeContext hands the choice to the workers it starts), never a concurrent one.
static _Thread_local int forced = SYNPREF_KERNELS_BEST;

#if SYNPREF_X86
#include <cpuid.h>

static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}
#endif

uint64_t synpref_cpu_features(void) {
    uint64_t f = 0;
#if SYNPREF_X86
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (d & (1u << 26)) f |= SYNPREF_CPU_SSE2;
    if (c & (1u << 0)) f |= SYNPREF_CPU_SSE3;
    if (c & (1u << 19)) f |= SYNPREF_CPU_SSE41;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1, f16c = (c >> 29) & 1;
    uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    // The OS must save the registers: YMM (XCR0 bits 1-2), ZMM and mask state (bits 5-7),
    // AMX tile state (bits 17-18).
    int ymm = (xcr0 & 0x6) == 0x6, zmm = ymm && (xcr0 & 0xe0) == 0xe0, tiles = (xcr0 & 0x60000) == 0x60000;
    if (ymm && avx) f |= SYNPREF_CPU_AVX;
    if (ymm && fma) f |= SYNPREF_CPU_FMA;
    if (ymm && f16c) f |= SYNPREF_CPU_F16C;
    unsigned maxLeaf = __get_cpuid_max(0, 0);
    if (maxLeaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if (ymm && (b & (1u << 5))) f |= SYNPREF_CPU_AVX2;
        if (zmm) {
            if (b & (1u << 16)) f |= SYNPREF_CPU_AVX512F;
            if (b & (1u << 17)) f |= SYNPREF_CPU_AVX512DQ;
            if (b & (1u << 30)) f |= SYNPREF_CPU_AVX512BW;
            if (b & (1u << 31)) f |= SYNPREF_CPU_AVX512VL;
            if (c & (1u << 11)) f |= SYNPREF_CPU_AVX512VNNI;
            if (d & (1u << 23)) f |= SYNPREF_CPU_AVX512FP16;
        }
        if (tiles && (d & (1u << 24))) f |= SYNPREF_CPU_AMX_TILE;
        if (tiles && (d & (1u << 22))) f |= SYNPREF_CPU_AMX_BF16;
        if (b & (1u << 29)) f |= SYNPREF_CPU_SHA;
        unsigned a1, b1, c1, d1;
        __cpuid_count(7, 1, a1, b1, c1, d1);
        if (zmm && (a1 & (1u << 5))) f |= SYNPREF_CPU_AVX512BF16;
        if (ymm && (a1 & (1u << 4))) f |= SYNPREF_CPU_AVXVNNI;
    }
#endif
    return f;
}

void synpref_cpu_brand(char out[49]) {
    out[0] = 0;
#if SYNPREF_X86
    unsigned regs[12];
    if (__get_cpuid_max(0x80000000, 0) < 0x80000004) return;
    for (unsigned i = 0; i < 3; i++)
        __get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
    memcpy(out, regs, 48);
    out[48] = 0;
#endif
}

void synpref_force_kernels(int choice) { forced = choice; }

int synpref_forced_kernels(void) { return forced; }

int synpref_use_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        uint64_t f = synpref_cpu_features();
        cached = (f & SYNPREF_CPU_AVX2) && (f & SYNPREF_CPU_FMA);
    }
    return cached && forced != SYNPREF_KERNELS_SCALAR;
}

int synpref_use_avx512(void) {
    static int cached = -1;
    if (cached < 0) {
        uint64_t f = synpref_cpu_features(), need = SYNPREF_CPU_AVX512F | SYNPREF_CPU_AVX512BW |
            SYNPREF_CPU_AVX512DQ | SYNPREF_CPU_AVX512VL | SYNPREF_CPU_AVX2 | SYNPREF_CPU_FMA;
        cached = (f & need) == need;
    }
    return cached && forced == SYNPREF_KERNELS_BEST;
}
