import Foundation
import Testing
import SynprefCore
import SynprefTensor
@testable import SynprefModels
import SynprefTestSupport

/// Every config.json fixture (published configs in the transformers-4 layout, the same
/// configs as transformers 5 writes them, and small variants) parses to exactly what
/// transformers' AutoConfig makes of it (configs/expected.json, written by
/// scripts/reference/make_config_fixtures.py).
@Suite(.computeThreads) struct ConfigParsingTests {
    static func configs() throws -> URL {
        try SafetensorsTestSupport.fixtures().appendingPathComponent("configs", isDirectory: true)
    }

    /// Base-model architectures are loaded as the classifier of their family, as
    /// AutoModelForSequenceClassification does.
    static let classifierFor: [String: ArchitectureKind] = [
        "Qwen3ForCausalLM": .qwen3ForSequenceClassification,
        "LlamaForCausalLM": .llamaForSequenceClassification,
    ]

    /// The expected.json key whose config.json is the real all-MiniLM-L6-v2 one, read from
    /// the assets rather than from the committed fixtures.
    static let assetKey = "published/all-minilm-l6-v2"

    /// Parses the config.json at `url` as transformers does and compares it with the
    /// expected.json entry `key`.
    func check(_ key: String, _ expected: [String: Any], url: URL) throws {
        let values = try #require(expected[key] as? [String: Any])
        let architectureName = try #require(values["architecture"] as? String)
        let config = try ModelConfig.load(from: url, as: Self.classifierFor[architectureName])
        try compare(config, values, key)
    }

