import Foundation
import Testing
import SynprefCore
import SynprefTestSupport
@testable import SynprefCLI

/// The annotation app in a real browser: the built `synpref` creates the admin (`synpref
/// users add`), imports the pairs and serves the app; headless Chromium driven by Selenium
/// (Tests/Browser/*.py) signs people in, labels with the keyboard only, reviews, and checks
/// the store through `synpref data export`; the security script checks escaping, CSRF,
/// roles, cookie flags and the login rate limit. Screenshots of the main pages are kept in
/// `.build/test-artifacts/annotation-browser/`.
///
/// Needs Debian's chromium and chromium-driver and PyPI selenium (scripts/bootstrap.sh
/// installs them); the test command (`SYNPREF_REQUIRE_ASSETS=1`) fails without them.
@Suite(.serialized) struct AnnotationBrowserTests {
    static let root = ScoreCommandTests.root

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static var browserAvailable: Bool { which("chromedriver") != nil && (which("chromium") != nil || which("chromium-browser") != nil) }
    static var enabled: Bool { SynprefAssets.required || browserAvailable }

    /// Runs `synpref` with arguments (and standard input); fails the test on a non-zero exit.
    static func synpref(_ arguments: [String], input: String? = nil) throws -> String {
        let p = Process()
        p.executableURL = try ServeCommandTests.executable()
        p.arguments = arguments
        let out = Pipe(), inPipe = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = inPipe
        try p.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(p.terminationStatus == 0, "synpref \(arguments.joined(separator: " ")):\n\(text)")
        return text
    }

    /// A fresh store with an admin and `pairs` imported, and the app serving it.
    static func run(script: String, pairs: String, extra: [String] = []) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = "sqlite:\(dir.appendingPathComponent("app.db").path)"
        _ = try synpref(["users", "add", "admin", "--role", "admin", "--store", store, "--password-stdin"], input: "admin-password-1\n")
        _ = try synpref(["data", "import", root.appendingPathComponent("Tests/Browser/\(pairs)").path, "--store", store])

        let server = Process()
        server.executableURL = try ServeCommandTests.executable()
        server.arguments = ["serve", "--annotation", "--store", store, "--port", "0"]
        let log = Pipe()
        server.standardError = log
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        let lines = LogCollector(log.fileHandleForReading)
        let port = try #require(try await lines.waitFor(#/annotation app on http://127\.0\.0\.1:(\d+)/app/#).map { Int($0.1)! })

        let artifacts = root.appendingPathComponent(".build/test-artifacts/annotation-browser/\(script.replacingOccurrences(of: ".py", with: ""))")
        try? FileManager.default.removeItem(at: artifacts)
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", root.appendingPathComponent("Tests/Browser/\(script)").path,
                            "--base-url", "http://127.0.0.1:\(port)", "--synpref", try ServeCommandTests.executable().path, "--store", store,
                            "--screenshots", artifacts.path, "--admin", "admin", "--admin-password", "admin-password-1"] + extra
        let (status, text) = try await python.runCapturingOutput()
        #expect(status == 0, "\(script) failed:\n\(text)\nserver log:\n\(lines.text.suffix(4000))")
        #expect(text.contains(" passed, 0 failed"), "\(text)")
        server.terminate()
        await server.waitForExit()
    }

    @Test(.enabled(if: enabled, "headless Chromium, chromedriver or selenium missing: run scripts/bootstrap.sh"))
    func adminAnnotatorsAndReviewerLabelWithTheKeyboardAndTheStoreHoldsTheirLabels() async throws {
        try await Self.run(script: "annotation_flow.py", pairs: "flow_pairs.jsonl")
    }

    @Test(.enabled(if: enabled, "headless Chromium, chromedriver or selenium missing: run scripts/bootstrap.sh"))
    func hostileTextRendersInertAndCSRFRolesCookiesAndRateLimitHold() async throws {
        try await Self.run(script: "annotation_security.py", pairs: "security_pairs.jsonl")
    }
}
