import Foundation
import SynprefModels

/// The server's lifecycle and admission control, shared by every connection.
///
/// Phases: starting (the model is loading: `/health` 503, scoring 503), ready, draining
/// (SIGTERM/SIGINT or `ScoringServer.drain()`: requests in flight finish, new scoring
/// requests get 503, `/health` 503), stopped.
///
/// Admission bounds memory under overload: a scoring request's tokens are admitted only if
/// the tokens admitted and not yet scored stay within `maxQueueTokens`; otherwise it is
/// answered 429 at once (a request larger than the whole queue is 413). Admission happens
/// after tokenization, before anything is queued for the model.
final class ServerState: @unchecked Sendable {
    enum Phase: String, Sendable { case starting, ready, draining, stopped }

    private let lock = NSCondition()
    private var _phase = Phase.starting
    private var _service: ScoringService?
    private var _model: RewardModel?
    private var admittedTokens = 0
    private var _inFlight = 0
    let maxQueueTokens: Int

    init(maxQueueTokens: Int) {
        self.maxQueueTokens = maxQueueTokens
    }

    var phase: Phase { lock.withLock { _phase } }
    var inFlight: Int { lock.withLock { _inFlight } }
    var queuedTokens: Int { lock.withLock { admittedTokens } }
    var model: RewardModel? { lock.withLock { _model } }

    /// The model is loaded: start serving (unless a drain began while it loaded).
    func ready(model: RewardModel, service: ScoringService) {
        lock.withLock {
            _model = model
            _service = service
            if _phase == .starting { _phase = .ready }
        }
    }

    /// Serving without a model (the annotation app only).
    func readyWithoutModel() {
        lock.withLock { if _phase == .starting { _phase = .ready } }
    }

    /// Stops taking scoring requests; true the first time.
    @discardableResult
    func startDraining() -> Bool {
        lock.withLock {
            guard _phase == .starting || _phase == .ready else { return false }
            _phase = .draining
            lock.broadcast()
            return true
        }
    }

    /// Stops the scoring service's compute thread.
    func shutdownService() { lock.withLock { _service }?.shutdown() }

    func stopped() { lock.withLock { _phase = .stopped; lock.broadcast() } }

    /// Counts a request as in flight for its whole handling (drains wait for it).
    func enter() { lock.withLock { _inFlight += 1 } }

    func leave() {
        lock.withLock {
            _inFlight -= 1
            lock.broadcast()
        }
    }

    /// Blocks (off the cooperative pool: call from a thread of its own) until no request is
    /// in flight or `timeout` seconds pass; true when idle.
    func waitUntilIdle(timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        lock.lock()
        defer { lock.unlock() }
        while _inFlight > 0 {
            if !lock.wait(until: deadline) { return _inFlight == 0 }
        }
        return true
    }

    /// The scoring service when serving; 503 while starting or draining.
    func service() throws(APIError) -> ScoringService {
        let (phase, service) = lock.withLock { (_phase, _service) }
        switch phase {
        case .ready:
            if let service { return service }
            throw APIError(.serviceUnavailable, "the model is still loading; retry in a few seconds", retryAfter: 1)
        case .starting:
            throw APIError(.serviceUnavailable, "the model is still loading; retry in a few seconds", retryAfter: 1)
        case .draining, .stopped:
            throw APIError(.serviceUnavailable, "the server is shutting down and takes no new requests; retry on another replica")
        }
    }

    /// Admits `tokens` or throws 429 (queue full) / 413 (larger than the whole queue).
    func admit(tokens: Int) throws(APIError) {
        if tokens > maxQueueTokens {
            throw APIError(.contentTooLarge,
                           "this request has \(tokens) tokens, more than the server queues at once (\(maxQueueTokens), --max-queue); split it into smaller requests")
        }
        lock.lock()
        defer { lock.unlock() }
        if admittedTokens + tokens > maxQueueTokens {
            throw APIError(.tooManyRequests,
                           "the server is at capacity (\(admittedTokens) tokens waiting, limit \(maxQueueTokens)); retry after a short wait",
                           retryAfter: 1)
        }
        admittedTokens += tokens
    }

    func release(tokens: Int) { lock.withLock { admittedTokens -= tokens } }
}
