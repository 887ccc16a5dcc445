import ArgumentParser
import Foundation
import Testing
import SynprefData
@testable import SynprefCLI

/// `synpref users`: accounts for the annotation app, and the errors for bad input.
@Suite struct UsersCommandTests {
    func store() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-users-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return "sqlite:\(dir.path)/s.db"
    }

    func run(_ args: [String], env: [String: String] = [:]) async throws {
        for (k, v) in env { setenv(k, v, 1) }
        defer { for k in env.keys { unsetenv(k) } }
        try await runSynpref(args)
    }

    @Test func addSetPasswdAndListWorkOnTheStore() async throws {
        let url = try store()
        try await run(["users", "add", "ann", "--store", url, "--password-env", "SYNPREF_TEST_PW", "--bcrypt-cost", "4"], env: ["SYNPREF_TEST_PW": "first-password"])
        let s = try await PreferenceStores.open(url)
        let before = try #require(try await s.user(name: "ann"))
        #expect(before.role == .annotator && before.passwordHash.hasPrefix("$2"))
        try await s.createSession(StoredSession(tokenHash: "t", user: "ann", csrf: "c", createdAt: Date(), expiresAt: Date().addingTimeInterval(60)))
        try await run(["users", "passwd", "ann", "--store", url, "--password-env", "SYNPREF_TEST_PW", "--bcrypt-cost", "4"], env: ["SYNPREF_TEST_PW": "second-password"])
        let after = try #require(try await s.user(name: "ann"))
        #expect(after.passwordHash != before.passwordHash)
        #expect(try await s.session(tokenHash: "t") == nil, "a new password ends the sessions")
        try await run(["users", "set", "ann", "--role", "reviewer", "--disable", "--store", url])
        let changed = try #require(try await s.user(name: "ann"))
        #expect(changed.role == .reviewer && changed.disabled)
        try await s.close()
    }

    @Test func badInputIsAClearError() async throws {
        let url = try store()
        let cases: [([String], [String: String], String)] = [
            (["users", "add", "bad name", "--store", url, "--password-env", "P"], ["P": "long-enough-1"], "letters, digits"),
            (["users", "add", "ann", "--store", url, "--password-env", "P"], ["P": "short"], "at least 8"),
            (["users", "add", "ann", "--store", url, "--password-env", "UNSET_VARIABLE_X"], [:], "not set"),
            (["users", "add", "ann", "--role", "boss", "--store", url, "--password-env", "P"], ["P": "long-enough-1"], "boss"),
            (["users", "set", "ann", "--store", url], [:], "nothing to change"),
            (["users", "passwd", "nobody", "--store", url, "--password-env", "P", "--bcrypt-cost", "4"], ["P": "long-enough-1"], "no user"),
        ]
        for (args, env, message) in cases {
            await #expect(performing: { try await run(args, env: env) }, throws: { error in
                "\(error)".contains(message) || SynprefCommand.fullMessage(for: error).contains(message)
            })
        }
        try await run(["users", "add", "ann", "--store", url, "--password-env", "P", "--bcrypt-cost", "4"], env: ["P": "long-enough-1"])
        await #expect(performing: { try await run(["users", "add", "ann", "--store", url, "--password-env", "P", "--bcrypt-cost", "4"], env: ["P": "long-enough-1"]) },
                      throws: { "\($0)".contains("exists already") })
    }
}
