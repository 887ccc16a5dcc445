import Foundation
import SynprefCore
import SynprefModels
import SynprefTensor
import SynprefText

/// Sentence embeddings as `SentenceTransformer.encode` computes them: the text (after the
/// chosen prompt) tokenized with the tokenizer's special tokens and cut on the right at
/// `max_seq_length`, the encoder's final token states, pooled (mean, first token or last
/// token, as the folder's pooling module says) and L2-normalised when the folder has a
/// Normalize module. Checked against sentence-transformers 6.3 on all-MiniLM-L6-v2 (BERT,
/// mean) and a Qwen3-Embedding-layout decoder (last token, its EOS-appending tokenizer).
///
/// The encoder runs through `RewardModel`'s backbone (no head is needed or read); texts
/// are packed into forward passes of up to `maxBatchTokens` tokens, so results do not
/// depend on batching (no padding).
public final class SentenceEmbedder: @unchecked Sendable {
    public let layout: SentenceTransformerLayout
    public let model: RewardModel
    public let tokenizer: Tokenizer
    private let frontEnd: TextFrontEnd
    /// SHA-256 of what decides the vectors: the weights' fingerprint and the layout.
    public let fingerprint: String

    public var dimension: Int { model.hiddenSize }

    /// Opens a sentence-transformers folder (or a Hugging Face repo id).
    public init(_ reference: String, threads: Int? = nil, maxBatchTokens: Int = 8192,
                hub: HubSettings = .fromEnvironment(), progress: any ProgressObserver = SilentProgress()) throws {
        let dir = try ModelReference.resolve(reference, settings: hub, progress: progress)
        layout = try SentenceTransformerLayout.load(directory: dir)
        let modelDir = dir.appendingPathComponent(layout.transformerPath)
        let config = try ModelConfig.load(from: modelDir, as: try Self.encoderArchitecture(modelDir))
        let weights = try Checkpoint.open(directory: modelDir)
        try WeightManifest(config: config, source: weights, includeHead: false).validate(source: weights)
        guard FileManager.default.fileExists(atPath: modelDir.appendingPathComponent("tokenizer.json").path) else {
            throw EmbeddingError.noTokenizer(directory: modelDir.path)
        }
        tokenizer = try Tokenizer.load(directory: modelDir)
        var options = TextFrontEnd.Options(maxLength: layout.maxSequenceLength, truncation: .right)
        if case .bert(let b) = config { options.maxLength = Swift.min(options.maxLength ?? Int.max, b.maxPositionEmbeddings) }
        frontEnd = TextFrontEnd(tokenizer: tokenizer, format: .textPair, options: options)
        model = try RewardModel(config: config, weights: weights, directory: modelDir, threads: threads, maxBatchTokens: maxBatchTokens)
        var description = JSONObject()
        description["weights"] = .string(model.fingerprint)
        description["pooling"] = .string(layout.pooling.rawValue)
        description["normalize"] = .bool(layout.normalize)
        description["max_seq_length"] = layout.maxSequenceLength.map { JSONValue.integer($0) } ?? .null
        description["lowercase"] = .bool(layout.lowercase)
        description["tokenizer_sha256"] = .string(try SHA256.hex(fileAt: modelDir.appendingPathComponent("tokenizer.json").path))
        fingerprint = SHA256.hex(JSONValue.object(description).serialized())
    }

    /// The encoder's architecture by config.json's `model_type`: the backbone is all an
    /// embedder reads, whatever head `architectures` names (Qwen3-Embedding says
    /// `Qwen3ForCausalLM`).
    static func encoderArchitecture(_ dir: URL) throws -> ArchitectureKind? {
        let file = dir.appendingPathComponent("config.json")
        guard let data = try? Data(contentsOf: file), let json = try? JSONParser.parse([UInt8](data)) else { return nil }
        switch json["model_type"]?.stringValue {
        case "qwen3": return .qwen3ForSequenceClassification
        case "llama": return .llamaForSequenceClassification
        case "bert": return .bertModel
        default: return nil
        }
    }

    /// The prompt text of `name` (config_sentence_transformers.json's `prompts`).
    public func prompt(named name: String) throws -> String {
        guard let text = layout.prompts[name] else {
            throw EmbeddingError.unknownPrompt(name: name, available: layout.prompts.keys.sorted())
        }
        return text
    }

    /// The token ids the encoder reads for `text` (with `prompt` in front).
    public func tokenize(_ text: String, prompt: String = "") -> [Int] {
        var full = prompt + text
        if layout.lowercase { full = full.lowercased() }
        // Right truncation never fails (max_seq_length leaves room for the special tokens).
        return (try? frontEnd.input(forText: full, addSpecialTokens: true).ids) ?? tokenizer.encode(full)
    }

    /// One embedding per text, in order. `prompt` is prepended to every text.
    public func embed(_ texts: [String], prompt: String = "", progress: (any ProgressObserver)? = nil) throws -> [[Float]] {
        try embed(tokenized: texts.map { tokenize($0, prompt: prompt) }, progress: progress)
    }

    /// Embeddings of already tokenized texts (`tokenize(_:prompt:)`).
    public func embed(tokenized: [[Int]], progress: (any ProgressObserver)? = nil) throws -> [[Float]] {
        var out: [[Float]] = []
        out.reserveCapacity(tokenized.count)
        var start = 0
        while start < tokenized.count {
            var end = start, tokens = 0
            while end < tokenized.count && (end == start || tokens + tokenized[end].count <= model.maxBatchTokens) {
                tokens += tokenized[end].count
                end += 1
            }
            let states = try model.finalHiddenStates(tokenSequences: Array(tokenized[start..<end]))
            for s in states { out.append(pool(s)) }
            start = end
            progress?.report(ProgressEvent(task: "embed", completed: end, total: tokenized.count, unit: "texts"))
        }
        return out
    }

    /// Pools one sequence's [length, hidden] states and normalises when the layout says so.
    func pool(_ states: Tensor) -> [Float] {
        let (n, h) = (states.shape[0], states.shape[1])
        let values = states.toArray()
        var v = [Float](repeating: 0, count: h)
        switch layout.pooling {
        case .cls:
            for j in 0..<h { v[j] = values[j] }
        case .lasttoken:
            for j in 0..<h { v[j] = values[(n - 1) * h + j] }
        case .mean:
            // Summed in double, as the reference's f32 sum over at most a few thousand rows
            // differs from it by less than the f32 rounding of the result.
            var sum = [Double](repeating: 0, count: h)
            for i in 0..<n { for j in 0..<h { sum[j] += Double(values[i * h + j]) } }
            for j in 0..<h { v[j] = Float(sum[j] / Double(n)) }
        }
        if layout.normalize { Self.normalize(&v) }
        return v
    }

    /// Divides by the L2 norm (by at least 1e-12, as torch's `F.normalize`).
    public static func normalize(_ v: inout [Float]) {
        var s = 0.0
        for x in v { s += Double(x) * Double(x) }
        let norm = Swift.max(s.squareRoot(), 1e-12)
        for j in v.indices { v[j] = Float(Double(v[j]) / norm) }
    }
}
