#include "synpref_kernels.h"
#include "internal.h"

static int force_scalar = 0;

int synpref_cpu_has_avx2_fma(void) {
#if SYNPREF_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int synpref_cpu_has_avx512f(void) {
#if SYNPREF_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

void synpref_force_scalar(int on) { force_scalar = on; }

int synpref_use_avx2(void) {
    static int cached = -1;
    if (cached < 0) cached = synpref_cpu_has_avx2_fma();
    return cached && !force_scalar;
}
