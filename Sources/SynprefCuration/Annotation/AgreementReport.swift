import Foundation
import SynprefData
import SynprefEval

/// How much a project's annotators agree, from their answers (labels relative to the
/// stored pair, so the order each person saw does not matter; four categories: chosen,
/// rejected, tie, undetermined): per pair, per annotator and overall — percent agreement,
/// Cohen's κ for every pair of annotators over the pairs both answered, and Fleiss' κ over
/// the pairs answered by the project's usual number of annotators (Fleiss' κ needs the same
/// number of raters per item). Reviewers' answers are not counted.
public struct AgreementReport: Sendable {
    public struct Pairwise: Sendable, Equatable {
        public var first: String
        public var second: String
        public var items: Int
        public var percent: Double
        /// NaN when chance agreement is 1 (both gave one and the same label throughout).
        public var kappa: Double
    }

    public struct Annotator: Sendable, Equatable {
        public var name: String
        public var answers: Int
        public var medianSeconds: Double?
        /// Share of their answers on multiply-answered pairs that match each other answer.
        public var agreementWithOthers: Double?
        /// Share of their answers on pairs now gold that match the final orientation.
        public var agreementWithFinal: Double?
        /// Answers per hour of active time (gaps over 10 minutes between answers do not count).
        public var perHour: Double?
    }

    /// A pair answered by several people, with their labels.
    public struct Item: Sendable, Equatable {
        public var taskID: Int64
        public var pairID: Int64?
        public var labels: [(worker: String, label: PreferenceLabel)]
        public var unanimous: Bool { Set(labels.map(\.label)).count == 1 }

        public static func == (a: Item, b: Item) -> Bool {
            a.taskID == b.taskID && a.pairID == b.pairID && a.labels.map(\.worker) == b.labels.map(\.worker) && a.labels.map(\.label) == b.labels.map(\.label)
        }
    }

    /// Pairs with at least two answers.
    public var items: [Item] = []
    /// Mean fraction of agreeing answer pairs per item (nil without items).
    public var percentAgreement: Double?
    public var fleissKappa: Double?
    /// How many items, with how many raters each, Fleiss' κ was computed over.
    public var fleissItems = 0
    public var fleissRaters = 0
    public var pairwise: [Pairwise] = []
    public var annotators: [Annotator] = []

    /// `final` gives the verified orientation of pairs now gold (true: flipped).
    public static func compute(answers: [QueueAnswer], final: [Int64: Bool]) -> AgreementReport {
        var report = AgreementReport()
        var byTask: [Int64: Item] = [:]
        var byWorker: [String: [(QueueAnswer, HumanAnswer)]] = [:]
        for a in answers {
            guard let h = HumanAnswer.parse(a.result), h.role == .annotator else { continue }
            byTask[a.taskID, default: Item(taskID: a.taskID, pairID: a.pairID, labels: [])].labels.append((a.worker, h.label))
            byWorker[a.worker, default: []].append((a, h))
        }
        report.items = byTask.values.filter { $0.labels.count >= 2 }.sorted { $0.taskID < $1.taskID }

        // Percent agreement: per-item agreeing fraction, averaged over items of every size.
        var weighted = 0.0
        for (_, group) in Dictionary(grouping: report.items, by: { $0.labels.count }) {
            if let p = Agreement.meanPairwiseAgreement(group.map { $0.labels.map(\.label.rawValue) }) { weighted += p * Double(group.count) }
        }
        if !report.items.isEmpty { report.percentAgreement = weighted / Double(report.items.count) }

        // Fleiss over the most common number of raters.
        let sizes = Dictionary(grouping: report.items, by: { $0.labels.count })
        if let (k, group) = sizes.max(by: { ($0.value.count, -$0.key) < ($1.value.count, -$1.key) }) {
            report.fleissKappa = Agreement.fleissKappa(group.map { $0.labels.map(\.label.rawValue) })
            report.fleissItems = group.count
            report.fleissRaters = k
        }

        // Cohen per pair of annotators.
        let names = byWorker.keys.sorted()
        for (i, u) in names.enumerated() {
            for v in names[(i + 1)...] {
                var a: [String] = [], b: [String] = []
                for item in report.items {
                    guard let lu = item.labels.first(where: { $0.worker == u })?.label, let lv = item.labels.first(where: { $0.worker == v })?.label else { continue }
                    a.append(lu.rawValue)
                    b.append(lv.rawValue)
                }
                guard !a.isEmpty else { continue }
                report.pairwise.append(Pairwise(first: u, second: v, items: a.count, percent: Agreement.percentAgreement(a, b),
                                                kappa: Agreement.cohenKappa(a, b)))
            }
        }

        for name in names {
            let mine = byWorker[name]!
            var row = Annotator(name: name, answers: mine.count)
            let seconds = mine.compactMap { $0.1.milliseconds }.map { Double($0) / 1000 }.sorted()
            if !seconds.isEmpty { row.medianSeconds = seconds.count % 2 == 1 ? seconds[seconds.count / 2] : (seconds[seconds.count / 2 - 1] + seconds[seconds.count / 2]) / 2 }
            var agree = 0, total = 0
            for item in report.items {
                guard let mineLabel = item.labels.first(where: { $0.worker == name })?.label else { continue }
                for other in item.labels where other.worker != name {
                    total += 1
                    if other.label == mineLabel { agree += 1 }
                }
            }
            if total > 0 { row.agreementWithOthers = Double(agree) / Double(total) }
            var fa = 0, ft = 0
            for (a, h) in mine {
                guard let id = a.pairID, let flipped = final[id] else { continue }
                ft += 1
                if h.label == (flipped ? .rejected : .chosen) { fa += 1 }
            }
            if ft > 0 { row.agreementWithFinal = Double(fa) / Double(ft) }
            let times = mine.map(\.0.finishedAt).sorted()
            var active = 0.0
            for (x, y) in zip(times, times.dropFirst()) { active += min(600, y.timeIntervalSince(x)) }
            active += mine.first.map { min(600, $0.0.finishedAt.timeIntervalSince($0.0.claimedAt)) } ?? 0
            if active > 0 { row.perHour = Double(mine.count) / (active / 3600) }
            report.annotators.append(row)
        }
        return report
    }
}
