import CSynprefKernels
import Foundation
import SynprefModels
import SynprefTensor
import SynprefTestSupport
import Testing

/// Reference tensors written by a script in scripts/reference/ (a safetensors file).
struct Fixture {
    let file: SafetensorsFile

    init(_ name: String) throws {
        let url = try #require(Bundle.module.resourceURL?.appendingPathComponent("Fixtures/\(name)"))
        file = try SafetensorsFile(url: url)
    }

    func array(_ name: String) throws -> [Float] {
        let t = try file.tensor(name)
        return Tensor(borrowing: t.bytes, dtype: t.dtype, shape: t.shape, owner: t.owner).toArray()
    }

    func tensor(_ name: String) throws -> Tensor {
        let t = try file.tensor(name)
        return Tensor(try array(name), shape: t.shape)
    }

    func shape(_ name: String) throws -> [Int] { try file.tensor(name).shape }

    func ints(_ name: String) throws -> [Int] { try array(name).map { Int($0) } }

    /// The values of tensor `name` of any safetensors file, widened to f32.
    static func values(_ file: SafetensorsFile, _ name: String) throws -> [Float] {
        let t = try file.tensor(name)
        return Tensor(borrowing: t.bytes, dtype: t.dtype, shape: t.shape, owner: t.owner).toArray()
    }
}

/// Deterministic pseudo-random floats in [-scale, scale) (xorshift).
func randomFloats(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var x = seed &* 0x9E3779B97F4A7C15 | 1
    return (0..<n).map { _ in
        x ^= x << 13; x ^= x >> 7; x ^= x << 17
        return (Float(x >> 40) / Float(1 << 24) * 2 - 1) * scale
    }
}

/// Largest |a - b| / max(1, |b|): absolute below 1, relative above.
func maxScaledError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "length \(a.count) vs \(b.count)")
    var worst: Float = 0
    for (x, y) in zip(a, b) {
        let e = abs(x - y) / Swift.max(1, abs(y))
        if !(e <= worst) { worst = e.isNaN ? .infinity : e }
    }
    return worst
}

/// The gradient tolerance: within 1e-5 absolute, or 1e-4 relative for large values.
func withinGradientTolerance(_ a: [Float], _ b: [Float]) -> (ok: Bool, worst: Float) {
    precondition(a.count == b.count, "length \(a.count) vs \(b.count)")
    var worst: Float = 0
    var ok = true
    for (x, y) in zip(a, b) {
        let d = abs(x - y)
        if !(d <= 1e-5 || d <= 1e-4 * abs(y)) { ok = false }
        worst = Swift.max(worst, d)
    }
    return (ok, worst)
}

/// Directional finite-difference check of a backward: for L(x) = Σ dy · f(x) (in double),
/// compares (L(x + h u) − L(x − h u)) / 2h with Σ grad · u over a few random directions u.
/// Returns the worst relative disagreement.
func finiteDifferenceError(
    x: [Float], grad: [Float], dy: [Float], h: Float = 1e-2, directions: Int = 3, seed: UInt64 = 99,
    forward: ([Float]) -> [Float]
) -> Double {
    func loss(_ v: [Float]) -> Double {
        let y = forward(v)
        var s = 0.0
        for i in 0..<y.count { s += Double(dy[i]) * Double(y[i]) }
        return s
    }
    var worst = 0.0
    for d in 0..<directions {
        let u = randomFloats(x.count, seed: seed &+ UInt64(d) &* 7919)
        let plus = zip(x, u).map { $0 + h * $1 }, minus = zip(x, u).map { $0 - h * $1 }
        let fd = (loss(plus) - loss(minus)) / (2 * Double(h))
        var an = 0.0
        for i in 0..<x.count { an += Double(grad[i]) * Double(u[i]) }
        worst = Swift.max(worst, abs(fd - an) / Swift.max(1e-3, abs(an)))
    }
    return worst
}

let testContext = ComputeContext(threads: 2)

/// Every suite of this module runs under this one, serially: they share `testContext`,
/// whose scratch buffers serve one computation at a time.
@Suite(.serialized, .computeThreads) enum TrainingTests {}
