import Foundation

/// Where and how Hugging Face repositories are fetched, read from the same environment
/// variables as `huggingface_hub` so both share one cache.
public struct HubSettings: Sendable, Equatable {
    /// The cache root holding `models--org--name/{blobs,refs,snapshots}`.
    public var cacheDirectory: URL
    /// `$HF_ENDPOINT`, default https://huggingface.co.
    public var endpoint: URL
    /// `$HF_TOKEN` (or the token `huggingface-cli login` saved), sent as
    /// `Authorization: Bearer` to the endpoint's host only.
    public var token: String?
    /// `$HF_HUB_OFFLINE`: never touch the network.
    public var offline: Bool
    /// Seconds without data before a request fails.
    public var requestTimeout: TimeInterval
    /// Attempts per file after an interrupted transfer or a 5xx answer (each resumes).
    public var retries: Int

    public init(
        cacheDirectory: URL, endpoint: URL = URL(string: "https://huggingface.co")!, token: String? = nil,
        offline: Bool = false, requestTimeout: TimeInterval = 60, retries: Int = 3
    ) {
        self.cacheDirectory = cacheDirectory
        self.endpoint = endpoint
        self.token = token
        self.offline = offline
        self.requestTimeout = requestTimeout
        self.retries = retries
    }

    /// The settings `huggingface_hub` would use: cache `$HF_HUB_CACHE`, else
    /// `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`,
    /// else `~/.cache/huggingface/hub`; `$HF_ENDPOINT`; `$HF_TOKEN`; `$HF_HUB_OFFLINE`
    /// (1/true/yes/on). The token is `$HF_TOKEN`, else `$HUGGING_FACE_HUB_TOKEN`, else the
    /// file `$HF_TOKEN_PATH` or `$HF_HOME/token` that `huggingface-cli login` writes.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> HubSettings {
        func value(_ key: String) -> String? {
            guard let value = environment[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func expand(_ path: String) -> URL {
            URL(fileURLWithPath: (path as NSString).expandingTildeInPath, isDirectory: true)
        }
        let cache: URL
        if let path = value("HF_HUB_CACHE") ?? value("HUGGINGFACE_HUB_CACHE") {
            cache = expand(path)
        } else if let home = value("HF_HOME") {
            cache = expand(home).appendingPathComponent("hub", isDirectory: true)
        } else {
            let base = value("XDG_CACHE_HOME").map(expand)
                ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache", isDirectory: true)
            cache = base.appendingPathComponent("huggingface/hub", isDirectory: true)
        }
        var endpoint = URL(string: "https://huggingface.co")!
        if let text = value("HF_ENDPOINT"), let url = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text),
            url.scheme != nil
        {
            endpoint = url
        }
        let offline = ["1", "true", "yes", "on"].contains(value("HF_HUB_OFFLINE")?.lowercased() ?? "")
        let home = value("HF_HOME").map(expand)
            ?? (value("XDG_CACHE_HOME").map(expand)
                ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache", isDirectory: true))
            .appendingPathComponent("huggingface", isDirectory: true)
        let tokenFile = value("HF_TOKEN_PATH").map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) }
            ?? home.appendingPathComponent("token")
        let savedToken = (try? String(contentsOf: tokenFile, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let token = value("HF_TOKEN") ?? value("HUGGING_FACE_HUB_TOKEN") ?? savedToken.flatMap { $0.isEmpty ? nil : $0 }
        return HubSettings(cacheDirectory: cache, endpoint: endpoint, token: token, offline: offline)
    }
}
