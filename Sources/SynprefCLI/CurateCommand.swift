import ArgumentParser
import Foundation
import SynprefCore
import SynprefCuration
import SynprefData

/// `synpref curate …`: the Skywork-Reward-V2 curation pipeline on a store.
struct CurateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curate",
        abstract: "Curate a preference pool with humans and LLMs (Skywork-Reward-V2 Stage 1 and Stage 2).",
        discussion: """
            A curation project lives in a store: `curate init` checks a configuration file \
            (curate.json: judges, embedder, reward model, rounds, humans; see \
            docs/curation.md) and records it there; every later command reads it from the \
            store. `curate status` shows the pool by tier, the project's work queues and \
            every recorded step.
            """,
        subcommands: [CurateInitCommand.self, CurateStatusCommand.self, CurateRunCommand.self, CurateStage2Command.self, CurateWorkCommand.self, CurateReportCommand.self, CurateExperimentCommand.self,
                      CurateTasksCommand.self])
}

/// `synpref curate tasks export|import`: human verification by file.
struct CurateTasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Human verification tasks by file (export for an annotator, import the answers).",
        discussion: """
            export claims up to --limit open human-verification tasks for --annotator (leased \
            for --lease-hours) and writes one line per task: {"task_id", "annotator", \
            "lease_expires_at", "conversation", "response_1", "response_2", "attributes"} (the \
            two responses in a seeded random order). import reads answer lines {"task_id", \
            "annotator", "verdict": "response_1" | "response_2" | "cannot_determine", \
            "note"?}: every line is checked first; then each answer is recorded (the label \
            human:ANNOTATOR and the move to gold in the verified orientation, or to discarded) \
            with its task's completion. Answers for tasks the annotator no longer holds are \
            refused with the reason; nothing is lost or recorded twice.
            """,
        subcommands: [CurateTasksExportCommand.self, CurateTasksImportCommand.self])
}

struct CurateTasksExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write an annotator's next tasks to a file.")

    @OptionGroup var target: CurateOptions
    @Option(help: "The annotator's name (recorded as human:NAME).")
    var annotator: String
    @Option(help: "Tasks to take at most.")
    var limit: Int = 50
    @Option(name: .customLong("lease-hours"), help: "How long the annotator holds the tasks.")
    var leaseHours: Double = 24
    @Option(help: "Output JSON lines file.")
    var output: String

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if !(leaseHours > 0) { throw ValidationError("--lease-hours must be positive") }
    }

    func run() async throws {
        let n = try await withStore(target.store) { opened in
            let p = try await CurationProject.open(store: opened, name: target.project, url: target.store)
            return try await HumanTaskFiles(verification: HumanVerification(project: p))
                .export(annotator: annotator, limit: limit, lease: leaseHours * 3600, to: output)
        }
        FileHandle.standardError.write(Data("synpref curate: \(n) task(s) for \(annotator) written to \(output)\n".utf8))
    }
}

struct CurateTasksImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Record annotators' answers from a file.")

    @OptionGroup var target: CurateOptions
    @Argument(help: "Answer lines (JSON lines).")
    var answers: String

    func run() async throws {
        let report = try await withStore(target.store) { opened in
            let p = try await CurationProject.open(store: opened, name: target.project, url: target.store)
            return try await HumanTaskFiles(verification: HumanVerification(project: p)).importAnswers(path: answers)
        }
        var text = "synpref curate: \(report.recorded) answer(s) recorded, \(report.refused.count) refused\n"
        for r in report.refused.prefix(20) { text += "  \(r)\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }
}

struct CurateInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Check a curation configuration and record it in the store.",
        discussion: """
            Every field is checked before anything is recorded: unknown fields, values out \
            of range, the judges file, the model folders and the simulated annotators' truth \
            file (errors name the file, line and field). Paths are stored absolute. A \
            project's configuration never changes: running init again with the same file is \
            a no-op; with a different one it is refused (choose a new "name").
            """)

    @Option(help: "The store (sqlite:PATH or postgres://...).")
    var store: String = PreferenceStores.defaultURL

    @Option(help: "The configuration file (curate.json).")
    var config: String

    func run() async throws {
        let parsed = try CurationConfig.load(path: config)
        let created = try await withStore(store) { try await CurationProject.initialize(store: $0, config: parsed) }
        let line = created ? "synpref curate: project \"\(parsed.name)\" recorded in \(store)"
            : "synpref curate: project \"\(parsed.name)\" is already in \(store) with this configuration; nothing to do"
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

struct CurateStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show where a curation project stands.")

    @OptionGroup var target: CurateOptions

    @Flag(help: "Print the status as JSON.")
    var json = false

    func run() async throws {
        let status = try await withStore(target.store) { try await CurationProject.open(store: $0, name: target.project, url: target.store).status() }
        if json {
            print(status.json.serialized(indent: 2))
            return
        }
        print("project \(status.project): \(status.config.rounds) round(s) planned, \(status.lastRound) with finished steps; Stage 2 \(status.stageTwoDone ? "done" : "not done")")
        let tiers = PreferenceTier.allCases.map { "\($0.rawValue) \(status.tiers[$0.rawValue] ?? 0)" }.joined(separator: ", ")
        print("pool: \(status.pairs) pairs (\(tiers); \(status.contaminated) contaminated)")
        print("judges: \(status.config.judges ?? "none (the LLM steps are skipped)")")
        if let sim = status.config.humans.simulate {
            print("humans: simulated (\(sim.annotators.joined(separator: ", ")); noise \(sim.noise)), \(status.config.humans.budgetPerRound) per round")
        } else {
            print("humans: \(status.config.humans.budgetPerRound) per round")
        }
        for (name, counts) in status.queues {
            let parts = WorkTask.State.allCases.compactMap { s in counts.tasks[s].map { "\(s.rawValue) \($0)" } }
            print("queue \(name): \(parts.joined(separator: ", "))")
        }
        if status.steps.isEmpty { print("steps: none yet") }
        for s in status.steps {
            let seconds = s.finishedAt.map { String(format: " in %.1f s", $0.timeIntervalSince(s.startedAt)) } ?? ""
            print("round \(s.round) \(s.step): \(s.state.rawValue)\(seconds) \(s.details)")
        }
    }
}
