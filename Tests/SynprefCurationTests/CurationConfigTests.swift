import Foundation
import Testing
import SynprefCore
import SynprefData
@testable import SynprefCuration

/// curate.json: defaults, paths, and an error naming the field for every kind of mistake;
/// the project recorded in a store once, never changed.
@Suite struct CurationConfigTests {
    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-curate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("models/rm"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("models/emb"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: dir.appendingPathComponent("models/rm/config.json"))
        try Data("[]".utf8).write(to: dir.appendingPathComponent("models/emb/modules.json"))
        return dir
    }

    func write(_ dir: URL, _ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func aMinimalFileGetsTheDocumentedDefaultsAndAbsolutePaths() throws {
        let dir = try folder()
        let path = try write(dir, "curate.json", #"{"embedder": "models/emb", "reward_model": {"base": "models/rm"}}"#)
        let c = try CurationConfig.load(path: path)
        #expect(c.name == "default" && c.rounds == 2 && c.kMax == 8 && c.seed == 0 && c.judges == nil)
        #expect(c.embedder == dir.appendingPathComponent("models/emb").standardizedFileURL.path)
        #expect(c.rewardModel.base.hasSuffix("/models/rm") && c.rewardModel.train == "full")
        #expect(c.humans.budgetPerRound == 100 && c.humans.simulate == nil && c.minConfidence == 0.5)
        #expect(c.stage2Threshold == 0.5 && c.stage2Band == 0.1 && c.aggregate == .majority && c.stage2Recycle == false)
        #expect(c.seedPool == CurationConfig.SeedPool(sources: [], share: 0.1))
        // A repo id that is not a local folder stays as given.
        let hub = try write(dir, "hub.json", #"{"embedder": "sentence-transformers/all-MiniLM-L6-v2", "reward_model": {"base": "Qwen/Qwen3-0.6B"}}"#)
        let h = try CurationConfig.load(path: hub)
        #expect(h.embedder == "sentence-transformers/all-MiniLM-L6-v2" && h.rewardModel.base == "Qwen/Qwen3-0.6B")
        // What the store records reads back to the same configuration.
        #expect(try CurationConfig.recorded(c.json.serialized(), project: "p") == c)
    }

    @Test(arguments: [
        (#"{"embedder": "e", "reward_model": {"base": "b"}, "round": 3}"#, "round: unknown field"),
        (#"{"reward_model": {"base": "b"}}"#, "embedder: missing"),
        (#"{"embedder": "e"}"#, "reward_model: missing"),
        (#"{"embedder": "e", "reward_model": {"base": "b", "train": "lora"}}"#, #"reward_model.train: "lora"; expected one of "head", "pooler+head", "full""#),
        (#"{"embedder": "e", "reward_model": {"base": "b"}, "rounds": -1}"#, "rounds: expected an integer in [0, 1000]"),
        (#"{"embedder": "e", "reward_model": {"base": "b"}, "k_max": 2.5}"#, "k_max: expected an integer"),
        (#"{"embedder": "e", "reward_model": {"base": "b"}, "humans": {"simulate": {"truth": "t.jsonl", "noise": 0.7}}}"#, "humans.simulate.noise: expected a number in [0, 0.5]"),
        (#"{"embedder": "e", "reward_model": {"base": "b"}, "humans": {"simulate": {"noise": 0.1}}}"#, "humans.simulate.truth: missing"),
        (#"{"embedder": "e", "reward_model": {"base": "b"}, "humans": {"simulate": {"truth": "t", "annotators": ["a", "a"]}}}"#, "annotators: names must be unique"),
        (#"{"embedder": "e", "reward_model": {"base": "b"}, "judging": {"aggregate": "vote"}}"#, #"judging.aggregate: "vote"; expected one of "majority", "unanimous""#),
        (#"{"embedder": "e", "reward_model": {"base": "b"}, "stage2": {"band": 0.9}}"#, "stage2.band: expected a number in [0, 0.5]"),
        (#"{"embedder": "e", "reward_model": {"base": "b"}, "stage2": {"recycle": "yes"}}"#, "stage2.recycle: expected true or false"),
        (#"{"embedder": "e", "reward_model": {"base": "b"}, "seed_pool": {"share": 2}}"#, "seed_pool.share: expected a number in [0, 1]"),
        (#"{"embedder": "e", "reward_model": {"base": "b"}, "seed_pool": {"source": ["a"]}}"#, "seed_pool.source: unknown field"),
        (#"[1]"#, "(root): expected an object"),
        (#"{"embedder": "#, "not valid JSON"),
    ])
    func everyMistakeNamesItsField(text: String, message: String) throws {
        let path = try write(try folder(), "curate.json", text)
        #expect { try CurationConfig.load(path: path) } throws: { error in
            "\(error)".contains(path) && "\(error)".contains(message)
        }
    }

    @Test func theSeedPoolIsTheNamedSourcesAndASeededShareOfTheRest() {
        let pairs = (0..<2000).map { i in
            PreferencePair(context: [ChatMessage(role: .user, content: "q\(i)")], chosen: ChatMessage(role: .assistant, content: "a"),
                           rejected: ChatMessage(role: .assistant, content: "b"), source: i < 10 ? "seed" : "pool")
        }
        let pool = CurationConfig.SeedPool(sources: ["seed"], share: 0.25)
        let chosen = pairs.filter { pool.contains($0, seed: 3) }
        #expect(pairs.prefix(10).allSatisfy { pool.contains($0, seed: 3) })
        let share = Double(chosen.count - 10) / 1990
        #expect(abs(share - 0.25) < 0.04, "\(share)")
        #expect(pairs.filter { pool.contains($0, seed: 3) }.map(\.contentHash) == chosen.map(\.contentHash), "the same pairs every time")
        #expect(pairs.filter { pool.contains($0, seed: 4) }.map(\.contentHash) != chosen.map(\.contentHash), "another seed, another share")
        #expect(pairs.allSatisfy { CurationConfig.SeedPool(share: 1).contains($0, seed: 0) })
        #expect(!pairs.contains { CurationConfig.SeedPool(share: 0).contains($0, seed: 0) })
    }

    @Test func initChecksWhatTheConfigurationNamesThenRecordsItOnce() async throws {
        let dir = try folder()
        let store = try SQLitePreferenceStore(path: dir.appendingPathComponent("s.db").path)
        // A missing model folder, a broken judges file, a truth file with a bad line: refused.
        let missing = try CurationConfig.load(path: try write(dir, "a.json", #"{"embedder": "./models/nope", "reward_model": {"base": "models/rm"}}"#))
        await #expect { try await CurationProject.initialize(store: store, config: missing) } throws: { "\($0)".contains("models/nope is not a folder") }
        _ = try write(dir, "judges.json", #"[{"name": "a", "endpoint": "ftp://x", "model": "m"}]"#)
        let badJudges = try CurationConfig.load(path: try write(dir, "b.json", #"{"judges": "judges.json", "embedder": "models/emb", "reward_model": {"base": "models/rm"}}"#))
        await #expect { try await CurationProject.initialize(store: store, config: badJudges) } throws: { "\($0)".contains("[0].endpoint") }
        _ = try write(dir, "truth.jsonl", "{\"content_hash\": \"\(String(repeating: "ab", count: 32))\", \"label\": \"chosen\"}\n{\"content_hash\": \"xyz\", \"label\": \"chosen\"}\n")
        let badTruth = try CurationConfig.load(path: try write(dir, "c.json", #"{"embedder": "models/emb", "reward_model": {"base": "models/rm"}, "humans": {"simulate": {"truth": "truth.jsonl"}}}"#))
        await #expect { try await CurationProject.initialize(store: store, config: badTruth) } throws: { "\($0)".contains("truth.jsonl:2: content_hash") }
        #expect(try await store.projectNames().isEmpty)

        let good = try CurationConfig.load(path: try write(dir, "d.json", #"{"name": "p1", "embedder": "models/emb", "reward_model": {"base": "models/rm"}, "rounds": 3}"#))
        #expect(try await CurationProject.initialize(store: store, config: good))
        #expect(try await !CurationProject.initialize(store: store, config: good))
        var changed = good
        changed.rounds = 4
        await #expect(throws: StoreError.self) { try await CurationProject.initialize(store: store, config: changed) }
        let opened = try await CurationProject.open(store: store, name: nil)
        #expect(opened.name == "p1" && opened.config == good)
        let status = try await opened.status()
        #expect(status.pairs == 0 && status.steps.isEmpty && status.lastRound == 0 && status.queues.isEmpty)
        await #expect { try await CurationProject.open(store: store, name: "p2") } throws: { "\($0)".contains("no curation project \"p2\"") }
        try await store.close()
    }
}
