import Foundation
import Logging
import PostgresNIO
import SynprefCore

/// `ProjectLog`: curation projects and their step records.
extension PostgresPreferenceStore {
    @discardableResult
    public func createProject(name: String, config: String) async throws -> Bool {
        try StoredProjects.check(name: name)
        var b = PostgresBindings()
        b.append(name)
        b.append(config)
        let binds = b
        return try await transaction { conn in
            try await self.exec(conn, "SELECT pg_advisory_xact_lock(7357013)")
            var nb = PostgresBindings()
            nb.append(name)
            if let row = try await self.rows(conn, "SELECT config FROM curation_projects WHERE name = $1", nb).first {
                if try row.decode(String.self) == config { return false }
                throw StoreError.invalidValue(StoredProjects.conflict(name))
            }
            try await self.exec(conn, "INSERT INTO curation_projects (name, config, created_at) VALUES ($1, $2, \(PostgresPreferenceStore.nowSQL))", binds)
            return true
        }
    }

    public func projectConfig(name: String) async throws -> String? {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(name)
            return try await self.rows(conn, "SELECT config FROM curation_projects WHERE name = $1", b).first?.decode(String.self)
        }
    }

    public func projectNames() async throws -> [String] {
        try await withConnection { conn in
            try await self.rows(conn, "SELECT name FROM curation_projects ORDER BY name").map { try $0.decode(String.self) }
        }
    }

    public func recordStep(_ step: StepRecord) async throws {
        var b = PostgresBindings()
        b.append(step.project)
        b.append(step.round)
        b.append(step.step)
        b.append(step.state.rawValue)
        b.append(step.startedAt.timeIntervalSince1970)
        b.append(step.finishedAt?.timeIntervalSince1970)
        b.append(step.details)
        let binds = b
        try await transaction { conn in
            var nb = PostgresBindings()
            nb.append(step.project)
            guard try await !self.rows(conn, "SELECT 1 FROM curation_projects WHERE name = $1", nb).isEmpty else {
                throw StoreError.invalidValue(StoredProjects.unknown(step.project))
            }
            try await self.exec(conn, """
                INSERT INTO curation_steps (project, round, step, state, started_at, finished_at, details) VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (project, round, step) DO UPDATE SET state = excluded.state, started_at = excluded.started_at,
                    finished_at = excluded.finished_at, details = excluded.details
                """, binds)
        }
    }

    public func steps(project: String) async throws -> [StepRecord] {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(project)
            return try await self.rows(conn, """
                SELECT round, step, state, started_at, finished_at, details FROM curation_steps WHERE project = $1 ORDER BY round, started_at, step
                """, b).map { row in
                let (round, step, stateName, started, finished, details) = try row.decode((Int32, String, String, Double, Double?, String).self)
                guard let state = StepRecord.State(rawValue: stateName) else { throw StoreError.invalidValue("step state '\(stateName)'") }
                return StepRecord(project: project, round: Int(round), step: step, state: state, startedAt: Date(timeIntervalSince1970: started),
                                  finishedAt: finished.map(Date.init(timeIntervalSince1970:)), details: details)
            }
        }
    }
}
