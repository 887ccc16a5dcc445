import Foundation
import Testing
@testable import SynprefEval

/// Agreement against scikit-learn's cohen_kappa_score and statsmodels' fleiss_kappa on
/// PandaLM's three human labels per pair (scripts/reference/agreement_reference.py).
struct AgreementTests {
    struct Reference: Decodable {
        struct Pair: Decodable {
            var raters: [Int]
            /// nil: undefined (NaN in scikit-learn).
            var cohen_kappa: Double?
            var percent_agreement: Double
        }
        struct Case: Decodable {
            var name: String
            var items: [Int]
            var pairs: [Pair]
            /// nil: undefined (NaN in statsmodels).
            var fleiss_kappa: Double?
            var mean_pairwise_agreement: Double
        }
        var labels: [[String]]
        var cases: [Case]
    }

    /// Within 1e-9 of the reference, or NaN where the reference is undefined.
    static func matches(_ value: Double, _ reference: Double?) -> Bool {
        guard let reference else { return value.isNaN }
        return abs(value - reference) <= 1e-9
    }

    @Test func matchesScikitLearnAndStatsmodels() throws {
        let reference = try Fixture.decode(Reference.self, "agreement-pandalm.json")
        #expect(reference.labels.count == 999)
        #expect(reference.labels.allSatisfy { $0.count == 3 })
        #expect(Set(reference.labels.joined()) == ["a", "b", "tie"])
        #expect(reference.cases.map(\.name) == ["all", "first_50", "first_88", "raters_0_1_agree", "unanimous_a"])
        for c in reference.cases {
            let rows = c.items.map { reference.labels[$0] }
            for pair in c.pairs {
                let a = rows.map { $0[pair.raters[0]] }
                let b = rows.map { $0[pair.raters[1]] }
                let kappa = Agreement.cohenKappa(a, b)
                let agreement = Agreement.percentAgreement(a, b)
                #expect(Self.matches(kappa, pair.cohen_kappa),
                        "\(c.name) raters \(pair.raters): Cohen's kappa \(kappa) vs sklearn \(String(describing: pair.cohen_kappa))")
                #expect(Self.matches(agreement, pair.percent_agreement),
                        "\(c.name) raters \(pair.raters): agreement \(agreement) vs \(pair.percent_agreement)")
            }
            let fleiss = try #require(Agreement.fleissKappa(rows), "\(c.name)")
            #expect(Self.matches(fleiss, c.fleiss_kappa),
                    "\(c.name): Fleiss' kappa \(fleiss) vs statsmodels \(String(describing: c.fleiss_kappa))")
            let mean = try #require(Agreement.meanPairwiseAgreement(rows), "\(c.name)")
            #expect(Self.matches(mean, c.mean_pairwise_agreement),
                    "\(c.name): mean pairwise agreement \(mean) vs \(c.mean_pairwise_agreement)")
        }
    }

    @Test func identicalRatersAgreeFully() {
        let labels = ["a", "b", "tie", "a", "b"]
        #expect(Agreement.percentAgreement(labels, labels) == 1)
        #expect(Agreement.cohenKappa(labels, labels) == 1)
        let rows = labels.map { [$0, $0, $0] }
        #expect(Agreement.fleissKappa(rows) == 1)
        #expect(Agreement.meanPairwiseAgreement(rows) == 1)
    }

    @Test func cohenKappaByHand() {
        // 3 of 4 agree; marginals a 2/4, b 2/4 and a 1/4, b 3/4: p_e = 1/2, κ = (3/4 − 1/2) / (1/2).
        #expect(abs(Agreement.cohenKappa(["a", "a", "b", "b"], ["a", "b", "b", "b"]) - 0.5) <= 1e-12)
        // Always opposite: p_o = 0, p_e = 1/2.
        #expect(Agreement.cohenKappa(["a", "b"], ["b", "a"]) == -1)
        // Each rater uses one category, a different one: p_o = p_e = 0.
        #expect(Agreement.cohenKappa(["a", "a", "a"], ["b", "b", "b"]) == 0)
    }

    @Test func oneCategoryThroughoutIsUndefined() {
        #expect(Agreement.cohenKappa(["a", "a", "a"], ["a", "a", "a"]).isNaN)
        #expect(Agreement.fleissKappa([["tie", "tie"], ["tie", "tie"]])?.isNaN == true)
        #expect(Agreement.percentAgreement(["a", "a"], ["a", "a"]) == 1)
    }

    @Test func meanPairwiseAgreementCountsRaterPairs() throws {
        // Item 1: 1 of 3 rater pairs agree; item 2: 3 of 3.
        let rows = [["a", "a", "b"], ["a", "a", "a"]]
        let mean = try #require(Agreement.meanPairwiseAgreement(rows))
        #expect(abs(mean - 4.0 / 6.0) <= 1e-12)
        let columns = (0..<3).map { r in rows.map { $0[r] } }
        let pairwise = [(0, 1), (0, 2), (1, 2)].map { Agreement.percentAgreement(columns[$0.0], columns[$0.1]) }
        #expect(abs(mean - pairwise.reduce(0, +) / 3) <= 1e-12)
    }

    @Test func tablesOfUnequalRowsHaveNoValue() {
        let unequal = [["a", "b", "a"], ["a", "b"]]
        #expect(Agreement.fleissKappa(unequal) == nil)
        #expect(Agreement.meanPairwiseAgreement(unequal) == nil)
        let oneRater = [["a"], ["b"]]
        #expect(Agreement.fleissKappa(oneRater) == nil)
        #expect(Agreement.meanPairwiseAgreement(oneRater) == nil)
        #expect(Agreement.fleissKappa([]) == nil)
        #expect(Agreement.meanPairwiseAgreement([]) == nil)
    }
}
