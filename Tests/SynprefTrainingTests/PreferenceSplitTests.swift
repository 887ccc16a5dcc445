import Foundation
import SynprefCore
import SynprefData
import Testing

@testable import SynprefTraining
import SynprefTestSupport

/// `PreferenceSplit` (rule synpref-split/1): groups by the normalised first user turn, places
/// groups by a hash of the key alone, writes each pair once, and never leaves partial output.
@Suite(.computeThreads) struct PreferenceSplitTests {
    static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "synpref-split-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A TRL explicit-prompt record.
    static func record(_ prompt: String, _ chosen: String, _ rejected: String, system: String? = nil) -> String {
        var prompt_ = [[("role", JSONValue.string("user")), ("content", .string(prompt))]]
        if let system { prompt_.insert([("role", .string("system")), ("content", .string(system))], at: 0) }
        let o = JSONValue.object(JSONObject([
            ("prompt", .array(prompt_.map { .object(JSONObject($0)) })),
            ("chosen", .array([.object(JSONObject([("role", .string("assistant")), ("content", .string(chosen))]))])),
            ("rejected", .array([.object(JSONObject([("role", .string("assistant")), ("content", .string(rejected))]))])),
        ]))
        return o.serialized()
    }

    static func write(_ lines: [String], to path: String) throws {
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Every pair of a written part, as (group key, chosen text).
    static func read(_ path: String) throws -> [(key: String, chosen: String)] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let reader = try PreferenceFileReader(path: path, source: "t")
        var out: [(String, String)] = []
        while let batch = try reader.nextBatch() {
            for o in batch {
                #expect(o.issues.isEmpty)
                for p in o.pairs { out.append((PreferenceSplit.groupKey(p.pair.context), p.pair.chosen.content)) }
            }
        }
        return out
    }

    @Test func groupKeyIsTheNormalisedFirstUserTurn() {
        let a = [Message(role: .system, content: "Be brief."), Message(role: .user, content: "  What IS\n\tthe  time? "),
                 Message(role: .assistant, content: "Noon."), Message(role: .user, content: "And tomorrow?")]
        #expect(PreferenceSplit.groupKey(a) == "what is the time?")
        #expect(PreferenceSplit.groupKey([Message(role: .user, content: "what is the time?")]) == "what is the time?")
    }

    @Test func positionIsTheHashPrefixOverTwoToTheSixtyFour() throws {
        // printf 'synpref-split/1\n0\nhello world' | sha256sum → dc31afd0662d02c9…
        // printf 'synpref-split/1\n7\nhello world' | sha256sum → e4e97ff6c3830e74…
        let s0 = try PreferenceSplit(heldOutFraction: 0.2)
        #expect(s0.position(ofKey: "hello world") == Double(UInt64(0xDC31_AFD0_662D_02C9)) / 18_446_744_073_709_551_616.0)
        let s7 = try PreferenceSplit(heldOutFraction: 0.2, seed: 7)
        #expect(s7.position(ofKey: "hello world") == Double(UInt64(0xE4E9_7FF6_C383_0E74)) / 18_446_744_073_709_551_616.0)
        // 0.860… lies above 0.2 + 0.1 (train) and below 0.9 (held-out with --held-out 0.9).
        #expect(s0.part(ofKey: "hello world") == .train)
        #expect(try PreferenceSplit(heldOutFraction: 0.9).part(ofKey: "hello world") == .heldOut)
        #expect(try PreferenceSplit(heldOutFraction: 0.8, validationFraction: 0.1).part(ofKey: "hello world") == .validation)
    }

    @Test func fractionsAreHonouredWithinBinomialNoise() throws {
        let s = try PreferenceSplit(heldOutFraction: 0.2, validationFraction: 0.1)
        var counts: [PreferenceSplit.Part: Int] = [:]
        for i in 0..<4000 { counts[s.part(ofKey: "prompt \(i)"), default: 0] += 1 }
        // Binomial(4000, 0.2): mean 800, sd sqrt(4000 · 0.2 · 0.8) ≈ 25.3; (4000, 0.1): 400, sd 19.
        #expect(abs((counts[.heldOut] ?? 0) - 800) < 4 * 26)
        #expect(abs((counts[.validation] ?? 0) - 400) < 4 * 19)
    }

