import Foundation
import Testing
@testable import SynprefModels
import SynprefTestSupport

/// Parsing model references and reading the Hugging Face environment variables.
@Suite(.computeThreads) struct HubReferenceTests {
    @Test func repoIDs() throws {
        let plain = try HubRepoID(parsing: "Skywork/Skywork-Reward-V2-Qwen3-0.6B")
        #expect(plain.repository == "Skywork/Skywork-Reward-V2-Qwen3-0.6B" && plain.revision == "main")
        #expect(plain.cacheFolderName == "models--Skywork--Skywork-Reward-V2-Qwen3-0.6B")
        let pinned = try HubRepoID(parsing: "org/name@0123456789abcdef0123456789abcdef01234567")
        #expect(pinned.revisionIsCommit)
        let branch = try HubRepoID(parsing: "org/name@refs/pr/1")
        #expect(branch.revision == "refs/pr/1" && !branch.revisionIsCommit)
        #expect(try HubRepoID(parsing: "gpt2").repository == "gpt2")
        for bad in ["a/b/c", "org/", "/name", "org/na me", "org/a--b", "org/..", "org/name@", "org/name@../x", "org/-x", ""] {
            #expect(throws: HubError.self, "\(bad)") { try HubRepoID(parsing: bad) }
        }
    }

    @Test func cacheLocationFollowsHuggingFaceHub() {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        func cache(_ environment: [String: String]) -> String {
            HubSettings.fromEnvironment(environment).cacheDirectory.standardizedFileURL.path
        }
        #expect(cache(["HF_HUB_CACHE": "/a", "HF_HOME": "/b", "XDG_CACHE_HOME": "/c"]) == "/a")
        #expect(cache(["HUGGINGFACE_HUB_CACHE": "/legacy", "HF_HOME": "/b"]) == "/legacy")
        #expect(cache(["HF_HOME": "/b", "XDG_CACHE_HOME": "/c"]) == "/b/hub")
        #expect(cache(["XDG_CACHE_HOME": "/c"]) == "/c/huggingface/hub")
        #expect(cache([:]) == home + "/.cache/huggingface/hub")
        #expect(cache(["HF_HUB_CACHE": "~/x"]) == home + "/x")
    }

    @Test func endpointTokenAndOfflineFlag() throws {
        let defaults = HubSettings.fromEnvironment(["HF_HOME": "/nonexistent-synpref-test"])
        #expect(defaults.endpoint.absoluteString == "https://huggingface.co")
        #expect(defaults.token == nil && !defaults.offline)
        let custom = HubSettings.fromEnvironment([
            "HF_ENDPOINT": "http://mirror.example/", "HF_TOKEN": "t1", "HF_HUB_OFFLINE": "1", "HF_HOME": "/nonexistent",
        ])
        #expect(custom.endpoint.absoluteString == "http://mirror.example")
        #expect(custom.token == "t1" && custom.offline)
        for (value, offline) in [("true", true), ("YES", true), ("on", true), ("0", false), ("false", false), ("", false)] {
            #expect(HubSettings.fromEnvironment(["HF_HUB_OFFLINE": value, "HF_HOME": "/nonexistent"]).offline == offline, "\(value)")
        }
        // The token `huggingface-cli login` saves in $HF_HOME/token; HF_TOKEN wins over it.
        let home = try SafetensorsTestSupport.scratchFolder()
        try Data("saved-token\n".utf8).write(to: home.appendingPathComponent("token"))
        #expect(HubSettings.fromEnvironment(["HF_HOME": home.path]).token == "saved-token")
        #expect(HubSettings.fromEnvironment(["HF_HOME": home.path, "HF_TOKEN": "env"]).token == "env")
    }

    @Test func localFolders() throws {
        let fixtures = try SafetensorsTestSupport.fixtures()
        let folder = fixtures.appendingPathComponent("manifest-llama")
        #expect(try ModelReference.resolve(folder.path).standardizedFileURL == folder.standardizedFileURL)
        // A folder without config.json is not a model.
        let empty = try SafetensorsTestSupport.scratchFolder()
        #expect(throws: HubError.notAModelFolder(path: empty.standardizedFileURL.path, missing: ["config.json"])) {
            try ModelReference.resolve(empty.path)
        }
        // A path-like reference that does not exist never goes to the Hub.
        let missing = empty.appendingPathComponent("nope")
        #expect(throws: HubError.localFolderNotFound(path: missing.standardizedFileURL.path)) {
            try ModelReference.resolve(missing.path)
        }
        // A file is not a model folder either.
        let file = folder.appendingPathComponent("config.json")
        #expect(throws: HubError.self) { try ModelReference.resolve(file.path) }
    }
}
