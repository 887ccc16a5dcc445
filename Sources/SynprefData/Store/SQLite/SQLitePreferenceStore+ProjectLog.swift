import Foundation
import GRDB
import SynprefCore

/// `ProjectLog`: curation projects and their step records.
extension SQLitePreferenceStore {
    @discardableResult
    public func createProject(name: String, config: String) async throws -> Bool {
        try StoredProjects.check(name: name)
        return try await write { db in
            if let existing = try String.fetchOne(db, sql: "SELECT config FROM curation_projects WHERE name = ?", arguments: [name]) {
                if existing == config { return false }
                throw StoreError.invalidValue(StoredProjects.conflict(name))
            }
            try db.execute(sql: "INSERT INTO curation_projects (name, config, created_at) VALUES (?, ?, ?)",
                           arguments: [name, config, SQLitePreferenceStore.now])
            return true
        }
    }

    public func projectConfig(name: String) async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT config FROM curation_projects WHERE name = ?", arguments: [name]) }
    }

    public func projectNames() async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT name FROM curation_projects ORDER BY name") }
    }

    public func recordStep(_ step: StepRecord) async throws {
        try await write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM curation_projects WHERE name = ?", arguments: [step.project]) != nil else {
                throw StoreError.invalidValue(StoredProjects.unknown(step.project))
            }
            try db.execute(sql: """
                INSERT INTO curation_steps (project, round, step, state, started_at, finished_at, details) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (project, round, step) DO UPDATE SET state = excluded.state, started_at = excluded.started_at,
                    finished_at = excluded.finished_at, details = excluded.details
                """, arguments: [step.project, step.round, step.step, step.state.rawValue, step.startedAt.timeIntervalSince1970,
                                 step.finishedAt?.timeIntervalSince1970, step.details])
        }
    }

    public func steps(project: String) async throws -> [StepRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT round, step, state, started_at, finished_at, details FROM curation_steps WHERE project = ? ORDER BY round, started_at, step
                """, arguments: [project]).map { row in
                guard let state = StepRecord.State(rawValue: row[2]) else { throw StoreError.invalidValue("step state '\(row[2] as String)'") }
                return StepRecord(project: project, round: row[0], step: row[1], state: state, startedAt: Date(timeIntervalSince1970: row[3]),
                                  finishedAt: (row[4] as Double?).map(Date.init(timeIntervalSince1970:)), details: row[5])
            }
        }
    }
}
