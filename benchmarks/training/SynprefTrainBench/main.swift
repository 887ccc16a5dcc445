// Training throughput of one model on one batch: `synpref-train-bench --model DIR --pairs
// FILE [--steps N] [--threads T] [--micro-batch-tokens N] [--gradient-checkpointing]`.
// Each step is a full optimizer step over every pair of the file (packed micro-batches,
// forward + backward + clipping + AdamW). Prints one JSON object: per-step seconds, real
// tokens per step, the activation arena's peak and the process's peak RSS.
// benchmarks/training/run.py runs it interleaved with PyTorch.
import Foundation
import SynprefTensor
import SynprefTraining

func argument(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

/// User + system CPU seconds of the process (robust to other load on a shared machine).
func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
}

func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    return 0
}

guard let modelPath = argument("--model"), let pairsPath = argument("--pairs") else {
    FileHandle.standardError.write(Data("usage: synpref-train-bench --model DIR --pairs FILE [--steps N] [--threads T] [--micro-batch-tokens N] [--gradient-checkpointing]\n".utf8))
    exit(2)
}
let steps = Int(argument("--steps") ?? "3") ?? 3
let threads = Int(argument("--threads") ?? "2") ?? 2
let budget = Int(argument("--micro-batch-tokens") ?? "4096") ?? 4096
let recompute = CommandLine.arguments.contains("--gradient-checkpointing")

do {
    let ctx = ComputeContext(threads: threads)
    let model = try TrainableModelLoader.load(directory: URL(fileURLWithPath: modelPath), recomputeLayers: recompute)
    let vocab: Int
    switch model.config {
    case .decoder(let c): vocab = c.vocabSize
    case .bert(let c): vocab = c.vocabSize
    }
    let data = try PairDataset.load(file: pairsPath, limits: PairLimits(vocabSize: vocab), encoder: nil)
    let optimizer = AdamW(parameters: model.parameters.all, hyper: .init(weightDecay: 0.01))
    let step = TrainingStep(model: model, optimizer: optimizer, loss: PairLoss(), clipNorm: 1.0)
    let micro = BatchPlan.microBatches(data.pairs, tokenBudget: budget)
    var seconds: [Double] = []
    var phases: [[String: Double]] = []
    for s in 0...steps {  // step 0 warms up (allocations, page faults)
        let t0 = Profile.now(), c0 = cpuSeconds()
        let stats = step.accumulate(micro, ctx: ctx)
        let t1 = Profile.now(), c1 = cpuSeconds()
        step.apply(lr: 1e-5, ctx: ctx)
        let t2 = Profile.now(), c2 = cpuSeconds()
        if s > 0 {
            seconds.append(t2 - t0)
            phases.append(["forward_backward": t1 - t0, "optimizer": t2 - t1, "cpu_forward_backward": c1 - c0, "cpu_optimizer": c2 - c1])
        }
        _ = stats
    }
    if CommandLine.arguments.contains("--profile") {
        // Where a step goes: the forward alone, then a few kernels at this batch's sizes.
        var t = Profile.now()
        let c = cpuSeconds()
        for m in micro { _ = model.forward(TrainingBatch(sequences: m.map(\.chosen) + m.map(\.rejected)), ctx: ctx) }
        phases.append(["forward_only": Profile.now() - t, "cpu_forward_only": cpuSeconds() - c])
        let n = data.tokenCount, width = 1536
        let x = Tensor((0..<(n * width)).map { Float($0 % 97) / 16 - 3 }, shape: [n, width])
        let y = Tensor(x.toArray(), shape: x.shape), dy = Tensor(x.toArray(), shape: x.shape), dx = Tensor(zeros: x.shape)
        t = Profile.now(); Activation.gelu(y, ctx: ctx); let fwd = Profile.now() - t
        t = Profile.now(); ActivationBackward.gelu(dy: dy, x: x, dx: dx, ctx: ctx); let bwd = Profile.now() - t
        phases.append(["gelu_forward_\(n)x\(width)": fwd, "gelu_backward": bwd])
    }
    let result: [String: Any] = [
        "side": "synpref", "step_seconds": seconds, "phases": phases, "tokens": data.tokenCount, "pairs": data.pairs.count,
        "micro_batches": micro.count, "gradient_checkpointing": recompute,
        "activation_peak_mb": Double(model.activationPeakFloats) * 4 / 1_048_576, "peak_rss_mb": peakRSSMegabytes(),
        "parameters": model.parameters.totalCount,
        "machine": MachineReport.gather(threads: threads, measureSeconds: 0).summary,
    ]
    print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("synpref-train-bench: \(error)\n".utf8))
    exit(1)
}
