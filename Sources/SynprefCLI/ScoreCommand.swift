import ArgumentParser
import Foundation
import SynprefCore
import SynprefModels

/// `synpref score`: one reward per JSON line, in input order.
///
/// Two passes over the input: the first parses and validates every line (so a bad line
/// is reported before any compute and nothing partial is written), the second scores in
/// chunks and streams the results into a temporary file that is renamed over `--output`
/// at the end (stdout gets the lines as they are scored: validation already passed).
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score token sequences with a reward model.",
        discussion: """
            Input: JSON lines {"id": string, "input_ids": [int]} (plain or gzip). Output: \
            {"id": string, "score": number} per input line, in input order, to --output or \
            stdout. --model is a checkpoint folder (config.json + safetensors) or a Hugging \
            Face repo id. Progress and throughput go to stderr.
            """)

    enum OnError: String, ExpressibleByArgument, CaseIterable {
        case fail, skip
    }

    @Option(help: "Checkpoint folder or Hugging Face repo id.")
    var model: String

    @Option(help: "Input JSON lines: {\"id\": string, \"input_ids\": [int]}.")
    var input: String

    @Option(help: "Output JSON lines file (default: stdout).")
    var output: String?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(name: .customLong("on-error"), help: "fail: stop at the first bad line, writing nothing; skip: leave bad lines out and count them.")
    var onError: OnError = .fail

    @Option(help: "Token budget of one packed forward pass (bounds activation memory).")
    var batchTokens: Int = 4096

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if batchTokens < 1 { throw ValidationError("--batch-tokens must be at least 1") }
    }

    func run() async throws {
        let stderr = StandardError()
        let rm = try RewardModel.open(model, threads: threads, maxBatchTokens: batchTokens)
        guard rm.numLabels == 1 else {
            throw ScoreCommandError.notARewardModel(model: model, labels: rm.numLabels)
        }
        // Pass 1: parse and validate every line.
        var skipped = 0, accepted = 0, totalTokens = 0
        try ScoreInput.forEachLine(path: input) { lineNumber, parsed in
            do {
                let item = try parsed.get()
                try rm.validate(tokenSequence: item.inputIds, lineNumber: lineNumber, path: input)
                accepted += 1
                totalTokens += item.inputIds.count
            } catch let error as ScoreCommandError {
                guard onError == .skip else { throw error }
                skipped += 1
                stderr.write("synpref score: skipping \(error)\n")
            }
        }
        // Pass 2: score in chunks, streaming into a temporary file (or stdout).
        let sink = try ScoreOutput(path: output)
        let meter = ThroughputMeter(totalSequences: accepted, totalTokens: totalTokens, stderr: stderr)
        var pendingIds: [String] = [], pendingSeqs: [[Int]] = [], pendingTokens = 0
        let chunkTokens = Swift.max(batchTokens * 4, 16384)
        func flush() throws {
            guard !pendingSeqs.isEmpty else { return }
            let scores = try rm.score(tokenSequences: pendingSeqs)
            for (id, s) in zip(pendingIds, scores) { try sink.write(id: id, score: s) }
            meter.advance(sequences: pendingSeqs.count, tokens: pendingTokens)
            pendingIds.removeAll(keepingCapacity: true)
            pendingSeqs.removeAll(keepingCapacity: true)
            pendingTokens = 0
        }
        do {
            try ScoreInput.forEachLine(path: input) { lineNumber, parsed in
                guard let item = try? parsed.get(),
                      (try? rm.validate(tokenSequence: item.inputIds, lineNumber: lineNumber, path: input)) != nil else {
                    return // reported and counted in pass 1
                }
                pendingIds.append(item.id)
                pendingSeqs.append(item.inputIds)
                pendingTokens += item.inputIds.count
                if pendingTokens >= chunkTokens { try flush() }
            }
            try flush()
            try sink.commit()
        } catch {
            sink.abandon()
            throw error
        }
        meter.finish(skipped: skipped)
    }
}

/// Errors of `synpref score`, naming the input file and line.
enum ScoreCommandError: Error, CustomStringConvertible {
    case malformedLine(path: String, line: Int, reason: String)
    case messagesNotSupported(path: String, line: Int)
    case invalidSequence(path: String, line: Int, reason: String)
    case notARewardModel(model: String, labels: Int)
    case cannotWrite(path: String, reason: String)

    var description: String {
        switch self {
        case .malformedLine(let path, let line, let reason):
            return "\(path):\(line): \(reason); expected {\"id\": string, \"input_ids\": [int]}"
        case .messagesNotSupported(let path, let line):
            return "\(path):\(line): {\"id\", \"messages\"} lines need the text front end (chat template + tokenizer), which has not landed yet; give \"input_ids\" instead"
        case .invalidSequence(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .notARewardModel(let model, let labels):
            return "\(model): the head has \(labels) labels; `synpref score` needs a reward model with num_labels = 1"
        case .cannotWrite(let path, let reason):
            return "\(path): cannot write the output (\(reason))"
        }
    }
}

/// One parsed input line. The text issue adds a `messages` form next to `input_ids`.
struct ScoreInput {
    var id: String
    var inputIds: [Int]

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
        guard let idsValue = object["input_ids"] else {
            // The text issue adds {"id", "messages"} lines (chat template + tokenizer) here.
            if object.contains(key: "messages") { return .failure(.messagesNotSupported(path: path, line: line)) }
            return bad("field \"input_ids\" is missing")
        }
        guard let array = idsValue.arrayValue else {
            return bad("field \"input_ids\" must be an array of integers, found \(idsValue.kindName)")
        }
        var ids: [Int] = []
        ids.reserveCapacity(array.count)
        for (i, element) in array.enumerated() {
            guard case .integer(let v) = element else {
                return bad("field \"input_ids\" must be an array of integers, but element \(i) is \(element.serialized())")
            }
            ids.append(v)
        }
        return .success(ScoreInput(id: id, inputIds: ids))
    }

