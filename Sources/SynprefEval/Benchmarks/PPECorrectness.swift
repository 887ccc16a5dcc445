import Foundation
import SynprefCore

/// PPE correctness (lmarena-ai/PPE-{MMLU-Pro, MATH, GPQA, IFEval, MBPP-Plus}-Best-of-K): per
/// prompt, N (32) sampled responses with verified 0/1 correctness (`scores`) and
/// `sampled_conflict_pairs` (index pairs, 0-based, of one correct and one incorrect response).
///
/// Rules (docs/benchmarks.md; PPE's code is not available to us, so unverified):
/// - accuracy: over conflict pairs, right iff the correct response scores strictly higher;
/// - best-of-K for K = 1…32: the expected correctness of the top-scored of K responses drawn
///   uniformly without replacement, ties at the top broken uniformly (`BestOfK`, closed form),
///   averaged over prompts with at least K responses;
/// - ROC AUC: per prompt, P(score of a correct response > score of an incorrect one), ties
///   counting 1/2, averaged over prompts having both kinds.
/// Each set is scored alone; the headline numbers are unweighted means over the sets present.
public enum PPECorrectness {
    public static let ruleVersion =
        "ppe-correctness/1: conflict-pair accuracy (strict >), exact best-of-K (uniform K-subsets, uniform tie-break), "
        + "per-prompt ROC AUC; unweighted mean over sets (docs/benchmarks.md; unverified against PPE's code)"
    public static let whereToGet =
        "Export the Hugging Face datasets lmarena-ai/PPE-MMLU-Pro-Best-of-K, PPE-MATH-Best-of-K, PPE-GPQA-Best-of-K, "
        + "PPE-IFEval-Best-of-K and PPE-MBPP-Plus-Best-of-K (split \"train\") with .to_json(\"ppe/<set>.jsonl\")."
    public static let expectedSets = ["mmlu-pro", "math", "gpqa", "ifeval", "mbpp-plus"]
    public static let maxK = 32

    /// A row with a variable number of `response_<i>` columns.
    public struct Row: Sendable, Decodable {
        public var prompt: PromptField
        public var truths: [Double]
        public var conflictPairs: [[Int]]
        public var responses: [String]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        /// 0/1 correctness written as booleans or numbers.
        struct Truth: Decodable {
            var value: Double
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let b = try? c.decode(Bool.self) { value = b ? 1 : 0; return }
                value = try c.decode(Double.self)
            }
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            prompt = try c.decode(PromptField.self, forKey: Key(stringValue: "prompt"))
            truths = try c.decode([Truth].self, forKey: Key(stringValue: "scores")).map(\.value)
            conflictPairs = try c.decode([[Int]].self, forKey: Key(stringValue: "sampled_conflict_pairs"))
            var responses: [String] = []
            while c.contains(Key(stringValue: "response_\(responses.count + 1)")) {
                responses.append(try c.decode(String.self, forKey: Key(stringValue: "response_\(responses.count + 1)")))
            }
            self.responses = responses
            guard responses.count == truths.count else {
                throw DecodingError.dataCorruptedError(forKey: Key(stringValue: "scores"), in: c, debugDescription:
                    "has \(truths.count) entries but the row has \(responses.count) response_<i> columns")
            }
            for (n, pair) in conflictPairs.enumerated() {
                guard pair.count == 2, pair.allSatisfy({ $0 >= 0 && $0 < responses.count }) else {
                    throw DecodingError.dataCorruptedError(forKey: Key(stringValue: "sampled_conflict_pairs"), in: c, debugDescription:
                        "entry \(n) must be two 0-based response indices below \(responses.count), found \(pair)")
                }
            }
        }
    }

    public struct Item: Sendable {
        public var responseIDs: [String]
        public var truths: [Double]
        public var conflictPairs: [[Int]]
    }

    public struct SetData: Sendable {
        public var name: String
        public var items: [Item]
        public var record: DataFileRecord
    }

    /// One set's numbers (fractions).
    public struct SetResult: Sendable, Equatable {
        public var name: String
        public var prompts: Int
        public var pairs: Int
        public var accuracy: Double?
        /// bestOfK[K − 1]
        public var bestOfK: [Double]
        public var auc: Double?
    }

    /// The set name of a file: `PPE-MMLU-Pro-Best-of-K.jsonl` and `mmlu_pro.jsonl` both give
    /// `mmlu-pro`.
    public static func setName(_ file: String) -> String {
        var s = ((file as NSString).lastPathComponent.components(separatedBy: ".").first ?? "").lowercased()
        s = s.replacingOccurrences(of: "_", with: "-")
        if s.hasPrefix("ppe-") { s.removeFirst(4) }
        if s.hasSuffix("-best-of-k") { s.removeLast("-best-of-k".count) }
        return s
    }

    static func load(file: String, set: inout RequestSet) throws -> SetData {
        let loaded = try DataFile.rows(Row.self, at: file)
        var items: [Item] = []
        for (row, location) in zip(loaded.rows, loaded.locations) {
            let context = try PPE.conversation(row.prompt, path: file, location: location)
            let ids = row.responses.map { set.add(context + [ChatMessage(role: .assistant, content: $0)]) }
            items.append(Item(responseIDs: ids, truths: row.truths, conflictPairs: row.conflictPairs))
        }
        return SetData(name: setName(file), items: items, record: loaded.record)
    }

    static func evaluate(_ data: SetData, _ table: ScoreTable) throws -> SetResult {
        var right = 0, pairs = 0
        var curves: [[Double]] = []
        var aucs: [Double] = []
        for item in data.items {
            let s = try item.responseIDs.map { try table.score($0, benchmark: PPE.name) }
            for p in item.conflictPairs {
                let (i, j) = (p[0], p[1])
                guard item.truths[i] != item.truths[j] else { continue }
                let (good, bad) = item.truths[i] > item.truths[j] ? (i, j) : (j, i)
                pairs += 1
                if s[good] > s[bad] { right += 1 }
            }
            curves.append(BestOfK.curve(scores: s, truths: item.truths, maxK: maxK))
            if let a = rocAUC(scores: s, truths: item.truths) { aucs.append(a) }
        }
        var bon: [Double] = []
        for k in 1...maxK {
            let values = curves.compactMap { $0.count >= k ? $0[k - 1] : nil }
            guard !values.isEmpty else { break }
            bon.append(values.reduce(0, +) / Double(values.count))
        }
        return SetResult(name: data.name, prompts: data.items.count, pairs: pairs,
                         accuracy: pairs > 0 ? Double(right) / Double(pairs) : nil, bestOfK: bon,
                         auc: aucs.isEmpty ? nil : aucs.reduce(0, +) / Double(aucs.count))
    }

    /// P(score of a correct response > score of an incorrect one) + ½ P(equal); correct means
    /// truth > 0.5. Nil unless both kinds are present.
    public static func rocAUC(scores: [Double], truths: [Double]) -> Double? {
        let pos = scores.indices.filter { truths[$0] > 0.5 }.map { scores[$0] }
        let neg = scores.indices.filter { truths[$0] <= 0.5 }.map { scores[$0] }
        guard !pos.isEmpty, !neg.isEmpty else { return nil }
        var wins = 0.0
        for p in pos {
            for n in neg { wins += p > n ? 1 : (p == n ? 0.5 : 0) }
        }
        return wins / Double(pos.count * neg.count)
    }
}
