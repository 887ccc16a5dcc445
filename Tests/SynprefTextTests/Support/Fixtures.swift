import Foundation
import Testing
import SynprefCore
@testable import SynprefText

/// Access to the committed fixtures and to the real assets of scripts/fetch-assets.sh.
enum Fixtures {
    static var root: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures", isDirectory: true)
    }

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// Every line of a (possibly gzip) JSON lines fixture, parsed.
    static func jsonLines(_ relative: String) throws -> [JSONValue] {
        let reader = try LineReader(path: url(relative).path)
        var out: [JSONValue] = []
        while let (_, bytes) = try reader.nextLine() {
            if bytes.isEmpty { continue }
            out.append(try JSONParser.parse(bytes))
        }
        return out
    }

    static func corpus() throws -> [String] {
        try jsonLines("parity/corpus.jsonl.gz").map { $0["t"]?.stringValue ?? "" }
    }

    /// A real asset. Tests that call it are enabled only when the asset is present or
    /// `SynprefAssets.required`, so a missing asset here is a failure.
    static func asset(_ relative: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        try #require(SynprefAssets.locate(relative),
                     "missing asset \(relative) under \(SynprefAssets.root.path); run scripts/fetch-assets.sh",
                     sourceLocation: sourceLocation)
    }

    static func ints(_ v: JSONValue?) -> [Int] {
        v?.arrayValue?.compactMap(\.intValue) ?? []
    }
}
