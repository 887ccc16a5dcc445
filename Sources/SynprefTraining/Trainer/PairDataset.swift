import Foundation
import SynprefCore
import SynprefData
import SynprefModels

/// What to do with a pair longer than `--max-length`: TRL's RewardTrainer drops it,
/// OpenRLHF truncates each sequence to the limit (keeping its first tokens).
public enum OverLengthPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    case drop, truncate
}

/// Limits every pair must satisfy, from the model and the options.
public struct PairLimits: Sendable, Hashable {
    public var vocabSize: Int
    /// Positions the model can read (BERT's max_position_embeddings); nil = unlimited.
    public var modelMaxLength: Int?
    public var maxLength: Int?
    public var overLength: OverLengthPolicy

    public init(vocabSize: Int, modelMaxLength: Int? = nil, maxLength: Int? = nil, overLength: OverLengthPolicy = .drop) {
        self.vocabSize = vocabSize
        self.modelMaxLength = modelMaxLength
        self.maxLength = maxLength
        self.overLength = overLength
    }
}

/// Training pairs in memory, with how loading went.
public struct PairDataset: Sendable {
    public var pairs: [TokenPair]
    /// Where the pairs came from (file path or store tier), for messages.
    public var origin: String
    /// "pre-tokenized", a `PreferenceFormat` name ("conversations" when the reader found
    /// none), or "store".
    public var format: String
    /// Pairs dropped for exceeding --max-length.
    public var dropped: Int = 0
    /// Sequences cut to --max-length.
    public var truncatedSequences: Int = 0

    public var tokenCount: Int { pairs.reduce(0) { $0 + $1.tokenCount } }

