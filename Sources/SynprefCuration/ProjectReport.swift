import Foundation
import SynprefCore
import SynprefData
import SynprefEval

/// `synpref curate report`: a project's record as one self-contained HTML page and the same
/// numbers as JSON — the pool by tier after each round, the round models' accuracy on gold,
/// their p histograms, human–LLM agreement, the judges' cost and position bias, Stage 2's
/// decisions, and (for `curate experiment`) the comparison of the three reward models.
public enum ProjectReport {
    /// The report's numbers: the project's status and its rounds' reports.
    public static func json(_ project: CurationProject, experiment: JSONObject? = nil) async throws -> JSONObject {
        let status = try await project.status()
        var rounds: [JSONValue] = []
        var stage2 = JSONObject()
        for s in status.steps where s.state == .done {
            let details = (try? JSONParser.parse(s.details)) ?? .object([:])
            if s.step == "report" { rounds.append(details) }
            if s.step.hasPrefix("stage2-") { stage2[s.step] = details }
        }
        var o: JSONObject = ["project": .string(project.name), "status": status.json, "rounds": .array(rounds), "stage2": .object(stage2)]
        if let experiment { o["experiment"] = .object(experiment) }
        return o
    }

    /// Writes `index.html` and `report.json` into `directory`.
    public static func write(_ project: CurationProject, to directory: String, experiment: JSONObject? = nil) async throws {
        let o = try await json(project, experiment: experiment)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let dir = URL(fileURLWithPath: directory)
        try Data((JSONValue.object(o).serialized(indent: 2) + "\n").utf8).write(to: dir.appendingPathComponent("report.json"), options: .atomic)
        try Data(html(o).utf8).write(to: dir.appendingPathComponent("index.html"), options: .atomic)
    }

    static func pct(_ v: JSONValue?) -> String { v?.doubleValue.map { String(format: "%.1f%%", 100 * $0) } ?? "—" }
    static func num(_ v: JSONValue?) -> String {
        guard let v else { return "—" }
        if let i = v.intValue { return String(i) }
        if let d = v.doubleValue { return String(format: "%.3g", d) }
        return v.stringValue ?? "—"
    }

