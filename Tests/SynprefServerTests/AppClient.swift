import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A browser-like HTTP client for the annotation app in tests: its own cookies (no shared
/// cookie store, so many clients can sign in as different people), redirects not followed
/// (so their status and cookies can be checked).
final class AppClient: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let base: String
    private let lock = NSLock()
    private var cookies: [String: String] = [:]
    private var session: URLSession!
    /// The session's CSRF token, once read from a page.
    var csrf = ""

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    init(base: String) {
        self.base = base
        super.init()
        let config = URLSessionConfiguration.ephemeral
        config.httpCookieAcceptPolicy = .never
        config.httpShouldSetCookies = false
        config.timeoutIntervalForRequest = 120
        session = URLSession(configuration: config, delegate: self, delegateQueue: nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func cookie(_ name: String) -> String? { lock.withLock { cookies[name] } }

    func send(_ method: String, _ path: String, form: [String: String]? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        let jar = lock.withLock { cookies }
        if !jar.isEmpty { request.setValue(jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie") }
        if let form {
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            request.httpBody = Data(form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
        }
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (k, v) in http.allHeaderFields { fields[String(describing: k).lowercased()] = String(describing: v) }
        // Set-Cookie values (several may arrive joined by ", "): name=value up to the first ';'.
        if let set = fields["set-cookie"] {
            for m in set.matches(of: #/(synpref_[a-z_]+)=([0-9a-f]*)/#) {
                let (name, value) = (String(m.output.1), String(m.output.2))
                lock.withLock { if value.isEmpty { cookies[name] = nil } else { cookies[name] = value } }
            }
        }
        return Reply(status: http.statusCode, headers: fields, body: String(decoding: data, as: UTF8.self))
    }

    static func csrf(in page: String) -> String? {
        page.firstMatch(of: #/name="csrf" value="([0-9a-f]+)"/#).map { String($0.output.1) }
    }

    /// Signs in; returns the login POST's reply (303 on success).
    @discardableResult
    func signIn(_ name: String, _ password: String) async throws -> Reply {
        let page = try await send("GET", "/app/login")
        let token = Self.csrf(in: page.body) ?? ""
        return try await send("POST", "/app/login", form: ["csrf": token, "name": name, "password": password])
    }

    /// Reads the session's CSRF token from a page that does not claim anything.
    func loadCSRF(project: String) async throws {
        let page = try await send("GET", "/app/guideline?project=\(project)")
        csrf = Self.csrf(in: page.body) ?? ""
    }
}