    @Test func parsesLikeTransformersAutoConfig() throws {
        let expected = try SafetensorsTestSupport.json(try Self.configs().appendingPathComponent("expected.json"))
        #expect(expected.count >= 20)
        for key in expected.keys.sorted() where key != Self.assetKey {
            try check(key, expected, url: try Self.configs().appendingPathComponent(key + ".json"))
        }
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/config.json"), "needs real assets: run scripts/fetch-assets.sh"))
    func parsesTheRealMiniLMConfigLikeTransformersAutoConfig() throws {
        let expected = try SafetensorsTestSupport.json(try Self.configs().appendingPathComponent("expected.json"))
        let url = try #require(SynprefAssets.locate("minilm/config.json"), "asset minilm/config.json is missing (run scripts/fetch-assets.sh)")
        try check(Self.assetKey, expected, url: url)
    }

    func compare(_ config: ModelConfig, _ values: [String: Any], _ key: String) throws {
        func int(_ name: String) -> Int? { values[name] as? Int }
        func double(_ name: String) -> Double? { values[name] as? Double }
        func bool(_ name: String) -> Bool? { values[name] as? Bool }
        let dtype = (values["dtype"] as? String).flatMap { name -> DType? in
            ["float32": .float32, "bfloat16": .bfloat16, "float16": .float16][name]
        }
        switch config {
        case .decoder(let c):
            #expect(c.vocabSize == int("vocab_size"), "\(key)")
            #expect(c.hiddenSize == int("hidden_size"), "\(key)")
            #expect(c.intermediateSize == int("intermediate_size"), "\(key)")
            #expect(c.numHiddenLayers == int("num_hidden_layers"), "\(key)")
            #expect(c.numAttentionHeads == int("num_attention_heads"), "\(key)")
            #expect(c.numKeyValueHeads == int("num_key_value_heads"), "\(key)")
            #expect(c.headDim == int("head_dim"), "\(key)")
            // Foundation's JSON parser can be an ulp off; the values are decimal literals.
            #expect(abs(c.rmsNormEps - (double("rms_norm_eps") ?? .nan)) <= 1e-15, "\(key)")
            #expect(c.ropeTheta == double("rope_theta"), "\(key)")
            #expect(c.attentionBias == bool("attention_bias"), "\(key)")
            #expect(c.mlpBias == bool("mlp_bias"), "\(key)")
            #expect(c.tieWordEmbeddings == bool("tie_word_embeddings"), "\(key)")
            #expect(c.maxPositionEmbeddings == int("max_position_embeddings"), "\(key)")
            #expect(c.padTokenId == int("pad_token_id"), "\(key)")
            #expect(c.numLabels == int("num_labels"), "\(key)")
            #expect(c.dtype == dtype, "\(key)")
            #expect(values["hidden_act"] as? String == "silu", "\(key)")
            let ropeType = try #require(values["rope_type"] as? String)
            if ropeType == "llama3" {
                let rope = try #require(values["rope_llama3"] as? [String: Any])
                let scaling = try #require(c.ropeScaling, "\(key): llama3 scaling missing")
                #expect(scaling.factor == rope["factor"] as? Double, "\(key)")
                #expect(scaling.lowFreqFactor == rope["low_freq_factor"] as? Double, "\(key)")
                #expect(scaling.highFreqFactor == rope["high_freq_factor"] as? Double, "\(key)")
                #expect(scaling.originalMaxPositionEmbeddings == rope["original_max_position_embeddings"] as? Int, "\(key)")
            } else {
                #expect(ropeType == "default", "\(key)")
                #expect(c.ropeScaling == nil, "\(key)")
            }
            if let layerTypes = values["layer_types"] as? [String] {
                #expect(layerTypes.allSatisfy { $0 == "full_attention" }, "\(key)")
            }
        case .bert(let c):
            #expect(c.architecture.rawValue == values["architecture"] as? String, "\(key)")
            #expect(c.vocabSize == int("vocab_size"), "\(key)")
            #expect(c.hiddenSize == int("hidden_size"), "\(key)")
            #expect(c.intermediateSize == int("intermediate_size"), "\(key)")
            #expect(c.numHiddenLayers == int("num_hidden_layers"), "\(key)")
            #expect(c.numAttentionHeads == int("num_attention_heads"), "\(key)")
            #expect(c.hiddenAct == values["hidden_act"] as? String, "\(key)")
            #expect(c.maxPositionEmbeddings == int("max_position_embeddings"), "\(key)")
            #expect(c.typeVocabSize == int("type_vocab_size"), "\(key)")
            #expect(abs(c.layerNormEps - (double("layer_norm_eps") ?? .nan)) <= 1e-18, "\(key)")
            #expect(c.padTokenId == int("pad_token_id"), "\(key)")
            #expect(c.numLabels == int("num_labels"), "\(key)")
            #expect(c.dtype == dtype, "\(key)")
        }
    }

    @Test func bothLayoutsOfAPublishedConfigAgree() throws {
        // The transformers-4 file and transformers 5's rewrite of it give the same config.
        for name in ["skywork-reward-v2-qwen3-0.6b", "skywork-reward-v2-llama-3.1-8b", "ms-marco-minilm-l-6-v2"] {
            let v4 = try ModelConfig.load(from: try Self.configs().appendingPathComponent("published/\(name).json"))
            let v5 = try ModelConfig.load(from: try Self.configs().appendingPathComponent("v5/\(name).json"))
            #expect(v4 == v5, "\(name)")
        }
    }

    @Test func skyworkLlamaRewardModel() throws {
        // Spelled out for the model the paper's best result uses (values from its config.json).
        let config = try ModelConfig.load(
            from: try Self.configs().appendingPathComponent("published/skywork-reward-v2-llama-3.1-8b.json"))
        guard case .decoder(let c) = config else {
            Issue.record("not a decoder")
            return
        }
        #expect(c.architecture == .llamaForSequenceClassification)
        #expect(c.numKeyValueHeads == 8 && c.numAttentionHeads == 32 && c.headDim == 4096 / 32)
        #expect(c.ropeScaling == Llama3RopeScaling(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192))
        #expect(c.numLabels == 1)
        #expect(c.dtype == .bfloat16)
    }

    @Test func loadsFromTheCheckpointFolder() throws {
        // The transformers-saved sharded fixture: load(from:) accepts the folder.
        let folder = try SafetensorsTestSupport.fixtures().appendingPathComponent("sharded-qwen3")
        let config = try ModelConfig.load(from: folder)
        #expect(config.architecture == .qwen3ForSequenceClassification)
        guard case .decoder(let c) = config else {
            Issue.record("not a decoder")
            return
        }
        #expect(c.headDim == 8 && c.numKeyValueHeads == 2 && c.numLabels == 1 && c.dtype == .bfloat16)
    }

    @Test func baseModelNeedsAnExplicitHead() throws {
        let url = try Self.configs().appendingPathComponent("published/qwen3-0.6b.json")
        #expect(throws: ConfigError.unsupportedArchitecture(
            file: url.path, architecture: "Qwen3ForCausalLM", supported: ArchitectureKind.allCases.map(\.rawValue))) {
            try ModelConfig.load(from: url)
        }
        let config = try ModelConfig.load(from: url, as: .qwen3ForSequenceClassification)
        #expect(config.architecture == .qwen3ForSequenceClassification)
    }
}
