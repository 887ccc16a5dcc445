import Foundation
import Testing
import SynprefCore
import SynprefModels
import SynprefTensor

/// scripts/reference/embeddings_reference.py's fixture (sentence-transformers 6.3 on
/// torch 2.13): texts, and per model the ids and embeddings `SentenceTransformer.encode`
/// gave, with what it takes to rebuild the model folder.
enum EmbeddingFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let url = root.appendingPathComponent("Tests/SynprefModelsTests/Fixtures/embeddings/reference.json.gz")

    static let reference: JSONValue? = {
        guard let reader = try? LineReader(path: url.path) else { return nil }
        var bytes: [UInt8] = []
        while let line = try? reader.nextLine() { bytes += line.bytes }
        return try? JSONParser.parse(bytes)
    }()

    static var enabled: Bool { SynprefAssets.required || SynprefAssets.available("qwen/tokenizer.json", "minilm/model.safetensors") }

    static func texts() throws -> [String] {
        try #require(reference?["texts"]?.arrayValue, "\(url.path) missing or unreadable").map { try #require($0.stringValue) }
    }

    static func model(_ name: String) throws -> JSONValue {
        try #require(reference?["models"]?[name], "no model \(name) in \(url.path)")
    }

    static func ints(_ v: JSONValue?) -> [Int] { v?.arrayValue?.compactMap(\.intValue) ?? [] }
    static func floats(_ v: JSONValue?) -> [Float] { v?.arrayValue?.compactMap { $0.doubleValue.map(Float.init) } ?? [] }

    /// The asset folder of `name`, its files checked against the fixture's SHA-256.
    static func assetFolder(_ name: String) throws -> URL {
        let m = try model(name)
        let asset = try #require(m["asset"]?.stringValue)
        let dir = try #require(SynprefAssets.locate(asset), "asset folder \(asset) missing; run scripts/fetch-assets.sh")
        for (file, digest) in try #require(m["asset_files"]?.objectValue) {
            let hash = try SHA256.hex(fileAt: dir.appendingPathComponent(file).path)
            try #require(hash == digest.stringValue, "\(asset)/\(file) differs from the file the fixture was made from")
        }
        return dir
    }

    /// The tiny Qwen3-Embedding-layout folder the script built: its small files, the real
    /// Qwen tokenizer.json with the EOS-appending post-processor, generated f32 weights.
    static func qwenFolder() throws -> URL {
        let m = try model("qwen3")
        let assets = try assetFolder("qwen3")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-embedder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (file, text) in try #require(m["files"]?.objectValue) {
            let url = dir.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(try #require(text.stringValue).utf8).write(to: url)
        }
        for d in m["empty_dirs"]?.arrayValue ?? [] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(try #require(d.stringValue)), withIntermediateDirectories: true)
        }
        var tokenizer = try #require(try JSONParser.parse([UInt8](Data(contentsOf: assets.appendingPathComponent("tokenizer.json")))).objectValue)
        for (key, value) in try #require(m["tokenizer_json_replace"]?.objectValue) { tokenizer[key] = value }
        try Data(JSONValue.object(tokenizer).serialized().utf8).write(to: dir.appendingPathComponent("tokenizer.json"))
        let tensors: [(name: String, shape: [Int])] = try #require(m["generated"]?.arrayValue).map {
            (try #require($0.arrayValue?.first?.stringValue), ints($0.arrayValue?.last))
        }
        try SyntheticWeights.write(tensors, dtype: .float32, to: dir.appendingPathComponent(m["generated_file"]?.stringValue ?? "model.safetensors"))
        return dir
    }
}