    @Test func promptsStayOnOneSideAndFileOrderDoesNotMatter() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var lines: [String] = []
        for i in 0..<300 {
            lines.append(Self.record("Question \(i % 100)?", "good \(i)", "bad \(i)"))
        }
        // The same first turn with other case, spacing and a system turn: same group.
        lines.append(Self.record("  QUESTION 7? ", "good again", "bad again", system: "sys"))
        try Self.write(lines, to: dir + "/in.jsonl")
        try Self.write(Array(lines.reversed()), to: dir + "/reversed.jsonl")
        let s = try PreferenceSplit(heldOutFraction: 0.3, validationFraction: 0.2)
        let r = try s.run(input: dir + "/in.jsonl", outputDirectory: dir + "/a")
        _ = try s.run(input: dir + "/reversed.jsonl", outputDirectory: dir + "/b")
        #expect(r.records == 301 && r.counts.values.reduce(0, +) == 301 && r.duplicates == 0 && r.invalidRecords == 0)
        var sideOf: [String: PreferenceSplit.Part] = [:]
        for part in PreferenceSplit.Part.allCases {
            let a = try Self.read(dir + "/a/" + part.fileName)
            let b = try Self.read(dir + "/b/" + part.fileName)
            #expect(a.count == r.counts[part] ?? 0)
            #expect(Set(a.map(\.chosen)) == Set(b.map(\.chosen)), "part \(part.rawValue) depends on file order")
            for (key, _) in a {
                #expect(sideOf[key, default: part] == part, "prompt \(key) is on two sides")
                sideOf[key] = part
            }
        }
        #expect(sideOf.count == 100)
        #expect(r.groups.values.reduce(0, +) == 100)
        let manifest = try JSONParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/a/split.json"))))
        #expect(manifest["records"]?.intValue == 301 && manifest["input_format"]?.stringValue == "trl")
        #expect(manifest["input_sha256"]?.stringValue?.count == 64)
    }

    @Test func duplicatesAreWrittenOnceAndNoValidationFileWithoutAFraction() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let line = Self.record("q", "a", "b")
        try Self.write([line, line, Self.record("r", "a", "b")], to: dir + "/in.jsonl")
        let r = try PreferenceSplit(heldOutFraction: 0.5).run(input: dir + "/in.jsonl", outputDirectory: dir + "/out")
        #expect(r.duplicates == 1 && r.counts.values.reduce(0, +) == 2)
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/validation.jsonl"))
        #expect(FileManager.default.fileExists(atPath: dir + "/out/train.jsonl") && FileManager.default.fileExists(atPath: dir + "/out/held-out.jsonl"))
    }

    @Test func invalidRecordsFailWithNothingWrittenOrAreSkippedAndCounted() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write([Self.record("q", "a", "b"), Self.record("r", "same", "same"), "{not json"], to: dir + "/in.jsonl")
        let s = try PreferenceSplit(heldOutFraction: 0.5)
        #expect {
            _ = try s.run(input: dir + "/in.jsonl", outputDirectory: dir + "/fail")
        } throws: { e in
            guard case PreferenceSplitError.invalidRecords(_, let count, let issues) = e else { return false }
            return count == 2 && issues.first?.line == 2 && "\(e)".contains("skip invalid records")
        }
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/fail")) ?? []
        #expect(leftovers.isEmpty, "partial output: \(leftovers)")
        let r = try s.run(input: dir + "/in.jsonl", outputDirectory: dir + "/skip", onError: .skip)
        #expect(r.records == 3 && r.invalidRecords == 2 && r.counts.values.reduce(0, +) == 1 && r.issues.map(\.line) == [2, 3])
    }

    @Test func badOptionsAndInputsAreClearErrors() throws {
        #expect(throws: PreferenceSplitError.self) { _ = try PreferenceSplit(heldOutFraction: 1.2) }
        #expect(throws: PreferenceSplitError.self) { _ = try PreferenceSplit(heldOutFraction: -0.1) }
        #expect(throws: PreferenceSplitError.self) { _ = try PreferenceSplit(heldOutFraction: 0.6, validationFraction: 0.4) }
        #expect(throws: PreferenceSplitError.self) { _ = try PreferenceSplit(heldOutFraction: .nan) }
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try PreferenceSplit(heldOutFraction: 0.5)
        #expect { _ = try s.run(input: dir + "/absent.jsonl", outputDirectory: dir + "/o") } throws: {
            "\($0)".contains("absent.jsonl") && "\($0)".contains("no such file")
        }
        // RewardBench rows hold one user prompt: a multi-turn pair cannot be written, and says so.
        let multi = """
            {"prompt": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}], \
            "chosen": [{"role": "assistant", "content": "x"}], "rejected": [{"role": "assistant", "content": "y"}]}
            """
        try Self.write([multi], to: dir + "/multi.jsonl")
        #expect { _ = try s.run(input: dir + "/multi.jsonl", outputDirectory: dir + "/rb", format: .rewardbench) } throws: {
            "\($0)".contains("multi.jsonl:1") && "\($0)".contains("rewardbench")
        }
        #expect { _ = try s.run(input: dir + "/multi.jsonl", outputDirectory: dir + "/hh", format: .hhRLHF) } throws: {
            "\($0)".contains("read-only")
        }
    }
}
