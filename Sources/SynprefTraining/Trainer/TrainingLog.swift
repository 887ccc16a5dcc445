import Foundation
import SynprefCore

/// One line of the JSON Lines training log (`train_log.jsonl`): a training step or an
/// evaluation.
public struct TrainingRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case train, eval }
    public var kind: Kind
    public var step: Int
    public var epoch: Double
    public var loss: Double?
    public var accuracy: Double
    public var meanMargin: Double
    public var pairs: Int
    public var learningRate: Double?
    public var gradientNorm: Double?
    public var tokens: Int?
    public var tokensPerSecond: Double?
    public var elapsedSeconds: Double

    public init(kind: Kind, step: Int, epoch: Double, loss: Double?, accuracy: Double, meanMargin: Double, pairs: Int,
                learningRate: Double? = nil, gradientNorm: Double? = nil, tokens: Int? = nil, tokensPerSecond: Double? = nil,
                elapsedSeconds: Double) {
        self.kind = kind
        self.step = step
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
        self.meanMargin = meanMargin
        self.pairs = pairs
        self.learningRate = learningRate
        self.gradientNorm = gradientNorm
        self.tokens = tokens
        self.tokensPerSecond = tokensPerSecond
        self.elapsedSeconds = elapsedSeconds
    }

    /// One line of `train_log.jsonl`: keys in sorted order, absent values left out.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("accuracy", .double(accuracy)), ("elapsed_seconds", .double(elapsedSeconds)), ("epoch", .double(epoch)),
        ]
        if let gradientNorm { members.append(("grad_norm", .double(gradientNorm))) }
        members.append(("kind", .string(kind.rawValue)))
        if let loss { members.append(("loss", .double(loss))) }
        if let learningRate { members.append(("lr", .double(learningRate))) }
        members += [("mean_margin", .double(meanMargin)), ("pairs", .integer(pairs)), ("step", .integer(step))]
        if let tokens { members.append(("tokens", .integer(tokens))) }
        if let tokensPerSecond { members.append(("tokens_per_second", .double(tokensPerSecond))) }
        return .object(JSONObject(members))
    }

    /// A record from one line of `train_log.jsonl`, or nil when the line is not one.
    public init?(json: JSONValue) {
        guard let o = json.objectValue, let kind = o["kind"]?.stringValue.flatMap(Kind.init(rawValue:)),
              let step = o["step"]?.intValue, let epoch = o["epoch"]?.doubleValue,
              let accuracy = o["accuracy"]?.doubleValue, let meanMargin = o["mean_margin"]?.doubleValue,
              let pairs = o["pairs"]?.intValue, let elapsed = o["elapsed_seconds"]?.doubleValue else { return nil }
        self.init(kind: kind, step: step, epoch: epoch, loss: o["loss"]?.doubleValue, accuracy: accuracy,
                  meanMargin: meanMargin, pairs: pairs, learningRate: o["lr"]?.doubleValue,
                  gradientNorm: o["grad_norm"]?.doubleValue, tokens: o["tokens"]?.intValue,
                  tokensPerSecond: o["tokens_per_second"]?.doubleValue, elapsedSeconds: elapsed)
    }
}

/// Appends records to `train_log.jsonl` (one JSON object per line, flushed per record).
public final class TrainingLog: @unchecked Sendable {
    // @unchecked Sendable: written by the one training loop.
    public let url: URL
    private let handle: FileHandle
    public init(url: URL) throws {
        self.url = url
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: url.path) else {
            throw TrainingError.checkpoint(directory: url.deletingLastPathComponent().path, reason: "cannot open \(url.lastPathComponent) for writing")
        }
        handle = h
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    public func append(_ record: TrainingRecord) throws {
        var bytes = record.json.serializedBytes()
        bytes.append(0x0A)
        try handle.write(contentsOf: bytes)
    }

    /// The records of an existing log, keeping for each (kind, step) the last one written
    /// (a resumed run rewrites the steps after its checkpoint).
    public static func read(_ url: URL) -> [TrainingRecord] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var latest: [String: TrainingRecord] = [:]
        var order: [String] = []
        for line in text.split(separator: "\n") {
            guard let value = try? JSONParser.parse(String(line)), let r = TrainingRecord(json: value) else { continue }
            let key = "\(r.kind.rawValue):\(r.step)"
            if latest[key] == nil { order.append(key) }
            latest[key] = r
        }
        return order.compactMap { latest[$0] }.sorted { $0.step < $1.step }
    }
}
