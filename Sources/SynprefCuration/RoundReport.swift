import Foundation
import SynprefCore
import SynprefData

/// Stage 1, step 7: what a round did, recorded as the round's `report` step — the reward
/// model's accuracy on gold and its p distribution, the pairs offered to humans, retrieved,
/// labelled and moved, human–LLM agreement on pairs both labelled, the judges' position
/// bias, cost and time.
public enum RoundReport {
    /// Bins of the p histogram: [0, 0.1), …, [0.9, 1].
    public static let bins = 10

    public static func make(_ project: CurationProject, round: Int, steps: [String: JSONObject], seconds: Double) async throws -> JSONObject {
        var o: JSONObject = ["round": .integer(round)]
        let train = steps["train"] ?? [:]
        o["gold_accuracy"] = train["gold_accuracy"] ?? .null
        o["trained_on"] = train["trained_on"] ?? .null
        o["train_pairs"] = train["train_pairs"] ?? .null
        o["model_fingerprint"] = train["fingerprint"] ?? .null
        let p = (train["gold_p"]?.objectValue ?? [:]).values.compactMap(\.doubleValue)
        o["p_histogram"] = .array(histogram(p).map { .integer($0) })
        o["gold_wrong"] = .integer(p.filter { $0 <= 0.5 }.count)
        o["gold_pairs"] = .integer(p.count)
        o["validation_accuracy"] = .null
        if let file = project.config.humans.validation, let model = train["model"]?.stringValue {
            // A sanity check only: the stored chosen response is the humans' choice.
            let pairs = try PreferenceFileReader.readAll(path: file).enumerated().map { i, p in
                var q = p
                q.id = Int64(i + 1)
                return q
            }
            let r = try project.scoring.rewards(pairs, model: model, task: "scoring the human validation set")
            let correct = r.values.filter { $0.chosen > $0.rejected }.count
            o["validation_accuracy"] = pairs.isEmpty ? .null : .double(Double(correct) / Double(pairs.count))
            o["validation_pairs"] = .integer(pairs.count)
        }
        let humans = steps["humans"] ?? [:]
        o["humans_offered"] = humans["offered"] ?? .integer(0)
        o["humans_simulated"] = humans["simulated"] ?? .null
        o["retrieved_pairs"] = steps["retrieve"]?["retrieved_pairs"] ?? .integer(0)
        let llmSteps = ["attributes", "verify", "label"]
        o["llm_steps"] = .string(llmSteps.allSatisfy({ steps[$0]?["skipped"] != nil }) ? "skipped: no judges file in the configuration" : "ran")
        var cost = 0.0, bias = JSONObject()
        for name in llmSteps {
            guard let s = steps[name] else { continue }
            cost += s["cost_usd"]?.doubleValue ?? 0
            if let b = s["position_bias"]?.objectValue, !b.isEmpty { bias[name] = .object(b) }
        }
        o["cost_usd"] = .double(cost)
        o["position_bias"] = .object(bias)
        var label = steps["label"] ?? [:]
        label["for_humans"] = nil
        o["label"] = .object(label)
        let stats = try await project.store.stats()
        o["tiers"] = .object(JSONObject(PreferenceTier.allCases.map { ($0.rawValue, JSONValue.integer(stats.byTier[$0.rawValue] ?? 0)) }))
        o["agreement"] = .object(try await agreement(project))
        o["seconds"] = .double(seconds)
        return o
    }

    /// Counts of p per bin.
    public static func histogram(_ values: [Double]) -> [Int] {
        var h = [Int](repeating: 0, count: bins)
        for v in values where v.isFinite { h[min(bins - 1, max(0, Int(v * Double(bins))))] += 1 }
        return h
    }

    /// Human–LLM agreement over the pairs a human decided (chosen or rejected) and the
    /// judges labelled too: the judges' panel label when several judges, else the judge's.
    static func agreement(_ project: CurationProject) async throws -> JSONObject {
        var both = 0, agree = 0
        for pair in try await project.store.allPairs(tier: .gold) {
            guard let id = pair.id else { continue }
            let labels = try await project.store.labels(pairID: id)
            guard let human = labels.last(where: { $0.labeler.kind == .human && ($0.label == .chosen || $0.label == .rejected) }) else { continue }
            let judged = labels.filter { $0.labeler.kind == .llmJudge }
            // The panel's label has a rule in its name ("majority(a,b)"); with one judge, its own.
            guard let llm = judged.last(where: { $0.labeler.id.contains("(") }) ?? judged.last else { continue }
            both += 1
            if llm.label == human.label { agree += 1 }
        }
        var o: JSONObject = ["pairs": .integer(both)]
        o["rate"] = both > 0 ? .double(Double(agree) / Double(both)) : .null
        return o
    }
}
