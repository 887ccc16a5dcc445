import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Testing
import SynprefCore
import SynprefModels
import SynprefTensor
@testable import SynprefServer

/// Model folders from the front-end fixture of SynprefModelsTests
/// (scripts/reference/frontend_e2e.py: transformers' rendered texts, ids and scores), and a
/// server on a free port of 127.0.0.1 driven over real HTTP.
enum ServerFixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let referenceURL = root.appendingPathComponent("Tests/SynprefModelsTests/Fixtures/frontend/reference.json.gz")

    static let reference: JSONValue? = {
        guard let reader = try? LineReader(path: referenceURL.path) else { return nil }
        var bytes: [UInt8] = []
        while let line = try? reader.nextLine() { bytes += line.bytes }
        return try? JSONParser.parse(bytes)
    }()

    /// The real assets are needed (tokenizer.json of Qwen, MiniLM's weights): present, or
    /// required by the test command (then their absence fails).
    static var enabled: Bool { SynprefAssets.required || SynprefAssets.available("qwen/tokenizer.json", "minilm/model.safetensors") }

    static func conversations() throws -> [[ChatMessage]] {
        let ref = try #require(reference, "\(referenceURL.path) missing or unreadable")
        let list = try #require(ref["conversations"]?.arrayValue)
        return try list.enumerated().map { i, v in
            try ConversationCodec.messages(v, field: "conversations[\(i)]", rules: .dataset)
        }
    }

    static func model(_ name: String) throws -> JSONValue {
        try #require(reference?["models"]?[name], "no model \(name) in \(referenceURL.path)")
    }

    /// The model folder the reference script built: asset files (checked by SHA-256), small
    /// files, linked real weights, generated weights.
    static func folder(_ name: String) throws -> URL {
        let m = try model(name)
        let asset = try #require(m["asset"]?.stringValue)
        let assetDir = try #require(SynprefAssets.locate(asset), "asset folder \(asset) missing; run scripts/fetch-assets.sh")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-serve-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (file, digest) in try #require(m["asset_files"]?.objectValue) {
            let bytes = try Data(contentsOf: assetDir.appendingPathComponent(file))
            try #require(SHA256.hex([UInt8](bytes)) == digest.stringValue, "\(asset)/\(file) differs from the fixture's")
            try bytes.write(to: dir.appendingPathComponent(file))
        }
        for (file, text) in try #require(m["files"]?.objectValue) {
            try Data(try #require(text.stringValue).utf8).write(to: dir.appendingPathComponent(file))
        }
        for (file, target) in m["asset_weights"]?.objectValue ?? JSONObject() {
            try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(file),
                                                       withDestinationURL: assetDir.appendingPathComponent(try #require(target.stringValue)))
        }
        let tensors: [(name: String, shape: [Int])] = try #require(m["generated"]?.arrayValue).map {
            (try #require($0.arrayValue?.first?.stringValue), ($0.arrayValue?.last?.arrayValue ?? []).compactMap(\.intValue))
        }
        let dtype = DType(rawValue: m["dtype"]?.stringValue?.uppercased() ?? "BF16") ?? .bfloat16
        try SyntheticWeights.write(tensors, dtype: dtype, to: dir.appendingPathComponent(m["generated_file"]?.stringValue ?? "model.safetensors"))
        return dir
    }

    /// transformers' scores of the fixture's conversations for `name`.
    static func transformersScores(_ name: String) throws -> [Double] {
        try #require(model(name)["scores"]?.arrayValue).map { try #require($0.doubleValue) }
    }

    /// transformers' rendered texts (`apply_chat_template` after the BOS strip).
    static func renderedTexts(_ name: String) throws -> [String] {
        try #require(model(name)["texts"]?.arrayValue).map { try #require($0.stringValue) }
    }

    /// |a - b| within `tol`, relative above 1.
    static func close(_ a: Double, _ b: Double, tol: Double = 1e-4) -> Bool {
        abs(a - b) <= tol * max(1, abs(b))
    }
}

/// A `ScoringServer` running in a task on a free port.
final class RunningServer: @unchecked Sendable {
    let server: ScoringServer
    let port: Int
    let task: Task<Void, any Error>
    var base: String { "http://127.0.0.1:\(port)" }

    private init(server: ScoringServer, port: Int, task: Task<Void, any Error>) {
        self.server = server
        self.port = port
        self.task = task
    }

    /// Starts a server on `folder` and waits until the model is loaded.
    static func start(folder: URL, maxLength: Int? = TextFrontEnd.Options.defaultMaxLength, truncation: TextFrontEnd.Truncation? = nil,
                      configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> RunningServer {
        var config = ServerConfiguration(host: "127.0.0.1", port: 0, servedModelName: "test-rm", modelReference: folder.path)
        config.drainTimeout = 20
        configure(&config)
        var logger = Logger(label: "synpref.serve.test")
        logger.logLevel = ProcessInfo.processInfo.environment["SYNPREF_TEST_SERVER_LOG"] == nil ? .warning : .info
        let options = TextFrontEnd.Options(maxLength: maxLength, truncation: truncation)
        let batch = config.maxBatchTokens
        let server = ScoringServer(configuration: config, logger: logger) {
            try RewardModel.open(folder.path, threads: 2, maxBatchTokens: batch, frontEndOptions: options)
        }
        let ports = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run { ports.continuation.yield($0) } }
        var iterator = ports.stream.makeAsyncIterator()
        let port = try #require(await iterator.next(), "the server did not start listening")
        let running = RunningServer(server: server, port: port, task: task)
        for _ in 0..<600 where !server.isReady {
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(server.isReady, "the model did not load within 30 s")
        return running
    }

    /// Drains and waits for `run()` to return.
    func stop() async throws {
        server.drain()
        try await task.value
    }
}

/// One HTTP exchange over URLSession.
struct HTTPReply {
    var status: Int
    var headers: [String: String]
    var body: Data

    var json: JSONValue? { try? JSONParser.parse([UInt8](body)) }
    var text: String { String(decoding: body, as: UTF8.self) }
}

enum HTTP {
    static func request(_ url: String, method: String = "POST", body: Data? = nil,
                        headers: [String: String] = ["Content-Type": "application/json"]) async throws -> HTTPReply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 120
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (k, v) in http.allHeaderFields { fields[String(describing: k).lowercased()] = String(describing: v) }
        return HTTPReply(status: http.statusCode, headers: fields, body: data)
    }

    static func post(_ url: String, _ value: JSONValue, headers: [String: String] = ["Content-Type": "application/json"]) async throws -> HTTPReply {
        try await request(url, body: Data(value.serialized().utf8), headers: headers)
    }

    static func get(_ url: String) async throws -> HTTPReply {
        try await request(url, method: "GET", body: nil, headers: [:])
    }
}

extension JSONValue {
    /// Element `index` of an array (nil when out of range or not an array).
    subscript(_ index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
