import Foundation
import SynprefCore
import SynprefTensor
@testable import SynprefModels

/// Loads the checkpoints and transformers reference outputs that
/// scripts/reference/make_tiny_models.py writes under Fixtures/.
enum ParityFixtures {
    struct Sequence {
        var inputIds: [Int]
        var tokenTypeIds: [Int]?
        var logits: [Float]
        var lastHiddenState: [Float]
    }

    struct Reference {
        var sequences: [Sequence]
        var invFreq: [Float]?
    }

    static func folder(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw ModelError.unsupported("fixture \(name) missing; run scripts/reference/make_tiny_models.py")
        }
        return url
    }

    /// Reads a gzip JSON document (one line) with the core line reader.
    static func readJSON(_ url: URL) throws -> [String: Any] {
        let reader = try LineReader(path: url.path)
        var bytes: [UInt8] = []
        while let line = try reader.nextLine() { bytes += line.bytes }
        guard let obj = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw ModelError.unsupported("\(url.path): not a JSON object")
        }
        return obj
    }

    static func floats(_ any: Any?) -> [Float] {
        ((any as? [Any]) ?? []).map { Float(($0 as? NSNumber)?.doubleValue ?? .nan) }
    }

    static func ints(_ any: Any?) -> [Int] {
        ((any as? [Any]) ?? []).map { ($0 as? NSNumber)?.intValue ?? -1 }
    }

    static func reference(_ name: String) throws -> Reference {
        let obj = try readJSON(try folder(name).appendingPathComponent("reference.json.gz"))
        let seqs = ((obj["sequences"] as? [[String: Any]]) ?? []).map { s in
            Sequence(inputIds: ints(s["input_ids"]),
                     tokenTypeIds: s["token_type_ids"].map { ints($0) },
                     logits: floats(s["logits"]), lastHiddenState: floats(s["last_hidden_state"]))
        }
        return Reference(sequences: seqs, invFreq: obj["inv_freq"].map { floats($0) })
    }

    static func open(_ name: String, threads: Int = 2, maxBatchTokens: Int = 4096) throws -> RewardModel {
        let dir = try folder(name)
        let config = try loadConfig(dir)
        return try RewardModel(config: config, weights: try Checkpoint.open(directory: dir), directory: dir,
                               threads: threads, maxBatchTokens: maxBatchTokens)
    }

    /// Interim config.json reading for the fixtures' transformers-5 layout, until the
    /// checkpoint helper's `ModelConfig.load(from:)` is merged.
    static func loadConfig(_ dir: URL) throws -> ModelConfig {
        guard let j = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as? [String: Any],
              let arch = (j["architectures"] as? [String])?.first.flatMap(ArchitectureKind.init(rawValue:)) else {
            throw ModelError.unsupported("bad fixture config in \(dir.path)")
        }
        func int(_ k: String) -> Int { (j[k] as? NSNumber)?.intValue ?? 0 }
        func dbl(_ k: String) -> Double { (j[k] as? NSNumber)?.doubleValue ?? 0 }
        let labels = (j["id2label"] as? [String: Any])?.count ?? 2 // transformers omits the default 2 labels
        switch arch {
        case .bertModel, .bertForSequenceClassification:
            return .bert(BertConfig(architecture: arch, vocabSize: int("vocab_size"), hiddenSize: int("hidden_size"),
                                    numHiddenLayers: int("num_hidden_layers"), numAttentionHeads: int("num_attention_heads"),
                                    intermediateSize: int("intermediate_size"), hiddenAct: j["hidden_act"] as? String ?? "gelu",
                                    maxPositionEmbeddings: int("max_position_embeddings"), typeVocabSize: int("type_vocab_size"),
                                    layerNormEps: dbl("layer_norm_eps"), padTokenId: (j["pad_token_id"] as? NSNumber)?.intValue,
                                    numLabels: labels))
        default:
            let rope = j["rope_parameters"] as? [String: Any] ?? [:]
            let theta = (rope["rope_theta"] as? NSNumber)?.doubleValue ?? 10000
            var scaling: Llama3RopeScaling?
            if rope["rope_type"] as? String == "llama3" {
                scaling = Llama3RopeScaling(factor: (rope["factor"] as? NSNumber)?.doubleValue ?? 0,
                                            lowFreqFactor: (rope["low_freq_factor"] as? NSNumber)?.doubleValue ?? 0,
                                            highFreqFactor: (rope["high_freq_factor"] as? NSNumber)?.doubleValue ?? 0,
                                            originalMaxPositionEmbeddings: (rope["original_max_position_embeddings"] as? NSNumber)?.intValue ?? 0)
            }
            let heads = int("num_attention_heads")
            return .decoder(DecoderConfig(
                architecture: arch, vocabSize: int("vocab_size"), hiddenSize: int("hidden_size"),
                intermediateSize: int("intermediate_size"), numHiddenLayers: int("num_hidden_layers"),
                numAttentionHeads: heads, numKeyValueHeads: int("num_key_value_heads"),
                headDim: j["head_dim"] == nil ? int("hidden_size") / heads : int("head_dim"),
                rmsNormEps: dbl("rms_norm_eps"), ropeTheta: theta, ropeScaling: scaling,
                attentionBias: j["attention_bias"] as? Bool ?? false, mlpBias: j["mlp_bias"] as? Bool ?? false,
                maxPositionEmbeddings: int("max_position_embeddings"),
                padTokenId: (j["pad_token_id"] as? NSNumber)?.intValue, numLabels: labels))
        }
    }

    /// |a - b| <= tol · max(1, |b|): absolute below 1, relative above.
    static func worstError(_ got: [Float], _ want: [Float], tol: Float = 1e-4) -> (ok: Bool, worst: Float) {
        guard got.count == want.count else { return (false, .infinity) }
        var worst: Float = 0
        for (a, b) in zip(got, want) {
            let e = abs(a - b) / Swift.max(1, abs(b))
            if !(e <= worst) { worst = e.isNaN ? .infinity : Swift.max(worst, e) }
        }
        return (worst <= tol, worst)
    }
}
