import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SynprefCore
import SynprefCuration
import SynprefData

/// The annotation app inside `synpref serve --annotation`: server-rendered pages under
/// `/app` on the store's work queues (see `AnnotationDesk`), for annotators, reviewers and
/// admins.
///
/// Security: passwords are bcrypt hashes; a session is a random token in an HttpOnly,
/// SameSite=Strict cookie (`Secure` with `secureCookies`), of which the store keeps only
/// the SHA-256; every POST carries the session's CSRF token (a form field or the
/// `X-CSRF-Token` header; the login form uses a double-submit cookie); failed logins are
/// rate-limited per account and per address (`LoginThrottle`); roles are checked on every
/// route (admin ⊇ reviewer ⊇ annotator); pages allow scripts and styles from the app only
/// (Content-Security-Policy), and data text is escaped (`SafeMarkdown`).
public struct AnnotationApp: Sendable {
    public struct Options: Sendable {
        /// bcrypt cost of passwords set through the app.
        public var bcryptCost: UInt8 = Passwords.defaultCost
        /// Mark cookies `Secure` (when a reverse proxy serves the app over HTTPS).
        public var secureCookies = false
        public var sessionSeconds = 12 * 3600
        /// How long a pair stays leased to an annotator without the page renewing it.
        public var lease: TimeInterval = 300
        public var maxLoginFailures = 10

        public init() {}
    }

    let store: any PreferenceStore
    let options: Options
    let throttle: LoginThrottle
    let logger: Logger

    public init(store: any PreferenceStore, options: Options = Options(), logger: Logger = Logger(label: "synpref.annotation")) {
        self.store = store
        self.options = options
        self.throttle = LoginThrottle(limit: options.maxLoginFailures)
        self.logger = logger
    }

    static let sessionCookie = "synpref_session"
    static let unknownUserHash = Passwords.hash("synpref: no such user", cost: Passwords.defaultCost)
    static let loginCookie = "synpref_login_csrf"

    /// Applies decisions a crash left undone, for every project (run at start).
    public func reconcile() async throws {
        for name in try await projectNames() { try await desk(name).reconcile() }
    }

    func desk(_ project: String) -> AnnotationDesk { AnnotationDesk(store: store, project: project, lease: options.lease) }

    func projectNames() async throws -> [String] {
        Array(Set(try await store.annotationProjectNames()).union(try await store.projectNames())).sorted()
    }

