// Hot element-wise and attention kernels in C. Each vectorised function carries a
// per-function `target("avx2,fma")` attribute and is chosen at run time after a CPU check,
// so the package needs no unsafeFlags and stays usable as a dependency.
#ifndef SYNPREF_KERNELS_H
#define SYNPREF_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU supports AVX2 and FMA (x86-64), else 0.
int synpref_cpu_has_avx2_fma(void);

#endif
