import Foundation
import SynprefCore

/// One line of the JSON Lines training log (`train_log.jsonl`): a training step or an
/// evaluation.
public struct TrainingRecord: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case train, eval }
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

    enum CodingKeys: String, CodingKey {
        case kind, step, epoch, loss, accuracy, pairs, tokens
        case meanMargin = "mean_margin", learningRate = "lr", gradientNorm = "grad_norm"
        case tokensPerSecond = "tokens_per_second", elapsedSeconds = "elapsed_seconds"
    }

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
}

/// Appends records to `train_log.jsonl` (one JSON object per line, flushed per record).
public final class TrainingLog: @unchecked Sendable {
    // @unchecked Sendable: written by the one training loop.
    public let url: URL
    private let handle: FileHandle
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    public init(url: URL) throws {
        self.url = url
        if !FileManager.default.fileExists(atPath: url.path) { FileManager.default.createFile(atPath: url.path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: url.path) else {
            throw TrainingError.checkpoint(directory: url.deletingLastPathComponent().path, reason: "cannot open \(url.lastPathComponent) for writing")
        }
        handle = h
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    public func append(_ record: TrainingRecord) throws {
        var data = try encoder.encode(record)
        data.append(0x0A)
        try handle.write(contentsOf: data)
    }

    /// The records of an existing log, keeping for each (kind, step) the last one written
    /// (a resumed run rewrites the steps after its checkpoint).
    public static func read(_ url: URL) -> [TrainingRecord] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var latest: [String: TrainingRecord] = [:]
        var order: [String] = []
        for line in text.split(separator: "\n") {
            guard let r = try? JSONDecoder().decode(TrainingRecord.self, from: Data(line.utf8)) else { continue }
            let key = "\(r.kind.rawValue):\(r.step)"
            if latest[key] == nil { order.append(key) }
            latest[key] = r
        }
        return order.compactMap { latest[$0] }.sorted { $0.step < $1.step }
    }
}
