import Foundation
import SynprefCore
import Testing
@testable import SynprefData

/// The Parquet reader against pyarrow: every fixture written by pyarrow (codecs, page
/// versions, encodings, dictionaries with fallback, row groups, nested lists and structs,
/// maps, a Hugging Face-style preference file) reads as `read_table(...).to_pylist()` does
/// (Fixtures/parquet, made by scripts/reference/parquet_fixtures.py); every malformed file
/// is a `ParquetError` naming what is wrong, never a crash.
@Suite struct ParquetReaderTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/parquet")

    static func manifest() throws -> JSONValue {
        try JSONParser.parse([UInt8](try Data(contentsOf: folder.appendingPathComponent("manifest.json"))))
    }

    static var files: [String] {
        guard case .array(let items)? = try? manifest()["files"] else { return [] }
        return items.compactMap { $0["name"]?.stringValue }
    }

    static var malformed: [String] {
        guard case .array(let items)? = try? manifest()["malformed"] else { return [] }
        return items.compactMap { $0["name"]?.stringValue }
    }

    @Test func theManifestListsFixtures() {
        #expect(Self.files.count >= 20, "Fixtures/parquet/manifest.json lists \(Self.files.count) files")
        #expect(Self.malformed.count >= 10)
    }

    @Test(arguments: files)
    func rowsEqualPyarrow(name: String) throws {
        let path = Self.folder.appendingPathComponent(name).path
        let expectedURL = Self.folder.appendingPathComponent(name.replacingOccurrences(of: ".parquet", with: ".expected.json"))
        let expected = try JSONParser.parse([UInt8](try Data(contentsOf: expectedURL)))
        guard case .array(let want) = expected else {
            Issue.record("\(expectedURL.lastPathComponent) is not an array")
            return
        }
        #expect(ParquetFileReader.isParquet(path: path))
        let reader = try ParquetFileReader(path: path)
        let rows = try reader.readAll()
        #expect(rows.count == want.count, "\(name): \(rows.count) rows, pyarrow \(want.count)")
        #expect(reader.numRows == want.count)
        for (i, (got, w)) in zip(rows, want).enumerated() where JSONValue.object(got) != w {
            Issue.record("\(name) row \(i):\n  synpref \(JSONValue.object(got).serialized().prefix(600))\n  pyarrow \(w.serialized().prefix(600))")
            break
        }
    }

    @Test(arguments: malformed)
    func malformedFilesAreClearErrors(name: String) throws {
        let path = Self.folder.appendingPathComponent(name).path
        #expect {
            _ = try ParquetFileReader(path: path).readAll()
        } throws: { error in
            guard let e = error as? ParquetError else { return false }
            return e.file == path && !e.reason.isEmpty
        }
    }

    @Test func onlyTheColumnsAskedForAreRead() throws {
        let path = Self.folder.appendingPathComponent("hf-preference-hh-rlhf.parquet").path
        let reader = try ParquetFileReader(path: path)
        let prompts = try reader.readAll(columns: ["prompt"])
        #expect(prompts.count == reader.numRows && prompts.allSatisfy { $0.keys == ["prompt"] })
        #expect(throws: ParquetError.self) { try reader.readAll(columns: ["no_such_column"]) }
    }
}

extension ParquetReaderTests {
    /// Parquet rows go through the same format detection and decoders as JSON records: the
    /// Hugging Face-style file gives the same pairs as its rows written as JSON lines, and
    /// its faulty rows are reported as `file:row`.
    @Test func parquetRowsDecodeLikeTheirJSONLines() throws {
        let path = Self.folder.appendingPathComponent("hf-preference-hh-rlhf.parquet").path
        let expected = try JSONParser.parse([UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("hf-preference-hh-rlhf.expected.json"))))
        guard case .array(let rows) = expected else { return }
        let jsonl = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-parquet-\(UUID().uuidString).jsonl")
        try rows.map { $0.serialized() + "\n" }.joined().write(to: jsonl, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: jsonl) }
        func outcomes(_ p: String) throws -> (hashes: [ContentHash], problems: [String], layout: JSONRecordLayout) {
            let reader = try PreferenceFileReader(path: p, source: "t", format: .trlConversational)
            var hashes: [ContentHash] = [], problems: [String] = []
            while let batch = try reader.nextBatch() {
                for o in batch {
                    hashes += o.pairs.map(\.pair.contentHash)
                    problems += o.issues.map { "\($0.line): \($0.field)" }
                }
            }
            return (hashes, problems, reader.layout)
        }
        let fromParquet = try outcomes(path), fromJSON = try outcomes(jsonl.path)
        #expect(fromParquet.layout == .parquet && fromJSON.layout == .lines)
        #expect(fromParquet.hashes.count == 198 && fromParquet.hashes == fromJSON.hashes)
        #expect(fromParquet.problems == fromJSON.problems && fromParquet.problems.count == 2)
    }
}
