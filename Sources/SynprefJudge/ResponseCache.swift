import Foundation
import SynprefCore

/// Every answer a run has paid for, keyed by the SHA-256 of the exact request (judge
/// endpoint and model, the body sent; never the API key), in an append-only JSON Lines
/// file: `{"key", "judge", "content", "prompt_tokens", "completion_tokens"}`. Each answer
/// is appended and flushed as it arrives, so a run killed at any point and started again
/// pays for no call twice; a line cut short by the kill is ignored on load (and counted).
public final class ResponseCache: @unchecked Sendable {
    public let path: String?
    private let lock = NSLock()
    private var entries: [String: ChatAnswer] = [:]
    private var handle: FileHandle?
    /// Lines that could not be read (a torn last line after a kill).
    public private(set) var unreadableLines = 0

    /// An in-memory cache (nothing survives the process).
    public init() { path = nil }

    /// Loads `path` (created if missing) and appends to it.
    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw JudgeError.cache(file: path, reason: "cannot create the cache file")
            }
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw JudgeError.cache(file: path, reason: "cannot read (\(error.localizedDescription))")
        }
        var endsCleanly = data.isEmpty || data.last == UInt8(ascii: "\n")
        LineReader.forEachLine(in: data) { _, line in
            guard !LineReader.isBlank(line) else { return }
            guard let v = try? JSONParser.parse([UInt8](line)), let key = v["key"]?.stringValue,
                  let content = v["content"]?.stringValue else {
                unreadableLines += 1
                return
            }
            entries[key] = ChatAnswer(content: content, promptTokens: v["prompt_tokens"]?.intValue ?? 0,
                                      completionTokens: v["completion_tokens"]?.intValue ?? 0, attempts: 0)
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle?.seekToEnd()
            // A torn last line: start the next record on a line of its own.
            if !endsCleanly { try handle?.write(contentsOf: Data([UInt8(ascii: "\n")])); endsCleanly = true }
        } catch {
            throw JudgeError.cache(file: path, reason: "cannot append (\(error.localizedDescription))")
        }
    }

    deinit { try? handle?.close() }

    public var count: Int { lock.withLock { entries.count } }

    public func answer(for key: String) -> ChatAnswer? { lock.withLock { entries[key] } }

    public func store(_ answer: ChatAnswer, key: String, judge: String) throws {
        var line: JSONObject = ["key": .string(key), "judge": .string(judge), "content": .string(answer.content),
                                "prompt_tokens": .integer(answer.promptTokens), "completion_tokens": .integer(answer.completionTokens)]
        line["attempts"] = .integer(answer.attempts)
        let bytes = Data((JSONValue.object(line).serialized() + "\n").utf8)
        try lock.withLock {
            entries[key] = answer
            guard let handle else { return }
            do { try handle.write(contentsOf: bytes) } catch {
                throw JudgeError.cache(file: path ?? "", reason: "cannot append (\(error.localizedDescription))")
            }
        }
    }

    /// The key of `request` sent to `judge` (sample index included by the caller in the
    /// request's seed/prompt, so samples differ).
    public static func key(_ request: ChatRequest, judge: JudgeConfig) -> String {
        var o: JSONObject = ["endpoint": .string(judge.completionsURL)]
        o["body"] = request.body(for: judge)
        return SHA256.hex(JSONValue.object(o).serialized())
    }
}
