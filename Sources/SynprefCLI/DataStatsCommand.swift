import ArgumentParser
import Foundation
import SynprefData

/// `synpref data stats --store URL`
struct DataStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Counts by source, tier, task category, objectivity and controversiality; length percentiles.")

    @Option(help: "Store URL: sqlite:PATH or postgres://user@host/db.")
    var store: String = PreferenceStores.defaultURL

    func run() async throws {
        let target = try await PreferenceStores.open(store)
        let s = try await target.stats()
        try await target.close()
        print(DataStatsCommand.render(s))
    }

    static func render(_ s: PreferenceStats) -> String {
        var out = ["\(s.total) pair(s), \(s.labels) label(s), \(s.contaminated) flagged as benchmark-contaminated"]
        func section(_ title: String, _ counts: [String: Int]) {
            guard !counts.isEmpty else { return }
            out.append("")
            out.append(DataOutput.table([title, "pairs"], counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { [$0.key, "\($0.value)"] }))
        }
        section("source", s.bySource)
        section("tier", s.byTier)
        section("task category", s.byTaskCategory)
        section("objectivity", s.byObjectivity)
        section("controversiality", s.byControversiality)
        if !s.lengthPercentiles.isEmpty {
            out.append("")
            let names = PreferenceStats.percentiles.map(\.name)
            let rows = ["context", "chosen", "rejected"].compactMap { part in
                s.lengthPercentiles[part].map { [part] + $0.map { "\($0.value)" } }
            }
            out.append(DataOutput.table(["length (characters)"] + names, rows))
        }
        return out.joined(separator: "\n")
    }
}
