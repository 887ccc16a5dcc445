import Foundation
import Hummingbird
import SynprefCore
import SynprefCuration
import SynprefData

/// The annotator's and reviewer's routes: the page with the pair they hold, submit, skip,
/// lease renewal; and a small JSON API for scripted clients (`/app/api/claim`,
/// `/app/api/answer`), with the same sessions, CSRF header and rules as the pages.
struct AnnotationRoutes: Sendable {
    let app: AnnotationApp

    func register(on router: Router<ServerContext>, handle: AnnotationApp.Wrap) {
        let app = self.app
        router.get("/app/annotate", use: handle { request, _ in
            let who = try await app.require(request, .annotator)
            guard let name = AnnotationApp.query(request)["project"] else { return try await Self.chooseProject(app, who, path: "/app/annotate") }
            let project = try await app.project(name)
            let desk = app.desk(project)
            let assignment = try await desk.current(annotator: who.user.name)
            let progress = try await desk.progress(person: who.user.name)
            let page = AnnotatePage.annotate(project: project, assignment: assignment, progress: progress, csrf: who.session.csrf,
                                             startedMillis: AnnotationApp.millis())
            return Self.page(request, who, title: "Annotate · \(project)", body: page)
        })
        router.post("/app/annotate/submit", use: handle { request, _ in
            let form = try await AnnotationApp.form(request)
            let who = try await app.require(request, .annotator, form: form)
            let (project, task) = try await Self.target(app, form)
            guard let verdict = form["verdict"].flatMap(HumanAnswer.Verdict.init) else {
                return AnnotationApp.redirect(Self.back("/app/annotate", project, error: "no-verdict"))
            }
            guard try await Self.answer(app, who, form, project: project, task: task, verdict: verdict, milliseconds: AnnotationApp.spent(form)) else {
                return AnnotationApp.redirect(Self.back("/app/annotate", project, error: "lease-lost"))
            }
            return AnnotationApp.redirect(Self.back("/app/annotate", project, done: "recorded"))
        })
        router.post("/app/annotate/skip", use: handle { request, _ in
            let form = try await AnnotationApp.form(request)
            let who = try await app.require(request, .annotator, form: form)
            let (project, task) = try await Self.target(app, form)
            try? await app.desk(project).skip(taskID: task, annotator: who.user.name)
            return AnnotationApp.redirect(Self.back("/app/annotate", project, done: "skipped"))
        })
        router.post("/app/annotate/renew", use: handle { request, _ in try await Self.renew(app, request) })
        router.post("/app/review/renew", use: handle { request, _ in try await Self.renew(app, request) })

        router.get("/app/review", use: handle { request, _ in
            let who = try await app.require(request, .reviewer)
            guard let name = AnnotationApp.query(request)["project"] else { return try await Self.chooseProject(app, who, path: "/app/review") }
            let project = try await app.project(name)
            let desk = app.desk(project)
            let current = try await desk.currentReview(reviewer: who.user.name)
            let reason = current.flatMap { (try? JSONParser.parse($0.0.task.payload))?["reason"]?.stringValue }
            let progress = try await desk.progress(person: who.user.name, queue: desk.reviewQueue)
            let page = AnnotatePage.review(project: project, assignment: current?.0, answers: current?.1 ?? [], reason: reason, progress: progress,
                                           csrf: who.session.csrf, startedMillis: AnnotationApp.millis())
            return Self.page(request, who, title: "Review · \(project)", body: page)
        })
        router.post("/app/review/submit", use: handle { request, _ in
            let form = try await AnnotationApp.form(request)
            let who = try await app.require(request, .reviewer, form: form)
            let (project, task) = try await Self.target(app, form)
            guard let verdict = form["decision"].flatMap(HumanAnswer.Verdict.init), verdict != .tie else {
                return AnnotationApp.redirect(Self.back("/app/review", project, error: "no-verdict"))
            }
            do {
                try await app.desk(project).submitReview(taskID: task, reviewer: who.user.name, verdict: verdict,
                                                         rationale: Self.rationale(form),
                                                         milliseconds: AnnotationApp.spent(form))
            } catch StoreError.leaseLost {
                return AnnotationApp.redirect(Self.back("/app/review", project, error: "lease-lost"))
            }
            return AnnotationApp.redirect(Self.back("/app/review", project, done: "decided"))
        })

        // JSON API: claim the next pair (or the one held), answer it.
        router.post("/app/api/claim", use: handle { request, _ in
            let form = try await AnnotationApp.form(request)
            let who = try await app.require(request, .annotator, form: form)
            let project = try await app.project(form["project"] ?? AnnotationApp.query(request)["project"])
            guard let a = try await app.desk(project).current(annotator: who.user.name) else {
                return AnnotationApp.text("{\"task\":null}", type: "application/json")
            }
            let o: JSONObject = [
                "task": .integer(Int(a.task.id)), "lease_expires_at": .double(a.task.leaseExpiresAt.timeIntervalSince1970),
                "conversation": .array(a.pair.context.map { ["role": .string($0.role.rawValue), "content": .string($0.content)] }),
                "response_a": .string(a.responseA.content), "response_b": .string(a.responseB.content),
            ]
            return AnnotationApp.text(JSONValue.object(o).serialized(), type: "application/json")
        })
        router.post("/app/api/answer", use: handle { request, _ in
            let form = try await AnnotationApp.form(request)
            let who = try await app.require(request, .annotator, form: form)
            let (project, task) = try await Self.target(app, form)
            guard let verdict = form["verdict"].flatMap(HumanAnswer.Verdict.init) else {
                return AnnotationApp.text("{\"error\":\"verdict must be a, b, tie or undetermined\"}", type: "application/json", status: .badRequest)
            }
            guard try await Self.answer(app, who, form, project: project, task: task, verdict: verdict, milliseconds: form["ms"].flatMap(Int.init)) else {
                return AnnotationApp.text("{\"error\":\"you do not hold this task (answered already, or the lease ran out)\"}", type: "application/json", status: .conflict)
            }
            return AnnotationApp.text("{\"recorded\":true}", type: "application/json")
        })
    }

