import Foundation
import SynprefCuration
import SynprefData

/// The admin's pages: accounts and projects; one project's settings, queue and exports;
/// its agreement dashboard.
enum AdminPages {
    static func roleOptions(_ selected: StoredUser.Role) -> String {
        StoredUser.Role.allCases.map { "<option value=\"\($0.rawValue)\"\($0 == selected ? " selected" : "")>\($0.rawValue)</option>" }.joined()
    }

    static func home(users: [StoredUser], projects: [String], csrf: String) -> String {
        let field = AppPage.csrfField(csrf)
        var rows = ""
        for u in users {
            let n = AppPage.e(u.name)
            rows += "<tr class=\"user\" data-user=\"\(n)\"><td>\(n)</td><td>\(u.role.rawValue)</td><td>\(u.disabled ? "disabled" : "active")</td><td>"
            rows += "<form class=\"inline\" method=\"post\" action=\"/app/admin/users/update\">\(field)<input type=\"hidden\" name=\"name\" value=\"\(n)\">"
            rows += "<select name=\"role\" aria-label=\"role of \(n)\">\(roleOptions(u.role))</select>"
            rows += "<input type=\"password\" name=\"password\" placeholder=\"new password\" autocomplete=\"new-password\" aria-label=\"new password for \(n)\">"
            rows += "<label><input type=\"checkbox\" name=\"disabled\" value=\"1\"\(u.disabled ? " checked" : "")> disabled</label>"
            rows += "<button type=\"submit\" class=\"secondary\">Save</button></form></td></tr>"
        }
        let projectItems = projects.map {
            "<li><a class=\"project-link\" href=\"/app/admin/projects/\(FormBody.encode($0))\">\(AppPage.e($0))</a></li>"
        }.joined()
        return """
            <h1>Admin</h1>
            <section><h2>Projects</h2><ul id="projects">\(projectItems.isEmpty ? "<li>none yet</li>" : projectItems)</ul>
            <form id="new-project-form" method="post" action="/app/admin/projects">\(field)
            <label class="field">Name <input id="project-name" name="name" required maxlength="100"></label>
            <label class="field">Guideline (Markdown) <textarea id="project-guideline" name="guideline"></textarea></label>
            <label class="field">Overlap: annotators per pair <input id="project-overlap" name="overlap" type="number" min="1" max="\(AnnotationSettings.maxOverlap)" value="1"></label>
            <label class="field">Priority <select id="project-priority" name="priority"><option value="paper">objective, low controversiality first (the paper)</option><option value="uncertainty">reward model's least certain first</option></select></label>
            <button id="project-submit" type="submit">Create project</button></form></section>
            <section><h2>Users</h2><table id="users"><tr><th>Name</th><th>Role</th><th>State</th><th>Change</th></tr>\(rows)</table>
            <h3>Add a user</h3>
            <form id="new-user-form" method="post" action="/app/admin/users">\(field)
            <label class="field">Name <input id="new-user-name" name="name" required maxlength="64"></label>
            <label class="field">Password (8+ characters) <input id="new-user-password" name="password" type="password" required minlength="8" autocomplete="new-password"></label>
            <label class="field">Role <select id="new-user-role" name="role">\(roleOptions(.annotator))</select></label>
            <button id="new-user-submit" type="submit">Add user</button></form></section>
            """
    }

    static func tierOptions(_ selected: PreferenceTier) -> String {
        PreferenceTier.allCases.map { "<option value=\"\($0.rawValue)\"\($0 == selected ? " selected" : "")>\($0.rawValue)</option>" }.joined()
    }

