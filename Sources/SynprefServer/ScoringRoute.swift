import Foundation
import Hummingbird
import SynprefCore
import SynprefModels

/// What a scoring endpoint asks of the model: prepared inputs, and how to turn their
/// scores into the endpoint's response.
struct ScoringJob {
    var inputs: [ModelInput]
    var respond: ([Float]) -> JSONValue
}

/// The path every scoring endpoint shares: read the body (size-limited), parse it with the
/// project's JSON parser, let the endpoint prepare its inputs (render + tokenize on the
/// request's task), admit their tokens, score them through the one `ScoringService`, and
/// answer. A client that disconnects while its request waits cancels the request
/// (`DisconnectWatcher`), which takes its sequences out of the queue.
struct ScoringRoute: Sendable {
    let state: ServerState
    let metrics: ServerMetrics
    let configuration: ServerConfiguration

    func handle(_ request: Request, _ context: ServerContext,
                build: @escaping @Sendable (RequestFields, ScoringService) throws -> ScoringJob) async throws -> Response {
        let service = try state.service()
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxBodyBytes {
            throw Self.bodyTooLarge(configuration.maxBodyBytes)
        }
        let limit = configuration.maxBodyBytes
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Self.bodyTooLarge(limit)
        }
        let (state, metrics, work) = (self.state, self.metrics, context.work)
        let task = Task { () throws -> Response in
            let job = try build(try RequestFields(bytes: buffer), service)
            let tokens = job.inputs.reduce(0) { $0 + $1.ids.count }
            try state.admit(tokens: tokens)
            defer { state.release(tokens: tokens) }
            let scored = try await service.scoreTimed(job.inputs)
            work.record(tokens: tokens, queueSeconds: scored.queueSeconds, computeSeconds: scored.computeSeconds)
            metrics.scored(queueSeconds: scored.queueSeconds, computeSeconds: scored.computeSeconds)
            return JSONResponse.make(job.respond(scored.scores))
        }
        let watcher = await context.disconnectWatcher()
        let token = watcher?.onDisconnect { task.cancel() }
        defer { if let token { watcher?.remove(token) } }
        do {
            return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        } catch is CancellationError {
            throw APIError(HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"),
                           "the client closed the connection before the scores were ready")
        } catch {
            throw APIError.from(error, item: "the request")
        }
    }

    static func bodyTooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "the request body is larger than \(limit) bytes (--max-body-bytes); split it into smaller requests")
    }

    /// Prepares one item, naming it in the error.
    static func prepare(_ item: String, _ body: () throws -> ModelInput) throws -> ModelInput {
        do { return try body() } catch { throw APIError.from(error, item: item) }
    }

    /// Token ids as given, held to `options` (cut on its side, or 422 when too long
    /// without truncation), then checked against the model.
    static func tokens(_ ids: [Int], typeIDs: [Int]? = nil, options: TextFrontEnd.Options, service: ScoringService,
                       item: String) throws -> ModelInput {
        var ids = ids, types = typeIDs
        if let max = options.maxLength, ids.count > max {
            guard let side = options.truncation else {
                throw APIError(.unprocessableContent,
                               "\(item) is \(ids.count) tokens, longer than the maximum length \(max); truncate it on the left (keep the end) or on the right (keep the start)")
            }
            let cut = ids.count - max
            ids = side == .left ? Array(ids.dropFirst(cut)) : Array(ids.dropLast(cut))
            types = types.map { side == .left ? Array($0.dropFirst(cut)) : Array($0.dropLast(cut)) }
        }
        return try prepare(item) { try service.prepare(tokens: ids, typeIDs: types) }
    }

    /// The rules for messages in requests: the scoring shape, with OpenAI text parts
    /// (`[{"type": "text", "text": ...}]`) joined, as chat clients send them.
    static let messageRules = ConversationCodec.Rules(unknownKeys: .reject, textParts: true, allowEmpty: false, roleAliases: false)

    static func messages(_ value: JSONValue, field: String) throws -> [ChatMessage] {
        do { return try ConversationCodec.messages(value, field: field, rules: messageRules) } catch {
            // An unknown role is content the model cannot read (422); shapes are 400.
            if error.reason.hasPrefix("unknown role") { throw APIError(.unprocessableContent, "\(error)") }
            throw APIError.badRequest("\(error)")
        }
    }

    /// The logistic function, as vLLM applies it to a one-label classifier.
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
}
