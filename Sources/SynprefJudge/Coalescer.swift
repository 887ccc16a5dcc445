/// Gathers requests made at about the same time into one batch: while one batch is being
/// handled, new requests wait and go together in the next. Each caller gets its own result
/// once its batch is done (or the batch's error). With 64 calls in flight, 64 answer-cache
/// lookups or saves become a few store round trips instead of 64 transactions.
actor Coalescer<Input: Sendable, Output: Sendable> {
    private let handle: @Sendable ([Input]) async throws -> [Output]
    private var pending: [(Input, CheckedContinuation<Output, any Error>)] = []
    private var running = false

    /// `handle` returns one output per input, in order.
    init(_ handle: @escaping @Sendable ([Input]) async throws -> [Output]) {
        self.handle = handle
    }

    func submit(_ input: Input) async throws -> Output {
        try await withCheckedThrowingContinuation { c in
            pending.append((input, c))
            if !running {
                running = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            do {
                let outputs = try await handle(batch.map(\.0))
                for (i, item) in batch.enumerated() {
                    if i < outputs.count { item.1.resume(returning: outputs[i]) } else { item.1.resume(throwing: CoalescerShortAnswer()) }
                }
            } catch {
                for item in batch { item.1.resume(throwing: error) }
            }
        }
        running = false
    }
}

struct CoalescerShortAnswer: Error, CustomStringConvertible {
    var description: String { "a batched store operation returned fewer results than requests" }
}
