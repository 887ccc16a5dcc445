import Foundation

/// Curation projects kept in the store: each project's configuration (recorded once, read
/// by every later command) and a record of every step of every round, so a run knows where
/// it stands after a crash and `synpref curate status` can show it.
///
/// Guarantees: a project's configuration never changes once created (creating it again
/// with the same text is a no-op; with another text it is refused); a step record is keyed
/// by (project, round, step) and its latest write wins.
public protocol ProjectLog: Sendable {
    /// Creates the project; returns false if it exists with exactly this configuration.
    /// Throws `StoreError.invalidValue` if it exists with another one.
    @discardableResult
    func createProject(name: String, config: String) async throws -> Bool
    /// The project's configuration text, or nil.
    func projectConfig(name: String) async throws -> String?
    func projectNames() async throws -> [String]
    /// Writes a step's record (insert or replace).
    func recordStep(_ step: StepRecord) async throws
    /// The project's step records, by round then start time.
    func steps(project: String) async throws -> [StepRecord]
}

/// One step of one round of a curation project.
public struct StepRecord: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        case running, done, failed
    }

    public var project: String
    public var round: Int
    public var step: String
    public var state: State
    public var startedAt: Date
    public var finishedAt: Date?
    /// What the step did, as a JSON object text: inputs, model fingerprints, counts,
    /// metrics, timings, cost; or the error of a failed step.
    public var details: String

    public init(project: String, round: Int, step: String, state: State, startedAt: Date, finishedAt: Date? = nil, details: String = "{}") {
        self.project = project
        self.round = round
        self.step = step
        self.state = state
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.details = details
    }
}
