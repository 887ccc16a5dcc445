import ArgumentParser
import Foundation
import SynprefCore
import SynprefCuration
import SynprefData
import SynprefJudge

/// `synpref curate work`: another process (on this or another machine) working a project's
/// judge queues and Stage 2 scoring chunks alongside `curate run` / `curate stage2`.
struct CurateWorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Work a project's judge queues and scoring chunks alongside a running `curate run` or `curate stage2`.",
        discussion: """
            Claims tasks from the project's judge queues (attributes, seed verification, \
            labelling of retrieved pairs, Stage 2 labelling) and records each batch with its \
            tasks' completion, exactly as the main run does; with stage2.score_chunk set, it also \
            scores Stage 2's chunks of the pool (it needs the model folders at the paths the \
            tasks name: a shared file system, or models on the Hub). It puts nothing new in the \
            queues. Start as many as the judges' endpoints can serve, on any machine that \
            reaches the store (PostgreSQL for several machines). It exits when every queue is \
            empty; --follow keeps it polling for new work.
            """)

    @OptionGroup var target: CurateOptions

    @Option(help: "This process's name on the work queues (default: host:pid).")
    var worker: String?

    @Flag(help: "Keep polling for new work every 10 s instead of exiting when the queues are empty.")
    var follow = false

    func run() async throws {
        let progress = ProgressLine()
        try await withStore(target.store) { store in
            let project = try await CurationProject.open(store: store, name: target.project, url: target.store)
            let judges = try ProjectJudges(project: project)
            let scoring = project.config.stage2ScoreChunk > 0 ? QueueScoring(project: project) : nil
            guard judges != nil || scoring != nil else {
                throw ValidationError("project \(project.name) has no judges file and no stage2.score_chunk: there is no queue work to help with")
            }
            let name = worker ?? JudgeQueueWorker.defaultWorkerName()
            let minConfidence = project.config.minConfidence
            let decide: @Sendable (Int64, Verdict) -> TierChange? = { id, v in RoundLabelling.decision(pairID: id, verdict: v, minConfidence: minConfidence) }
            let queues: [(step: String, task: JudgeTask, decide: (@Sendable (Int64, Verdict) -> TierChange?)?)] = [
                ("judge-attributes", .attributes, nil), ("judge-verify", .preference, decide),
                ("judge-preference", .preference, decide), ("stage2-preference", .preference, nil),
            ]
            let started = Date()
            repeat {
                var did = 0
                if let scoring {
                    let n = try await scoring.work(worker: name, progress: progress)
                    if n > 0 { progress.line("synpref curate work: scored \(n) chunk(s) of \(scoring.queue)") }
                    did += n
                }
                for q in queues {
                    guard let judges else { break }
                    let w = try await judges.work(task: q.task, step: q.step, worker: name, budgetUSD: nil, decide: q.decide, enqueue: { _ in },
                                                  onProgress: { p in progress.update("\(q.step): " + JudgeCommand.describe(p, elapsed: Date().timeIntervalSince(started))) })
                    if w.report.tasks > 0 { progress.line("synpref curate work: \(q.step): " + JSONValue.object(w.json).serialized()) }
                    did += w.report.tasks
                }
                if follow && did == 0 { try await Task.sleep(for: .seconds(10)) }
            } while follow
        }
        progress.finish()
    }
}
