import Foundation
import Testing
import SynprefCore
import SynprefData
import SynprefModels
import SynprefTraining
@testable import SynprefCuration
import SynprefTestSupport

/// Stage 1's round model on the real all-MiniLM-L6-v2 (head only): trained on silver,
/// the checkpoint kept by gold accuracy, p for every gold pair in its verified orientation
/// and the model's labels on record.
@Suite(.computeThreads) struct RoundModelTests {
    static var minilm: String? { SynprefAssets.locate("minilm")?.path }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/model.safetensors"), "needs MiniLM (scripts/fetch-assets.sh)"),
          arguments: ["head", "pooler+head"])
    func trainsOnSilverKeepsTheBestOnGoldAndScoresGold(train: String) async throws {
        let model = try #require(Self.minilm)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-round-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = "sqlite:\(dir.appendingPathComponent("s.db").path)"
        let store = try await PreferenceStores.open(url)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let reader = try PreferenceFileReader(path: root.appendingPathComponent("examples/data/hh-rlhf/harmless-base-test.jsonl.gz").path,
                                              source: "hh", overrideSource: false)
        var pairs: [PreparedPair] = []
        while pairs.count < 60, let batch = try reader.nextBatch() { for o in batch { pairs += o.pairs } }
        let ids = try await store.insert(Array(pairs.prefix(60)), importID: "t").compactMap { o -> Int64? in
            if case .inserted(let id) = o { return id } else { return nil }
        }
        #expect(ids.count == 60)
        // 50 silver; 10 gold, of which a human found two the other way round.
        var moves = ids[0..<50].map { TierChange(pairID: $0, to: .silver, reason: "t") }
        moves += ids[50...].enumerated().map { k, id in TierChange(pairID: id, to: .gold, reason: "t", flipped: k < 2) }
        _ = try await store.apply(CurationBatch(moves: moves, actor: "t"))

        var config = CurationConfig(name: "p", embedder: model, rewardModel: .init(base: model))
        config.rewardModel.train = train
        config.rewardModel.learningRate = 1e-3
        config.rewardModel.batchSize = 16
        config.rewardModel.epochs = 2
        try await store.createProject(name: "p", config: config.json.serialized())
        let project = CurationProject(name: "p", config: config, store: store, storeURL: url)
        let result = try await RoundModel.train(project, round: 1, output: dir.appendingPathComponent("round-1"))
        #expect(result.trainPairs == 50 && result.goldP.count == 10)
        #expect(result.model.lastPathComponent == "best")
        // The trainer's gold accuracy and the scoring path agree on the kept model.
        let accuracy = Double(result.goldP.values.filter { $0 > 0.5 }.count) / 10
        #expect(abs(accuracy - (result.goldAccuracy ?? -1)) < 1e-9)
        // Each gold pair's label: the stored response the model prefers, confidence max(s, 1 − s).
        for id in ids[50...] {
            let pair = try #require(try await store.pair(id: id))
            let label = try #require(pair.labels.last)
            let p = try #require(result.goldP[id])
            let s = pair.verifiedFlipped ? 1 - p : p
            #expect(label.labeler == .rewardModel(result.fingerprint))
            #expect(label.label == (s >= 0.5 ? .chosen : .rejected))
            #expect(abs((label.confidence ?? -1) - max(s, 1 - s)) < 1e-12)
        }
        // The project's head-only scoring (shared backbone features, the trainer's own
        // validation path) gives the engine's rewards for the saved model.
        let gold = try await store.allPairs(tier: .gold)
        let shared = try project.scoring.rewards(gold, model: result.model.path)
        let engine = try PairScoring.rewards(gold, model: PairScoring.open(result.model.path, config: config))
        #expect(shared.count == 10 && engine.count == 10)
        for (id, e) in engine {
            let s = try #require(shared[id])
            #expect(abs(s.chosen - e.chosen) < 1e-4 && abs(s.rejected - e.rejected) < 1e-4, "pair \(id): \(s) vs \(e)")
        }
        #expect(try #require(try project.scoring.features()).count >= 120, "the training run's features were shared")
        // Only the head trained; with "pooler+head" the pooler too.
        let before = try TrainableModelLoader.load(directory: URL(fileURLWithPath: model), parts: TrainableParts()).parameters
        let after = try TrainableModelLoader.load(directory: result.model, parts: TrainableParts()).parameters
        for name in ["bert.pooler.dense.weight", "bert.encoder.layer.5.output.dense.weight"] {
            let changed = try #require(before[name]).value.toArray() != (try #require(after[name]).value.toArray())
            #expect(changed == (train == "pooler+head" && name.contains("pooler")), "\(name)")
        }

        // An external trainer: fed TRL files, it leaves a model in {output} (here a copy of
        // the one just trained); p for gold comes from that model through the engine.
        var external = config
        external.rewardModel.externalTrainer = "test -s {train} && test -s {eval} && cp -R \(result.model.path)/. {output}/"
        let viaCommand = CurationProject(name: "p", config: external, store: store, storeURL: url)
        let outside = try await RoundModel.train(viaCommand, round: 1, output: dir.appendingPathComponent("external"))
        #expect(outside.trainPairs == 50 && outside.goldP.count == 10)
        for (id, p) in result.goldP { #expect(abs(p - (outside.goldP[id] ?? -1)) < 1e-4) }
        let train = try String(contentsOfFile: dir.appendingPathComponent("external-data/train.jsonl").path, encoding: .utf8)
        #expect(train.split(separator: "\n").count == 50 && train.contains("\"prompt\""))
        external.rewardModel.externalTrainer = "exit 3"
        await #expect {
            _ = try await RoundModel.train(CurationProject(name: "p", config: external, store: store, storeURL: url), round: 1,
                                           output: dir.appendingPathComponent("failing"))
        } throws: { "\($0)".contains("external_trainer") && "\($0)".contains("exit status 3") }
        try await store.close()
    }
}
