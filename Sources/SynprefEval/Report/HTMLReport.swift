import Foundation

/// `report.html`: one self-contained page (inline CSS and SVG, no external assets) with the
/// comparison against the paper, every benchmark's tables and notes, RM-Bench heatmaps,
/// best-of-K curves, and the provenance of data and scores.
public enum HTMLReport {
    public static func render(_ results: EvalResults) -> String {
        var body = "<h1>Synpref evaluation report</h1>\n"
        body += "<p class=\"meta\">Scores: \(escape(describe(results.provenance))). Distinct responses scored: \(results.requestCount).</p>\n"
        if let rate = results.statistics.tokensPerSecond {
            body += "<p class=\"meta\">Throughput: \(String(format: "%.1f", rate)) tokens/s; cache hit rate \(String(format: "%.1f", results.statistics.cacheHitRate * 100))%.</p>\n"
        }
        body += "<h2>Compared with the Skywork-Reward-V2 paper</h2>\n"
        body += table(SummaryTable.comparison(results), highlightFirstRow: true)
        if !results.partialColumns.isEmpty {
            body += "<p class=\"note\">* incomplete data for this benchmark (see its notes): not comparable with the paper.</p>\n"
        }
        for s in results.skipped {
            body += "<p class=\"note\">Skipped <b>\(escape(s.benchmark))</b>: \(escape(s.reason))</p>\n"
        }
        for r in results.reports {
            body += "<section>\n<h2>\(escape(r.title))</h2>\n"
            body += "<p class=\"meta\">Rule: \(escape(r.ruleVersion))</p>\n"
            for n in r.notes { body += "<p class=\"note\">\(escape(n))</p>\n" }
            for t in r.tables { body += table(t, highlightFirstRow: false) }
            if !r.heatmaps.isEmpty {
                body += "<div class=\"maps\">\n"
                for h in r.heatmaps { body += heatmap(h) }
                body += "</div>\n"
            }
            for c in r.curves { body += curves(c) }
            body += "<details><summary>Data files</summary><ul>\n"
            for d in results.datasets[r.benchmark] ?? [] {
                body += "<li>Hugging Face dataset <code>\(escape(d.repository))</code> split <code>\(escape(d.split))</code>"
                    + (d.config.map { " (config <code>\(escape($0))</code>)" } ?? "")
                    + " at commit <code>\(escape(d.commit))</code> (revision \(escape(d.revision)))</li>\n"
            }
            for f in r.dataFiles {
                body += "<li><code>\(escape(f.path))</code> — \(f.rows) rows, \(f.bytes) bytes, sha256 <code>\(f.sha256)</code></li>\n"
            }
            body += "</ul></details>\n</section>\n"
        }
        return page(title: "Synpref evaluation report", body: body)
    }

    /// A self-contained page (inline CSS) around `body`; Synpref's other reports use it too.
    public static func page(title: String, body: String) -> String {
        """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1d1d1f}
            h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
            table{border-collapse:collapse;margin:.8em 0;font-size:.9em}caption{text-align:left;font-weight:600;padding:.3em 0}
            th,td{border:1px solid #ddd;padding:.25em .6em}td{text-align:right}td:first-child,th:first-child{text-align:left}
            th{background:#f4f4f6}tr.mine td{background:#fff6d6;font-weight:600}
            .meta{color:#555;font-size:.9em}.note{color:#8a4b00;background:#fff4e5;padding:.3em .6em;border-radius:4px}
            .maps{display:flex;flex-wrap:wrap;gap:1em}figure{margin:.5em 0}figcaption{font-size:.85em;color:#333;max-width:330px}
            code{font-size:.85em}
            </style></head><body>
            \(body)</body></html>

            """
    }

    /// Vertical bars with a label under each (counts, e.g. a histogram).
    public static func bars(title: String, labels: [String], values: [Double]) -> String {
        let w = 40.0 * Double(max(1, values.count)) + 60, h = 180.0, left = 40.0, bottom = 30.0, top = 10.0
        let top0 = max(1, values.max() ?? 1)
        var s = "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-size=\"10\">\n"
        s += "<line x1=\"\(left)\" y1=\"\(h - bottom)\" x2=\"\(w - 10)\" y2=\"\(h - bottom)\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(left - 4)\" y=\"\(top + 8)\" text-anchor=\"end\">\(Int(top0))</text>\n"
        for (i, v) in values.enumerated() {
            let bh = (h - top - bottom) * max(0, v) / top0, x = left + 40 * Double(i) + 5
            s += "<rect x=\"\(x)\" y=\"\(h - bottom - bh)\" width=\"30\" height=\"\(bh)\" fill=\"\(palette[0])\"/>"
            s += "<text x=\"\(x + 15)\" y=\"\(h - bottom + 12)\" text-anchor=\"middle\">\(escape(i < labels.count ? labels[i] : ""))</text>\n"
        }
        s += "</svg><figcaption>\(escape(title))</figcaption></figure>\n"
        return s
    }

    static func describe(_ p: ScoreProvenance) -> String {
        switch p.kind {
        case .model: return "model \(p.identity)"
        case .scoresFile: return "scores file \(p.identity)" + (p.sha256.map { " (sha256 \($0))" } ?? "")
        }
    }

    public static func table(_ t: ReportTable, highlightFirstRow: Bool) -> String {
        var s = "<table><caption>\(escape(t.title))</caption>\n<tr>" + t.columns.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for (i, row) in t.rows.enumerated() {
            s += (highlightFirstRow && i == 0 ? "<tr class=\"mine\">" : "<tr>") + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
        }
        return s + "</table>\n"
    }

