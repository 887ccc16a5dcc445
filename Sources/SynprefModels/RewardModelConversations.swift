import Foundation
import SynprefCore

/// Conversations through the text front end, for synchronous callers (tests, tools). Scoring
/// from concurrent code goes through `ScoringService`.
extension RewardModel {
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
        try score(tokenSequences: inputs.map(\.ids), tokenTypeIds: readsTokenTypes ? inputs.map(\.typeIDs) : nil, progress: progress)
    }
}
