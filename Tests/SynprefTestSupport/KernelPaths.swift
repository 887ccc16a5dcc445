import CSynprefKernels

/// Runs `body` once per kernel path: the widest the CPU has (AVX-512 or AVX2), at most
/// AVX2+FMA, and the portable scalar kernels. The choice is per thread, so a test running
/// beside others changes only its own kernels.
public func withEveryKernelPath(_ body: (String) throws -> Void) rethrows {
    defer { synpref_force_kernels(Int32(SYNPREF_KERNELS_BEST)) }
    for (choice, name) in [(SYNPREF_KERNELS_BEST, "widest"), (SYNPREF_KERNELS_AVX2, "avx2"), (SYNPREF_KERNELS_SCALAR, "scalar")] {
        synpref_force_kernels(Int32(choice))
        try body(name)
    }
}

/// `body`'s result on the widest kernel path the CPU has and on the AVX2 path (both AVX2
/// on a CPU without AVX-512), for tests that compare the two bit for bit.
public func onWidestAndAVX2Paths<T>(_ body: () -> T) -> (widest: T, avx2: T) {
    defer { synpref_force_kernels(Int32(SYNPREF_KERNELS_BEST)) }
    synpref_force_kernels(Int32(SYNPREF_KERNELS_BEST))
    let widest = body()
    synpref_force_kernels(Int32(SYNPREF_KERNELS_AVX2))
    return (widest, body())
}
