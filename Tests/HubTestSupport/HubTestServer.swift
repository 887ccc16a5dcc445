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
public final class HubTestServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header names lowercased.
        public var headers: [String: String]
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)] = []
        public var body: [UInt8] = []
        /// Send only this many body bytes (after a full Content-Length), then drop the connection.
        public var cutAfter: Int?

        public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], cutAfter: Int? = nil) {
            self.status = status
            self.headers = headers
            self.body = body
            self.cutAfter = cutAfter
        }
    }

    public let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (Request, HubTestServer) -> Response
    private let lock = NSLock()
    private var requests: [Request] = []
    private var counters: [String: Int] = [:]

    public init(handler: @escaping @Sendable (Request, HubTestServer) -> Response) throws {
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
    public var base: URL { URL(string: "http://127.0.0.1:\(port)")! }
    public var alternateBase: URL { URL(string: "http://localhost:\(port)")! }

    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    public var log: [Request] { lock.lock(); defer { lock.unlock() }; return requests }

    /// Increments and returns a named counter (for "fail the first time" behaviours).
    public func count(_ key: String) -> Int {
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
    public func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

/// A fake Hugging Face Hub: repositories at one commit, LFS files (`*.safetensors`)
/// redirected to a CDN path on another host name, others served directly, with the Hub's
/// headers (`X-Repo-Commit`, `ETag`, `X-Linked-Etag`, `X-Linked-Size`, `X-Error-Code`).
public struct FakeHub: Sendable {
    public struct Repo: Sendable {
        public var files: [String: [UInt8]]
        public var commit: String
        public var branches: [String: String] = [:]
        /// Requires `Authorization: Bearer <token>`; answers like a gated repo otherwise.
        public var gatedToken: String?

        public init(files: [String: [UInt8]], commit: String, branches: [String: String] = [:], gatedToken: String? = nil) {
            self.files = files
            self.commit = commit
            self.branches = branches
            self.gatedToken = gatedToken
        }
    }

    /// Model repositories by id.
    public var repos: [String: Repo]
    /// Dataset repositories by id (served under /datasets/ and /api/datasets/).
    public var datasets: [String: Repo]
    /// Renamed repositories: old id → new id (the Hub answers with a relative 307).
    public var renamed: [String: String] = [:]
    /// Drop the connection after this many bytes of the first CDN transfer of each file.
    public var interruptFirstTransferAfter: Int?
    /// Serve wrong bytes (checksum test).
    public var corruptCDN = false
    /// Ignore Range headers (answer 200 with the whole file).
    public var ignoreRange = false

    public init(repos: [String: Repo] = [:], datasets: [String: Repo] = [:], renamed: [String: String] = [:]) {
        self.repos = repos
        self.datasets = datasets
        self.renamed = renamed
    }

    public static func sha256(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return SHA256.hexString(hasher.finalize())
    }

    /// Weights and data files live in LFS (redirected to the CDN); others are served directly.
    public static func isLFS(_ file: String) -> Bool { file.hasSuffix(".safetensors") || file.hasSuffix(".parquet") }

    public func respond(_ request: HubTestServer.Request, server: HubTestServer) -> HubTestServer.Response {
        let path = request.path.removingPercentEncoding ?? request.path
        if path.hasPrefix("/cdn/") { return cdn(String(path.dropFirst(5)), request, server) }
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        // /api/datasets/{org}/{name}/revision/{revision}: the commit and the file list.
        if parts.count >= 6, parts[0] == "api", parts[1] == "datasets", parts[4] == "revision" {
            let repoID = parts[2] + "/" + parts[3]
            let revision = parts[5...].joined(separator: "/")
            guard let repo = datasets[repoID] else { return .init(status: 401, headers: [("X-Error-Code", "RepoNotFound")]) }
            if let denied = Self.gate(repo, request) { return denied }
            guard revision == repo.commit || repo.branches[revision] != nil || revision == "main" else {
                return .init(status: 404, headers: [("X-Error-Code", "RevisionNotFound")])
            }
            let siblings = repo.files.keys.sorted().map { "{\"rfilename\":\"\($0)\"}" }.joined(separator: ",")
            let body = "{\"id\":\"\(repoID)\",\"sha\":\"\(repo.commit)\",\"private\":false,\"siblings\":[\(siblings)]}"
            return .init(status: 200, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        }
        // /{org}/{name}/resolve/{revision}/{file...} or /datasets/{org}/{name}/resolve/...
        let isDataset = parts.first == "datasets"
        if isDataset { parts.removeFirst() }
        guard parts.count >= 5, parts[2] == "resolve" else { return .init(status: 404, headers: [("X-Error-Code", "RepoNotFound")]) }
        let repoID = parts[0] + "/" + parts[1]
        let revision = parts[3]
        let file = parts[4...].joined(separator: "/")
        if let newID = renamed[repoID] {
            return .init(status: 307, headers: [("Location", "/\(newID)/resolve/\(revision)/\(file)")])
        }
        guard let repo = (isDataset ? datasets : repos)[repoID] else {
            return .init(status: 401, headers: [("X-Error-Code", "RepoNotFound")])
        }
        if let denied = Self.gate(repo, request) { return denied }
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

    /// The Hub's answer to a request without the gated repository's token, if it lacks it.
    static func gate(_ repo: Repo, _ request: HubTestServer.Request) -> HubTestServer.Response? {
        guard let token = repo.gatedToken, request.headers["authorization"] != "Bearer \(token)" else { return nil }
        return .init(status: request.headers["authorization"] == nil ? 401 : 403, headers: [("X-Error-Code", "GatedRepo")])
    }

    private func cdn(_ sha: String, _ request: HubTestServer.Request, _ server: HubTestServer) -> HubTestServer.Response {
        guard var content = (Array(repos.values) + Array(datasets.values)).lazy.flatMap({ $0.files.values }).first(where: { Self.sha256($0) == sha }) else {
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
