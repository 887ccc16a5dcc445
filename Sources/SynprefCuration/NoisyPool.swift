import Foundation
import SynprefCore
import SynprefData
import SynprefTraining

/// The curation experiment's data: a preference file split by prompt into a pool and an
/// untouched held-out part, and a seeded share of the pool's labels flipped (chosen and
/// rejected swapped). The original labels become the simulated annotators' truth.
///
/// Files written to the output folder: `held-out.jsonl`, `pool-clean.jsonl` (the pool as
/// given), `pool-noisy.jsonl` (with the flips), `truth.jsonl` (`{"content_hash", "label"}`
/// of each noisy pair: "chosen" when its stored label is right, "rejected" when flipped),
/// all in Synpref's JSON lines, and `split/split.json` (how the split was made).
public struct NoisyPool: Sendable {
    public var heldOut: [PreferencePair]
    public var clean: [PreferencePair]
    public var noisy: [PreferencePair]
    /// Content hashes of the noisy pool's flipped pairs.
    public var flipped: Set<ContentHash>
    public var invalidRecords: Int

    public var heldOutPath: String
    public var cleanPath: String
    public var noisyPath: String
    public var truthPath: String

    /// Splits `input` (any format SynprefData reads) and flips a `noise` share of the pool.
    /// With `limit`, about that many pairs are used in all, spread evenly over each part.
    public static func make(input: String, outputDirectory: String, heldOutFraction: Double, noise: Double, seed: Int, limit: Int? = nil) throws -> NoisyPool {
        guard noise >= 0 && noise < 1 else { throw CurationError.config(file: "experiment", field: "noise", reason: "must be in [0, 1); got \(noise)") }
        let dir = URL(fileURLWithPath: outputDirectory)
        let splitDir = dir.appendingPathComponent("split").path
        let split = try PreferenceSplit(heldOutFraction: heldOutFraction, seed: UInt64(seed))
        let report = try split.run(input: input, outputDirectory: splitDir, format: .jsonl, onError: .skip)
        func spread(_ pairs: [PreferencePair]?, _ n: Double?) -> [PreferencePair]? {
            guard let pairs, let n, Int(n) < pairs.count else { return pairs }
            let k = max(1, Int(n.rounded()))
            return (0..<k).map { pairs[$0 * pairs.count / k] }
        }
        let heldOut = spread(report.files[.heldOut].map { try? PreferenceFileReader.readAll(path: $0) } ?? nil, limit.map { Double($0) * heldOutFraction })
        let clean = spread(report.files[.train].map { try? PreferenceFileReader.readAll(path: $0) } ?? nil, limit.map { Double($0) * (1 - heldOutFraction) })
        guard let heldOut, let clean, !heldOut.isEmpty, !clean.isEmpty else {
            throw CurationError.input(file: input, reason: "the split left no pool or no held-out pairs (\(report.counts)); give more pairs or another held-out fraction")
        }
        var flipped = Set<ContentHash>()
        var noisy: [PreferencePair] = []
        for p in clean {
            var rng = KeyedRandom(seed: UInt64(seed), key: "flip|\(p.contentHash.hex)")
            if rng.unit() < noise {
                let f = p.flipped()
                flipped.insert(f.contentHash)
                noisy.append(f)
            } else {
                noisy.append(p)
            }
        }
        var pool = NoisyPool(heldOut: heldOut, clean: clean, noisy: noisy, flipped: flipped, invalidRecords: report.invalidRecords,
                             heldOutPath: dir.appendingPathComponent("held-out.jsonl").path, cleanPath: dir.appendingPathComponent("pool-clean.jsonl").path,
                             noisyPath: dir.appendingPathComponent("pool-noisy.jsonl").path, truthPath: dir.appendingPathComponent("truth.jsonl").path)
        try write(heldOut, to: pool.heldOutPath)
        try write(clean, to: pool.cleanPath)
        try write(noisy, to: pool.noisyPath)
        let truth = try AtomicLineWriter(path: pool.truthPath)
        for p in noisy {
            try truth.write(JSONValue.object(["content_hash": .string(p.contentHash.hex), "label": .string(flipped.contains(p.contentHash) ? "rejected" : "chosen")]).serialized())
        }
        try truth.commit()
        pool.invalidRecords = report.invalidRecords
        return pool
    }

    /// Writes pairs as Synpref JSON lines, atomically.
    public static func write(_ pairs: [PreferencePair], to path: String) throws {
        guard let encoder = PreferenceFormat.jsonl.encoder() else { return }
        let w = try AtomicLineWriter(path: path)
        do {
            for p in pairs { try w.write(try encoder.encode(p)) }
            try w.commit()
        } catch {
            w.abandon()
            throw error
        }
    }
}
