import Foundation
import SynprefCore
import SynprefTensor
@testable import SynprefModels

/// Loads the checkpoints and transformers reference outputs that
/// scripts/reference/make_tiny_models.py writes under Fixtures/.
enum ParityFixtures {
    struct Sequence {
        var inputIds: [Int]
        var tokenTypeIds: [Int]?
        var logits: [Float]
        var lastHiddenState: [Float]
    }

    struct Reference {
        var sequences: [Sequence]
        var invFreq: [Float]?
    }

    static func folder(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw ModelError.unsupported("fixture \(name) missing; run scripts/reference/make_tiny_models.py")
        }
        return url
    }

    /// Reads a gzip JSON document (one line) with the core line reader.
    static func readJSON(_ url: URL) throws -> [String: Any] {
        let reader = try LineReader(path: url.path)
        var bytes: [UInt8] = []
        while let line = try reader.nextLine() { bytes += line.bytes }
        guard let obj = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw ModelError.unsupported("\(url.path): not a JSON object")
        }
        return obj
    }

    static func floats(_ any: Any?) -> [Float] {
        ((any as? [Any]) ?? []).map { Float(($0 as? NSNumber)?.doubleValue ?? .nan) }
    }

    static func ints(_ any: Any?) -> [Int] {
        ((any as? [Any]) ?? []).map { ($0 as? NSNumber)?.intValue ?? -1 }
    }

    static func reference(_ name: String) throws -> Reference {
        let obj = try readJSON(try folder(name).appendingPathComponent("reference.json.gz"))
        let seqs = ((obj["sequences"] as? [[String: Any]]) ?? []).map { s in
            Sequence(inputIds: ints(s["input_ids"]),
                     tokenTypeIds: s["token_type_ids"].map { ints($0) },
                     logits: floats(s["logits"]), lastHiddenState: floats(s["last_hidden_state"]))
        }
        return Reference(sequences: seqs, invFreq: obj["inv_freq"].map { floats($0) })
    }

    static func open(_ name: String, threads: Int = 2, maxBatchTokens: Int = 4096) throws -> RewardModel {
        try RewardModel.open(try folder(name).path, threads: threads, maxBatchTokens: maxBatchTokens)
    }

    /// |a - b| <= tol · max(1, |b|): absolute below 1, relative above.
    static func worstError(_ got: [Float], _ want: [Float], tol: Float = 1e-4) -> (ok: Bool, worst: Float) {
        guard got.count == want.count else { return (false, .infinity) }
        var worst: Float = 0
        for (a, b) in zip(got, want) {
            let e = abs(a - b) / Swift.max(1, abs(b))
            if !(e <= worst) { worst = e.isNaN ? .infinity : Swift.max(worst, e) }
        }
        return (worst <= tol, worst)
    }
}