    /// Reads a JSON Lines (optionally gzip) file: pre-tokenized pairs
    /// `{"chosen_ids": [int], "rejected_ids": [int], "margin"?: number}` as TRL accepts them,
    /// or any preference format SynprefData reads (TRL, OpenRLHF, HH-RLHF, RewardBench, …),
    /// whose conversations `encoder` turns into token ids.
    public static func load(file path: String, limits: PairLimits, encoder: (any ConversationEncoder)?) throws -> PairDataset {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TrainingError.unreadableData(file: path, reason: "no such file")
        }
        if try firstRecordIsPreTokenized(path) {
            return try loadPreTokenized(path, limits: limits)
        }
        let reader = try PreferenceFileReader(path: path, source: URL(fileURLWithPath: path).lastPathComponent)
        var dataset = PairDataset(pairs: [], origin: path, format: "")
        while let batch = try reader.nextBatch() {
            guard let encoder else {
                throw TrainingError.needsConversationEncoder(file: path, format: reader.format?.rawValue ?? "conversation")
            }
            for outcome in batch {
                if let issue = outcome.issues.first {
                    throw TrainingError.invalidField(file: issue.file, line: issue.line, field: issue.field, reason: issue.reason)
                }
                for prepared in outcome.pairs {
                    try dataset.add(prepared.pair, encoder: encoder, line: outcome.line, limits: limits)
                }
            }
        }
        dataset.format = reader.format?.rawValue ?? "conversations"
        return try dataset.checked(limits)
    }

    /// The pairs of one tier of a preference store (`sqlite:…`, `postgres://…`), each in its
    /// verified orientation (`PreferencePair.verified()`).
    public static func load(store url: String, tier: PreferenceTier, limits: PairLimits, encoder: (any ConversationEncoder)?) async throws -> PairDataset {
        let store = try await PreferenceStores.open(url)
        var dataset = PairDataset(pairs: [], origin: "\(url) tier \(tier.rawValue)", format: "store")
        var after: Int64 = 0
        while true {
            let page = try await store.pairs(PairQuery(tier: tier, afterID: after, limit: 1000))
            if page.isEmpty { break }
            guard let encoder else {
                try await store.close()
                throw TrainingError.needsConversationEncoder(file: dataset.origin, format: "store")
            }
            for pair in page {
                // Trained the right way round: flipped when curation found the stored rejected better.
                try dataset.add(pair.verified(), encoder: encoder, line: Int(pair.id ?? 0), limits: limits)
                after = Swift.max(after, pair.id ?? after)
            }
        }
        try await store.close()
        return try dataset.checked(limits)
    }

    // MARK: - Pre-tokenized

    static func firstRecordIsPreTokenized(_ path: String) throws -> Bool {
        let reader: LineReader
        do { reader = try LineReader(path: path) } catch { throw TrainingError.unreadableData(file: path, reason: "\(error)") }
        while let (_, bytes) = try reader.nextLine() {
            if LineReader.isBlank(bytes) { continue }
            guard let value = try? JSONParser.parse(bytes), let object = value.objectValue else { return false }
            return object["chosen_ids"] != nil || object["rejected_ids"] != nil
        }
        throw TrainingError.emptyData(file: path)
    }

    static func loadPreTokenized(_ path: String, limits: PairLimits) throws -> PairDataset {
        let reader: LineReader
        do { reader = try LineReader(path: path) } catch { throw TrainingError.unreadableData(file: path, reason: "\(error)") }
        var dataset = PairDataset(pairs: [], origin: path, format: "pre-tokenized")
        while true {
            let next: (number: Int, bytes: [UInt8])?
            do { next = try reader.nextLine() } catch { throw TrainingError.unreadableData(file: path, reason: "\(error)") }
            guard let (line, bytes) = next else { break }
            if LineReader.isBlank(bytes) { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(bytes) } catch {
                throw TrainingError.invalidLine(file: path, line: line, reason: "not valid JSON (\(error))")
            }
            guard let object = value.objectValue else {
                throw TrainingError.invalidLine(file: path, line: line, reason: "expected a JSON object {\"chosen_ids\": [...], \"rejected_ids\": [...]}")
            }
            func ids(_ field: String) throws -> [Int] {
                guard let raw = object[field] else {
                    throw TrainingError.invalidField(file: path, line: line, field: field, reason: "is missing")
                }
                guard let array = raw.arrayValue else {
                    throw TrainingError.invalidField(file: path, line: line, field: field, reason: "must be an array of token ids")
                }
                var out: [Int] = []
                out.reserveCapacity(array.count)
                for (i, v) in array.enumerated() {
                    guard let id = v.intValue else {
                        throw TrainingError.invalidField(file: path, line: line, field: field, reason: "item \(i) is not an integer token id")
                    }
                    guard id >= 0 && id < limits.vocabSize else {
                        throw TrainingError.tokenOutOfRange(file: path, line: line, field: field, id: id, vocabSize: limits.vocabSize)
                    }
                    out.append(id)
                }
                if out.isEmpty { throw TrainingError.invalidField(file: path, line: line, field: field, reason: "is empty; a reward needs at least one token") }
                return out
            }
            var margin: Double?
            if let m = object["margin"], !m.isNull {
                guard let d = m.doubleValue, d.isFinite else {
                    throw TrainingError.invalidField(file: path, line: line, field: "margin", reason: "must be a finite number")
                }
                margin = d
            }
            try dataset.append(TokenPair(chosen: try ids("chosen_ids"), rejected: try ids("rejected_ids"), margin: margin), file: path, line: line, limits: limits)
        }
        return try dataset.checked(limits)
    }

    // MARK: - Limits

    mutating func add(_ pair: PreferencePair, encoder: any ConversationEncoder, line: Int, limits: PairLimits) throws {
        func encode(_ field: String, _ response: ChatMessage) throws -> (ids: [Int], typeIDs: [Int]?) {
            do {
                return try encoder.encodeWithTypes(pair.context + [response])
            } catch let e as TextFrontEndError {
                throw TrainingError.invalidField(file: origin, line: line, field: field, reason: e.description)
            }
        }
        let (chosen, chosenTypes) = try encode("chosen", pair.chosen)
        let (rejected, rejectedTypes) = try encode("rejected", pair.rejected)
        for (field, ids) in [("chosen", chosen), ("rejected", rejected)] {
            if ids.isEmpty { throw TrainingError.invalidField(file: origin, line: line, field: field, reason: "encodes to no tokens") }
            if let bad = ids.first(where: { $0 < 0 || $0 >= limits.vocabSize }) {
                throw TrainingError.tokenOutOfRange(file: origin, line: line, field: field, id: bad, vocabSize: limits.vocabSize)
            }
        }
        try append(TokenPair(chosen: chosen, rejected: rejected, margin: pair.margin, chosenTypes: chosenTypes, rejectedTypes: rejectedTypes),
                   file: origin, line: line, limits: limits)
    }

    /// Applies --max-length / --over-length and the model's position limit.
    mutating func append(_ pair: TokenPair, file: String, line: Int, limits: PairLimits) throws {
        var p = pair
        if let max = limits.maxLength, p.chosen.count > max || p.rejected.count > max {
            switch limits.overLength {
            case .drop:
                dropped += 1
                return
            case .truncate:
                if p.chosen.count > max {
                    p.chosen = Array(p.chosen.prefix(max))
                    p.chosenTypes = p.chosenTypes.map { Array($0.prefix(max)) }
                    truncatedSequences += 1
                }
                if p.rejected.count > max {
                    p.rejected = Array(p.rejected.prefix(max))
                    p.rejectedTypes = p.rejectedTypes.map { Array($0.prefix(max)) }
                    truncatedSequences += 1
                }
            }
        }
        if let limit = limits.modelMaxLength {
            if p.chosen.count > limit { throw TrainingError.tooLong(file: file, line: line, field: "chosen", length: p.chosen.count, limit: limit) }
            if p.rejected.count > limit { throw TrainingError.tooLong(file: file, line: line, field: "rejected", length: p.rejected.count, limit: limit) }
        }
        pairs.append(p)
    }

    func checked(_ limits: PairLimits) throws -> PairDataset {
        if pairs.isEmpty {
            if dropped > 0, let max = limits.maxLength { throw TrainingError.noPairsLeft(file: origin, dropped: dropped, maxLength: max) }
            throw TrainingError.emptyData(file: origin)
        }
        return self
    }
}
