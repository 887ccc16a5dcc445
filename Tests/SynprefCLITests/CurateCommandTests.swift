import Foundation
import Testing
import SynprefCore
import SynprefCuration
import SynprefData
@testable import SynprefCLI

/// `synpref curate init` and `status` as a user runs them.
@Suite struct CurateCommandTests {
    @Test func initRecordsTheProjectAndStatusReportsIt() async throws {
        let helper = JudgeCommandTests()
        let dir = (try helper.temp("x") as NSString).deletingLastPathComponent
        for (folder, file) in [("rm", "config.json"), ("emb", "modules.json")] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(folder)", withIntermediateDirectories: true)
            try "{}".write(toFile: "\(dir)/\(folder)/\(file)", atomically: true, encoding: .utf8)
        }
        let config = "\(dir)/curate.json"
        try #"{"name": "demo", "embedder": "./emb", "reward_model": {"base": "./rm", "train": "head"}, "rounds": 3}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let store = "sqlite:\(dir)/store.db"
        let pairs = try helper.temp("p.jsonl", "{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"b\"}\n")
        try await runSynpref(["data", "import", pairs, "--store", store])
        try await runSynpref(["curate", "init", "--store", store, "--config", config])
        try await runSynpref(["curate", "init", "--store", store, "--config", config])  // the same again: a no-op
        try #"{"name": "demo", "embedder": "./emb", "reward_model": {"base": "./rm"}, "rounds": 4}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        await #expect { try await runSynpref(["curate", "init", "--store", store, "--config", config]) } throws: {
            "\($0)".contains("already exists with another configuration")
        }
        try #"{"name": "demo", "embedder": "./emb", "reward_model": {"base": "./rm"}, "rouns": 4}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        await #expect { try await runSynpref(["curate", "init", "--store", store, "--config", config]) } throws: {
            "\($0)".contains("curate.json: rouns: unknown field")
        }
        // Human tasks by file: one pair offered, exported for alice, answered, imported.
        let opened = try await PreferenceStores.open(store)
        let project = try await CurationProject.open(store: opened, name: "demo")
        _ = try await HumanVerification(project: project).enqueue(round: 1, budget: 5)
        let tasks = "\(dir)/alice.jsonl"
        try await runSynpref(["curate", "tasks", "export", "--store", store, "--annotator", "alice", "--output", tasks])
        let task = try JSONParser.parse(String(try String(contentsOfFile: tasks, encoding: .utf8).split(separator: "\n")[0]))
        let id = try #require(task["task_id"]?.intValue)
        let answers = try helper.temp("answers.jsonl", "{\"task_id\": \(id), \"annotator\": \"alice\", \"verdict\": \"cannot_determine\"}\n")
        try await runSynpref(["curate", "tasks", "import", "--store", store, answers])
        #expect(try await opened.count(tier: .discarded) == 1)
        try await opened.close()
        try await runSynpref(["curate", "status", "--store", store])
        await #expect { try await runSynpref(["curate", "status", "--store", store, "--project", "other"]) } throws: {
            "\($0)".contains("no curation project \"other\"")
        }
    }
}
