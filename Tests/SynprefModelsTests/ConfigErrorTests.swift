import Foundation
import Testing
@testable import SynprefModels
import SynprefTestSupport

/// One test per kind of config.json Synpref refuses; each error names the file and field and,
/// for unsupported options, lists what is supported.
@Suite(.computeThreads) struct ConfigErrorTests {
    static let file = "test/config.json"
    static let llama = #""architectures":["LlamaForSequenceClassification"],"model_type":"llama","hidden_size":64,"num_attention_heads":4"#
    static let qwen = #""architectures":["Qwen3ForSequenceClassification"],"model_type":"qwen3","hidden_size":64,"num_attention_heads":4,"num_key_value_heads":2"#
    static let bert = #""architectures":["BertForSequenceClassification"],"model_type":"bert","hidden_size":32,"num_attention_heads":4"#

    /// The error parsing `{base, extra}` throws, or nil.
    func failure(_ base: String, _ extra: String = "", as architecture: ArchitectureKind? = nil) -> ConfigError? {
        let json = "{" + base + (extra.isEmpty ? "" : "," + extra) + "}"
        do {
            _ = try ModelConfig(json: Data(json.utf8), file: Self.file, as: architecture)
            return nil
        } catch {
            return error
        }
    }

    @Test func baseConfigsParse() {
        #expect(failure(Self.llama) == nil)
        #expect(failure(Self.qwen) == nil)
        #expect(failure(Self.bert) == nil)
    }

    @Test func notJSONOrNotAnObject() {
        guard case .invalidJSON(let file, let detail)? = failure(#""hidden_size": "#) else {
            Issue.record("truncated JSON accepted")
            return
        }
        #expect(file == Self.file && detail.contains("line 1"))
        do {
            _ = try ModelConfig(json: Data("[1]".utf8), file: Self.file)
            Issue.record("an array accepted")
        } catch {
            #expect(error == .notAnObject(file: Self.file, found: "an array"))
        }
    }