    /// A grid of percentages shaded from white (0%) to blue (100%), rows = chosen style,
    /// columns = rejected style.
    static func heatmap(_ h: Heatmap) -> String {
        let cell = 72.0, left = 104.0, top = 44.0
        let width = left + cell * Double(h.columnLabels.count) + 10
        let height = top + cell * Double(h.rowLabels.count) + 10
        var s = "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-size=\"12\">\n"
        s += "<text x=\"\(left + cell * Double(h.columnLabels.count) / 2)\" y=\"14\" text-anchor=\"middle\" font-weight=\"600\">rejected style</text>\n"
        let midY = top + cell * Double(h.rowLabels.count) / 2
        s += "<text x=\"14\" y=\"\(midY)\" text-anchor=\"middle\" font-weight=\"600\" transform=\"rotate(-90 14 \(midY))\">chosen style</text>\n"
        for (j, label) in h.columnLabels.enumerated() {
            s += "<text x=\"\(left + cell * (Double(j) + 0.5))\" y=\"\(top - 8)\" text-anchor=\"middle\">\(escape(label))</text>\n"
        }
        for (i, label) in h.rowLabels.enumerated() {
            s += "<text x=\"\(left - 6)\" y=\"\(top + cell * (Double(i) + 0.5) + 4)\" text-anchor=\"end\">\(escape(label))</text>\n"
            for j in h.columnLabels.indices {
                let v = i < h.values.count && j < h.values[i].count ? h.values[i][j] : .nan
                let t = v.isFinite ? max(0, min(1, v / 100)) : 0
                let r = Int(255 - t * (255 - 31)), g = Int(255 - t * (255 - 100)), b = Int(255 - t * (255 - 190))
                let x = left + cell * Double(j), y = top + cell * Double(i)
                s += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(r),\(g),\(b))\" stroke=\"#fff\"/>\n"
                s += "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\" fill=\"\(t > 0.55 ? "#fff" : "#111")\">\(v.isFinite ? String(format: "%.1f", v) : "—")</text>\n"
            }
        }
        s += "</svg><figcaption>\(escape(h.title)). Upper triangle = hard, diagonal = normal, lower = easy.</figcaption></figure>\n"
        return s
    }

    static let palette = ["#1f64be", "#d1495b", "#2a9d8f", "#e9a03b", "#6a4c93", "#444444"]

    /// Line chart of percentage curves over K.
    public static func curves(_ c: CurvePlot) -> String {
        let w = 640.0, h = 320.0, left = 50.0, right = 150.0, top = 20.0, bottom = 40.0
        let xs = c.series.flatMap { $0.points.map(\.x) }, ys = c.series.flatMap { $0.points.map(\.y) }
        guard let xMin = xs.min(), let xMax = xs.max(), let yLow = ys.min(), let yHigh = ys.max() else { return "" }
        let yMin = max(0, (yLow / 10).rounded(.down) * 10), yMax = min(100, max(yMin + 10, (yHigh / 10).rounded(.up) * 10))
        func px(_ x: Double) -> Double { left + (xMax > xMin ? (x - xMin) / (xMax - xMin) : 0.5) * (w - left - right) }
        func py(_ y: Double) -> Double { top + (1 - (y - yMin) / (yMax - yMin)) * (h - top - bottom) }
        var s = "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-size=\"11\">\n"
        s += "<line x1=\"\(left)\" y1=\"\(py(yMin))\" x2=\"\(w - right)\" y2=\"\(py(yMin))\" stroke=\"#333\"/>\n"
        s += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(py(yMin))\" stroke=\"#333\"/>\n"
        var y = yMin
        while y <= yMax + 1e-9 {
            s += "<line x1=\"\(left)\" y1=\"\(py(y))\" x2=\"\(w - right)\" y2=\"\(py(y))\" stroke=\"#eee\"/>"
            s += "<text x=\"\(left - 5)\" y=\"\(py(y) + 4)\" text-anchor=\"end\">\(Int(y))</text>\n"
            y += (yMax - yMin) / 5
        }
        let ticks = Set([xMin, xMax] + [1, 2, 4, 8, 16, 32].map(Double.init).filter { $0 >= xMin && $0 <= xMax })
        for x in ticks.sorted() {
            s += "<text x=\"\(px(x))\" y=\"\(py(yMin) + 16)\" text-anchor=\"middle\">\(Int(x))</text>\n"
        }
        s += "<text x=\"\((left + w - right) / 2)\" y=\"\(h - 6)\" text-anchor=\"middle\">\(escape(c.xLabel))</text>\n"
        s += "<text x=\"14\" y=\"\(top + (h - top - bottom) / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(top + (h - top - bottom) / 2))\">\(escape(c.yLabel))</text>\n"
        for (i, series) in c.series.enumerated() {
            let color = palette[i % palette.count]
            let points = series.points.map { "\(px($0.x)),\(py($0.y))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            s += "<rect x=\"\(w - right + 12)\" y=\"\(top + Double(i) * 16)\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            s += "<text x=\"\(w - right + 28)\" y=\"\(top + Double(i) * 16 + 9)\">\(escape(series.name))</text>\n"
        }
        s += "</svg><figcaption>\(escape(c.title))</figcaption></figure>\n"
        return s
    }

    /// Text made safe for HTML content and quoted attribute values: `& < > " '` escaped.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