    /// The page.
    public static func html(_ o: JSONObject) -> String {
        let e = HTMLReport.escape
        let project = o["project"]?.stringValue ?? "?"
        var body = "<h1>Synpref curation: \(e(project))</h1>\n"
        let status = o["status"]?.objectValue ?? [:]
        let config = status["config"]?.objectValue ?? [:]
        body += "<p class=\"meta\">Judges: \(e(config["judges"]?.stringValue ?? "none (the LLM steps were skipped)")). "
        body += "Reward model: \(e(config["reward_model"]?["base"]?.stringValue ?? "?")) (\(e(config["reward_model"]?["train"]?.stringValue ?? "?"))). "
        body += "Rounds done: \(num(status["rounds_done"])) of \(num(config["rounds"])).</p>\n"

        if let x = o["experiment"]?.objectValue {
            body += "<h2>Experiment: raw vs curated vs clean</h2>\n"
            body += "<p class=\"meta\">Pool \(num(x["pool_pairs"])) pairs with \(num(x["flipped"])) injected flips (noise \(pct(x["noise"]))); "
            body += "\(num(x["held_out_pairs"])) held-out pairs, never curated. Judges: \(e(x["judges"]?.stringValue ?? "?")).</p>\n"
            var rows: [[String]] = []
            for (key, label) in [("a_raw", "(a) the noisy pool"), ("b_curated", "(b) the curated pool"), ("c_clean", "(c) the clean pool")] {
                let a = x[key]?.objectValue ?? [:]
                let ci = a["ci95"]?.arrayValue.map { "\(pct($0.first)) – \(pct($0.last))" } ?? "—"
                rows.append([label, num(a["train_pairs"]), pct(a["accuracy"]), ci])
            }
            body += HTMLReport.table(ReportTable(title: "Held-out accuracy (95% Wilson intervals)", columns: ["trained on", "pairs", "accuracy", "95% CI"], rows: rows),
                                     highlightFirstRow: false)
            body += "<p>(b) vs (a): McNemar exact p = \(num(x["b_vs_a"]?["mcnemar_p"])); (b) vs (c): p = \(num(x["b_vs_c"]?["mcnemar_p"])). "
            body += "Share of the (a)→(c) gap closed: \(pct(x["gap_closed"])).</p>\n"
            let f = x["flip_detection"]?.objectValue ?? [:]
            body += "<p>Flip detection: precision \(pct(f["precision"])), recall \(pct(f["recall"])); labels of the curated pairs right: \(pct(f["curated_label_accuracy"])).</p>\n"
        }

        let rounds = o["rounds"]?.arrayValue ?? []
        if !rounds.isEmpty {
            body += "<h2>Stage 1 rounds</h2>\n"
            let tiers = PreferenceTier.allCases.map(\.rawValue)
            var rows: [[String]] = []
            for r in rounds {
                var row = [num(r["round"]), pct(r["gold_accuracy"]), pct(r["validation_accuracy"]), num(r["trained_on"]), num(r["train_pairs"]), num(r["humans_offered"]),
                           num(r["retrieved_pairs"]), pct(r["agreement"]?["rate"]), String(format: "%.2f", r["cost_usd"]?.doubleValue ?? 0),
                           String(format: "%.0f s", r["seconds"]?.doubleValue ?? 0)]
                row += tiers.map { num(r["tiers"]?[$0]) }
                rows.append(row)
            }
            body += HTMLReport.table(ReportTable(title: "Per round (tiers after the round)",
                                                 columns: ["round", "RM accuracy on gold", "on the human validation set", "trained on", "pairs", "to humans", "retrieved", "human–LLM agreement", "cost $", "time"] + tiers,
                                                 rows: rows), highlightFirstRow: false)
            let points = rounds.compactMap { r -> (x: Double, y: Double)? in
                guard let x = r["round"]?.intValue, let y = r["gold_accuracy"]?.doubleValue else { return nil }
                return (Double(x), 100 * y)
            }
            if points.count > 1 {
                body += HTMLReport.curves(CurvePlot(title: "The round model's accuracy on gold", xLabel: "round", yLabel: "accuracy on gold (%)",
                                                    series: [.init(name: "gold accuracy", points: points)]))
            }
            body += "<div class=\"maps\">\n"
            let labels = (0..<RoundReport.bins).map { String(format: "%.1f", Double($0) / Double(RoundReport.bins)) }
            for r in rounds {
                let h = r["p_histogram"]?.arrayValue?.compactMap { $0.intValue.map(Double.init) } ?? []
                body += HTMLReport.bars(title: "Round \(num(r["round"])): p of the gold pairs (p ≤ 0.5: the model is wrong)", labels: labels, values: h)
            }
            body += "</div>\n"
            for r in rounds {
                if let bias = r["position_bias"]?.objectValue, !bias.isEmpty {
                    body += "<p class=\"meta\">Round \(num(r["round"])) judges' position bias: \(e(JSONValue.object(bias).serialized()))</p>\n"
                }
                if r["llm_steps"]?.stringValue?.hasPrefix("skipped") == true {
                    body += "<p class=\"note\">Round \(num(r["round"])): the LLM steps were skipped (no judges file in the configuration).</p>\n"
                }
            }
        }
        if let s2 = o["stage2"]?.objectValue, !s2.isEmpty {
            body += "<h2>Stage 2</h2>\n"
            let score = s2["stage2-score"]?.objectValue ?? [:], filter = s2["stage2-filter"]?.objectValue ?? [:]
            body += HTMLReport.table(ReportTable(title: "Decisions", columns: ["", "pairs"], rows: [
                ["scored by the best RM", num(score["scored"])], ["confident (p > threshold + band)", num(score["confident"])],
                ["uncertain", num(score["uncertain"])], ["kept → silver", num(filter["kept"])], ["kept thanks to the judges", num(filter["kept_by_judges"])],
                ["discarded: the gold RM disagrees", num(filter["discarded_gold_disagrees"])],
                ["discarded: neither judges nor best RM agree", num(filter["discarded_neither"])], ["left unverified (no score)", num(filter["unscored"])],
            ]), highlightFirstRow: false)
            let h = score["p_histogram"]?.arrayValue?.compactMap { $0.intValue.map(Double.init) } ?? []
            if !h.isEmpty {
                body += HTMLReport.bars(title: "p of the unverified pool under the best RM", labels: (0..<h.count).map { String(format: "%.1f", Double($0) / Double(h.count)) }, values: h)
            }
        }
        body += "<h2>Steps</h2>\n"
        var stepRows: [[String]] = []
        for s in status["steps"]?.arrayValue ?? [] {
            let started = s["started_at"]?.doubleValue ?? 0, finished = s["finished_at"]?.doubleValue
            stepRows.append([num(s["round"]), s["step"]?.stringValue ?? "", s["state"]?.stringValue ?? "",
                             finished.map { String(format: "%.1f s", $0 - started) } ?? "—"])
        }
        body += HTMLReport.table(ReportTable(title: "Every recorded step (details in report.json)", columns: ["round", "step", "state", "time"], rows: stepRows),
                                 highlightFirstRow: false)
        return HTMLReport.page(title: "Synpref curation: \(project)", body: body)
    }
}
