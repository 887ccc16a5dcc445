import Foundation
import Hummingbird
import Logging

/// Counts requests in flight (drains wait for them), logs one info line per request
/// (method, path, status, tokens, queue and compute milliseconds, total milliseconds) and
/// records the request metrics.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let state: ServerState
    let metrics: ServerMetrics
    let logger: Logger

    func handle(_ request: Request, context: ServerContext,
                next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        state.enter()
        defer { state.leave() }
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            finish(request, context, status: response.status.code, start: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            finish(request, context, status: status, start: start)
            throw error
        }
    }

    private func finish(_ request: Request, _ context: ServerContext, status: Int, start: ContinuousClock.Instant) {
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let route = context.endpointPath ?? "unmatched"
        metrics.request(route: route, method: request.method.rawValue, status: status, seconds: seconds)
        var line = "\(request.method.rawValue) \(request.uri.path) \(status)"
        if let work = context.work.recorded {
            line += String(format: " tokens=%d queue_ms=%.1f compute_ms=%.1f", work.tokens, work.queue * 1000, work.compute * 1000)
        }
        line += String(format: " total_ms=%.1f", seconds * 1000)
        logger.info("\(line)")
    }
}
