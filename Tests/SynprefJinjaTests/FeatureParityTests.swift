import Foundation
import Testing

@testable import SynprefJinja

/// Small templates covering the Jinja features chat templates use, each checked against
/// the output (or the exception) of transformers' own Jinja environment, recorded by
/// scripts/reference/chat_template_features.py in Fixtures/features.json.
@Suite struct FeatureParityTests {
    @Test func everyFeatureCaseMatchesTransformers() throws {
        let doc = try Fixture.json("features.json")
        guard case .array(let cases)? = doc["cases"] else {
            Issue.record("features.json has no cases")
            return
        }
        #expect(cases.count >= 200)
        var passed = 0
        for c in cases {
            let name = c["name"]?.stringValue ?? "?"
            let source = c["template"]?.stringValue ?? ""
            var context: [String: JinjaValue] = [:]
            if case .object(let o)? = c["context"] {
                for (k, v) in o.pairs { context[k] = v }
            }
            let unsupported = c["unsupported"] == .bool(true)
            let outcome: Result<String, Error> = Result {
                try ChatTemplate(source: source).render(context: context)
            }
            if unsupported {
                if case .failure(let e as JinjaError) = outcome, case .unsupported = e {
                    passed += 1
                } else {
                    Issue.record("\(name): expected JinjaError.unsupported, got \(outcome)")
                }
                continue
            }
            if let expected = c["expected"]?.stringValue {
                switch outcome {
                case .success(let got) where got == expected:
                    passed += 1
                case .success(let got):
                    Issue.record("\(name): output differs\n  expected: \(visible(expected))\n  got:      \(visible(got))")
                case .failure(let e):
                    Issue.record("\(name): expected \(visible(expected)) but threw \(e)")
                }
                continue
            }
            let pyType = c["error"]?["type"]?.stringValue ?? "?"
            let pyMessage = c["error"]?["message"]?.stringValue ?? ""
            switch outcome {
            case .success(let got):
                Issue.record("\(name): jinja2 raised \(pyType): \(pyMessage); we rendered \(visible(got))")
            case .failure(let e as JinjaError):
                let want = expectedErrorKind(pyType)
                if kind(of: e) != want {
                    Issue.record("\(name): jinja2 raised \(pyType) (\(want)); we threw \(e)")
                } else if want == "raised" && e.message != pyMessage {
                    Issue.record("\(name): raise_exception message \(e.message) != \(pyMessage)")
                } else {
                    passed += 1
                }
            case .failure(let e):
                Issue.record("\(name): threw a non-JinjaError \(e)")
            }
        }
        #expect(passed == cases.count)
    }
}
