/// Checks and decoding both stores apply to embedding rows.
enum StoredEmbeddings {
    static func check(_ vectors: [(pairID: Int64, vector: [Float])], embedder: String, dims: Int) throws {
        if embedder.isEmpty { throw StoreError.invalidValue("an embedder needs a non-empty fingerprint") }
        for v in vectors {
            if v.vector.count != dims {
                throw StoreError.invalidValue("pair \(v.pairID): a vector of \(v.vector.count) dimensions among vectors of \(dims)")
            }
            if v.vector.contains(where: { !$0.isFinite }) {
                throw StoreError.invalidValue("pair \(v.pairID): the vector holds a NaN or an infinity")
            }
        }
    }

    static func dimensionMismatch(embedder: String, stored: Int, new: Int) -> String {
        "embedder \(embedder) has \(stored)-dimensional vectors in the store; refusing \(new)-dimensional ones (a different model needs its own fingerprint)"
    }

    static func decode(pairID: Int64, format: String, dims: Int, bytes: [UInt8]) throws -> [Float] {
        guard let f = EmbeddingFormat(rawValue: format), let v = f.decode(bytes, dims: dims) else {
            throw StoreError.invalidValue("pair \(pairID): stored vector (\(format), \(dims) dims, \(bytes.count) bytes) is damaged")
        }
        return v
    }
}
