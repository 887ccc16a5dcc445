import Foundation
import Hummingbird
import SynprefCore
import SynprefCuration
import SynprefData

/// The admin's routes: accounts, projects (settings, loading pairs into the queue),
/// the agreement dashboard, and exports of every answer and of the gold set.
struct AdminRoutes: Sendable {
    let app: AnnotationApp

    func register(on router: Router<ServerContext>, handle: AnnotationApp.Wrap) {
        let app = self.app
        router.get("/app/admin", use: handle { request, _ in
            let who = try await app.require(request, .admin)
            return try await Self.home(app, who, notice: AnnotationApp.query(request)["user"].map { "User \($0) saved" })
        })
        router.post("/app/admin/users", use: handle { request, _ in
            let form = try await AnnotationApp.form(request)
            let who = try await app.require(request, .admin, form: form)
            let name = form["name"]?.trimmingCharacters(in: .whitespaces) ?? ""
            let password = form["password"] ?? ""
            guard let role = form["role"].flatMap(StoredUser.Role.init) else { return try await Self.home(app, who, error: "Choose a role.") }
            do {
                try StoredUser.check(name: name)
                try Passwords.check(password)
            } catch {
                return try await Self.home(app, who, error: "\(error)")
            }
            let cost = app.options.bcryptCost
            let hash = await ScoringServer.offPool { Passwords.hash(password, cost: cost) }
            do {
                try await app.store.addUser(StoredUser(name: name, role: role, passwordHash: hash))
            } catch let e as StoreError {
                return try await Self.home(app, who, error: e.description)
            }
            return AnnotationApp.redirect("/app/admin?user=\(FormBody.encode(name))")
        })
        router.post("/app/admin/users/update", use: handle { request, _ in
            let form = try await AnnotationApp.form(request)
            let who = try await app.require(request, .admin, form: form)
            let name = form["name"] ?? ""
            let role = form["role"].flatMap(StoredUser.Role.init)
            let disabled = form["disabled"] == "1"
            if name == who.user.name && (disabled || role != .admin) {
                return try await Self.home(app, who, error: "You cannot disable yourself or give up your own admin role.")
            }
            var hash: String?
            if let password = form["password"], !password.isEmpty {
                do { try Passwords.check(password) } catch { return try await Self.home(app, who, error: "\(error)") }
                let cost = app.options.bcryptCost
                hash = await ScoringServer.offPool { Passwords.hash(password, cost: cost) }
            }
            try await app.store.updateUser(name: name, role: role, passwordHash: hash, disabled: disabled)
            if hash != nil || disabled { try await app.store.deleteSessions(user: name) }
            return AnnotationApp.redirect("/app/admin?user=\(FormBody.encode(name))")
        })
        router.post("/app/admin/projects", use: handle { request, _ in
            let form = try await AnnotationApp.form(request)
            let who = try await app.require(request, .admin, form: form)
            let name = form["name"]?.trimmingCharacters(in: .whitespaces) ?? ""
            if name.isEmpty || name.count > 100 || name.contains("/") {
                return try await Self.home(app, who, error: "A project needs a name of 1 to 100 characters without '/'.")
            }
            if try await app.store.annotationProject(name: name) != nil {
                return try await Self.home(app, who, error: "Project \"\(name)\" exists already.")
            }
            let settings = try Self.settings(form, base: AnnotationSettings())
            try await app.store.saveAnnotationProject(name: name, settings: settings.serialized())
            return AnnotationApp.redirect("/app/admin/projects/\(FormBody.encode(name))")
        })
        router.get("/app/admin/projects/:name", use: handle { request, context in
            let who = try await app.require(request, .admin)
            let project = try await app.project(context.parameters.get("name"))
            return try await Self.projectPage(app, who, project, loaded: AnnotationApp.query(request)["loaded"].flatMap(Int.init))
        })
        router.post("/app/admin/projects/:name/settings", use: handle { request, context in
            let form = try await AnnotationApp.form(request)
            let who = try await app.require(request, .admin, form: form)
            let project = try await app.project(context.parameters.get("name"))
            var settings = try Self.settings(form, base: try await app.desk(project).settings())
            settings.tiers = form.all("tiers").compactMap(PreferenceTier.init)
            if settings.tiers.isEmpty { settings.tiers = [.unverified] }
            try await app.store.saveAnnotationProject(name: project, settings: settings.validated().serialized())
            _ = who
            return AnnotationApp.redirect("/app/admin/projects/\(FormBody.encode(project))")
        })
        router.post("/app/admin/projects/:name/load", use: handle { request, context in
            let form = try await AnnotationApp.form(request)
            _ = try await app.require(request, .admin, form: form)
            let project = try await app.project(context.parameters.get("name"))
            guard let tier = form["tier"].flatMap(PreferenceTier.init) else { throw AnnotationApp.problem(.badRequest, "Choose a tier to load from.") }
            guard let limit = form["limit"].flatMap(Int.init), limit > 0, limit <= 1_000_000 else {
                throw AnnotationApp.problem(.badRequest, "How many pairs: a number from 1 to 1,000,000.")
            }
            if try await app.store.annotationProject(name: project) == nil {
                try await app.store.saveAnnotationProject(name: project, settings: AnnotationSettings().serialized())
            }
            func field(_ name: String) -> String? { form[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 } }
            var filter = AnnotationDesk.LoadFilter(source: field("source"), taskCategory: field("category"))
            if let o = field("objectivity") {
                guard let objectivity = PreferenceAttributes.Objectivity(rawValue: o) else { throw AnnotationApp.problem(.badRequest, "Objectivity is objective or subjective.") }
                filter.objectivity = objectivity
            }
            let n = try await app.desk(project).load(tier: tier, limit: limit, filter: filter)
            return AnnotationApp.redirect("/app/admin/projects/\(FormBody.encode(project))?loaded=\(n)")
        })
        router.get("/app/admin/projects/:name/dashboard", use: handle { request, context in
            let who = try await app.require(request, .admin)
            let project = try await app.project(context.parameters.get("name"))
            let desk = app.desk(project)
            let answers = try await app.store.answers(queue: desk.queue, worker: nil)
            let report = AgreementReport.compute(answers: answers, final: try await Self.finalOrientation(app, answers))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let today = calendar.startOfDay(for: Date())
            var todayCounts: [String: Int] = [:]
            for a in answers where a.finishedAt >= today { todayCounts[a.worker, default: 0] += 1 }
            return AnnotationApp.html(AppPage.render(title: "Dashboard · \(project)", user: who.user, csrf: who.session.csrf,
                                                     body: AdminPages.dashboard(name: project, report: report, today: todayCounts)))
        })
        router.get("/app/admin/projects/:name/answers.jsonl", use: handle { request, context in
            _ = try await app.require(request, .admin)
            let project = try await app.project(context.parameters.get("name"))
            return AnnotationApp.text(try await Self.answersExport(app, project), type: "application/x-ndjson", download: "\(project)-answers.jsonl")
        })
        router.get("/app/admin/projects/:name/gold.jsonl", use: handle { request, context in
            _ = try await app.require(request, .admin)
            let project = try await app.project(context.parameters.get("name"))
            return AnnotationApp.text(try await Self.goldExport(app, project), type: "application/x-ndjson", download: "\(project)-gold.jsonl")
        })
    }

