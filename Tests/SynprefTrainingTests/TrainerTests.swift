import Foundation
import SynprefCore
import SynprefData
import SynprefModels
import SynprefTensor
@testable import SynprefTraining
import Testing

extension TrainingTests {
/// The training job end to end on the tiny fixtures: outputs, resume, frozen backbone,
/// over-length handling and every kind of bad input.
@Suite struct TrainerTests {
    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.resourceURL?.appendingPathComponent("Fixtures/\(name)"))
    }

    static func pairs(_ name: String) throws -> [TokenPair] {
        let ref = try JSONDecoder().decode(PyTorchParityTests.Reference.self, from: Data(contentsOf: fixture("train-\(name)/reference.json")))
        return ref.pairs.map { TokenPair(chosen: $0.chosen_ids, rejected: $0.rejected_ids, margin: $0.margin) }
    }

    /// A pre-tokenized JSONL file of `pairs` in a fresh temporary folder.
    static func dataFile(_ pairs: [TokenPair], in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("pairs.jsonl").path
        let lines = pairs.map { p -> String in
            var s = "{\"chosen_ids\": \(p.chosen), \"rejected_ids\": \(p.rejected)"
            if let m = p.margin { s += ", \"margin\": \(m)" }
            return s + "}"
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func spec(_ name: String, data: String, output: URL, _ configure: (inout TrainingJobSpec) -> Void = { _ in }) throws -> TrainingJobSpec {
        var spec = TrainingJobSpec(model: try fixture("train-\(name)"), data: .file(data), output: output)
        spec.options.learningRate = 1e-3
        spec.options.batchSize = 2
        spec.options.threads = 2
        configure(&spec)
        return spec
    }

    @Test func trainsAndWritesTheOutputFolder() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Self.dataFile(try Self.pairs("qwen3"), in: dir)
        let out = dir.appendingPathComponent("run")
        let job = try await TrainingJob.prepare(try Self.spec("qwen3", data: data, output: out) {
            $0.validation = .file(data)
            $0.options.epochs = 4
            $0.options.evalEvery = 3
        })
        var events: [TrainingEvent] = []
        let summary = try await job.trainer.run { events.append($0) }
        // 6 pairs, batch 2: 3 steps per epoch, 4 epochs.
        #expect(summary.steps == 12)
        let log = TrainingLog.read(out.appendingPathComponent("train_log.jsonl"))
        #expect(log.filter { $0.kind == .train }.map(\.step) == Array(1...12))
        #expect(log.filter { $0.kind == .eval }.map(\.step) == [3, 6, 9, 12])
        // Learning: the mean loss of the last epoch is below the first's.
        let losses = log.filter { $0.kind == .train }.compactMap(\.loss)
        #expect(losses[9...].reduce(0, +) < losses[0..<3].reduce(0, +))
        #expect(summary.lastEvaluation?.accuracy ?? 0 > 0.5)
        // Hugging Face layout.
        let config = try JSONParser.parse([UInt8](Data(contentsOf: out.appendingPathComponent("config.json"))))
        #expect(config.objectValue?["architectures"] == .array([.string("Qwen3ForSequenceClassification")]))
        #expect(config.objectValue?["id2label"]?.objectValue?["0"] == .string("LABEL_0"))
        let weights = try SafetensorsFile(url: out.appendingPathComponent("model.safetensors"))
        #expect(Set(weights.tensorNames) == Set(job.trainer.model.parameters.all.map(\.name)))
        #expect(try String(contentsOf: out.appendingPathComponent("loss.svg"), encoding: .utf8).hasPrefix("<svg"))
        let best = try String(contentsOf: out.appendingPathComponent("best/best.json"), encoding: .utf8)
        #expect(best.contains("\"step\": \(summary.bestStep ?? -1)"))
        // The saved model scores like the trained parameters.
        let saved = try RewardModel(config: try ModelConfig.load(from: out), weights: Checkpoint.open(directory: out), threads: 2)
        let seqs = try Self.pairs("qwen3").flatMap { [$0.chosen, $0.rejected] }
        #expect(maxScaledError(try saved.score(tokenSequences: seqs), try job.trainer.model.inferenceModel().score(tokenSequences: seqs)) == 0)
        #expect(events.contains { if case .evaluation = $0 { return true } else { return false } })
    }

    @Test func resumedRunEqualsAnUninterruptedOne() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Self.dataFile(try Self.pairs("llama"), in: dir)
        func spec(_ out: String) throws -> TrainingJobSpec {
            try Self.spec("llama", data: data, output: dir.appendingPathComponent(out)) {
                $0.options.maxSteps = 7
                $0.options.warmupSteps = 2
                $0.options.adam.weightDecay = 0.01
            }
        }
        let whole = try await TrainingJob.prepare(try spec("whole")).trainer
        try await whole.run()
        let interrupted = try await TrainingJob.prepare(try spec("split")).trainer
        let first = try await interrupted.run(stopAfter: 3)
        #expect(first.steps == 3)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("split/model.safetensors").path))
        var resumedSpec = try spec("split")
        resumedSpec.resume = true
        let resumed = try await TrainingJob.prepare(resumedSpec).trainer
        let second = try await resumed.run(resume: true)
        #expect(second.startedAtStep == 3)
        let identical = {
            zip(whole.model.parameters.all, resumed.model.parameters.all).allSatisfy { $0.value.toArray() == $1.value.toArray() }
        }()
        #expect(identical, "resumed weights differ from the uninterrupted run's")
        let log = TrainingLog.read(dir.appendingPathComponent("split/train_log.jsonl"))
        #expect(log.filter { $0.kind == .train }.map(\.step) == Array(1...7))
    }

    @Test func resumeRefusesOtherData() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pairs = try Self.pairs("qwen3")
        let data = try Self.dataFile(pairs, in: dir)
        let out = dir.appendingPathComponent("run")
        try await TrainingJob.prepare(try Self.spec("qwen3", data: data, output: out) { $0.options.maxSteps = 3 }).trainer.run(stopAfter: 1)
        let other = try Self.dataFile(Array(pairs.dropLast()), in: dir)
        let trainer = try await TrainingJob.prepare(try Self.spec("qwen3", data: other, output: out) { $0.options.maxSteps = 3 }).trainer
        await #expect { try await trainer.run(resume: true) } throws: { "\($0)".contains("the training data differs") }
        let fresh = try await TrainingJob.prepare(try Self.spec("qwen3", data: data, output: dir.appendingPathComponent("none"))).trainer
        await #expect { try await fresh.run(resume: true) } throws: { "\($0)".contains("no trainer_state.json") }
    }

    @Test func frozenBackboneTrainsTheHeadOnFeaturesComputedOnce() throws {
        let pairs = try Self.pairs("qwen3")
        let ctx = ComputeContext(threads: 2)
        // The head's gradient from cached features equals that of the full model with a
        // frozen backbone.
        let full = try TrainableModelLoader.load(directory: try Self.fixture("train-qwen3"), parts: TrainableParts(freezeBackbone: true))
        let cached = HeadOnlyModel(freezing: try TrainableModelLoader.load(directory: try Self.fixture("train-qwen3"), parts: TrainableParts(freezeBackbone: true)))
        try cached.precompute(pairs.flatMap { [$0.chosen, $0.rejected] }, maxBatchTokens: 64, ctx: ctx)
        #expect(cached.featureCount == 12)
        var grads: [[Float]] = []
        for model in [full, cached] as [any TrainableRewardModel] {
            #expect(model.parameters.trainable.map(\.name) == ["score.weight"])
            let step = TrainingStep(model: model, optimizer: AdamW(parameters: model.parameters.all, hyper: .init()), loss: PairLoss(), clipNorm: 1)
            _ = step.accumulate([pairs], ctx: ctx)
            grads.append(try #require(model.parameters["score.weight"]?.grad).toArray())
        }
        #expect(maxScaledError(grads[1], grads[0]) < 1e-5)
    }

    /// BERT on cached first-token states: the classifier (and, with `trainPooler`, the
    /// pooler) get the gradients of the full model with the same parameters frozen, whose
    /// backward is checked against PyTorch in PyTorchParityTests.
    @Test(arguments: [false, true]) func frozenBertTrainsItsClassifierAndOptionallyItsPooler(trainPooler: Bool) throws {
        let pairs = try Self.pairs("bert")
        let ctx = ComputeContext(threads: 2)
        let parts = TrainableParts(freezeBackbone: true, trainPooler: trainPooler)
        let full = try TrainableModelLoader.load(directory: try Self.fixture("train-bert"), parts: parts)
        let cached = HeadOnlyModel(freezing: try TrainableModelLoader.load(directory: try Self.fixture("train-bert"), parts: parts))
        try cached.precompute(pairs.flatMap { [$0.chosen, $0.rejected] }, maxBatchTokens: 64, ctx: ctx)
        let names = trainPooler ? ["bert.pooler.dense.bias", "bert.pooler.dense.weight", "classifier.bias", "classifier.weight"]
                                : ["classifier.bias", "classifier.weight"]
        var grads: [[String: [Float]]] = []
        for model in [full, cached] as [any TrainableRewardModel] {
            #expect(model.parameters.trainable.map(\.name).sorted() == names)
            let step = TrainingStep(model: model, optimizer: AdamW(parameters: model.parameters.all, hyper: .init()), loss: PairLoss(), clipNorm: 1)
            _ = step.accumulate([pairs], ctx: ctx)
            grads.append(Dictionary(uniqueKeysWithValues: try names.map { ($0, try #require(model.parameters[$0]?.grad).toArray()) }))
        }
        for name in names {
            let g = try #require(grads[0][name]), c = try #require(grads[1][name])
            // The classifier's bias cancels in r(chosen) − r(rejected): its gradient is zero.
            if name != "classifier.bias" { #expect(g.contains { $0 != 0 }, "\(name): no gradient") }
            // The same arithmetic up to the order of the summation in the two forwards.
            #expect(maxScaledError(c, g) < 1e-5, "\(name)")
        }
    }

    @Test func trainPoolerNeedsAFrozenBertBackbone() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Self.dataFile(try Self.pairs("qwen3"), in: dir)
        await #expect { try await TrainingJob.prepare(try Self.spec("qwen3", data: data, output: dir.appendingPathComponent("a")) {
            $0.parts = TrainableParts(freezeBackbone: true, trainPooler: true)
        }) } throws: { "\($0)".contains("only BERT models have a pooler") }
        let bert = try Self.dataFile(try Self.pairs("bert"), in: dir)
        await #expect { try await TrainingJob.prepare(try Self.spec("bert", data: bert, output: dir.appendingPathComponent("b")) {
            $0.parts = TrainableParts(freezeBackbone: false, trainPooler: true)
        }) } throws: { "\($0)".contains("applies to a frozen backbone only") }
    }

    @Test func overLengthPairsAreDroppedOrTruncatedAndCounted() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pairs = [TokenPair(chosen: [1, 2, 3], rejected: [4, 5]), TokenPair(chosen: [1, 2, 3, 4, 5, 6], rejected: [7]),
                     TokenPair(chosen: [1], rejected: [2, 3, 4, 5, 6, 7, 8])]
        let file = try Self.dataFile(pairs, in: dir)
        let drop = try PairDataset.load(file: file, limits: PairLimits(vocabSize: 64, maxLength: 4, overLength: .drop), encoder: nil)
        #expect(drop.pairs.count == 1 && drop.dropped == 2 && drop.truncatedSequences == 0)
        let cut = try PairDataset.load(file: file, limits: PairLimits(vocabSize: 64, maxLength: 4, overLength: .truncate), encoder: nil)
        #expect(cut.pairs.count == 3 && cut.dropped == 0 && cut.truncatedSequences == 2)
        #expect(cut.pairs[1].chosen == [1, 2, 3, 4] && cut.pairs[2].rejected == [2, 3, 4, 5])
        #expect { try PairDataset.load(file: file, limits: PairLimits(vocabSize: 64, maxLength: 1, overLength: .drop), encoder: nil) }
            throws: { "\($0)".contains("all 3 pairs are longer than the maximum length 1") }
        // BERT reads at most max_position_embeddings positions: without a maximum length a
        // longer sequence is an error that says what to set.
        #expect { try PairDataset.load(file: file, limits: PairLimits(vocabSize: 64, modelMaxLength: 5), encoder: nil) }
            throws: { "\($0)".contains(":2: chosen has 6 tokens") && "\($0)".contains("set the maximum length to 5") }
    }

    @Test(arguments: [
        ("{\"chosen_ids\": [1, 2], \"rejected_ids\": [3]}\n{not json}\n", ":2: not valid JSON"),
        ("[1, 2]\n", "cannot detect the preference format"),
        ("{\"chosen_ids\": [1], \"rejected_ids\": [2]}\n[1, 2]\n", ":2: expected a JSON object"),
        ("{\"chosen_ids\": [1, 2]}\n", ":1: field \"rejected_ids\" is missing"),
        ("{\"chosen_ids\": \"1 2\", \"rejected_ids\": [3]}\n", ":1: field \"chosen_ids\" must be an array"),
        ("{\"chosen_ids\": [1, 2.5], \"rejected_ids\": [3]}\n", "item 1 is not an integer token id"),
        ("{\"chosen_ids\": [1, 64], \"rejected_ids\": [3]}\n", "token id 64 outside the model's vocabulary 0..<64"),
        ("{\"chosen_ids\": [1, -1], \"rejected_ids\": [3]}\n", "token id -1 outside"),
        ("{\"chosen_ids\": [], \"rejected_ids\": [3]}\n", "field \"chosen_ids\" is empty"),
        ("{\"chosen_ids\": [1], \"rejected_ids\": [3], \"margin\": \"big\"}\n", "field \"margin\" must be a finite number"),
        ("\n\n", "no preference pairs"),
    ])
    func badDataLinesAreClearErrors(_ text: String, _ message: String) throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad.jsonl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try PairDataset.load(file: path, limits: PairLimits(vocabSize: 64), encoder: nil) } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("bad.jsonl")
        }
    }

    @Test func missingFilesAndConversationsWithoutTokenizerAreClearErrors() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect { try PairDataset.load(file: "/nonexistent/pairs.jsonl", limits: PairLimits(vocabSize: 64), encoder: nil) }
            throws: { "\($0)".contains("/nonexistent/pairs.jsonl: cannot read the training data (no such file)") }
        // TRL's conversational format needs the model's tokenizer, which the fixture lacks.
        let path = dir.appendingPathComponent("conv.jsonl").path
        let record = #"{"chosen": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}], "rejected": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Go away."}]}"#
        try (record + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try PairDataset.load(file: path, limits: PairLimits(vocabSize: 64), encoder: nil) }
            throws: { "\($0)".contains("holds conversations") && "\($0)".contains("tokenizer.json") }
        // With an encoder the conversations become token ids (context + each response).
        struct CharEncoder: ConversationEncoder {
            func encode(_ c: [ChatMessage]) throws -> [Int] { c.flatMap { $0.content.unicodeScalars.map { Int($0.value % 64) } } }
        }
        let ds = try PairDataset.load(file: path, limits: PairLimits(vocabSize: 64), encoder: CharEncoder())
        #expect(ds.pairs.count == 1 && ds.pairs[0].chosen.count == "HiHello!".count && ds.pairs[0].rejected.count == "HiGo away.".count)
    }

    @Test func trainsOnAStoreTier() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = "sqlite:\(dir.appendingPathComponent("prefs.db").path)"
        let store = try await PreferenceStores.open(url)
        let user = ChatMessage(role: .user, content: "Hi")
        func pair(_ good: String, _ bad: String, _ tier: PreferenceTier) -> PreparedPair {
            PreparedPair(PreferencePair(context: [user], chosen: ChatMessage(role: .assistant, content: good),
                                        rejected: ChatMessage(role: .assistant, content: bad), source: "test", tier: tier))
        }
        let ids = try await store.insert([pair("Hello!", "Go.", .gold), pair("Welcome", "No", .silver), pair("Hey there", "Bye", .gold)], importID: "t")
        // A human found the third pair's stored rejected response better: it trains flipped.
        guard case .inserted(let third) = ids[2] else { Issue.record("not inserted"); return }
        _ = try await store.apply(CurationBatch(moves: [TierChange(pairID: third, to: .gold, reason: "human", flipped: true)], actor: "t"))
        try await store.close()
        struct CharEncoder: ConversationEncoder {
            func encode(_ c: [ChatMessage]) throws -> [Int] { c.flatMap { $0.content.unicodeScalars.map { Int($0.value % 64) } } }
        }
        let gold = try await PairDataset.load(store: url, tier: .gold, limits: PairLimits(vocabSize: 64), encoder: CharEncoder())
        #expect(gold.pairs.count == 2 && gold.pairs[0].chosen.count == "HiHello!".count && gold.format == "store")
        #expect(gold.pairs[1].chosen.count == "HiBye".count && gold.pairs[1].rejected.count == "HiHey there".count)
        await #expect { _ = try await PairDataset.load(store: url, tier: .gold, limits: PairLimits(vocabSize: 64), encoder: nil) }
            throws: { "\($0)".contains("holds conversations") }
        await #expect { _ = try await PairDataset.load(store: url, tier: .discarded, limits: PairLimits(vocabSize: 64), encoder: CharEncoder()) }
            throws: { "\($0)".contains("no preference pairs") }
    }

    @Test(arguments: [TrainingSetting.learningRate, .batchSize, .microBatchTokens, .epochs, .maxSteps, .warmupSteps,
                      .warmupRatio, .weightDecay, .adamBeta1, .adamBeta2, .adamEps, .clipNorm,
                      .centerCoefficient, .evalEvery, .saveEvery, .threads])
    func badOptionsAreClearErrors(_ setting: TrainingSetting) {
        var o = TrainingOptions()
        switch setting {
        case .learningRate: o.learningRate = -1
        case .batchSize: o.batchSize = 0
        case .microBatchTokens: o.microBatchTokens = 0
        case .epochs: o.epochs = 0
        case .maxSteps: o.maxSteps = 0
        case .warmupSteps: o.warmupSteps = 2; o.warmupRatio = 0.1
        case .warmupRatio: o.warmupRatio = 1.5
        case .weightDecay: o.adam.weightDecay = -0.1
        case .adamBeta1: o.adam.beta1 = 1
        case .adamBeta2: o.adam.beta2 = -0.5
        case .adamEps: o.adam.eps = 0
        case .clipNorm: o.clipNorm = -1
        case .centerCoefficient: o.loss.centerCoefficient = -1
        case .evalEvery: o.evalEvery = 0
        case .saveEvery: o.saveEvery = 0
        default: o.threads = 0
        }
        #expect { try o.validate() } throws: { error in
            guard case .invalidSetting(let s, _)? = error as? TrainingError else { return false }
            return s == setting && "\(error)".hasPrefix(setting.rawValue + ":")
        }
    }

    @Test func loraAndFreezeBackboneTogetherAreRefused() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Self.dataFile(try Self.pairs("qwen3"), in: dir)
        let spec = try Self.spec("qwen3", data: data, output: dir) {
            $0.parts = TrainableParts(lora: LoRAOptions(rank: 2), freezeBackbone: true)
        }
        await #expect { _ = try await TrainingJob.prepare(spec) } throws: { "\($0)".contains("freezeBackbone") && "\($0)".contains("LoRA") }
    }

    @Test func batchPlanCoversEveryPairOncePerEpoch() {
        let plan = BatchPlan(pairCount: 7, batchSize: 3, shuffle: true, seed: 5)
        #expect(plan.stepsPerEpoch == 3 && plan.totalSteps(epochs: 2, maxSteps: nil) == 6 && plan.totalSteps(epochs: 2, maxSteps: 10) == 10)
        for epoch in 0..<2 {
            let seen = (0..<3).flatMap { plan.step(epoch * 3 + $0).pairs }
            #expect(seen.sorted() == Array(0..<7))
        }
        #expect(plan.order(epoch: 0) != plan.order(epoch: 1))  // reshuffled each epoch
        #expect(BatchPlan(pairCount: 7, batchSize: 3, shuffle: false, seed: 5).step(1).pairs == [3, 4, 5])
        // Micro-batches: whole pairs, at most the budget (a longer pair alone).
        let p = { (n: Int) in TokenPair(chosen: Array(repeating: 1, count: n), rejected: [1]) }
        let micro = BatchPlan.microBatches([p(3), p(3), p(10), p(1)], tokenBudget: 8)
        #expect(micro.map { $0.map(\.tokenCount) } == [[4, 4], [11], [2]])
    }
}
}
