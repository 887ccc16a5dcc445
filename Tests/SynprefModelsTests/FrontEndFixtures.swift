import Foundation
import Testing
import SynprefCore
import SynprefTensor
@testable import SynprefModels

/// The end-to-end front-end fixture (scripts/reference/frontend_e2e.py): conversations,
/// and per model the files of its folder, the tensors to generate, and transformers' ids
/// and scores. `folder(_:)` builds the same model folder the script built: real tokenizer
/// assets copied (checked against the script's SHA-256), small files written, weights
/// generated with `SyntheticWeights` (not committed), real MiniLM weights linked.
enum FrontEndFixtures {
    static let url: URL? = Bundle.module.url(forResource: "frontend/reference.json", withExtension: "gz", subdirectory: "Fixtures")

    static let reference: JSONValue? = {
        guard let url, let reader = try? LineReader(path: url.path) else { return nil }
        var bytes: [UInt8] = []
        while let line = try? reader.nextLine() { bytes += line.bytes }
        return try? JSONParser.parse(bytes)
    }()

    static func conversations() throws -> [[ChatMessage]] {
        let ref = try #require(reference, "Fixtures/frontend/reference.json.gz missing or unreadable")
        let data = Data(try #require(ref["conversations"]).serialized().utf8)
        return try JSONDecoder().decode([[ChatMessage]].self, from: data)
    }

    static func model(_ name: String) throws -> JSONValue {
        try #require(reference?["models"]?[name], "no model \(name) in the front-end fixture")
    }

    static func ints(_ v: JSONValue?) -> [Int] { v?.arrayValue?.compactMap(\.intValue) ?? [] }

    /// A folder for model `name`. Tests that call it are enabled only when the model's real
    /// assets are present or `SynprefAssets.required`, so a missing asset is a failure.
    static func folder(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let m = try model(name)
        let dir = try filesFolder(name, m, sourceLocation: sourceLocation)
        let asset = try #require(m["asset"]?.stringValue)
        let assetDir = try #require(SynprefAssets.locate(asset), "asset folder \(asset) missing; run scripts/fetch-assets.sh",
                                    sourceLocation: sourceLocation)
        if let links = m["asset_weights"]?.objectValue {
            for (file, target) in links {
                let source = assetDir.appendingPathComponent(try #require(target.stringValue))
                try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(file), withDestinationURL: source)
            }
        }
        let tensors: [(name: String, shape: [Int])] = try #require(m["generated"]?.arrayValue).map {
            (try #require($0.arrayValue?.first?.stringValue), ints($0.arrayValue?.last))
        }
        let dtype = DType(rawValue: m["dtype"]?.stringValue?.uppercased() ?? "BF16") ?? .bfloat16
        let file = m["generated_file"]?.stringValue ?? "model.safetensors"
        try SyntheticWeights.write(tensors, dtype: dtype, to: dir.appendingPathComponent(file))
        return dir
    }

    /// A folder with a case's asset files (checked against the script's SHA-256) and small
    /// files. A missing asset folder is a failure, as in `folder(_:)`.
    static func filesFolder(_ name: String, _ m: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let asset = try #require(m["asset"]?.stringValue)
        let assetDir = try #require(SynprefAssets.locate(asset), "asset folder \(asset) missing; run scripts/fetch-assets.sh",
                                    sourceLocation: sourceLocation)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-frontend-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (file, digest) in try #require(m["asset_files"]?.objectValue) {
            let source = assetDir.appendingPathComponent(file)
            let bytes = try Data(contentsOf: source)
            try #require(SHA256.hex([UInt8](bytes)) == digest.stringValue,
                         "\(source.path) differs from the file the fixture was made from; re-run scripts/reference/frontend_e2e.py")
            try bytes.write(to: dir.appendingPathComponent(file))
        }
        for (file, text) in try #require(m["files"]?.objectValue) {
            try Data(try #require(text.stringValue).utf8).write(to: dir.appendingPathComponent(file))
        }
        return dir
    }

    static func remove(_ dir: URL) { try? FileManager.default.removeItem(at: dir) }

    /// |a - b| within 1e-4, relative above 1 (the runtime's parity tolerance).
    static func close(_ a: Float, _ b: Double, tol: Double = 1e-4) -> Bool {
        abs(Double(a) - b) <= tol * max(1, abs(b))
    }
}