    static func settings(_ form: FormBody, base: AnnotationSettings) throws -> AnnotationSettings {
        var s = base
        if let g = form["guideline"] { s.guideline = g.replacingOccurrences(of: "\r\n", with: "\n") }
        if let o = form["overlap"], !o.isEmpty {
            guard let k = Int(o) else { throw AnnotationApp.problem(.badRequest, "Overlap must be a whole number.") }
            s.overlap = k
        }
        if let p = form["priority"] {
            guard let priority = AnnotationSettings.Priority(rawValue: p) else { throw AnnotationApp.problem(.badRequest, "Unknown priority \"\(p)\".") }
            s.priority = priority
        }
        do { return try s.validated() } catch let e as CurationError { throw AnnotationApp.problem(.badRequest, e.description) }
    }

    static func home(_ app: AnnotationApp, _ who: AnnotationApp.SignedIn, notice: String? = nil, error: String? = nil) async throws -> Response {
        let page = AdminPages.home(users: try await app.store.users(), projects: try await app.projectNames(), csrf: who.session.csrf)
        return AnnotationApp.html(AppPage.render(title: "Admin", user: who.user, csrf: who.session.csrf, notice: notice, error: error, body: page),
                                  status: error == nil ? .ok : .badRequest)
    }

    static func projectPage(_ app: AnnotationApp, _ who: AnnotationApp.SignedIn, _ project: String, loaded: Int?) async throws -> Response {
        let desk = app.desk(project)
        let page = AdminPages.project(name: project, settings: try await desk.settings(), queue: try await app.store.queueCounts(queue: desk.queue),
                                      review: try await app.store.queueCounts(queue: desk.reviewQueue), loaded: loaded, csrf: who.session.csrf)
        return AnnotationApp.html(AppPage.render(title: "Project · \(project)", user: who.user, csrf: who.session.csrf, body: page))
    }

