/// The `Cookie` request header read into name → value, and the `Set-Cookie` values the app
/// sends: always `Path=/`, `HttpOnly` and `SameSite=Strict`; `Secure` when the app is
/// served over HTTPS by a reverse proxy (`--secure-cookies`).
enum CookieHeader {
    static func parse(_ header: String?) -> [String: String] {
        var out: [String: String] = [:]
        for part in (header ?? "").split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            let name = kv[0].trimmingCharacters(in: .whitespaces)
            if out[name] == nil { out[name] = kv[1].trimmingCharacters(in: .whitespaces) }
        }
        return out
    }

    static func set(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    static func clear(_ name: String, secure: Bool) -> String { set(name, "", maxAge: 0, secure: secure) }
}
