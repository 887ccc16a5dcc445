/// A Hugging Face repository (a model or a dataset) and revision: `org/name[@revision]`
/// (or a legacy single-name repo id like `gpt2`).
public struct HubRepoID: Sendable, Hashable, CustomStringConvertible {
    /// What the Hub keeps in the repository; it decides the URLs and the cache folder.
    public enum Kind: String, Sendable, Hashable {
        case model, dataset
    }

    public let kind: Kind
    /// `org/name`.
    public let repository: String
    /// A branch, tag or commit; "main" when not given.
    public let revision: String

    public var description: String { "\(repository)@\(revision)" }

    /// Parses `org/name[@revision]`, checking names the way the Hub does (letters, digits,
    /// `-`, `_`, `.`; no `--` or `..`; at most 96 characters per name).
    public init(parsing reference: String, kind: Kind = .model) throws(HubError) {
        self.kind = kind
        var repository = reference
        var revision = "main"
        if let at = reference.firstIndex(of: "@") {
            repository = String(reference[..<at])
            revision = String(reference[reference.index(after: at)...])
            guard !revision.isEmpty else {
                throw .invalidReference(reference: reference, reason: "empty revision after \"@\"")
            }
            // Branch names may contain "/", never "..", spaces or control characters.
            guard !revision.contains(".."), !revision.hasPrefix("/"), !revision.hasSuffix("/"),
                revision.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0 != "\\" && $0 != "?" && $0 != "#" })
            else {
                throw .invalidReference(reference: reference, reason: "invalid revision \"\(revision)\"")
            }
        }
        let parts = repository.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else {
            throw .invalidReference(reference: reference, reason: "a repo id has the form org/name")
        }
        for part in parts {
            let name = String(part)
            let allowed = name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || $0 == "-" || $0 == "_" || $0 == "."
            }
            guard !name.isEmpty, name.count <= 96, allowed, !name.contains("--"), !name.contains(".."),
                !name.hasPrefix("-"), !name.hasPrefix("."), !name.hasSuffix("."), !name.hasSuffix("-")
            else {
                throw .invalidReference(reference: reference, reason: "invalid repository name \"\(name)\"")
            }
        }
        self.repository = repository
        self.revision = revision
    }

    /// The cache folder name: `models--org--name` or `datasets--org--name`.
    var cacheFolderName: String {
        (kind == .model ? "models--" : "datasets--") + repository.replacingOccurrences(of: "/", with: "--")
    }

    /// The repository's path on the Hub's site: `org/name` or `datasets/org/name`.
    var sitePath: String { kind == .model ? repository : "datasets/" + repository }

    /// The repository's path in the Hub's API: `models/org/name` or `datasets/org/name`.
    var apiPath: String { (kind == .model ? "models/" : "datasets/") + repository }

    /// True when the revision is a full commit hash (40 hex digits).
    var revisionIsCommit: Bool { HubRepoID.isCommit(revision) }

    static func isCommit(_ text: String) -> Bool {
        text.count == 40 && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }
}
