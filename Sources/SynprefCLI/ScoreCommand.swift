import ArgumentParser
import Foundation
import SynprefCore
import SynprefModels

extension TextFrontEnd.Truncation: ExpressibleByArgument {}

/// `synpref score`: one reward per JSON line, in input order.
///
/// Two passes over the input: the first parses and validates every line (so a bad line
/// is reported before any compute and nothing partial is written), the second scores in
/// chunks and streams the results into a temporary file that is renamed over `--output`
/// at the end (stdout gets the lines as they are scored: validation already passed).
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score conversations or token sequences with a reward model.",
        discussion: """
            Input: JSON lines (plain or gzip), each either {"id": string, "messages": [{"role", \
            "content"}]} (a conversation, rendered with the model's chat template without a \
            generation prompt, a leading BOS string stripped, tokenized with the default special \
            tokens: the Skywork-Reward-V2 recipe; BERT models without a template read the \
            conversation as a text pair) or {"id": string, "input_ids": [int], \
            "token_type_ids"?: [int]} (already tokenized, scored as given). The two kinds may be \
            mixed. Output: {"id": string, "score": number} per input line, in input order, to \
            --output or stdout. --model is a checkpoint folder (config.json + safetensors, plus \
            tokenizer.json and the chat template for messages) or a Hugging Face repo id. \
            Conversations longer than --max-length tokens are an error unless --truncate says \
            which side to cut. Progress and throughput go to stderr.
            """)

    enum OnError: String, ExpressibleByArgument, CaseIterable {
        case fail, skip
    }

    @Option(help: "Checkpoint folder or Hugging Face repo id.")
    var model: String

    @Option(help: "Input JSON lines: {\"id\": string, \"messages\": [...]} or {\"id\": string, \"input_ids\": [int]}.")
    var input: String

    @Option(help: "Output JSON lines file (default: stdout).")
    var output: String?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(name: .customLong("on-error"), help: "fail: stop at the first bad line, writing nothing; skip: leave bad lines out and count them.")
    var onError: OnError = .fail

    @Option(help: "Token budget of one packed forward pass (bounds activation memory).")
    var batchTokens: Int = 4096

    @Option(name: .customLong("max-length"), help: "Longest conversation in tokens, special tokens included (messages lines).")
    var maxLength: Int = TextFrontEnd.Options.defaultMaxLength

    @Option(help: "Cut over-long conversations instead of failing: left keeps the end (the response), right keeps the start.")
    var truncate: TextFrontEnd.Truncation?

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if batchTokens < 1 { throw ValidationError("--batch-tokens must be at least 1") }
        if maxLength < 1 { throw ValidationError("--max-length must be at least 1") }
    }

    func run() async throws {
        let stderr = ProgressLine()
        let rm = try RewardModel.open(model, threads: threads, maxBatchTokens: batchTokens,
                                      frontEndOptions: TextFrontEnd.Options(maxLength: maxLength, truncation: truncate),
                                      progress: stderr)
        guard rm.numLabels == 1 else {
            throw ScoreCommandError.notARewardModel(model: model, labels: rm.numLabels)
        }
        let service = try ScoringService(model: rm)
        defer { service.shutdown() }
        // Pass 1: parse, encode and validate every line.
        var skipped = 0, totalTokens = 0, truncated = 0
        try await ScoreInput.forEachLine(path: input) { lineNumber, parsed in
            do {
                let item = try service.prepare(try parsed.get(), lineNumber: lineNumber, path: input, model: model)
                totalTokens += item.ids.count
                if item.truncatedTokens > 0 { truncated += 1 }
            } catch let error as ScoreCommandError {
                guard onError == .skip else { throw error }
                skipped += 1
                stderr.line("synpref score: skipping \(error)")
            }
        }
        // Pass 2: score in chunks, streaming into a temporary file (or stdout).
        let sink = try ScoreOutput(path: output)
        let meter = ThroughputMeter(totalTokens: totalTokens, progress: stderr)
        var pendingIds: [String] = [], pendingInputs: [ModelInput] = [], pendingTokens = 0
        let chunkTokens = Swift.max(batchTokens * 4, 16384)
        func flush() async throws {
            guard !pendingInputs.isEmpty else { return }
            let scores = try await service.score(pendingInputs)
            for (id, s) in zip(pendingIds, scores) { try sink.write(id: id, score: s) }
            meter.advance(sequences: pendingInputs.count, tokens: pendingTokens)
            pendingIds.removeAll(keepingCapacity: true)
            pendingInputs.removeAll(keepingCapacity: true)
            pendingTokens = 0
        }
        do {
            // Conversations are encoded again rather than held from pass 1 (memory stays
            // bounded by one chunk; encoding costs little next to the model).
            try await ScoreInput.forEachLine(path: input) { lineNumber, parsed in
                guard let line = try? parsed.get(),
                      let item = try? service.prepare(line, lineNumber: lineNumber, path: input, model: model) else {
                    return // reported and counted in pass 1
                }
                pendingIds.append(line.id)
                pendingInputs.append(item)
                pendingTokens += item.ids.count
                if pendingTokens >= chunkTokens { try await flush() }
            }
            try await flush()
            try sink.commit()
        } catch {
            sink.abandon()
            throw error
        }
        meter.finish(skipped: skipped, truncated: truncated)
    }
}

