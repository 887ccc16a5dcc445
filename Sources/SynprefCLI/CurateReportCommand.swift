import ArgumentParser
import Foundation
import SynprefCuration
import SynprefData

/// `synpref curate report`: the project's record as a page and as JSON.
struct CurateReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a project's report: index.html (self-contained) and report.json.",
        discussion: """
            Tier flows per round, the round models' accuracy on gold, p histograms, \
            human–LLM agreement, judge cost and position bias, Stage 2's decisions, and every \
            recorded step; report.json holds the same numbers.
            """)

    @OptionGroup var target: CurateOptions

    @Option(help: "Output folder.")
    var output: String

    func run() async throws {
        try await withStore(target.store) { store in
            let project = try await CurationProject.open(store: store, name: target.project, url: target.store)
            try await ProjectReport.write(project, to: output)
        }
        print("synpref curate: report written to \(output)/index.html and \(output)/report.json")
    }
}
