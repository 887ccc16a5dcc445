import Foundation
import Testing
import SynprefCore
@testable import SynprefModels
import SynprefTestSupport

/// Which files make up a dataset's splits, compared with the `datasets` library's own
/// answer on the same file lists and cards (Fixtures/dataset-splits/cases.json, written by
/// scripts/reference/dataset_splits_reference.py), and the card errors it refuses too.
@Suite(.computeThreads) struct DatasetSplitsTests {
    struct Case {
        var name: String
        var files: [String]
        var readme: String?
        var config: String?
        var expectedConfig: String?
        var expectedSplits: [(String, [String])]
    }

    static func cases() throws -> [Case] {
        let root = try #require(Bundle.module.resourceURL, "test bundle has no resources")
        let data = try Data(contentsOf: root.appendingPathComponent("Fixtures/dataset-splits/cases.json"))
        let json = try JSONParser.parse([UInt8](data))
        let cases = try #require(json["cases"]?.arrayValue)
        return try cases.map { c in
            let expected = try #require(c["expected"])
            return Case(
                name: try #require(c["name"]?.stringValue),
                files: try #require(c["files"]?.arrayValue).compactMap(\.stringValue),
                readme: c["readme"]?.stringValue, config: c["config"]?.stringValue,
                expectedConfig: expected["config"]?.stringValue,
                expectedSplits: try #require(expected["splits"]?.arrayValue).map { pair in
                    let p = try #require(pair.arrayValue)
                    return (try #require(p[0].stringValue), try #require(p[1].arrayValue).compactMap(\.stringValue))
                })
        }
    }

    @Test func splitsMatchTheDatasetsLibrary() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 11)
        for c in cases {
            let card = try c.readme.map { try DatasetCard(readme: $0) } ?? DatasetCard(configs: [])
            let splits = try DatasetSplits(files: c.files, card: card, config: c.config)
            #expect(splits.config == c.expectedConfig, "\(c.name)")
            #expect(splits.names == c.expectedSplits.map(\.0), "\(c.name)")
            #expect(splits.splits.map(\.files) == c.expectedSplits.map(\.1), "\(c.name)")
        }
    }

    @Test func cardErrorsNameTheLine() throws {
        let mapping = "---\nconfigs:\n- config_name: default\n  data_files:\n    train: a.jsonl\n---\n"
        #expect(throws: DatasetCardError(line: 4, reason: "data_files must be a path, a list of paths or a list of {split, path}")) {
            try DatasetCard(readme: mapping)
        }
        let noPath = "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n---\n"
        #expect(throws: DatasetCardError(line: 5, reason: "each entry of data_files needs split and path")) {
            try DatasetCard(readme: noPath)
        }
        let anchor = "---\nconfigs:\n- config_name: &x default\n---\n"
        #expect(throws: DatasetCardError.self) { try DatasetCard(readme: anchor) }
        let unterminated = "---\nconfigs:\n- config_name: \"default\n---\n"
        #expect(throws: DatasetCardError.self) { try DatasetCard(readme: unterminated) }
        // Cards without front matter or without configs have no configs.
        #expect(try DatasetCard(readme: "# Title\n").configs.isEmpty)
        #expect(try DatasetCard(readme: "---\nlicense: mit\n---\n").configs.isEmpty)
    }

    @Test func configChoiceErrors() throws {
        let two = try DatasetCard(readme: "---\nconfigs:\n- config_name: a\n  data_files: a/*.jsonl\n- config_name: b\n  data_files: b/*.jsonl\n---\n")
        #expect(throws: DatasetSplitsError.configRequired(available: ["a", "b"])) {
            try DatasetSplits(files: ["a/x.jsonl", "b/y.jsonl"], card: two, config: nil)
        }
        #expect(throws: DatasetSplitsError.configNotFound(config: "c", available: ["a", "b"])) {
            try DatasetSplits(files: ["a/x.jsonl"], card: two, config: "c")
        }
        #expect(try DatasetSplits(files: ["a/x.jsonl", "b/y.jsonl"], card: two, config: "b").files(of: "train") == ["b/y.jsonl"])
    }
}
