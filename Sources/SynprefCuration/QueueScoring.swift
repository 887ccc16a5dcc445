import Foundation
import SynprefCore
import SynprefData

/// Scoring a pool through the work queue, so several machines share it: the pool is cut into
/// tasks of `stage2.score_chunk` pairs in queue `<project>/score`, keyed by the model and the
/// chunk (enqueueing again adds nothing, and a resumed run keeps the chunks already scored);
/// any process working the queue (`curate stage2` itself, `curate work` elsewhere) claims a
/// chunk, scores it with the project's scoring (`ProjectScoring`), and completes the task
/// with the rewards as its result. The chunk's rewards are then read from the done claims.
///
/// A worker needs the model folder at the path the task names (a shared file system, or a
/// Hub repo id); one that lacks it releases the task and leaves the queue to others.
public struct QueueScoring: Sendable {
    public let project: CurationProject
    public var lease: TimeInterval = 600
    /// How long the scoring process waits between looks at chunks others hold.
    public var poll: TimeInterval = 1

    public init(project: CurationProject) { self.project = project }

    public var queue: String { "\(project.name)/score" }

    /// One chunk: the model, and the pairs (ids ascending) with the id before the first, for
    /// a keyset read of them.
    struct Chunk: Sendable {
        var model: String
        var after: Int64
        var ids: [Int64]

        var payload: String {
            JSONValue.object(["model": .string(model), "after": .integer(Int(after)), "ids": .array(ids.map { .integer(Int($0)) })]).serialized()
        }

        init(model: String, after: Int64, ids: [Int64]) {
            self.model = model
            self.after = after
            self.ids = ids
        }

        init(payload: String) throws {
            let json = try JSONParser.parse(payload)
            guard let model = json["model"]?.stringValue, let after = json["after"]?.intValue,
                let ids = json["ids"]?.arrayValue?.compactMap({ $0.intValue.map(Int64.init) })
            else {
                throw CurationError.input(file: "score task", reason: "malformed payload \(payload.prefix(200))")
            }
            self.init(model: model, after: Int64(after), ids: ids)
        }
    }

    /// Puts the chunks of `pairs` under `model` in the queue (those already there stay as
    /// they are); returns their task ids. `step` names the run (e.g. "best-scores") in the keys.
    public func enqueue(_ pairs: [PreferencePair], model: String, modelKey: String, step: String) async throws -> [Int64] {
        let chunk = max(1, project.config.stage2ScoreChunk)
        let ids = pairs.compactMap(\.id).sorted()
        var tasks: [NewTask] = []
        var previous: Int64 = 0
        for (n, start) in stride(from: 0, to: ids.count, by: chunk).enumerated() {
            let part = Array(ids[start..<min(ids.count, start + chunk)])
            tasks.append(NewTask(kind: "score", payload: Chunk(model: model, after: previous, ids: part).payload, maxAttempts: 100,
                                 key: "\(step):\(modelKey):\(chunk):\(n)"))
            previous = part.last ?? previous
        }
        return try await project.store.enqueue(tasks, queue: queue)
    }

    /// The rewards of `pairs` under `model`, scored by whichever processes work the queue
    /// (this one included): enqueues the chunks, scores free ones, waits for those others
    /// hold (taking over any whose lease runs out), and reads every chunk's result.
    public func rewards(_ pairs: [PreferencePair], model: String, modelKey: String, step: String, worker: String,
                        progress: any ProgressObserver = SilentProgress()) async throws -> PairScoring.Rewards {
        let taskIDs = Set(try await enqueue(pairs, model: model, modelKey: modelKey, step: step))
        let task = "scoring \(pairs.count) pairs in \(taskIDs.count) chunks (\(queue))"
        while true {
            _ = try await work(worker: worker, progress: progress)
            let answers = try await project.store.answers(queue: queue, worker: nil).filter { taskIDs.contains($0.taskID) }
            let open = taskIDs.subtracting(answers.map(\.taskID))
            progress.report(ProgressEvent(task: task, completed: taskIDs.count - open.count, total: taskIDs.count, unit: "chunks"))
            if open.isEmpty { return try Self.collect(answers) }
            // Only the chunks without an answer can have failed.
            for id in open {
                if let t = try await project.store.task(id: id), t.state == .failed {
                    throw CurationError.input(file: project.name, reason: "scoring chunk task \(id) failed in \(queue) (too many attempts); see its claims' errors")
                }
            }
            // Chunks others hold: wait for them (or for their leases to run out, then take them).
            try await Task.sleep(for: .seconds(poll))
        }
    }

