import ArgumentParser
import Foundation
import SynprefCore
import SynprefCuration
import SynprefData

/// `synpref curate stage2`: automatic curation of the unverified pool.
struct CurateStage2Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage2",
        abstract: "Stage 2: keep the unverified pairs the gold RM and the judges or best RM agree with (resumable).",
        discussion: """
            The last Stage 1 round's model (or --best-scores) scores the unverified pool; pairs \
            with p ≤ threshold + band (curate.json "stage2") go to the LLM judges with their \
            nearest gold pairs as examples; a gold reward model trained on every \
            human-verified pair (or --gold-scores) scores the pool too. A pair is kept (→ \
            silver) only if its stored label is consistent with the gold RM and with either \
            the judges or the best RM; the rest → discarded with the reason. Recycle them with \
            `synpref data export --tier discarded --flip`. Score files are JSON lines \
            {"content_hash": hex, "chosen": reward, "rejected": reward} — e.g. from a GPU \
            cluster running vLLM over the exported pool; pairs without a line stay unverified.
            """)

    @OptionGroup var target: CurateOptions

    @Option(name: .customLong("work-dir"), help: "Where the gold model and score files are written (default: synpref-curation/PROJECT).")
    var workDir: String?

    @Option(name: .customLong("best-scores"), help: "Rewards of the unverified pool from the current best RM, computed elsewhere.")
    var bestScores: String?

    @Option(name: .customLong("gold-scores"), help: "Rewards of the unverified pool from a gold RM, computed elsewhere.")
    var goldScores: String?

    @Option(help: "This process's name on the work queues (default: host:pid).")
    var worker: String?

    func run() async throws {
        // Bad score files fail here, before any work starts.
        for f in [bestScores, goldScores].compactMap({ $0 }) { _ = try ScoreFile.load(path: f) }
        let progress = TrainProgress()
        let details = try await withStore(target.store) { store in
            let project = try await CurationProject.open(store: store, name: target.project, url: target.store)
            var stage = StageTwo(project: project, ledger: try await StepLedger(project: project), workDir: curationWorkDir(workDir, project: project.name))
            stage.bestScores = bestScores
            stage.goldScores = goldScores
            stage.hooks = curationHooks(progress, worker: worker, prefix: "synpref curate")
            return try await stage.run()
        }
        progress.finish()
        print("synpref curate: Stage 2 done: " + JSONValue.object(details).serialized())
    }
}
