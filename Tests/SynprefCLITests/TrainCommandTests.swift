import ArgumentParser
import Foundation
import SynprefTraining
import Testing

@testable import SynprefCLI
import SynprefTestSupport

/// `synpref train`: the fixed CLI contract parses into the library's options, bad
/// combinations are clear errors, and a tiny run works end to end.
@Suite(.computeThreads) struct TrainCommandTests {
    func parse(_ args: [String]) throws -> TrainCommand {
        guard let command = try SynprefCommand.parseAsRoot(["train"] + args) as? TrainCommand else {
            throw ValidationError("not a train command")
        }
        return command
    }

    let model = URL(fileURLWithPath: "/m")

    @Test func defaultsAreThePapersDevelopmentSettings() throws {
        let spec = try parse(["--model", "m", "--data", "d.jsonl", "--output", "o"]).spec(model: model)
        let o = spec.options
        #expect(o.learningRate == 4e-6 && o.batchSize == 256 && o.schedule == .linear && o.epochs == 1 && o.maxSteps == nil)
        #expect(o.clipNorm == 1.0 && o.adam == AdamW.Hyperparameters(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0))
        #expect(o.shuffle && o.loss == PairLoss() && spec.parts == TrainableParts() && spec.data == .file("d.jsonl"))
    }

    @Test func everyContractOptionParses() throws {
        let spec = try parse([
            "--model", "m", "--store", "sqlite:x.db", "--tier", "gold", "--output", "o", "--lr", "1e-5", "--batch-size", "32",
            "--micro-batch-tokens", "4096", "--epochs", "2", "--max-steps", "100", "--schedule", "cosine", "--warmup-ratio", "0.1",
            "--weight-decay", "0.01", "--adam-beta1", "0.8", "--adam-beta2", "0.95", "--adam-eps", "1e-6", "--clip-norm", "0",
            "--seed", "9", "--no-shuffle", "--center-coef", "0.01", "--lora-rank", "8", "--eval-data", "v.jsonl", "--eval-every", "10",
            "--max-length", "2048", "--over-length", "truncate", "--loss", "logexp",
        ]).spec(model: model)
        let o = spec.options
        #expect(spec.data == .store(url: "sqlite:x.db", tier: .gold) && spec.validation == .file("v.jsonl"))
        #expect(o.learningRate == 1e-5 && o.batchSize == 32 && o.microBatchTokens == 4096 && o.epochs == 2 && o.maxSteps == 100)
        #expect(o.schedule == .cosine && o.warmupRatio == 0.1 && o.warmupSteps == nil)
        #expect(o.adam == AdamW.Hyperparameters(beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.01))
        #expect(o.clipNorm == 0 && o.seed == 9 && !o.shuffle && o.loss == PairLoss(kind: .logExp, centerCoefficient: 0.01))
        #expect(spec.parts.lora == LoRAOptions(rank: 8) && o.evalEvery == 10 && spec.maxLength == 2048 && spec.overLength == .truncate)
        let silver = try parse(["--model", "m", "--store", "sqlite:x.db", "--tier", "silver", "--eval-tier", "gold", "--output", "o"]).spec(model: model)
        #expect(silver.validation == .store(url: "sqlite:x.db", tier: .gold))
        let frozen = try parse(["--model", "m", "--data", "d", "--output", "o", "--freeze-backbone", "--warmup-steps", "5"]).spec(model: model)
        #expect(frozen.parts.freezeBackbone && frozen.options.warmupSteps == 5)
    }

    @Test(arguments: [
        (["--data", "d", "--store", "s", "--tier", "gold"], "either --data or --store"),
        (["--store", "s"], "--store needs --tier"),
        ([String](), "--data FILE or --store URL --tier T"),
        (["--data", "d", "--eval-every", "5"], "--eval-every needs --eval-data or --eval-tier"),
        (["--data", "d", "--eval-tier", "gold"], "--eval-tier needs --store"),
        (["--store", "s", "--tier", "silver", "--eval-tier", "gold", "--eval-data", "v"], "--eval-data or --eval-tier, not both"),
        (["--data", "d", "--lora-targets", "q_proj"], "--lora-targets needs --lora-rank"),
        (["--data", "d", "--gradient-checkpointing", "maybe"], "auto, on or off"),
    ])
    func badCombinationsAreClearErrors(_ args: [String], _ message: String) throws {
        let command = try parse(["--model", "m", "--output", "o"] + args)
        #expect { _ = try command.spec(model: model) } throws: { "\($0)".contains(message) }
    }

    @Test func unknownEnumValuesAreRejectedByTheParser() {
        #expect(throws: (any Error).self) { _ = try parse(["--model", "m", "--data", "d", "--output", "o", "--schedule", "step"]) }
        #expect(throws: (any Error).self) { _ = try parse(["--model", "m", "--data", "d", "--output", "o", "--over-length", "cut"]) }
        #expect(throws: (any Error).self) { _ = try parse(["--model", "m", "--data", "d", "--output", "o", "--tier", "platinum"]) }
    }

    @Test func trainsTheTinyQwen3EndToEnd() async throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SynprefTrainingTests/Fixtures/train-qwen3")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-cli-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("pairs.jsonl")
        try "{\"chosen_ids\": [5, 6, 7], \"rejected_ids\": [8, 9]}\n{\"chosen_ids\": [10, 11], \"rejected_ids\": [12, 13, 14]}\n"
            .write(to: data, atomically: true, encoding: .utf8)
        let command = try parse(["--model", fixtures.path, "--data", data.path, "--output", dir.appendingPathComponent("out").path,
                                 "--lr", "1e-3", "--batch-size", "1", "--epochs", "2", "--threads", "2"])
        try await command.run()
        for f in ["config.json", "model.safetensors", "train_log.jsonl", "loss.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/\(f)").path), "\(f) missing")
        }
    }
}