    // MARK: Responses

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
        .cacheControl: "no-store",
    ]

    static func html(_ page: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        for c in cookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        for c in cookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return Response(status: .seeOther, headers: headers)
    }

    static func text(_ body: String, type: String, status: HTTPResponse.Status = .ok, download: String? = nil) -> Response {
        var headers = securityHeaders
        headers[.contentType] = type
        if let download { headers[.contentDisposition] = "attachment; filename=\"\(download)\"" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// A response that ends a handler early (not signed in, wrong role, bad CSRF token, ...).
    struct Stop: Error { let response: Response }

    static func problem(_ status: HTTPResponse.Status, _ message: String, user: StoredUser? = nil, csrf: String? = nil) -> Stop {
        Stop(response: html(AppPage.render(title: "\(status.code)", user: user, csrf: csrf, error: message,
                                           body: "<p><a href=\"/app\">Back</a></p>"), status: status))
    }

    // MARK: Sessions

    struct SignedIn: Sendable {
        var user: StoredUser
        var session: StoredSession
    }

    static func rank(_ r: StoredUser.Role) -> Int {
        switch r {
        case .annotator: return 0
        case .reviewer: return 1
        case .admin: return 2
        }
    }

    func signedIn(_ request: Request) async throws -> SignedIn? {
        guard let token = CookieHeader.parse(request.headers[.cookie])[Self.sessionCookie], !token.isEmpty,
              let session = try await store.session(tokenHash: Passwords.tokenHash(token)),
              let user = try await store.user(name: session.user), !user.disabled else { return nil }
        return SignedIn(user: user, session: session)
    }

    /// The signed-in person with at least `role`; for a POST, also a matching CSRF token.
    func require(_ request: Request, _ role: StoredUser.Role, form: FormBody? = nil) async throws -> SignedIn {
        guard let who = try await signedIn(request) else {
            if request.method == .get { throw Stop(response: Self.redirect("/app/login")) }
            throw Self.problem(.unauthorized, "You are not signed in (or your session ended). Sign in again.")
        }
        guard Self.rank(who.user.role) >= Self.rank(role) else {
            throw Self.problem(.forbidden, "This page is for \(role.rawValue)s.", user: who.user, csrf: who.session.csrf)
        }
        if request.method == .post {
            let sent = form?["csrf"] ?? request.headers[HTTPField.Name("X-CSRF-Token")!] ?? ""
            guard BearerAuthMiddleware.equal(Array(sent.utf8), Array(who.session.csrf.utf8)) else {
                throw Self.problem(.forbidden, "The form's security token is missing or stale. Reload the page and try again.", user: who.user, csrf: who.session.csrf)
            }
        }
        return who
    }

    static func form(_ request: Request) async throws -> FormBody {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        return FormBody(String(buffer: buffer))
    }

    static func query(_ request: Request) -> FormBody { FormBody(request.uri.query ?? "") }

    static func millis(_ d: Date = Date()) -> Int64 { Int64(d.timeIntervalSince1970 * 1000) }

    /// Time spent on a pair from the page's `started` field (bounded to a day).
    static func spent(_ form: FormBody) -> Int? {
        guard let started = form["started"].flatMap(Int64.init) else { return nil }
        let ms = millis() - started
        return ms >= 0 && ms < 86_400_000 ? Int(ms) : nil
    }

    // MARK: Routes

    typealias Handler = @Sendable (Request, ServerContext) async throws -> Response
    /// Wraps a route's handler: a `Stop` becomes its response, input and store errors pages.
    typealias Wrap = (@escaping Handler) -> Handler

    func register(on router: Router<ServerContext>) {
        let app = self
        func handle(_ body: @escaping Handler) -> Handler {
            { request, context in
                do { return try await body(request, context) } catch let stop as Stop { return stop.response } catch let e as CurationError {
                    return Self.problem(.badRequest, e.description).response
                } catch let e as StoreError {
                    if case .invalidValue = e { return Self.problem(.badRequest, e.description).response }
                    app.logger.error("annotation app: \(e)")
                    return Self.problem(.internalServerError, "The store failed: \(e.description)").response
                }
            }
        }
        router.get("/app/static/app.css") { _, _ in Self.text(AppAssets.css, type: "text/css; charset=utf-8") }
        router.get("/app/static/app.js") { _, _ in Self.text(AppAssets.js, type: "text/javascript; charset=utf-8") }
        router.get("/app", use: handle { request, _ in
            guard let who = try await app.signedIn(request) else { return Self.redirect("/app/login") }
            return Self.redirect(Self.home(who.user.role))
        })
        router.get("/app/login", use: handle { request, _ in
            if let who = try await app.signedIn(request) { return Self.redirect(Self.home(who.user.role)) }
            let token = Passwords.token()
            return Self.html(LoginPage.render(csrf: token), cookies: [CookieHeader.set(Self.loginCookie, token, maxAge: 3600, secure: app.options.secureCookies)])
        })
        router.post("/app/login", use: handle { request, context in try await app.login(request, context) })
        router.post("/app/logout", use: handle { request, _ in
            let form = try await Self.form(request)
            let who = try await app.require(request, .annotator, form: form)
            for project in try await app.projectNames() { try await app.desk(project).releaseAll(person: who.user.name) }
            try await app.store.deleteSession(tokenHash: who.session.tokenHash)
            return Self.redirect("/app/login", cookies: [CookieHeader.clear(Self.sessionCookie, secure: app.options.secureCookies)])
        })
        router.get("/app/guideline", use: handle { request, _ in
            let who = try await app.require(request, .annotator)
            let project = try await app.project(Self.query(request)["project"])
            let s = try await app.desk(project).settings()
            let body = "<section><h1>Guideline: \(AppPage.e(project))</h1>" + (s.guideline.isEmpty ? "<p>No project guideline yet.</p>" : SafeMarkdown.render(s.guideline)) + "</section>"
            return Self.html(AppPage.render(title: "Guideline", user: who.user, csrf: who.session.csrf, body: body))
        })
        AnnotationRoutes(app: app).register(on: router, handle: handle)
        AdminRoutes(app: app).register(on: router, handle: handle)
    }

    static func home(_ role: StoredUser.Role) -> String {
        switch role {
        case .admin: return "/app/admin"
        case .reviewer: return "/app/review"
        case .annotator: return "/app/annotate"
        }
    }

    /// A known project's name, or a 404.
    func project(_ name: String?) async throws -> String {
        guard let name, !name.isEmpty else { throw Self.problem(.badRequest, "Name a project (?project=NAME).") }
        // Point lookups: this runs on every request of the app.
        var known = try await store.annotationProject(name: name) != nil
        if !known { known = try await store.projectConfig(name: name) != nil }
        guard known else {
            throw Self.problem(.notFound, "No project \"\(name)\".")
        }
        return name
    }

    func login(_ request: Request, _ context: ServerContext) async throws -> Response {
        let form = try await Self.form(request)
        let cookies = CookieHeader.parse(request.headers[.cookie])
        let name = form["name"] ?? "", password = form["password"] ?? ""
        let freshToken = Passwords.token()
        let loginCookie = CookieHeader.set(Self.loginCookie, freshToken, maxAge: 3600, secure: options.secureCookies)
        func again(_ status: HTTPResponse.Status, _ message: String) -> Response {
            Self.html(LoginPage.render(csrf: freshToken, name: name, error: message), status: status, cookies: [loginCookie])
        }
        guard let sent = form["csrf"], let expected = cookies[Self.loginCookie], !sent.isEmpty,
              BearerAuthMiddleware.equal(Array(sent.utf8), Array(expected.utf8)) else {
            return again(.forbidden, "The sign-in form expired. Try again.")
        }
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        if let wait = throttle.retryAfter(user: name, address: address) {
            var r = again(.tooManyRequests, "Too many failed sign-ins. Try again in \(wait) s.")
            r.headers[.retryAfter] = String(wait)
            return r
        }
        let user = try await store.user(name: name)
        // An unknown name costs a bcrypt check too, so timing does not tell which names exist.
        let ok = await ScoringServer.offPool { [user] in Passwords.verify(password, hash: user?.passwordHash ?? Self.unknownUserHash) && user != nil }
        guard let user, ok, !user.disabled else {
            throttle.failed(user: name, address: address)
            logger.notice("failed sign-in for \"\(name)\" from \(address)")
            return again(.unauthorized, "Wrong name or password" + ((user?.disabled ?? false) && ok ? " (this account is disabled)." : "."))
        }
        throttle.succeeded(user: name)
        let token = Passwords.token()
        let now = Date()
        try await store.createSession(StoredSession(tokenHash: Passwords.tokenHash(token), user: user.name, csrf: Passwords.token(),
                                                   createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(options.sessionSeconds))))
        return Self.redirect(Self.home(user.role), cookies: [
            CookieHeader.set(Self.sessionCookie, token, maxAge: options.sessionSeconds, secure: options.secureCookies),
            CookieHeader.clear(Self.loginCookie, secure: options.secureCookies),
        ])
    }
}
