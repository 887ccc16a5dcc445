import Hummingbird

/// With an API key set, every route but `/health`, `/metrics` and the annotation app
/// (`/app…`, which has its own sign-in) needs `Authorization: Bearer <key>` (compared in
/// constant time); otherwise 401.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let key: [UInt8]
    static let open: Set<String> = ["/health", "/metrics"]

    func handle(_ request: Request, context: ServerContext,
                next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if !Self.open.contains(path) && path != "/app" && !path.hasPrefix("/app/") {
            guard let header = request.headers[.authorization] else {
                throw APIError(.unauthorized, "missing Authorization header; send \"Authorization: Bearer <API key>\"")
            }
            let prefix = "Bearer "
            guard header.hasPrefix(prefix), Self.equal(Array(header.dropFirst(prefix.count).utf8), key) else {
                throw APIError(.unauthorized, "the bearer token does not match the server's API key")
            }
        }
        return try await next(request, context)
    }

    /// Equality whose time depends on the lengths only.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<Swift.max(a.count, b.count) {
            diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return diff == 0
    }
}
