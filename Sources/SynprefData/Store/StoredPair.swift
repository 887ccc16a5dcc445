import SynprefCore

/// Rebuilding pairs from stored columns (shared by both stores).
enum StoredPair {
    static func messages(_ text: String, _ column: String, pairID: Int64) throws -> [Message] {
        do {
            let v = try JSONParser.parse(text)
            return try JSONMessages.messages(v, column)
        } catch {
            throw StoreError.invalidValue("pair \(pairID): column \(column) is not a valid message list (\(error))")
        }
    }

    static func message(_ text: String, _ column: String, pairID: Int64) throws -> Message {
        do {
            let v = try JSONParser.parse(text)
            return try JSONMessages.message(v, column)
        } catch {
            throw StoreError.invalidValue("pair \(pairID): column \(column) is not a valid message (\(error))")
        }
    }

    static func make(
        id: Int64, source: String, context: String, chosen: String, rejected: String, margin: Double?, tier: String,
        origin: String?, attributes: (String?, String?, String?, String?, String?), flipped: Bool
    ) throws -> PreferencePair {
        guard let t = PreferenceTier(rawValue: tier) else { throw StoreError.invalidValue("pair \(id): tier '\(tier)'") }
        var p = PreferencePair(
            id: id, context: try messages(context, "context", pairID: id), chosen: try message(chosen, "chosen", pairID: id),
            rejected: try message(rejected, "rejected", pairID: id), source: source, margin: margin, tier: t, origin: origin)
        p.verifiedFlipped = flipped
        if let cat = attributes.0, let o = attributes.1, let c = attributes.2, let d = attributes.3, let g = attributes.4 {
            guard let obj = PreferenceAttributes.Objectivity(rawValue: o),
                let con = PreferenceAttributes.Controversiality(rawValue: c)
            else { throw StoreError.invalidValue("pair \(id): attributes '\(o)', '\(c)'") }
            p.attributes = PreferenceAttributes(taskCategory: cat, objectivity: obj, controversiality: con, desiredAttributes: d, annotationGuideline: g)
        }
        return p
    }

    /// Replays tier changes in order over the current tiers: which moves take effect and
    /// the final tier per pair. Throws on an unknown pair or a failed expectation.
    /// The verified orientation each pair ends with (the last move that states one wins).
    static func orientations(_ moves: [TierChange]) -> [Int64: Bool] {
        var out: [Int64: Bool] = [:]
        for m in moves { if let f = m.flipped { out[m.pairID] = f } }
        return out
    }

    static func plan(_ moves: [TierChange], current: [Int64: PreferenceTier]) throws -> (log: [(pairID: Int64, from: PreferenceTier, to: PreferenceTier, reason: String)], final: [Int64: PreferenceTier]) {
        var tiers = current
        var log: [(Int64, PreferenceTier, PreferenceTier, String)] = []
        var changed: [Int64: PreferenceTier] = [:]
        for m in moves {
            guard let now = tiers[m.pairID] else { throw StoreError.unknownPair(m.pairID) }
            if let e = m.expectedFrom, e != now { throw StoreError.tierConflict(pairID: m.pairID, expected: e, actual: now) }
            if now == m.to { continue }
            log.append((m.pairID, now, m.to, m.reason))
            tiers[m.pairID] = m.to
            changed[m.pairID] = m.to
        }
        return (log, changed)
    }

    static func checkLabel(_ l: LabelEntry) throws {
        if let c = l.confidence, !(c >= 0 && c <= 1) {
            throw StoreError.invalidValue("label confidence \(c) for pair \(l.pairID) is not within [0, 1]")
        }
        if l.labeler.id.isEmpty { throw StoreError.invalidValue("label for pair \(l.pairID) has an empty labeler id") }
    }
}
