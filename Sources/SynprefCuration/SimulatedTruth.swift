import Foundation
import SynprefCore
import SynprefData

/// The answers simulated annotators know: JSON lines `{"content_hash": hex, "label":
/// "chosen"|"rejected"}`, the label relative to the pair as stored (the stored `chosen` is
/// better, or the stored `rejected` is). Used for experiments and tests only; their labels
/// are recorded as `human:sim-<name>` so they are never mistaken for people's.
public enum SimulatedTruth {
    public static func load(path: String) throws -> [ContentHash: PreferenceLabel] {
        let reader: LineReader
        do { reader = try LineReader(path: path) } catch {
            throw CurationError.input(file: path, reason: "cannot read (\(error))")
        }
        var truth: [ContentHash: PreferenceLabel] = [:]
        while let (number, bytes) = try reader.nextLine() {
            if LineReader.isBlank(bytes) { continue }
            func bad(_ reason: String) -> CurationError { .input(file: "\(path):\(number)", reason: reason) }
            guard let v = try? JSONParser.parse(bytes), case .object = v else { throw bad("not a JSON object") }
            guard let hex = v["content_hash"]?.stringValue, let hash = ContentHash(hex: hex) else {
                throw bad("content_hash: expected the pair's 64-hex-digit content hash (as `synpref data export --format jsonl` writes it)")
            }
            guard let name = v["label"]?.stringValue, let label = PreferenceLabel(rawValue: name), label == .chosen || label == .rejected else {
                throw bad("label: expected \"chosen\" or \"rejected\"")
            }
            if let seen = truth[hash], seen != label { throw bad("content_hash \(hex.prefix(12))… appears before with the other label") }
            truth[hash] = label
        }
        return truth
    }
}
