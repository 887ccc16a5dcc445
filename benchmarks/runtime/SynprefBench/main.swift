// Release-only micro benchmarks of the runtime's kernels: `synpref-bench gemm|attention`.
// The end-to-end comparison with PyTorch lives in benchmarks/runtime/run.py, which calls
// `synpref score` and this tool.
import Foundation
import CSynprefKernels
import SynprefModels
import SynprefTensor

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s[s.count / 2]
}

func timeIt(repeats: Int, _ body: () -> Void) -> Double {
    // Warm-up for at least 0.3 s: the first calls of a run pay for thread start-up, BLAS
    // buffers and the CPU's clock ramp (measured: the first shape of a run read half speed
    // after a single warm-up call).
    let start = Profile.now()
    repeat { body() } while Profile.now() - start < 0.3
    var times: [Double] = []
    for _ in 0..<repeats {
        let t = Profile.now()
        body()
        times.append(Profile.now() - t)
    }
    return median(times)
}

func randomFloats(_ n: Int) -> [Float] {
    var x: UInt32 = 2463534242
    return (0..<n).map { _ in
        x ^= x << 13; x ^= x >> 17; x ^= x << 5
        return Float(x % 2001) / 1000 - 1
    }
}

/// sgemm peak for Qwen3-0.6B projection shapes, then bf16 weights widened whole vs in tiles.
func benchGemm(threads: Int, repeats: Int, shapes custom: [(Int, Int, Int)]) {
    let ctx = ComputeContext(threads: threads)
    print("# sgemm  (C[M,N] = A[M,K] Bᵀ, f32, \(threads) BLAS threads; median of \(repeats))")
    let shapes = custom.isEmpty
        ? [(2048, 1024, 1024), (2048, 3072, 1024), (2048, 1024, 3072), (2048, 2048, 1024), (512, 3072, 1024), (4096, 3072, 1024)]
        : custom
    var peak = 0.0
    for (m, n, k) in shapes {
        let a = Tensor(randomFloats(m * k), shape: [m, k]), w = Tensor(randomFloats(n * k), shape: [n, k])
        let c = Tensor(zeros: [m, n])
        let t = timeIt(repeats: repeats) { Linear(weight: w).forward(a, into: c, ctx: ctx) }
        let gf = 2 * Double(m * n * k) / t / 1e9
        peak = max(peak, gf)
        print(String(format: "sgemm M=%5d N=%5d K=%5d  %6.1f GFLOP/s", m, n, k, gf))
    }
    print(String(format: "sgemm_peak_gflops %.1f", peak))
    if !custom.isEmpty { return }
    print("# bf16 weights: widen into f32 scratch then sgemm; tile = rows widened per sgemm call")
    for (m, n, k) in [(2048, 3072, 1024), (2048, 1024, 3072), (512, 3072, 1024), (128, 3072, 1024)] {
        let a = Tensor(randomFloats(m * k), shape: [m, k])
        let bits: [UInt16] = randomFloats(n * k).map { UInt16($0.bitPattern >> 16) }
        let c = Tensor(zeros: [m, n])
        var line = String(format: "bf16 M=%5d N=%5d K=%5d ", m, n, k)
        bits.withUnsafeBytes { raw in
            let w = Tensor(borrowing: raw, dtype: .bfloat16, shape: [n, k], owner: bits as AnyObject)
            for tile in [n, 1024, 512, 256, 128] {
                ctx.widenTileFloats = tile * k
                let t = timeIt(repeats: repeats) { Linear(weight: w).forward(a, into: c, ctx: ctx) }
                line += String(format: " tile=%4d: %6.1f", tile, 2 * Double(m * n * k) / t / 1e9)
            }
        }
        print(line + " GFLOP/s")
    }
}

/// Attention throughput on each kernel path (the widest the CPU has, then AVX2 at most):
/// causal with Qwen3-0.6B heads at several lengths, and bidirectional with
/// all-MiniLM-L6-v2 heads on packed batches of equal sequences.
func benchAttention(threads: Int, repeats: Int) {
    let ctx = ComputeContext(threads: threads)
    let paths: [(Int32, String)] = [(Int32(SYNPREF_KERNELS_BEST), "widest"), (Int32(SYNPREF_KERNELS_AVX2), "avx2")]
    // (label, heads, kv heads, head_dim, causal, sequence length, sequences)
    let cases = [("qwen3", 16, 8, 128, true, 512, 1), ("qwen3", 16, 8, 128, true, 1024, 1), ("qwen3", 16, 8, 128, true, 4096, 1),
                 ("minilm", 12, 12, 32, false, 64, 64), ("minilm", 12, 12, 32, false, 128, 32), ("minilm", 12, 12, 32, false, 256, 16)]
    print("# attention (\(threads) threads; GFLOP/s counts the two products, 4·heads·d per visible score)")
    for (label, heads, kv, d, causal, len, count) in cases {
        let n = len * count
        let q = Tensor(randomFloats(n * heads * d), shape: [n, heads * d])
        let k = Tensor(randomFloats(n * kv * d), shape: [n, kv * d])
        let v = Tensor(randomFloats(n * kv * d), shape: [n, kv * d])
        let o = Tensor(zeros: [n, heads * d])
        let visible = causal ? Double(len) * Double(len + 1) / 2 : Double(len) * Double(len)
        let flops = 4 * Double(heads * d) * visible * Double(count)
        var line = String(format: "attention %@ %@ len=%5d x %3d", label, causal ? "causal" : "bidir ", len, count)
        for (choice, name) in paths {
            synpref_force_kernels(choice)
            let t = timeIt(repeats: repeats) {
                Attention.forward(q: q, k: k, v: v, into: o, sequences: PackedSequences(lengths: Array(repeating: len, count: count)),
                                  heads: heads, kvHeads: kv, headDim: d, scale: 1 / Float(d).squareRoot(), causal: causal, ctx: ctx)
            }
            line += String(format: "  %@ %7.2f ms %6.1f GFLOP/s", name, t * 1e3, flops / t / 1e9)
        }
        synpref_force_kernels(Int32(SYNPREF_KERNELS_BEST))
        print(line)
    }
}