    /// Verified orientation (flipped or not) of the answered pairs that are gold now.
    static func finalOrientation(_ app: AnnotationApp, _ answers: [QueueAnswer]) async throws -> [Int64: Bool] {
        var out: [Int64: Bool] = [:]
        for id in Set(answers.compactMap(\.pairID)) {
            if let p = try await app.store.pair(id: id), p.tier == .gold { out[id] = p.verifiedFlipped }
        }
        return out
    }

    /// Every answer and review of the project, oldest first, one JSON object per line.
    static func answersExport(_ app: AnnotationApp, _ project: String) async throws -> String {
        let desk = app.desk(project)
        var lines: [String] = []
        let formatter = ISO8601DateFormatter()
        var hashes: [Int64: String] = [:]
        for queue in [desk.queue, desk.reviewQueue] {
            for a in try await app.store.answers(queue: queue, worker: nil) {
                guard let answer = HumanAnswer.parse(a.result) else { continue }
                var o: JSONObject = ["task_id": .integer(Int(a.taskID)), "annotator": .string(a.worker), "role": .string(answer.role.rawValue),
                                     "label": .string(answer.label.rawValue),
                                     "claimed_at": .string(formatter.string(from: a.claimedAt)), "answered_at": .string(formatter.string(from: a.finishedAt))]
                o["pair_id"] = a.pairID.map { .integer(Int($0)) } ?? .null
                if let id = a.pairID {
                    if hashes[id] == nil { hashes[id] = try await app.store.pair(id: id)?.contentHash.hex }
                    o["content_hash"] = hashes[id].map(JSONValue.string) ?? .null
                }
                o["verdict"] = answer.verdict.map { .string($0.rawValue) } ?? .null
                o["shown"] = answer.chosenShownFirst.map { .string($0 ? "chosen_first" : "rejected_first") } ?? .null
                o["strength"] = answer.strength.map { .string($0.rawValue) } ?? .null
                o["rationale"] = answer.rationale.map(JSONValue.string) ?? .null
                o["ms"] = answer.milliseconds.map(JSONValue.integer) ?? .null
                lines.append(JSONValue.object(o).serialized())
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }

    /// The project's answered pairs that are gold now, in their verified orientation, as
    /// TRL records (`prompt`, `chosen`, `rejected`), the format `synpref train` reads.
    static func goldExport(_ app: AnnotationApp, _ project: String) async throws -> String {
        let answers = try await app.store.answers(queue: app.desk(project).queue, worker: nil)
        guard let encoder = PreferenceFormat.trl.encoder() else { return "" }
        var out = ""
        for id in Set(answers.compactMap(\.pairID)).sorted() {
            guard let p = try await app.store.pair(id: id), p.tier == .gold else { continue }
            if let line = try? encoder.encode(p.verified()) { out += line + "\n" }
        }
        return out
    }
}
