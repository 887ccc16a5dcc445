import Foundation
import Testing
@testable import SynprefEval

/// McNemar's exact test against scipy.stats.binomtest (scripts/reference/mcnemar_exact.py).
struct McNemarTestTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            var only_a: Int
            var only_b: Int
            var p: Double
        }
        var cases: [Case]
    }

    @Test func pValuesMatchScipy() throws {
        let reference = try Fixture.decode(Reference.self, "mcnemar_exact.json")
        #expect(reference.cases.count >= 10)
        for c in reference.cases {
            let t = McNemarTest(onlyA: c.only_a, onlyB: c.only_b)
            #expect(abs(t.p - c.p) <= 1e-9 * max(1, c.p), "b \(c.only_a) c \(c.only_b): \(t.p) vs scipy \(c.p)")
        }
    }

    @Test func countsTheDiscordantItems() {
        let a = [true, true, false, false, true, false]
        let b = [true, false, true, false, false, false]
        let t = McNemarTest(a: a, b: b)
        #expect(t.onlyA == 2 && t.onlyB == 1)
        #expect(McNemarTest(onlyA: 2, onlyB: 1).p == t.p)
    }
}
