import Foundation
import NIOCore

/// Tells a request's handler when its client went away, without reading the connection
/// (so keep-alive connections stay usable): a channel handler that sees the inbound side
/// close (`ChannelEvent.inputClosed`, the server allows half-closure) or the channel go
/// inactive, and calls what the current request registered.
final class DisconnectWatcher: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny

    private let lock = NSLock()
    private var disconnected = false
    private var callbacks: [Int: @Sendable () -> Void] = [:]
    private var nextToken = 0

    /// Calls `callback` once when the client disconnects (at once if it already has);
    /// returns a token for `remove`.
    func onDisconnect(_ callback: @escaping @Sendable () -> Void) -> Int {
        let (token, already) = lock.withLock { () -> (Int, Bool) in
            nextToken += 1
            if !disconnected { callbacks[nextToken] = callback }
            return (nextToken, disconnected)
        }
        if already { callback() }
        return token
    }

    func remove(_ token: Int) { lock.withLock { _ = callbacks.removeValue(forKey: token) } }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event as? ChannelEvent == .some(.inputClosed) { fire() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fire()
        context.fireChannelInactive()
    }

    private func fire() {
        let pending = lock.withLock { () -> [@Sendable () -> Void] in
            disconnected = true
            defer { callbacks.removeAll() }
            return Array(callbacks.values)
        }
        for callback in pending { callback() }
    }
}
