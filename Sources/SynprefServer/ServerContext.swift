import Foundation
import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus what the access log reports
/// about the scoring work done for the request.
struct ServerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let work = RequestWork()
    /// The connection (for its `DisconnectWatcher`).
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }

    /// The connection's disconnect watcher (nil if the pipeline has none).
    func disconnectWatcher() async -> DisconnectWatcher? {
        try? await channel.pipeline.handler(type: DisconnectWatcher.self).get()
    }
}

/// Tokens, queue and compute time of one request, filled in by the scoring route.
final class RequestWork: @unchecked Sendable {
    private let lock = NSLock()
    private var values: (tokens: Int, queue: Double, compute: Double)?

    func record(tokens: Int, queueSeconds: Double, computeSeconds: Double) {
        lock.withLock { values = (tokens, queueSeconds, computeSeconds) }
    }

    var recorded: (tokens: Int, queue: Double, compute: Double)? { lock.withLock { values } }
}
