/// Sentence embeddings of stored pairs, one vector per (embedder fingerprint, pair).
///
/// Guarantees: vectors of different embedders never mix (every read names its embedder);
/// saving a vector for a (embedder, pair) that has one keeps the first (so a re-run after a
/// kill only adds what is missing); all vectors of one embedder have the same dimension (a
/// save with another dimension is refused).
public protocol EmbeddingStore: Sendable {
    /// Pairs (tier filter, contaminated pairs left out) in id order after `afterID` that have
    /// no vector from `embedder`, at most `limit`; attributes are loaded, labels not.
    func pairsWithoutEmbedding(embedder: String, tier: PreferenceTier?, afterID: Int64, limit: Int) async throws -> [PreferencePair]
    /// Saves vectors (one transaction); returns how many were new.
    @discardableResult
    func saveEmbeddings(_ vectors: [(pairID: Int64, vector: [Float])], embedder: String, format: EmbeddingFormat) async throws -> Int
    /// Stored vectors of `embedder` for pairs in `tier` (nil: any tier; contaminated pairs
    /// left out), in pair-id order after `afterID`, at most `limit`.
    func embeddings(embedder: String, tier: PreferenceTier?, afterID: Int64, limit: Int) async throws -> [StoredEmbedding]
    /// The vectors of `embedder` for these pairs (those that have one).
    func embeddings(embedder: String, pairIDs: [Int64]) async throws -> [StoredEmbedding]
    /// How many pairs of `tier` (nil: any) have a vector from `embedder`, and how many in all.
    func embeddingCount(embedder: String, tier: PreferenceTier?) async throws -> (embedded: Int, pairs: Int)
}

/// How vectors are stored: 32-bit floats, or 16-bit (half the space; about 3 significant
/// digits, enough for nearest-neighbour search over normalised vectors).
public enum EmbeddingFormat: String, Sendable, Hashable, CaseIterable {
    case f32, f16

    /// Little-endian bytes of `vector`.
    public func encode(_ vector: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        switch self {
        case .f32:
            out.reserveCapacity(vector.count * 4)
            for v in vector { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        case .f16:
            out.reserveCapacity(vector.count * 2)
            for v in vector { withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
        return out
    }

    /// The vector of `dims` floats in `bytes`, or nil if the length does not match.
    public func decode(_ bytes: [UInt8], dims: Int) -> [Float]? {
        switch self {
        case .f32:
            guard bytes.count == dims * 4 else { return nil }
            return (0..<dims).map { i in
                let b = UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24
                return Float(bitPattern: b)
            }
        case .f16:
            guard bytes.count == dims * 2 else { return nil }
            return (0..<dims).map { i in Float(Float16(bitPattern: UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8)) }
        }
    }
}

/// One stored vector.
public struct StoredEmbedding: Sendable, Hashable {
    public var pairID: Int64
    public var vector: [Float]

    public init(pairID: Int64, vector: [Float]) {
        self.pairID = pairID
        self.vector = vector
    }
}