    static func project(name: String, settings: AnnotationSettings, queue: QueueCounts, review: QueueCounts, loaded: Int?, csrf: String) -> String {
        let field = AppPage.csrfField(csrf)
        let path = "/app/admin/projects/\(FormBody.encode(name))"
        func counts(_ c: QueueCounts) -> String {
            WorkTask.State.allCases.map { "\($0.rawValue) \(c.tasks[$0] ?? 0)" }.joined(separator: " · ")
        }
        let tierChecks = PreferenceTier.allCases.map {
            "<label><input type=\"checkbox\" name=\"tiers\" value=\"\($0.rawValue)\"\(settings.tiers.contains($0) ? " checked" : "")> \($0.rawValue)</label>"
        }.joined(separator: " ")
        return """
            <h1>Project \(AppPage.e(name))</h1>
            \(loaded.map { "<p id=\"load-result\" class=\"notice\">Loaded \($0) pair(s) into the queue.</p>" } ?? "")
            <section><h2>Queue</h2><p id="queue-counts">Annotation: \(counts(queue))</p><p id="review-counts">Review: \(counts(review))</p>
            <form id="load-form" method="post" action="\(path)/load">\(field)
            <label class="field">From tier <select id="load-tier" name="tier">\(tierOptions(settings.tiers.first ?? .unverified))</select></label>
            <label class="field">How many pairs <input id="load-limit" name="limit" type="number" min="1" value="100"></label>
            <label class="field">Only from source (optional) <input id="load-source" name="source"></label>
            <label class="field">Only of task category (optional) <input id="load-category" name="category"></label>
            <label class="field">Only <select id="load-objectivity" name="objectivity"><option value="">objective or subjective</option><option value="objective">objective</option><option value="subjective">subjective</option></select></label>
            <button id="load-submit" type="submit">Load pairs</button></form>
            <p>Pairs are offered in the project's priority; a pair already in the queue is not added again.</p></section>
            <section><h2>Results</h2><p><a id="dashboard-link" href="\(path)/dashboard">Agreement and throughput</a> ·
            <a id="export-answers" href="\(path)/answers.jsonl">Export answers (JSON lines)</a> ·
            <a id="export-gold" href="\(path)/gold.jsonl">Export the gold set (JSON lines)</a></p></section>
            <section><h2>Settings</h2><form id="settings-form" method="post" action="\(path)/settings">\(field)
            <label class="field">Guideline (Markdown) <textarea id="settings-guideline" name="guideline">\(AppPage.e(settings.guideline))</textarea></label>
            <label class="field">Overlap: annotators per pair (pairs loaded from now on) <input id="settings-overlap" name="overlap" type="number" min="1" max="\(AnnotationSettings.maxOverlap)" value="\(settings.overlap)"></label>
            <label class="field">Priority <select id="settings-priority" name="priority">\(AnnotationSettings.Priority.allCases.map { "<option value=\"\($0.rawValue)\"\($0 == settings.priority ? " selected" : "")>\($0.rawValue)</option>" }.joined())</select></label>
            <p>Tiers that feed the queue: \(tierChecks)</p>
            <button id="settings-submit" type="submit">Save settings</button></form></section>
            """
    }

    static func dashboard(name: String, report: AgreementReport, today: [String: Int]) -> String {
        let overall = """
            <section id="agreement-overall"><h2>Agreement</h2><p>\(report.items.count) pair(s) answered by two or more annotators:
            percent agreement <b>\(AppPage.percent(report.percentAgreement))</b>; Fleiss' κ <b>\(AppPage.number(report.fleissKappa))</b>
            (over \(report.fleissItems) pair(s) with \(report.fleissRaters) annotators each).</p></section>
            """
        let pairwise = report.pairwise.map {
            "<tr><td>\(AppPage.e($0.first))</td><td>\(AppPage.e($0.second))</td><td>\($0.items)</td><td>\(AppPage.percent($0.percent))</td><td>\(AppPage.number($0.kappa))</td></tr>"
        }.joined()
        let people = report.annotators.map { a in
            "<tr><td>\(AppPage.e(a.name))</td><td>\(a.answers)</td><td>\(today[a.name] ?? 0)</td><td>\(AppPage.number(a.perHour, digits: 1))</td>"
                + "<td>\(AppPage.number(a.medianSeconds, digits: 1))</td><td>\(AppPage.percent(a.agreementWithOthers))</td><td>\(AppPage.percent(a.agreementWithFinal))</td></tr>"
        }.joined()
        let disputed = report.items.filter { !$0.unanimous }.prefix(200).map { item in
            "<tr><td>\(item.pairID.map(String.init) ?? "")</td><td>" + item.labels.map { "\(AppPage.e($0.worker)): \($0.label.rawValue)" }.joined(separator: ", ") + "</td></tr>"
        }.joined()
        return """
            <h1>\(AppPage.e(name)): agreement and throughput</h1>\(overall)
            <section><h2>Annotator pairs (Cohen's κ)</h2><table id="pairwise"><tr><th>Annotator</th><th>Annotator</th><th>Pairs both answered</th><th>Agreement</th><th>Cohen's κ</th></tr>\(pairwise)</table></section>
            <section><h2>Annotators</h2><table id="throughput"><tr><th>Annotator</th><th>Answers</th><th>Today</th><th>Per hour</th><th>Median s per pair</th><th>Agreement with others</th><th>Agreement with final labels</th></tr>\(people)</table></section>
            <section><h2>Pairs with different answers</h2><table id="disputed"><tr><th>Pair</th><th>Answers (relative to the stored pair)</th></tr>\(disputed)</table></section>
            <p><a href="/app/admin/projects/\(FormBody.encode(name))">Back to the project</a></p>
            """
    }
}