    @Test func missingOrUnknownArchitecture() {
        #expect(failure(#""model_type":"llama""#) == .missingField(file: Self.file, field: "architectures"))
        let supported = ArchitectureKind.allCases.map(\.rawValue)
        let error = failure(#""architectures":["MistralForSequenceClassification"]"#)
        #expect(error == .unsupportedArchitecture(file: Self.file, architecture: "MistralForSequenceClassification", supported: supported))
        #expect(error?.description.contains("Qwen3ForSequenceClassification, LlamaForSequenceClassification") == true)
        #expect(failure(#""architectures":[]"#) == .wrongType(
            file: Self.file, field: "architectures", expected: "a non-empty array of architecture names", found: "an array"))
    }

    @Test func modelTypeContradictsArchitecture() {
        guard case .unsupported(_, "model_type", let value, _)? = failure(Self.llama.replacingOccurrences(of: #""llama""#, with: #""mistral""#)) else {
            Issue.record("model_type mismatch accepted")
            return
        }
        #expect(value.contains("mistral"))
        // Forcing a head of another family is refused too.
        guard case .unsupported(_, "model_type", _, _)? = failure(Self.bert, as: .qwen3ForSequenceClassification) else {
            Issue.record("BERT config loaded as Qwen3")
            return
        }
    }

    @Test func wrongJSONTypes() {
        // transformers' strict dataclasses reject a float for an int field, an int for a bool.
        #expect(failure(Self.llama, #""vocab_size":128.0"#) == .wrongType(
            file: Self.file, field: "vocab_size", expected: "an integer", found: "128.0"))
        #expect(failure(Self.llama, #""tie_word_embeddings":1"#) == .wrongType(
            file: Self.file, field: "tie_word_embeddings", expected: "true or false", found: "1"))
        #expect(failure(Self.qwen, #""head_dim":null"#) == .wrongType(
            file: Self.file, field: "head_dim", expected: "an integer", found: "null"))
        #expect(failure(Self.llama, #""rms_norm_eps":"small""#) == .wrongType(
            file: Self.file, field: "rms_norm_eps", expected: "a finite number", found: "\"small\""))
        #expect(failure(Self.llama, #""rope_scaling":"llama3""#) == .wrongType(
            file: Self.file, field: "rope_scaling", expected: "an object", found: "\"llama3\""))
    }

    @Test func impossibleValues() {
        // 4 query heads cannot share 3 key/value heads.
        #expect(failure(Self.llama, #""num_key_value_heads":3"#) == .invalidValue(
            file: Self.file, field: "num_key_value_heads", value: "3", reason: "num_attention_heads (4) must be a multiple of it"))
        // LlamaConfig.validate_architecture: 66 is not a multiple of 4 heads.
        #expect(failure(Self.llama.replacingOccurrences(of: "64", with: "66")) == .invalidValue(
            file: Self.file, field: "hidden_size", value: "66", reason: "must be a multiple of num_attention_heads (4)"))
        #expect(failure(Self.llama, #""num_labels":0"#) == .invalidValue(
            file: Self.file, field: "num_labels", value: "0", reason: "a classifier needs at least 1 label"))
        #expect(failure(Self.llama, #""id2label":{"first":"A"}"#) == .invalidValue(
            file: Self.file, field: "id2label", value: "\"first\"", reason: "keys must be integers"))
        #expect(failure(Self.llama, #""num_hidden_layers":0"#) == .invalidValue(
            file: Self.file, field: "num_hidden_layers", value: "0", reason: "must be positive"))
    }

    @Test func unsupportedRopeType() {
        let error = failure(Self.llama, #""rope_scaling":{"rope_type":"yarn","factor":4.0}"#)
        #expect(error == .unsupported(file: Self.file, field: "rope_scaling.rope_type", value: "\"yarn\"", supported: ["default", "llama3"]))
        #expect(error?.description.contains("supported: default, llama3") == true)
        // The transformers-5 spelling names its own field.
        #expect(failure(Self.llama, #""rope_parameters":{"rope_type":"linear","factor":2.0}"#) == .unsupported(
            file: Self.file, field: "rope_parameters.rope_type", value: "\"linear\"", supported: ["default", "llama3"]))
        #expect(failure(Self.llama, #""rope_scaling":{"type":"dynamic","factor":2.0}"#) == .unsupported(
            file: Self.file, field: "rope_scaling.type", value: "\"dynamic\"", supported: ["default", "llama3"]))
    }

    @Test func incompleteLlama3Scaling() {
        #expect(failure(Self.llama, #""rope_scaling":{"rope_type":"llama3","low_freq_factor":1,"high_freq_factor":4}"#)
            == .missingField(file: Self.file, field: "rope_scaling.factor"))
        #expect(failure(Self.llama, #""rope_parameters":{"rope_type":"llama3","factor":8,"low_freq_factor":4,"high_freq_factor":4}"#)
            == .invalidValue(file: Self.file, field: "rope_parameters.high_freq_factor", value: "4.0",
                             reason: "must be greater than low_freq_factor (4.0)"))
    }

    @Test func partialRotaryFactor() {
        #expect(failure(Self.llama, #""partial_rotary_factor":0.5"#) == .unsupported(
            file: Self.file, field: "partial_rotary_factor", value: "0.5", supported: ["1.0"]))
        #expect(failure(Self.llama, #""partial_rotary_factor":1.0"#) == nil)
    }

    @Test func unsupportedActivations() {
        #expect(failure(Self.llama, #""hidden_act":"gelu""#) == .unsupported(
            file: Self.file, field: "hidden_act", value: "\"gelu\"", supported: ["silu", "swish"]))
        #expect(failure(Self.llama, #""hidden_act":"swish""#) == nil)
        #expect(failure(Self.bert, #""hidden_act":"relu""#) == .unsupported(
            file: Self.file, field: "hidden_act", value: "\"relu\"", supported: ["gelu"]))
    }

    @Test func slidingWindowInUse() {
        // Layers 1.. of 32 would use sliding attention (max_window_layers 1).
        guard case .unsupported(_, "use_sliding_window", _, _)? = failure(
            Self.qwen, #""use_sliding_window":true,"sliding_window":128,"max_window_layers":1"#) else {
            Issue.record("sliding window accepted")
            return
        }
        #expect(failure(Self.qwen, #""num_hidden_layers":2,"layer_types":["full_attention","sliding_attention"]"#) == .unsupported(
            file: Self.file, field: "layer_types", value: "\"sliding_attention\"", supported: ["full_attention"]))
        #expect(failure(Self.qwen, #""num_hidden_layers":2,"layer_types":["full_attention"]"#) == .invalidValue(
            file: Self.file, field: "layer_types", value: "1 entries", reason: "num_hidden_layers is 2"))
        // Configured but switched off: fine.
        #expect(failure(Self.qwen, #""use_sliding_window":false,"sliding_window":128,"max_window_layers":1"#) == nil)
    }

    @Test func unsupportedBertOptions() {
        #expect(failure(Self.bert, #""position_embedding_type":"relative_key""#) == .unsupported(
            file: Self.file, field: "position_embedding_type", value: "\"relative_key\"", supported: ["absolute"]))
        #expect(failure(Self.bert, #""is_decoder":true"#) == .unsupported(
            file: Self.file, field: "is_decoder", value: "true", supported: ["false (bidirectional encoder)"]))
    }

    @Test func unsupportedDType() {
        #expect(failure(Self.llama, #""torch_dtype":"float64""#) == .unsupported(
            file: Self.file, field: "torch_dtype", value: "\"float64\"", supported: ["float32", "bfloat16", "float16"]))
    }

    @Test func unreadableFile() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-no-such-config.json")
        do {
            _ = try ModelConfig.load(from: missing)
            Issue.record("missing file not reported")
        } catch {
            guard case .unreadable(let file, _) = error else {
                Issue.record("expected unreadable, got \(error)")
                return
            }
            #expect(file == missing.path)
        }
    }

    @Test func corruptedConfigsNeverCrash() throws {
        // Overwrite each byte of a real config with characters that matter to the parsers.
        let url = try ConfigParsingTests.configs().appendingPathComponent("published/skywork-reward-v2-llama-3.1-8b.json")
        let original = [UInt8](try Data(contentsOf: url))
        var parsed = 0
        for position in original.indices {
            for replacement in Array("0-9.e\"{}[],:n".utf8) where original[position] != replacement {
                var bytes = original
                bytes[position] = replacement
                if (try? ModelConfig(json: Data(bytes), file: "fuzz")) != nil { parsed += 1 }
            }
        }
        #expect(parsed > 0)  // e.g. digits changed inside values still parse
    }
}
