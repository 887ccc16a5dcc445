/// How preference and verify votes become a label.
///
/// Each judge's samples are counted (chosen / rejected / tie / invalid, mapped back to the
/// stored orientation); a judge's label is the strict plurality of its valid votes
/// (`undetermined` when two options share the top count or no vote is valid). Across
/// judges: `majority` takes the label more than half of the judges gave, `unanimous` the
/// label every judge gave; otherwise `undetermined`. For verify, a `tie` label (both
/// responses judged alike) is `undetermined`. Confidence is the share of all valid votes
/// that went to the final label (0 when undetermined).
public enum Aggregation: String, Sendable, CaseIterable {
    case majority, unanimous
}

public enum PairLabel: String, Sendable {
    case chosen, rejected, tie, undetermined
}

public struct Votes: Sendable, Equatable {
    public var chosen = 0, rejected = 0, tie = 0, invalid = 0
    public init() {}

    public var valid: Int { chosen + rejected + tie }

    mutating func add(_ other: Votes) {
        chosen += other.chosen; rejected += other.rejected; tie += other.tie; invalid += other.invalid
    }

    public func count(_ label: PairLabel) -> Int {
        switch label {
        case .chosen: return chosen
        case .rejected: return rejected
        case .tie: return tie
        case .undetermined: return 0
        }
    }

    /// The strict plurality of valid votes.
    var plurality: PairLabel {
        let ranked: [(PairLabel, Int)] = [(.chosen, chosen), (.rejected, rejected), (.tie, tie)].sorted { $0.1 > $1.1 }
        guard ranked[0].1 > 0, ranked[0].1 > ranked[1].1 else { return .undetermined }
        return ranked[0].0
    }
}

public struct Verdict: Sendable {
    public var label: PairLabel
    public var confidence: Double
    public var votes: Votes
    /// Each judge's own label, its votes, and the rationale of one of its answers that gave
    /// that label (absent when the judge gave no valid answer).
    public var judgeLabels: [String: PairLabel]
    public var judgeVotes: [String: Votes] = [:]
    public var judgeRationales: [String: String] = [:]

    public init(label: PairLabel, confidence: Double, votes: Votes, judgeLabels: [String: PairLabel] = [:],
                judgeVotes: [String: Votes] = [:], judgeRationales: [String: String] = [:]) {
        self.label = label
        self.confidence = confidence
        self.votes = votes
        self.judgeLabels = judgeLabels
        self.judgeVotes = judgeVotes
        self.judgeRationales = judgeRationales
    }

    /// The share of a judge's valid votes that went to its own label (0 when undetermined).
    public func judgeConfidence(_ judge: String) -> Double {
        guard let votes = judgeVotes[judge], let label = judgeLabels[judge], label != .undetermined, votes.valid > 0 else { return 0 }
        return Double(votes.count(label)) / Double(votes.valid)
    }

    static func aggregate(_ perJudge: [(judge: String, votes: Votes)], rule: Aggregation, tieIsUndetermined: Bool) -> Verdict {
        var total = Votes()
        var labels: [String: PairLabel] = [:]
        var judgeVotes: [String: Votes] = [:]
        for (judge, votes) in perJudge {
            total.add(votes)
            judgeVotes[judge] = votes
            var l = votes.plurality
            if tieIsUndetermined && l == .tie { l = .undetermined }
            labels[judge] = l
        }
        let given = perJudge.map { labels[$0.judge] ?? .undetermined }
        var label = PairLabel.undetermined
        switch rule {
        case .majority:
            for candidate in [PairLabel.chosen, .rejected, .tie] where given.filter({ $0 == candidate }).count * 2 > given.count {
                label = candidate
            }
        case .unanimous:
            if let first = given.first, first != .undetermined, given.allSatisfy({ $0 == first }) { label = first }
        }
        let confidence = label == .undetermined || total.valid == 0 ? 0 : Double(total.count(label)) / Double(total.valid)
        return Verdict(label: label, confidence: confidence, votes: total, judgeLabels: labels, judgeVotes: judgeVotes)
    }
}
