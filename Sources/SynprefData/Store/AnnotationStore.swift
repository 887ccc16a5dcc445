import Foundation

/// What the annotation app keeps in the store: accounts, login sessions, and annotation
/// projects' settings. Answers themselves are work-queue claims (`WorkQueue`) and labels
/// (`CurationLog`), so the curation log stays the one record of who decided what.
///
/// Guarantees: user names are unique; a session is found only until it expires and never
/// after it is deleted; deleting a user's sessions (e.g. on a password change) logs them
/// out everywhere.
public protocol AnnotationStore: Sendable {
    /// Adds an account. Throws `StoreError.invalidValue` if the name is taken.
    func addUser(_ user: StoredUser) async throws
    /// Changes an account's role, password hash or disabled flag (nil: unchanged). Throws
    /// `StoreError.invalidValue` for an unknown user.
    func updateUser(name: String, role: StoredUser.Role?, passwordHash: String?, disabled: Bool?) async throws
    func user(name: String) async throws -> StoredUser?
    /// Every account, by name.
    func users() async throws -> [StoredUser]

    /// Records a session (by the SHA-256 of its cookie token).
    func createSession(_ session: StoredSession) async throws
    /// The live session with this token hash, or nil (unknown, expired or deleted).
    func session(tokenHash: String) async throws -> StoredSession?
    func deleteSession(tokenHash: String) async throws
    /// Ends every session of a user; returns how many there were.
    @discardableResult
    func deleteSessions(user: String) async throws -> Int

    /// Creates or replaces an annotation project's settings (a JSON text).
    func saveAnnotationProject(name: String, settings: String) async throws
    /// The project's settings, or nil.
    func annotationProject(name: String) async throws -> String?
    func annotationProjectNames() async throws -> [String]

    /// The live leases `worker` holds in `queue`, oldest first (an annotator who reloads
    /// the page gets the pair they already hold).
    func held(queue: String, worker: String) async throws -> [WorkTask]
    /// Open tasks (pending or leased) of `queue` that `worker` has not answered, skipped or
    /// let expire: what is left for them, the task they hold included.
    func openTasks(queue: String, for worker: String) async throws -> Int
    /// Every completed claim of `queue` (of one worker, if given), oldest first: who
    /// answered which task, when, and the answer.
    func answers(queue: String, worker: String?) async throws -> [QueueAnswer]
}

/// An annotation-app account.
public struct StoredUser: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case admin, reviewer, annotator
    }

    public var name: String
    public var role: Role
    /// The password's slow hash (e.g. bcrypt's `$2b$…` text).
    public var passwordHash: String
    public var disabled: Bool
    public var createdAt: Date?

    public init(name: String, role: Role, passwordHash: String, disabled: Bool = false, createdAt: Date? = nil) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.disabled = disabled
        self.createdAt = createdAt
    }

    /// Checks a user name: 1 to 64 letters, digits, `.`, `_` or `-` (it appears in labels
    /// as `human:<name>` and in URLs).
    public static func check(name: String) throws {
        let ok = !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "." || $0 == "_" || $0 == "-"
        }
        if !ok { throw StoreError.invalidValue("user name \"\(name)\": use 1 to 64 letters, digits, '.', '_' or '-'") }
    }
}

/// A login session: whose it is, its CSRF token, and when it expires.
public struct StoredSession: Sendable, Hashable {
    public var tokenHash: String
    public var user: String
    public var csrf: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(tokenHash: String, user: String, csrf: String, createdAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.user = user
        self.csrf = csrf
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// One completed claim of a queue: a worker's answer to a task.
public struct QueueAnswer: Sendable, Hashable {
    public var taskID: Int64
    public var pairID: Int64?
    public var worker: String
    public var claimedAt: Date
    public var finishedAt: Date
    public var result: String?

    public init(taskID: Int64, pairID: Int64?, worker: String, claimedAt: Date, finishedAt: Date, result: String?) {
        self.taskID = taskID
        self.pairID = pairID
        self.worker = worker
        self.claimedAt = claimedAt
        self.finishedAt = finishedAt
        self.result = result
    }
}
