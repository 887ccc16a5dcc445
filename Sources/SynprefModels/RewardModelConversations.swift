import Foundation
import SynprefCore

/// Conversations in, rewards out: the text front end in front of the engine, and the
/// `RewardScorer` conformance evaluation and curation use.
extension RewardModel: RewardScorer {
    /// Scores each conversation (its last message is the response judged) through
    /// `frontEnd`; throws `TextFrontEndError` when a conversation cannot be encoded.
    public func score(conversations: [[ChatMessage]]) async throws -> [Float] {
        try scoreCounting(conversations: conversations).scores
    }

    /// `score(conversations:)` plus the number of tokens the model read (for tokens/s).
    public func scoreCounting(conversations: [[ChatMessage]], ids: [String]? = nil,
                              progress: (any ProgressObserver)? = nil) throws -> (scores: [Float], tokens: Int) {
        let inputs = try inputs(for: conversations, ids: ids)
        let scores = try score(inputs: inputs, progress: progress)
        return (scores, inputs.reduce(0) { $0 + $1.ids.count })
    }

    /// The model inputs of `conversations`; `ids` (one per conversation) name them in errors.
    public func inputs(for conversations: [[ChatMessage]], ids: [String]? = nil) throws -> [TextFrontEnd.Input] {
        guard let frontEnd else { throw TextFrontEndError.noTokenizer(model: directory?.path ?? "the model") }
        var out: [TextFrontEnd.Input] = []
        out.reserveCapacity(conversations.count)
        for (i, conversation) in conversations.enumerated() {
            let id = ids.flatMap { i < $0.count ? $0[i] : nil }
            out.append(try frontEnd.input(for: conversation, id: id))
        }
        return out
    }

    /// Scores encoded inputs (BERT models read their token type ids).
    public func score(inputs: [TextFrontEnd.Input], progress: (any ProgressObserver)? = nil) throws -> [Float] {
        var types: [[Int]]? = nil
        if case .bert = backbone { types = inputs.map(\.typeIDs) }
        return try score(tokenSequences: inputs.map(\.ids), tokenTypeIds: types, progress: progress)
    }
}
