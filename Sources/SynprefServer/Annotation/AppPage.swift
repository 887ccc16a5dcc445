import SynprefData
import SynprefEval

/// The frame every app page shares: header with the signed-in person, their links and the
/// logout form; the app's style sheet and script; messages.
enum AppPage {
    static func e(_ s: String) -> String { HTMLReport.escape(s) }

    static func csrfField(_ token: String) -> String { "<input type=\"hidden\" name=\"csrf\" value=\"\(e(token))\">" }

    static func render(title: String, user: StoredUser?, csrf: String?, notice: String? = nil, error: String? = nil, body: String) -> String {
        var nav = ""
        if let user {
            var links: [(String, String)] = [("/app/annotate", "Annotate")]
            if user.role != .annotator { links.append(("/app/review", "Review")) }
            if user.role == .admin { links.append(("/app/admin", "Admin")) }
            nav = "<nav>" + links.map { "<a href=\"\($0.0)\">\($0.1)</a>" }.joined() + "</nav>"
            nav += "<span class=\"who\">\(e(user.name)) (\(user.role.rawValue))</span>"
            nav += "<form id=\"logout-form\" method=\"post\" action=\"/app/logout\">\(csrfField(csrf ?? ""))<button id=\"logout\" class=\"secondary\" type=\"submit\">Log out</button></form>"
        }
        var messages = ""
        if let notice { messages += "<p class=\"notice\">\(e(notice))</p>" }
        if let error { messages += "<p class=\"error\" role=\"alert\">\(e(error))</p>" }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title)) · Synpref</title><link rel="stylesheet" href="/app/static/app.css"></head>
            <body><header class="top"><span class="brand">Synpref annotation</span>\(nav)</header>
            <main>\(messages)\(body)</main>
            <script src="/app/static/app.js"></script></body></html>
            """
    }

    static func percent(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "–" }
        return String(format: "%.1f%%", x * 100)
    }

    static func number(_ x: Double?, digits: Int = 3) -> String {
        guard let x else { return "–" }
        if x.isNaN { return "undefined" }
        return String(format: "%.\(digits)f", x)
    }
}
