import SynprefCore

/// The identity of a pair's content: SHA-256 over a canonical serialization of
/// (history, chosen, rejected). Two pairs with the same hash are duplicates, whatever
/// their source, margin, tier or labels.
///
/// The canonical serialization is the compact JSON text
///
///     {"history":[M,...],"chosen":M,"rejected":M}
///
/// where each message `M` is `{"role":"<role>","content":"<content>"}` with
/// `,"reasoning_content":"<text>"` appended only when the message has reasoning; strings
/// are escaped as Python's `json.dumps(obj, ensure_ascii=False, separators=(",", ":"))`
/// does, and content is taken exactly as stored (no trimming or normalisation). The hash
/// is SHA-256 of its UTF-8 bytes, so a Python one-liner reproduces it (`content_hash` in
/// scripts/reference/data_format_fixtures.py does, for the test fixtures).
public struct ContentHash: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 32 digest bytes as four big-endian words (cheap to hash and compare).
    public let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        func word(_ k: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v = v << 8 | UInt64(bytes[k * 8 + i]) }
            return v
        }
        w0 = word(0)
        w1 = word(1)
        w2 = word(2)
        w3 = word(3)
    }

    public init?(hex: String) {
        let chars = Array(hex.utf8)
        guard chars.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: 64, by: 2) {
            guard let hi = ContentHash.nibble(chars[i]), let lo = ContentHash.nibble(chars[i + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
        }
        self.init(bytes: bytes)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    /// Hashes the canonical serialization of (history, chosen, rejected).
    public init(context: [Message], chosen: Message, rejected: Message) {
        self.init(contextJSON: ConversationCodec.canonical(context), chosenJSON: ConversationCodec.canonical(chosen),
                  rejectedJSON: ConversationCodec.canonical(rejected))
    }

    /// Hashes from the canonical (`ConversationCodec`) texts the caller already has (import writes them to
    /// the store anyway), avoiding a second serialization.
    public init(contextJSON: String, chosenJSON: String, rejectedJSON: String) {
        var h = SHA256()
        h.update("{\"history\":")
        h.update(contextJSON)
        h.update(",\"chosen\":")
        h.update(chosenJSON)
        h.update(",\"rejected\":")
        h.update(rejectedJSON)
        h.update("}")
        self.init(bytes: h.finalize())!  // SHA-256 digests are always 32 bytes
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for w in [w0, w1, w2, w3] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: w >> UInt64(shift))) }
        }
        return out
    }

    public var hex: String { SHA256.hexString(bytes) }
    public var description: String { hex }

    public static func < (a: ContentHash, b: ContentHash) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }
}
