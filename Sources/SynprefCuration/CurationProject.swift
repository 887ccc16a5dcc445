import Foundation
import SynprefCore
import SynprefData
import SynprefJudge

/// A curation project in a store: its configuration, recorded once by `initialize` after
/// everything it names has been checked, and read back by every later command.
public struct CurationProject: Sendable {
    public let name: String
    public let config: CurationConfig
    public let store: any PreferenceStore
    /// The store's URL, for the steps that open it themselves (training reads its tiers);
    /// nil when the project was opened without one.
    public var storeURL: String?
    /// How its reward models score pairs (shared features when heads only are trained).
    public let scoring: ProjectScoring

    public init(name: String, config: CurationConfig, store: any PreferenceStore, storeURL: String? = nil) {
        self.name = name
        self.config = config
        self.store = store
        self.storeURL = storeURL
        scoring = ProjectScoring(config: config)
    }

    /// The work queues the pipeline uses, in pipeline order (`queue(_:)` names them in the store).
    public static let queues = ["judge-attributes", "human-verify", "judge-verify", "judge-preference"]

    /// The store's name of this project's queue `step` (projects share a store, not queues).
    public func queue(_ step: String) -> String { "\(name)/\(step)" }

    /// Checks what the configuration names (the judges file, the embedder and reward-model
    /// folders, the simulated annotators' truth file) and records it in the store. Returns
    /// false when the project already exists with this very configuration.
    @discardableResult
    public static func initialize(store: any PreferenceStore, config: CurationConfig) async throws -> Bool {
        try check(config)
        return try await store.createProject(name: config.name, config: config.json.serialized())
    }

    /// Opens project `name`, or the store's only project when `name` is nil.
    public static func open(store: any PreferenceStore, name: String?, url: String? = nil) async throws -> CurationProject {
        let names = try await store.projectNames()
        guard let chosen = name ?? (names.count == 1 ? names[0] : nil) else {
            throw CurationError.noProject(name: name ?? "(none given)", available: names)
        }
        guard let text = try await store.projectConfig(name: chosen) else { throw CurationError.noProject(name: chosen, available: names) }
        return CurationProject(name: chosen, config: try CurationConfig.recorded(text, project: chosen), store: store, storeURL: url)
    }

    static func check(_ config: CurationConfig) throws {
        if let judges = config.judges { _ = try JudgeConfig.load(path: judges) }
        try checkModel(config.embedder, field: "embedder", needs: ["modules.json", "config.json"])
        try checkModel(config.rewardModel.base, field: "reward_model.base", needs: ["config.json"])
        if let validation = config.humans.validation {
            let pairs = try PreferenceFileReader.readAll(path: validation)
            if pairs.isEmpty { throw CurationError.input(file: validation, reason: "no pairs; humans.validation needs human-labelled pairs") }
        }
        if let sim = config.humans.simulate {
            let truth = try SimulatedTruth.load(path: sim.truth)
            if truth.isEmpty { throw CurationError.input(file: sim.truth, reason: "no labels; the simulated annotators need the truth of the pairs they see") }
        }
    }

    /// A local model folder must hold one of `needs`; anything that is not a local path is
    /// taken as a Hugging Face repo id (checked when it is downloaded).
    static func checkModel(_ reference: String, field: String, needs: [String]) throws {
        guard reference.hasPrefix("/") else { return }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: reference, isDirectory: &isDir), isDir.boolValue else {
            throw CurationError.config(file: "curate.json", field: field, reason: "\(reference) is not a folder; give a model folder or a Hugging Face repo id")
        }
        guard needs.contains(where: { FileManager.default.fileExists(atPath: (reference as NSString).appendingPathComponent($0)) }) else {
            throw CurationError.config(file: "curate.json", field: field, reason: "\(reference) holds none of \(needs.joined(separator: ", ")); is it a model folder?")
        }
    }

    /// Where the project stands.
    public func status() async throws -> CurationStatus {
        let stats = try await store.stats()
        var queues: [(String, QueueCounts)] = []
        for q in Self.queues {
            let counts = try await store.queueCounts(queue: queue(q))
            if !counts.isEmpty { queues.append((q, counts)) }
        }
        return CurationStatus(project: name, config: config, pairs: stats.total, tiers: stats.byTier, contaminated: stats.contaminated,
                              queues: queues, steps: try await store.steps(project: name))
    }
}

/// `CurationProject.status()`: the pool by tier, the project's queues and its step record.
public struct CurationStatus: Sendable {
    public var project: String
    public var config: CurationConfig
    public var pairs: Int
    public var tiers: [String: Int]
    public var contaminated: Int
    public var queues: [(name: String, counts: QueueCounts)]
    public var steps: [StepRecord]

    /// The last Stage 1 round with a finished step (0 before any).
    public var lastRound: Int { steps.filter { $0.state == .done && !$0.step.hasPrefix("stage2-") }.map(\.round).max() ?? 0 }
    /// Whether Stage 2 has finished.
    public var stageTwoDone: Bool { steps.contains { $0.step == "stage2-filter" && $0.state == .done } }

    public var json: JSONValue {
        var tiersObject = JSONObject()
        for t in PreferenceTier.allCases { tiersObject[t.rawValue] = .integer(tiers[t.rawValue] ?? 0) }
        var queuesObject = JSONObject()
        for (q, c) in queues {
            queuesObject[q] = .object(JSONObject(WorkTask.State.allCases.map { ($0.rawValue, JSONValue.integer(c.tasks[$0] ?? 0)) }))
        }
        let stepValues: [JSONValue] = steps.map { s in
            var o: JSONObject = ["round": .integer(s.round), "step": .string(s.step), "state": .string(s.state.rawValue),
                                 "started_at": .double(s.startedAt.timeIntervalSince1970)]
            o["finished_at"] = s.finishedAt.map { .double($0.timeIntervalSince1970) } ?? .null
            o["details"] = (try? JSONParser.parse(s.details)) ?? .string(s.details)
            return .object(o)
        }
        return ["project": .string(project), "config": config.json, "pairs": .integer(pairs), "tiers": .object(tiersObject),
                "contaminated": .integer(contaminated), "queues": .object(queuesObject), "steps": .array(stepValues),
                "rounds_done": .integer(lastRound), "stage2_done": .bool(stageTwoDone)]
    }
}
