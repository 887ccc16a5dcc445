import Foundation
import SynprefCore
import SynprefData

/// Where a judge run keeps every answer it paid for, keyed by the SHA-256 of the exact
/// request (`ResponseCache.key`): an append-only file (`ResponseCache`), or the store's
/// `ResponseLog` (`StoreAnswerCache`) when judges work from a store, so every worker on
/// every machine shares it. An answer is saved before it is used.
public protocol AnswerCache: Sendable {
    func answer(for key: String) async throws -> ChatAnswer?
    func store(_ answer: ChatAnswer, key: String, judge: String) async throws
}

extension ResponseCache: AnswerCache {}

extension AnswerCache {
    /// Reads an OpenAI Batch API output file (`{"custom_id", "response": {"status_code",
    /// "body": chat completion}, "error"}` per line, `custom_id` = a cache key as
    /// `JudgeRunner.batchRequests` wrote it) and stores every answered call. Returns the
    /// answers stored and the lines that carried an error or no answer (with reasons).
    public func ingestBatchResults(path: String) async throws -> (stored: Int, failed: [String]) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw JudgeError.cache(file: path, reason: "cannot read (\(error.localizedDescription))")
        }
        var answers: [(key: String, answer: ChatAnswer)] = []
        var failed: [String] = []
        var problem: JudgeError?
        LineReader.forEachLine(in: data) { number, line in
            guard problem == nil, !LineReader.isBlank(line) else { return }
            guard let v = try? JSONParser.parse([UInt8](line)), let key = v["custom_id"]?.stringValue else {
                problem = .cache(file: "\(path):\(number)", reason: "not a Batch API output line (no custom_id)")
                return
            }
            let status = v["response"]?["status_code"]?.intValue ?? 0
            let body = v["response"]?["body"]
            guard status == 200, let answer = body.flatMap({ ChatAnswer(completion: $0) }) else {
                let message = v["error"]?["message"]?.stringValue ?? body?["error"]?["message"]?.stringValue ?? "status \(status), no answer"
                failed.append("\(path):\(number): \(key.prefix(12)): \(message)")
                return
            }
            answers.append((key, answer))
        }
        if let problem { throw problem }
        for (key, answer) in answers { try await store(answer, key: key, judge: "batch") }
        return (answers.count, failed)
    }
}

/// The judges' answer cache in a store (`ResponseLog`). Lookups and saves made at about the
/// same time go to the store together (one query, one transaction); a save returns only
/// once its transaction has committed.
public struct StoreAnswerCache: AnswerCache {
    public let log: any ResponseLog
    private let lookups: Coalescer<String, StoredResponse?>
    private let saves: Coalescer<StoredResponse, Bool>

    public init(log: any ResponseLog) {
        self.log = log
        lookups = Coalescer { keys in
            let found = try await log.responses(keys: keys)
            return keys.map { found[$0] }
        }
        saves = Coalescer { responses in
            try await log.saveResponses(responses)
            return responses.map { _ in true }
        }
    }

    public func answer(for key: String) async throws -> ChatAnswer? {
        guard let r = try await lookups.submit(key) else { return nil }
        return ChatAnswer(content: r.content, promptTokens: r.promptTokens, completionTokens: r.completionTokens, attempts: 0)
    }

    public func store(_ answer: ChatAnswer, key: String, judge: String) async throws {
        _ = try await saves.submit(StoredResponse(key: key, judge: judge, content: answer.content, promptTokens: answer.promptTokens,
                                                  completionTokens: answer.completionTokens, attempts: answer.attempts))
    }
}
