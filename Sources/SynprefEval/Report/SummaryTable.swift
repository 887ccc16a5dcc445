import Foundation

/// The terminal summary: each benchmark's tables and notes, then this run's row next to the
/// paper's table. Plain text; the command line prints it.
public enum SummaryTable {
    public static func render(_ results: EvalResults) -> String {
        var out = ""
        for r in results.reports {
            out += "== \(r.title) ==\n"
            for t in r.tables { out += text(t) + "\n" }
            for n in r.notes { out += "note: \(n)\n" }
            out += "\n"
        }
        for s in results.skipped { out += "skipped \(s.benchmark): \(s.reason)\n" }
        if !results.skipped.isEmpty { out += "\n" }
        out += text(comparison(results)) + "\n"
        if !results.partialColumns.isEmpty {
            out += "* incomplete data for this benchmark (see notes): not comparable with the paper.\n"
        }
        return out
    }

    /// This run's headline numbers above the paper's rows.
    public static func comparison(_ results: EvalResults) -> ReportTable {
        let row = results.paperRow
        let partial = results.partialColumns
        var mine = ["this run"] + SkyworkRewardV2Table.columns.map { c -> String in
            guard let v = row[c] else { return "—" }
            return String(format: "%.1f", v) + (partial.contains(c) ? "*" : "")
        }
        let all = SkyworkRewardV2Table.columns.compactMap { row[$0] }
        mine.append(all.count == SkyworkRewardV2Table.columns.count && partial.isEmpty
                    ? String(format: "%.1f", all.reduce(0, +) / Double(all.count)) : "—")
        var rows = [mine]
        for p in SkyworkRewardV2Table.rows {
            rows.append([p.model] + p.values.map { String(format: "%.1f", $0) } + [String(format: "%.1f", p.average)])
        }
        return ReportTable(title: "Compared with the Skywork-Reward-V2 paper (\(SkyworkRewardV2Table.source))",
                           columns: ["Model"] + SkyworkRewardV2Table.columns + ["Avg"], rows: rows)
    }

    /// A table as aligned plain text.
    public static func text(_ t: ReportTable) -> String {
        var widths = t.columns.map { $0.count }
        for row in t.rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let w = i < widths.count ? widths[i] : c.count
                let pad = String(repeating: " ", count: max(0, w - c.count))
                return i == 0 ? c + pad : pad + c
            }.joined(separator: "  ")
        }
        var out = t.title + "\n" + line(t.columns) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in t.rows { out += line(row) + "\n" }
        return out
    }
}
