import Foundation
import SynprefCore
import SynprefData

/// The project's record of its steps, as a run uses it to continue where the last one
/// stopped: a finished step is not run again (its recorded details are read back instead),
/// a step's plan is recorded before its work starts (so a resumed step does exactly the
/// planned work, not a new plan drawn from a changed pool), and a step's details are
/// recorded when it finishes.
public final class StepLedger: @unchecked Sendable {
    // @unchecked Sendable: used by one run at a time; `records` changes only through
    // `start` / `finish`, which that run awaits in turn.
    public let project: CurationProject
    private var records: [String: StepRecord] = [:]

    public init(project: CurationProject) async throws {
        self.project = project
        for r in try await project.store.steps(project: project.name) { records[Self.key(r.round, r.step)] = r }
    }

    static func key(_ round: Int, _ step: String) -> String { "\(round)/\(step)" }

    /// The details of a finished step, or nil when it has not finished.
    public func finished(round: Int, step: String) -> JSONObject? {
        guard let r = records[Self.key(round, step)], r.state == .done else { return nil }
        return (try? JSONParser.parse(r.details))?.objectValue ?? [:]
    }

    /// The plan recorded by a step that started and has not finished, or nil.
    public func plan(round: Int, step: String) -> JSONObject? {
        guard let r = records[Self.key(round, step)], r.state != .done else { return nil }
        return (try? JSONParser.parse(r.details))?.objectValue
    }

    /// Records that a step started, with its plan (kept when the step was started before).
    public func start(round: Int, step: String, plan: JSONObject = [:]) async throws {
        let started = records[Self.key(round, step)]?.startedAt ?? Date()
        try await write(StepRecord(project: project.name, round: round, step: step, state: .running, startedAt: started,
                                   details: JSONValue.object(plan).serialized()))
    }

    /// Records a step's result.
    public func finish(round: Int, step: String, details: JSONObject) async throws {
        let started = records[Self.key(round, step)]?.startedAt ?? Date()
        try await write(StepRecord(project: project.name, round: round, step: step, state: .done, startedAt: started, finishedAt: Date(),
                                   details: JSONValue.object(details).serialized()))
    }

    /// Records that a step failed (it runs again next time).
    public func fail(round: Int, step: String, error: String) async throws {
        let started = records[Self.key(round, step)]?.startedAt ?? Date()
        var details = plan(round: round, step: step) ?? [:]
        details["error"] = .string(error)
        try await write(StepRecord(project: project.name, round: round, step: step, state: .failed, startedAt: started, finishedAt: Date(),
                                   details: JSONValue.object(details).serialized()))
    }

    /// Seconds between a finished step's start and end.
    public func seconds(round: Int, step: String) -> Double? {
        guard let r = records[Self.key(round, step)], let end = r.finishedAt else { return nil }
        return end.timeIntervalSince(r.startedAt)
    }

    /// Every record, by round then start.
    public var all: [StepRecord] { records.values.sorted { ($0.round, $0.startedAt) < ($1.round, $1.startedAt) } }

    /// Runs `body` as step `step` of `round` unless it finished before; returns its details
    /// (recorded or read back). `plan` is computed and recorded when the step starts for the
    /// first time; a resumed step gets the plan recorded then. A throwing body leaves a
    /// failed record (with the plan, so the step resumes with it) and rethrows.
    public func run(round: Int, step: String, plan makePlan: () async throws -> JSONObject = { [:] },
                    _ body: (JSONObject) async throws -> JSONObject) async throws -> JSONObject {
        if let done = finished(round: round, step: step) { return done }
        var thePlan: JSONObject
        if let earlier = plan(round: round, step: step) {
            thePlan = earlier
            thePlan["error"] = nil
            thePlan["waiting"] = nil
        } else {
            thePlan = try await makePlan()
            try await start(round: round, step: step, plan: thePlan)
        }
        do {
            let details = try await body(thePlan)
            try await finish(round: round, step: step, details: details)
            return details
        } catch let pending as StepPending {
            var waiting = thePlan
            waiting["waiting"] = .string(pending.reason)
            try await start(round: round, step: step, plan: waiting)
            throw pending
        } catch {
            try? await fail(round: round, step: step, error: "\(error)")
            throw error
        }
    }

    private func write(_ r: StepRecord) async throws {
        try await project.store.recordStep(r)
        records[Self.key(r.round, r.step)] = r
    }
}

/// Thrown by a step that cannot finish until someone else acts (humans answering their
/// tasks): the step stays started, with its plan, and the next run continues it.
public struct StepPending: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