    /// Records an annotator's answer from a form (the page's or the API's); false when they
    /// no longer hold the task (nothing is recorded).
    static func answer(_ app: AnnotationApp, _ who: AnnotationApp.SignedIn, _ form: FormBody, project: String, task: Int64,
                       verdict: HumanAnswer.Verdict, milliseconds: Int?) async throws -> Bool {
        do {
            try await app.desk(project).submit(taskID: task, annotator: who.user.name, verdict: verdict,
                                               strength: form["strength"].flatMap(HumanAnswer.Strength.init), rationale: rationale(form),
                                               milliseconds: milliseconds)
            return true
        } catch StoreError.leaseLost {
            return false
        }
    }

    /// The form's rationale, trimmed and at most 4,000 characters; nil when empty.
    static func rationale(_ form: FormBody) -> String? {
        form["rationale"].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : String($0.prefix(4000)) }
    }

    /// Extends the lease on the pair (or review) the page shows; 409 once it ran out.
    static func renew(_ app: AnnotationApp, _ request: Request) async throws -> Response {
        let form = try await AnnotationApp.form(request)
        let who = try await app.require(request, .annotator, form: form)
        let (project, task) = try await target(app, form)
        let desk = app.desk(project)
        guard try await !app.store.renew([task], worker: who.user.name, lease: desk.lease).isEmpty else {
            return AnnotationApp.text("{\"renewed\":false}", type: "application/json", status: .conflict)
        }
        return AnnotationApp.text("{\"renewed\":true}", type: "application/json")
    }

    static func target(_ app: AnnotationApp, _ form: FormBody) async throws -> (String, Int64) {
        let project = try await app.project(form["project"])
        guard let task = form["task"].flatMap(Int64.init) else { throw AnnotationApp.problem(.badRequest, "The form names no task.") }
        return (project, task)
    }

    static func chooseProject(_ app: AnnotationApp, _ who: AnnotationApp.SignedIn, path: String) async throws -> Response {
        let names = try await app.projectNames()
        if names.count == 1 { return AnnotationApp.redirect("\(path)?project=\(FormBody.encode(names[0]))") }
        return AnnotationApp.html(AppPage.render(title: "Projects", user: who.user, csrf: who.session.csrf, body: AnnotatePage.projectList(names, path: path)))
    }

    static func back(_ path: String, _ project: String, done: String? = nil, error: String? = nil) -> String {
        var s = "\(path)?project=\(FormBody.encode(project))"
        if let done { s += "&done=\(done)" }
        if let error { s += "&error=\(error)" }
        return s
    }

    /// An annotate or review page in the app's frame, with the message the redirect that
    /// led here names.
    static func page(_ request: Request, _ who: AnnotationApp.SignedIn, title: String, body: String) -> Response {
        let query = AnnotationApp.query(request)
        return AnnotationApp.html(AppPage.render(title: title, user: who.user, csrf: who.session.csrf, notice: message(query["done"]),
                                                 error: message(query["error"]), body: body))
    }

    /// Fixed texts for the codes redirects carry (no text from the URL reaches the page).
    static func message(_ code: String?) -> String? {
        switch code {
        case "recorded": return "Answer recorded."
        case "skipped": return "Skipped; you will not get that pair again."
        case "decided": return "Decision recorded."
        case "lease-lost": return "Your hold on that pair ran out before you answered; the answer was not recorded."
        case "no-verdict": return "Choose a verdict first (keys 1, 2, 3 or 0)."
        default: return nil
        }
    }
}