/// Scores a JSONL file of {"id","input_ids"} (same forward as `synpref score`) and prints
/// tokens/s plus where the time went.
func benchScore(model: String, input: String, threads: Int, batchTokens: Int, repeats: Int) throws {
    let rm = try RewardModel.open(model, threads: threads, maxBatchTokens: batchTokens)
    let text = try String(contentsOfFile: input, encoding: .utf8)
    let seqs: [[Int]] = text.split(separator: "\n").compactMap { line in
        guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        return (obj["input_ids"] as? [NSNumber])?.map(\.intValue)
    }
    let tokens = seqs.reduce(0) { $0 + $1.count }
    // The machine's sgemm rate right before and after each run (same process, same
    // moment), so the forward's GEMM rate can be read as a fraction of it despite noise.
    let sgemmCtx = ComputeContext(threads: threads)
    let (m, n, k) = (2048, 3072, 1024)
    let a = Tensor(randomFloats(m * k), shape: [m, k]), w = Tensor(randomFloats(n * k), shape: [n, k])
    let c = Tensor(zeros: [m, n])
    func sgemmRate() -> Double {
        2 * Double(m * n * k) / timeIt(repeats: 3) { Linear(weight: w).forward(a, into: c, ctx: sgemmCtx) } / 1e9
    }
    for r in 0..<repeats {
        let before = sgemmRate()
        rm.profile = Profile()
        let t0 = Profile.now()
        let scores = try rm.score(tokenSequences: seqs)
        let dt = Profile.now() - t0
        let p = rm.profile ?? Profile()
        print(String(format: "run %d: %d seqs %d tokens %.2f s  %.1f tokens/s | gemm %.2f s %.1f GFLOP/s, widen %.2f s, attention %.2f s %.1f GFLOP/s, other %.2f s | score[0] %.4f",
                     r, seqs.count, tokens, dt, Double(tokens) / dt, p.gemmSeconds, p.gemmFlops / p.gemmSeconds / 1e9,
                     p.widenSeconds, p.attentionSeconds, p.attentionFlops / p.attentionSeconds / 1e9,
                     dt - p.gemmSeconds - p.widenSeconds - p.attentionSeconds, scores.first ?? .nan))
        let after = sgemmRate()
        print(String(format: "run %d: sgemm (2048x3072x1024) %.1f GFLOP/s before, %.1f after: forward GEMMs at %.0f%% of it",
                     r, before, after, 100 * p.gemmFlops / p.gemmSeconds / 1e9 / ((before + after) / 2)))
    }
    if let peak = MemoryStats.peakResidentBytes() { print("peak RSS \(peak >> 20) MB") }
}

let args = CommandLine.arguments.dropFirst()
let command = args.first ?? "gemm"
var threads = ComputeContext.defaultThreads
var repeats = 5
var model = "", input = "", batchTokens = 4096
var shapes: [(Int, Int, Int)] = []
var it = args.dropFirst().makeIterator()
while let a = it.next() {
    if a == "--threads", let v = it.next(), let n = Int(v) { threads = n }
    if a == "--repeats", let v = it.next(), let n = Int(v) { repeats = n }
    if a == "--model", let v = it.next() { model = v }
    if a == "--input", let v = it.next() { input = v }
    if a == "--batch-tokens", let v = it.next(), let n = Int(v) { batchTokens = n }
    if a == "--shapes", let v = it.next() { // MxNxK,MxNxK,...
        shapes = v.split(separator: ",").compactMap { s in
            let d = s.split(separator: "x").compactMap { Int($0) }
            return d.count == 3 ? (d[0], d[1], d[2]) : nil
        }
    }
}
// What these numbers ran on (the facts `synpref doctor` prints).
for (label, value) in MachineReport.gather(threads: threads, measureSeconds: 0).lines { print("# \(label): \(value)") }
switch command {
case "gemm": benchGemm(threads: threads, repeats: repeats, shapes: shapes)
case "attention": benchAttention(threads: threads, repeats: repeats)
case "score": try benchScore(model: model, input: input, threads: threads, batchTokens: batchTokens, repeats: repeats)
default:
    FileHandle.standardError.write("usage: synpref-bench gemm [--shapes MxNxK,...]|attention|score [--threads N] [--repeats N]\n".data(using: .utf8)!)
    exit(2)
}