    /// Calls `body` with every non-blank line's number and parse result, in order.
    static func forEachLine(path: String, _ body: (Int, Result<ScoreInput, ScoreCommandError>) throws -> Void) throws {
        let reader = try LineReader(path: path)
        while let (number, bytes) = try reader.nextLine() {
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            try body(number, parse(bytes, line: number, path: path))
        }
    }
}

extension RewardModel {
    /// Checks one input line's ids against the model (vocabulary, length).
    fileprivate func validate(tokenSequence: [Int], lineNumber: Int, path: String) throws {
        do {
            try validate(tokenSequences: [tokenSequence])
        } catch let e as ModelError {
            let reason: String
            switch e {
            case .tokenOutOfRange(_, let p, let id, let vocab):
                reason = "input_ids[\(p)] = \(id) is outside the model's vocabulary (0..<\(vocab))"
            case .emptySequence:
                reason = "input_ids is empty; a sequence needs at least one token"
            case .sequenceTooLong(_, let length, let maxPos):
                reason = "\(length) tokens but the model has only \(maxPos) positions"
            default:
                reason = e.description
            }
            throw ScoreCommandError.invalidSequence(path: path, line: lineNumber, reason: reason)
        }
    }
}

/// Output lines, to a temporary file renamed into place by `commit()`, or to stdout.
final class ScoreOutput {
    private let finalPath: String?
    private let tempPath: String?
    private let handle: FileHandle
    private var buffer = Data()

    init(path: String?) throws {
        finalPath = path
        if let path {
            let url = URL(fileURLWithPath: path)
            let temp = url.deletingLastPathComponent()
                .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)").path
            guard FileManager.default.createFile(atPath: temp, contents: nil),
                  let h = FileHandle(forWritingAtPath: temp) else {
                throw ScoreCommandError.cannotWrite(path: path, reason: "cannot create \(temp)")
            }
            tempPath = temp
            handle = h
        } else {
            tempPath = nil
            handle = FileHandle.standardOutput
        }
    }

    func write(id: String, score: Float) throws {
        struct Row: Encodable { var id: String; var score: Float }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        buffer.append(try enc.encode(Row(id: id, score: score)))
        buffer.append(0x0A)
        if buffer.count > 1 << 16 { try drain() }
    }

    private func drain() throws {
        do { try handle.write(contentsOf: buffer) } catch {
            throw ScoreCommandError.cannotWrite(path: finalPath ?? "stdout", reason: "\(error)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func commit() throws {
        try drain()
        guard let tempPath, let finalPath else { return }
        try? handle.close()
        if rename(tempPath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tempPath)
            throw ScoreCommandError.cannotWrite(path: finalPath, reason: reason)
        }
    }

    func abandon() {
        guard let tempPath else { return }
        try? handle.close()
        unlink(tempPath)
    }
}

/// Progress and throughput on stderr: a line at most every 2 s once a run is long, and a
/// summary at the end.
final class ThroughputMeter {
    private let totalSequences: Int, totalTokens: Int
    private let stderr: StandardError
    private let start = Date()
    private var lastReport = Date()
    private var sequences = 0, tokens = 0

    init(totalSequences: Int, totalTokens: Int, stderr: StandardError) {
        self.totalSequences = totalSequences
        self.totalTokens = totalTokens
        self.stderr = stderr
    }

    func advance(sequences s: Int, tokens t: Int) {
        sequences += s
        tokens += t
        let now = Date()
        if now.timeIntervalSince(lastReport) >= 2 {
            lastReport = now
            let elapsed = now.timeIntervalSince(start)
            stderr.write(String(format: "synpref score: %d/%d sequences, %d/%d tokens, %.1f tokens/s\n",
                                sequences, totalSequences, tokens, totalTokens, Double(tokens) / Swift.max(elapsed, 1e-9)))
        }
    }

    func finish(skipped: Int) {
        let elapsed = Date().timeIntervalSince(start)
        var line = String(format: "synpref score: %d sequences (%d tokens) in %.3f s: %.1f tokens/s",
                          sequences, tokens, elapsed, Double(tokens) / Swift.max(elapsed, 1e-9))
        if skipped > 0 { line += "; skipped \(skipped) bad line\(skipped == 1 ? "" : "s")" }
        if let peak = RewardModel.processPeakResidentBytes { line += "; peak RSS \(peak >> 20) MB" }
        stderr.write(line + "\n")
    }
}

/// Writes to stderr (the CLI's channel for progress and diagnostics).
struct StandardError {
    func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}