/// Errors of `synpref score`, naming the input file and line.
enum ScoreCommandError: Error, CustomStringConvertible {
    case malformedLine(path: String, line: Int, reason: String)
    case invalidSequence(path: String, line: Int, reason: String)
    case invalidConversation(path: String, line: Int, reason: String)
    case noTokenizer(path: String, line: Int, model: String)
    case notARewardModel(model: String, labels: Int)
    case cannotWrite(path: String, reason: String)

    var description: String {
        switch self {
        case .malformedLine(let path, let line, let reason):
            return "\(path):\(line): \(reason); expected {\"id\": string, \"messages\": [{\"role\": string, \"content\": string}, ...]} "
                + "or {\"id\": string, \"input_ids\": [int]}"
        case .invalidSequence(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .invalidConversation(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .noTokenizer(let path, let line, let model):
            return "\(path):\(line): a \"messages\" line needs the model's tokenizer, but \(model) has no tokenizer.json; "
                + "add the model's tokenizer files (tokenizer.json, tokenizer_config.json, chat template) or give \"input_ids\""
        case .notARewardModel(let model, let labels):
            return "\(model): the head has \(labels) labels; `synpref score` needs a reward model with num_labels = 1"
        case .cannotWrite(let path, let reason):
            return "\(path): cannot write the output (\(reason))"
        }
    }
}

/// One parsed input line: a conversation, or token ids (with optional BERT token types).
struct ScoreInput {
    enum Content {
        case tokens(ids: [Int], types: [Int]?)
        case conversation([ChatMessage])
    }
    var id: String
    var content: Content

    /// Parses one line (bytes without the newline) with the strict JSON parser.
    static func parse(_ bytes: [UInt8], line: Int, path: String) -> Result<ScoreInput, ScoreCommandError> {
        func bad(_ reason: String) -> Result<ScoreInput, ScoreCommandError> {
            .failure(.malformedLine(path: path, line: line, reason: reason))
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { return bad("not valid JSON (\(error.reasonDescription) at column \(error.column))") }
        guard let object = value.objectValue else { return bad("the line must be an object, found \(value.kindName)") }
        guard let idValue = object["id"] else { return bad("field \"id\" is missing") }
        guard let id = idValue.stringValue else { return bad("field \"id\" must be a string, found \(idValue.kindName)") }
        switch (object["messages"], object["input_ids"]) {
        case (nil, nil):
            return bad("field \"messages\" or \"input_ids\" is missing")
        case (.some, .some):
            return bad("the line has both \"messages\" and \"input_ids\"; give one of them")
        case (let messages?, nil):
            if object["token_type_ids"] != nil { return bad("\"token_type_ids\" goes with \"input_ids\", not with \"messages\"") }
            do throws(FieldIssue) {
                let conversation = try ConversationCodec.messages(messages, field: "messages", rules: .scoring)
                return .success(ScoreInput(id: id, content: .conversation(conversation)))
            } catch {
                return bad(error.description)
            }
        case (nil, let idsValue?):
            guard let ids = integers(idsValue) else {
                return bad("field \"input_ids\" must be an array of integers, " + describeNonIntegers(idsValue))
            }
            var types: [Int]?
            if let typesValue = object["token_type_ids"], !typesValue.isNull {
                guard let t = integers(typesValue) else {
                    return bad("field \"token_type_ids\" must be an array of integers, " + describeNonIntegers(typesValue))
                }
                types = t
            }
            return .success(ScoreInput(id: id, content: .tokens(ids: ids, types: types)))
        }
    }

    private static func integers(_ value: JSONValue) -> [Int]? {
        guard let array = value.arrayValue else { return nil }
        var out: [Int] = []
        out.reserveCapacity(array.count)
        for element in array {
            guard case .integer(let v) = element else { return nil }
            out.append(v)
        }
        return out
    }

    private static func describeNonIntegers(_ value: JSONValue) -> String {
        guard let array = value.arrayValue else { return "found \(value.kindName)" }
        for (i, element) in array.enumerated() {
            if case .integer = element { continue }
            return "but element \(i) is \(element.serialized())"
        }
        return "found \(value.kindName)"
    }

    /// Calls `body` with every non-blank line's number and parse result, in order.
    static func forEachLine(path: String, _ body: (Int, Result<ScoreInput, ScoreCommandError>) async throws -> Void) async throws {
        let reader = try LineReader(path: path)
        while let (number, bytes) = try reader.nextLine() {
            if LineReader.isBlank(bytes) { continue }
            try await body(number, parse(bytes, line: number, path: path))
        }
    }
}

extension ScoringService {
    /// A line's model input: its token ids as given, or its conversation through the text
    /// front end; errors name the file and line.
    fileprivate func prepare(_ line: ScoreInput, lineNumber: Int, path: String, model name: String) throws -> ModelInput {
        do {
            switch line.content {
            case .tokens(let ids, let types):
                return try prepare(tokens: ids, typeIDs: types)
            case .conversation(let messages):
                guard model.frontEnd != nil else { throw ScoreCommandError.noTokenizer(path: path, line: lineNumber, model: name) }
                return try prepare(messages, id: line.id)
            }
        } catch let e as TextFrontEndError {
            throw ScoreCommandError.invalidConversation(path: path, line: lineNumber, reason: FlagAdvice.describe(e))
        } catch let e as ModelError {
            let reason: String
            switch e {
            case .tokenOutOfRange(_, let p, let id, let vocab):
                reason = "input_ids[\(p)] = \(id) is outside the model's vocabulary (0..<\(vocab))"
            case .emptySequence:
                reason = "input_ids is empty; a sequence needs at least one token"
            case .sequenceTooLong(_, let length, let maxPos):
                reason = "\(length) tokens but the model has only \(maxPos) positions"
            case .tokenTypeLengthMismatch(_, let ids, let types):
                reason = "\(ids) input_ids but \(types) token_type_ids; give one type per token"
            case .tokenTypeOutOfRange(_, let p, let id, let n):
                reason = "token_type_ids[\(p)] = \(id) is outside 0..<\(n)"
            default:
                reason = e.description
            }
            throw ScoreCommandError.invalidSequence(path: path, line: lineNumber, reason: reason)
        }
    }
}

/// Score lines `{"id": ..., "score": ...}`, through an `AtomicLineWriter` (a temporary file
/// renamed into place by `commit()`, or stdout).
final class ScoreOutput {
    private let writer: AtomicLineWriter
    private var line: [UInt8] = []

    init(path: String?) throws {
        writer = try AtomicLineWriter(path: path)
    }

    /// `{"id":"…","score":0.12345679}`: the score in the shortest digits that read back as
    /// the same f32; a non-finite score as the string "NaN", "Infinity" or "-Infinity".
    func write(id: String, score: Float) throws {
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: #"{"id":"#.utf8)
        JSONWriter.appendString(id, to: &line)
        line.append(contentsOf: #","score":"#.utf8)
        if score.isFinite {
            line.append(contentsOf: score.description.utf8)
        } else {
            JSONWriter.appendString(score.isNaN ? "NaN" : score > 0 ? "Infinity" : "-Infinity", to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        try writer.write(bytes: line)
    }

    func commit() throws { try writer.commit() }

    func abandon() { writer.abandon() }
}

/// Progress and throughput of `synpref score` on stderr, and its summary line at the end
/// (benchmarks/runtime/run.py reads "in N s" and "peak RSS N MB" from it).
final class ThroughputMeter {
    private let totalTokens: Int
    private let progress: ProgressLine
    private let start = Date()
    private var sequences = 0, tokens = 0

    init(totalTokens: Int, progress: ProgressLine) {
        self.totalTokens = totalTokens
        self.progress = progress
    }

    /// Progress in tokens (rate, percentage, ETA) through the shared progress line.
    func advance(sequences s: Int, tokens t: Int) {
        sequences += s
        tokens += t
        progress.report(ProgressEvent(task: "synpref score", completed: tokens, total: totalTokens, unit: "tokens"))
    }

    func finish(skipped: Int, truncated: Int = 0) {
        let elapsed = Date().timeIntervalSince(start)
        var line = String(format: "synpref score: %d sequences (%d tokens) in %.3f s: %.1f tokens/s",
                          sequences, tokens, elapsed, Double(tokens) / Swift.max(elapsed, 1e-9))
        if truncated > 0 { line += "; truncated \(truncated) conversation\(truncated == 1 ? "" : "s")" }
        if skipped > 0 { line += "; skipped \(skipped) bad line\(skipped == 1 ? "" : "s")" }
        if let peak = RewardModel.processPeakResidentBytes { line += "; peak RSS \(peak >> 20) MB" }
        progress.line(line)
    }
}
