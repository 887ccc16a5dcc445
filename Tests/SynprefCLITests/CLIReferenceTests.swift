import Foundation
import Testing
@testable import SynprefCLI

/// docs/cli.md must be what the argument parser prints today.
@Suite struct CLIReferenceTests {
    static let documentURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/cli.md")

    @Test func referenceCoversEveryCommand() {
        let text = CLIReference.markdown()
        for path in ["synpref", "synpref score", "synpref tokenize", "synpref chat-template", "synpref eval",
                     "synpref data", "synpref data import", "synpref data export", "synpref train"] {
            #expect(text.contains("\n## \(path)\n"), "missing section for \(path)")
        }
        // Each section holds that command's usage line.
        #expect(text.contains("USAGE: synpref score "))
        #expect(text.contains("USAGE: synpref data import "))
    }

    @Test func documentIsCurrent() throws {
        let generated = CLIReference.markdown()
        if ProcessInfo.processInfo.environment["SYNPREF_UPDATE_CLI_REFERENCE"] == "1" {
            try generated.write(to: Self.documentURL, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: Self.documentURL, encoding: .utf8)
        #expect(committed == generated, """
            docs/cli.md is out of date with the commands' options; regenerate it with \
            SYNPREF_UPDATE_CLI_REFERENCE=1 swift test --filter CLIReferenceTests
            """)
    }
}
