import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SynprefCore

/// A tiny HTTP/1.1 server on 127.0.0.1 (one thread per connection, `Connection: close`)
/// for the downloader tests. `HubTestServer.hub(...)` serves the Hugging Face Hub's
/// `resolve` layout.
///
/// `@unchecked Sendable`: the request log and counters are guarded by `lock`; everything
/// else is immutable after `init`.
final class HubTestServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        /// Header names lowercased.
        var headers: [String: String]
    }

    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        /// Send only this many body bytes (after a full Content-Length), then drop the connection.
        var cutAfter: Int?
    }

    let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (Request, HubTestServer) -> Response
    private let lock = NSLock()
    private var requests: [Request] = []
    private var counters: [String: Int] = [:]

    init(handler: @escaping @Sendable (Request, HubTestServer) -> Response) throws {
        self.handler = handler
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ServerError.socket("socket: \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw ServerError.socket("bind/listen: \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    enum ServerError: Error { case socket(String) }

    /// Base URL using the numeric address; `alternateBase` reaches the same server under
    /// another host name (for cross-host redirects).
    var base: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var alternateBase: URL { URL(string: "http://localhost:\(port)")! }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    var log: [Request] { lock.lock(); defer { lock.unlock() }; return requests }

    /// Increments and returns a named counter (for "fail the first time" behaviours).
    func count(_ key: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        counters[key, default: 0] += 1
        return counters[key] ?? 0
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return  // listener closed
            }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !buffer.ends(with: [13, 10, 13, 10]) {
            let count = recv(client, &chunk, chunk.count, 0)
            if count <= 0 { return }
            buffer += chunk[0..<count]
            if buffer.count > 65_536 { return }
        }
        let text = String(decoding: buffer, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let request = Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers)
        lock.lock()
        requests.append(request)
        lock.unlock()

        let response = handler(request, self)
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        var hasLength = false
        for (name, value) in response.headers {
            head += "\(name): \(value)\r\n"
            if name.lowercased() == "content-length" { hasLength = true }
        }
        if !hasLength { head += "Content-Length: \(response.body.count)\r\n" }
        head += "Connection: close\r\n\r\n"
        guard sendAll(client, Array(head.utf8)) else { return }
        if request.method == "HEAD" { return }
        let body = response.cutAfter.map { Array(response.body.prefix($0)) } ?? response.body
        _ = sendAll(client, body)
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
            if count <= 0 { return false }
            sent += count
        }
        return true
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 206: return "Partial Content"
        case 302: return "Found"
        case 307: return "Temporary Redirect"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 416: return "Range Not Satisfiable"
        default: return "Status"
        }
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

/// A fake Hugging Face Hub: repositories at one commit, LFS files (`*.safetensors`)
/// redirected to a CDN path on another host name, others served directly, with the Hub's
/// headers (`X-Repo-Commit`, `ETag`, `X-Linked-Etag`, `X-Linked-Size`, `X-Error-Code`).
struct FakeHub: Sendable {
    struct Repo: Sendable {
        var files: [String: [UInt8]]
        var commit: String
        var branches: [String: String] = [:]
        /// Requires `Authorization: Bearer <token>`; answers like a gated repo otherwise.
        var gatedToken: String?
    }

    var repos: [String: Repo]
    /// Renamed repositories: old id → new id (the Hub answers with a relative 307).
    var renamed: [String: String] = [:]
    /// Drop the connection after this many bytes of the first CDN transfer of each file.
    var interruptFirstTransferAfter: Int?
    /// Serve wrong bytes (checksum test).
    var corruptCDN = false
    /// Ignore Range headers (answer 200 with the whole file).
    var ignoreRange = false

    static func sha256(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return SHA256.hexString(hasher.finalize())
    }

    static func isLFS(_ file: String) -> Bool { file.hasSuffix(".safetensors") }

    func respond(_ request: HubTestServer.Request, server: HubTestServer) -> HubTestServer.Response {
        let path = request.path.removingPercentEncoding ?? request.path
        if path.hasPrefix("/cdn/") { return cdn(String(path.dropFirst(5)), request, server) }
        // /{org}/{name}/resolve/{revision}/{file...}
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        guard parts.count >= 5, parts[2] == "resolve" else { return .init(status: 404, headers: [("X-Error-Code", "RepoNotFound")]) }
        let repoID = parts[0] + "/" + parts[1]
        let revision = parts[3]
        let file = parts[4...].joined(separator: "/")
        if let newID = renamed[repoID] {
            return .init(status: 307, headers: [("Location", "/\(newID)/resolve/\(revision)/\(file)")])
        }
        guard let repo = repos[repoID] else { return .init(status: 401, headers: [("X-Error-Code", "RepoNotFound")]) }
        if let token = repo.gatedToken, request.headers["authorization"] != "Bearer \(token)" {
            return .init(status: request.headers["authorization"] == nil ? 401 : 403, headers: [("X-Error-Code", "GatedRepo")])
        }
        guard revision == repo.commit || repo.branches[revision] != nil || revision == "main" else {
            return .init(status: 404, headers: [("X-Error-Code", "RevisionNotFound")])
        }
        let commitHeader = ("X-Repo-Commit", repo.commit)
        guard let content = repo.files[file] else {
            return .init(status: 404, headers: [("X-Error-Code", "EntryNotFound"), commitHeader])
        }
        let sha = Self.sha256(content)
        if Self.isLFS(file) {
            let location = server.alternateBase.appendingPathComponent("cdn/\(sha)").absoluteString
            return .init(status: 302, headers: [
                ("Location", location), commitHeader, ("X-Linked-Etag", "\"\(sha)\""), ("X-Linked-Size", "\(content.count)"),
                ("ETag", "\"not-the-file-etag\""),
            ])
        }
        // Regular files: a git-like ETag (not a SHA-256) and the body.
        return .init(status: 200, headers: [commitHeader, ("ETag", "\"\(sha.prefix(40))\"")], body: content)
    }

    private func cdn(_ sha: String, _ request: HubTestServer.Request, _ server: HubTestServer) -> HubTestServer.Response {
        guard var content = repos.values.lazy.flatMap({ $0.files.values }).first(where: { Self.sha256($0) == sha }) else {
            return .init(status: 404)
        }
        if corruptCDN { content = content.map { $0 ^ 0xFF } }
        var start = 0
        if !ignoreRange, let range = request.headers["range"], range.hasPrefix("bytes="),
            let first = range.dropFirst(6).split(separator: "-").first.flatMap({ Int($0) })
        {
            start = first
        }
        guard start <= content.count else {
            return .init(status: 416, headers: [("Content-Range", "bytes */\(content.count)")])
        }
        if start == content.count && start > 0 {
            return .init(status: 416, headers: [("Content-Range", "bytes */\(content.count)")])
        }
        let body = Array(content[start...])
        var response = HubTestServer.Response(
            status: start > 0 ? 206 : 200, headers: [("Content-Length", "\(body.count)"), ("ETag", "\"\(sha)\"")], body: body)
        if start > 0 { response.headers.append(("Content-Range", "bytes \(start)-\(content.count - 1)/\(content.count)")) }
        if request.method == "GET", let cut = interruptFirstTransferAfter, server.count("cdn-\(sha)") == 1 {
            response.cutAfter = cut
        }
        return response
    }
}
