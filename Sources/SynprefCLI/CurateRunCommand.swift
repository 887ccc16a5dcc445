import ArgumentParser
import Foundation
import SynprefCore
import SynprefCuration
import SynprefData
import SynprefJudge

/// `synpref curate run`: Stage 1 rounds until the configured number, resumable.
struct CurateRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run Stage 1 rounds until the configured number (continues where the last run stopped).",
        discussion: """
            Each round: attributes by the LLM judges for pairs without them; human \
            verification (the paper's priority, then the last model's least certain pairs) → \
            gold; LLM verification of the seed remainder → silver; a Bradley-Terry reward \
            model trained on silver, kept by its accuracy on gold, p for every gold pair; \
            error-driven retrieval of unverified pairs with the paper's k; preference-aware \
            LLM labelling of what was retrieved → silver or discarded (a share to humans → \
            gold); the round report. Every step is recorded in the store: after a crash or \
            Ctrl-C, run the command again and it continues where it stopped (no label lost, \
            no judge call paid twice, no pair moved twice). Without a judges file the LLM \
            steps are skipped: the round's model trains on the unverified pool's stored \
            labels and the retrieved pairs go to the humans first next round. With real \
            annotators the run stops when their tasks are open and says how to answer them; \
            run it again afterwards. Other machines can help with the judge calls: \
            `synpref curate work`.
            """)

    @OptionGroup var target: CurateOptions

    @Option(name: .customLong("work-dir"), help: "Where round models and score files are written (default: synpref-curation/PROJECT).")
    var workDir: String?

    @Option(help: "This process's name on the work queues (default: host:pid).")
    var worker: String?

    func run() async throws {
        let progress = TrainProgress()
        let outcome = try await withStore(target.store) { store in
            let project = try await CurationProject.open(store: store, name: target.project, url: target.store)
            var stage = StageOne(project: project, ledger: try await StepLedger(project: project), workDir: curationWorkDir(workDir, project: project.name))
            stage.hooks = curationHooks(progress, worker: worker, prefix: "synpref curate")
            return try await stage.run()
        }
        progress.finish()
        switch outcome {
        case .finished(let rounds):
            print("synpref curate: Stage 1 done (\(rounds) round(s)); next: `synpref curate stage2 --store \(target.store)`, and `synpref curate report`")
        case .waitingForHumans(let round, let open):
            print("synpref curate: round \(round) waits for \(open) human task(s); answer them (`synpref curate tasks export` / `import`, or the annotation app) and run `synpref curate run` again")
        }
    }
}

/// A pipeline run's hooks drawing on the CLI's progress line.
func curationHooks(_ progress: TrainProgress, worker: String?, prefix: String) -> RunHooks {
    var hooks = RunHooks()
    if let worker { hooks.worker = worker }
    hooks.log = { progress.line("\(prefix): \($0)") }
    hooks.progress = progress
    let started = Date()
    hooks.judgeProgress = { what, p in progress.update("\(what): " + JudgeCommand.describe(p, elapsed: Date().timeIntervalSince(started))) }
    return hooks
}

/// The folder a project's models and score files go to.
func curationWorkDir(_ given: String?, project: String) -> URL {
    URL(fileURLWithPath: given ?? "synpref-curation/\(project)").standardizedFileURL
}
