import SynprefCore

/// A valid pair with what the store needs precomputed off the write path: the
/// canonical (`ConversationCodec`) texts of its parts, its content hash and its lengths.
public struct PreparedPair: Sendable {
    public var pair: PreferencePair
    public var contextJSON: String
    public var chosenJSON: String
    public var rejectedJSON: String
    public var hash: ContentHash
    /// Lengths in Unicode scalars (context: all turns' content together).
    public var contextChars: Int
    public var chosenChars: Int
    public var rejectedChars: Int

    public init(_ pair: PreferencePair) {
        self.pair = pair
        contextJSON = ConversationCodec.canonical(pair.context)
        chosenJSON = ConversationCodec.canonical(pair.chosen)
        rejectedJSON = ConversationCodec.canonical(pair.rejected)
        hash = ContentHash(contextJSON: contextJSON, chosenJSON: chosenJSON, rejectedJSON: rejectedJSON)
        contextChars = pair.context.reduce(0) { $0 + PreparedPair.scalarCount($1.content) }
        chosenChars = PreparedPair.scalarCount(pair.chosen.content)
        rejectedChars = PreparedPair.scalarCount(pair.rejected.content)
    }

    /// Unicode scalars in `s`: its UTF-8 bytes that are not continuation bytes.
    static func scalarCount(_ s: String) -> Int {
        var copy = s
        return copy.withUTF8 { buf in
            var n = 0
            for b in buf where b & 0xC0 != 0x80 { n += 1 }
            return n
        }
    }
}