    /// A key for the model in `folder` as it is now: its path and each file's size and
    /// modification time (a model trained again into the same folder gets a new key).
    public static func modelKey(_ folder: String) -> String {
        var text = folder
        let fm = FileManager.default
        for name in ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
            let attributes = try? fm.attributesOfItem(atPath: (folder as NSString).appendingPathComponent(name))
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            text += "\n\(name) \(size) \(modified)"
        }
        return String(SHA256.hex(text).prefix(16))
    }

    static func collect(_ answers: [QueueAnswer]) throws -> PairScoring.Rewards {
        var out: PairScoring.Rewards = [:]
        for a in answers {
            guard let text = a.result, let rows = try JSONParser.parse(text)["rewards"]?.arrayValue else {
                throw CurationError.input(file: "score task \(a.taskID)", reason: "the result has no rewards")
            }
            for row in rows {
                guard let r = row.arrayValue, r.count == 3, let id = r[0].intValue, let c = r[1].doubleValue, let x = r[2].doubleValue else {
                    throw CurationError.input(file: "score task \(a.taskID)", reason: "a reward row is not [id, chosen, rejected]")
                }
                out[Int64(id)] = (c, x)
            }
        }
        return out
    }

    /// Scores chunks of the queue until none is free (or `limit` are done); returns how many
    /// this worker scored. Models this machine does not have are released to the others.
    @discardableResult
    public func work(worker: String, limit: Int = .max, progress: any ProgressObserver = SilentProgress()) async throws -> Int {
        var done = 0
        var missing: Set<String> = []
        while done < limit, let task = try await project.store.claimNext(queue: queue, worker: worker, lease: lease) {
            let chunk = try Chunk(payload: task.payload)
            guard FileManager.default.fileExists(atPath: chunk.model) || !chunk.model.hasPrefix("/") else {
                missing.insert(chunk.model)
                try await project.store.release(task.id, worker: worker, error: "model \(chunk.model) is not on \(worker)'s machine", retry: true)
                if missing.count > 8 { break }
                continue
            }
            let store = project.store, lease = lease
            // Keep the lease while scoring (a large model on a slow machine may take minutes).
            let keeper = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(lease / 3))
                    if Task.isCancelled { break }
                    try? await store.renew(task.id, worker: worker, lease: lease)
                }
            }
            defer { keeper.cancel() }
            let pairs = try await Self.pairs(of: chunk, store: project.store)
            let rewards = try project.scoring.rewards(pairs, model: chunk.model, task: "scoring chunk \(task.id)", progress: progress)
            let rows: [JSONValue] = chunk.ids.compactMap { id in
                rewards[id].map { .array([.integer(Int(id)), .double($0.chosen), .double($0.rejected)]) }
            }
            keeper.cancel()
            try await project.store.complete(task.id, worker: worker, result: JSONValue.object(["rewards": .array(rows)]).serialized())
            done += 1
        }
        return done
    }

    /// The chunk's pairs: one keyset page of the unverified pool when it still holds exactly
    /// them, else one lookup per pair.
    static func pairs(of chunk: Chunk, store: any PreferenceStore) async throws -> [PreferencePair] {
        let page = try await store.pairs(PairQuery(tier: .unverified, afterID: chunk.after, limit: chunk.ids.count))
        if page.compactMap(\.id) == chunk.ids { return page }
        var out: [PreferencePair] = []
        for id in chunk.ids {
            if let p = try await store.pair(id: id) { out.append(p) }
        }
        return out
    }
}
