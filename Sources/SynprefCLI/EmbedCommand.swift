import ArgumentParser
import Foundation
import SynprefCore
import SynprefData
import SynprefRetrieval

/// `synpref embed`: sentence embeddings of texts, as sentence-transformers computes them.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts with a sentence-transformers model (BERT mean pooling, Qwen3-Embedding last token).",
        discussion: """
            Input: JSON lines {"id": string, "text": string}, or preference pairs in any \
            format `synpref data import` reads, embedded as (x, a): the pair's attributes, then \
            its conversation before the responses, cut from the start to fit (ids: the \
            record's "id", else FILE:LINE). Output: {"id": string, \
            "embedding": [number]} per input line, in input order, written atomically to \
            --output (or stdout). --model is a sentence-transformers folder (modules.json, \
            1_Pooling/config.json, the encoder's config.json, safetensors and tokenizer.json) \
            or a Hugging Face repo id. Texts are cut on the right at the model's \
            max_seq_length, pooled as its pooling module says and normalised when it has a \
            Normalize module, exactly as SentenceTransformer.encode does. --prompt-name picks \
            a prompt of config_sentence_transformers.json (e.g. "query" for Qwen3-Embedding). \
            An --output ending in .npy gets a float32 NumPy matrix (rows in input order) and \
            OUTPUT.ids.jsonl with the ids, for large corpora. \
            Store mode (--store URL instead of --input): embeds, as (x, a), every stored pair \
            of --tier that has no vector from this model yet and saves the vectors in the store \
            (--format f32, or f16 for half the space) under the model's fingerprint, chunk by \
            chunk: a killed run keeps what it saved and the next run embeds only what is \
            missing; vectors of another model or prompt are never mixed in. Embed after \
            `synpref judge attributes`, since a pair's vector holds its attributes.
            """)

    @Option(help: "sentence-transformers folder or Hugging Face repo id.")
    var model: String

    @Option(help: "Input JSON lines: {\"id\": string, \"text\": string}, or preference pairs.")
    var input: String?

    @Option(help: "Embed the stored pairs that lack a vector from this model (instead of --input).")
    var store: String?

    @Option(help: "Store mode: only pairs of this tier (default: every tier).")
    var tier: PreferenceTier?

    @Option(help: "Store mode: f32, or f16 (half the space).")
    var format: EmbeddingFormat = .f32

    @Option(help: "Output JSON lines file (default: stdout), or a .npy matrix.")
    var output: String?

    @Option(name: .customLong("prompt-name"), help: "A prompt from the model's config_sentence_transformers.json, put before every text.")
    var promptName: String?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(name: .customLong("batch-tokens"), help: "Token budget of one packed forward pass.")
    var batchTokens: Int = 8192

    func runStore(_ url: String, embedder: SentenceEmbedder, prompt: String, progress: ProgressLine) async throws {
        let key = StoreEmbedding.key(embedder, promptName: promptName)
        let started = Date()
        let report = try await withStore(url) { target in
            try await StoreEmbedding.run(store: target, embedder: embedder, key: key, tier: tier, format: format, prompt: prompt) { done, total in
                progress.report(ProgressEvent(task: "embed", completed: done, total: total, unit: "pairs"))
            }
        }
        let seconds = Date().timeIntervalSince(started)
        var summary = String(format: "synpref embed: %d pair(s) embedded (%d tokens) in %.1f s: %.1f pairs/s; %d already had a vector; model key %@…",
                             report.embedded, report.tokens, seconds, Double(report.embedded) / Swift.max(seconds, 1e-9), report.present,
                             String(key.prefix(12)))
        if report.withoutAttributes > 0 {
            summary += "; \(report.withoutAttributes) pair(s) had no attributes and were embedded by their conversation alone"
        }
        progress.line(summary)
    }

    /// Token ids per input: texts as they are, pairs as `PairText`; and, for pairs, how
    /// many had no attributes.
    static func inputs(path: String, embedder: SentenceEmbedder, prompt: String) throws -> ([(id: String, ids: [Int])], Int?) {
        if try isTextFile(path) {
            return (try EmbeddingFile.readTexts(path: path).map { ($0.id, embedder.tokenize($0.text, prompt: prompt)) }, nil)
        }
        let reader = try PreferenceFileReader(path: path, source: "embed", overrideSource: false)
        reader.keepRaw = true
        var out: [(id: String, ids: [Int])] = []
        var bare = 0
        while let batch = try reader.nextBatch() {
            for outcome in batch {
                if let issue = outcome.issues.first { throw issue }
                let raw = outcome.raw.flatMap { try? JSONParser.parse($0) }
                for (k, p) in outcome.pairs.enumerated() {
                    var id = raw?["id"]?.stringValue ?? raw?["id"]?.intValue.map(String.init) ?? "\(path):\(outcome.line)"
                    if outcome.pairs.count > 1 { id += "#\(k)" }
                    if p.pair.attributes == nil { bare += 1 }
                    out.append((id, embedder.tokenize(pair: p.pair, prompt: prompt)))
                }
            }
        }
        return (out, bare)
    }

    /// True when the first record has a "text" field (an `{"id", "text"}` file).
    static func isTextFile(_ path: String) throws -> Bool {
        let reader = try LineReader(path: path)
        while let (_, bytes) = try reader.nextLine() {
            if LineReader.isBlank(bytes) { continue }
            return (try? JSONParser.parse(bytes))?["text"] != nil
        }
        return true
    }

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if batchTokens < 1 { throw ValidationError("--batch-tokens must be at least 1") }
        switch (input, store) {
        case (nil, nil): throw ValidationError("give --input FILE, or --store URL")
        case (.some, .some): throw ValidationError("give --input or --store, not both")
        case (nil, .some) where output != nil: throw ValidationError("--output is for --input; with --store the vectors go to the store")
        case (.some, nil) where tier != nil: throw ValidationError("--tier needs --store")
        default: break
        }
    }

    func run() async throws {
        let progress = ProgressLine()
        let embedder = try SentenceEmbedder(model, threads: threads, maxBatchTokens: batchTokens, progress: progress)
        let prompt = try promptName.map { try embedder.prompt(named: $0) } ?? ""
        if let store {
            try await runStore(store, embedder: embedder, prompt: prompt, progress: progress)
            return
        }
        guard let input else { return }
        // {"id", "text"} lines, or preference pairs embedded as (x, a).
        let (texts, withoutAttributes) = try Self.inputs(path: input, embedder: embedder, prompt: prompt)
        let started = Date()
        var tokens = 0
        let npy = output?.hasSuffix(".npy") == true
        let writer = npy ? nil : try AtomicLineWriter(path: output)
        var matrix: [Float] = []
        do {
            let chunk = 1024
            var start = 0
            // Rate and ETA count from here, not from the end of the first chunk.
            progress.report(ProgressEvent(task: "embed", completed: 0, total: texts.count, unit: "texts"))
            while start < texts.count {
                let part = texts[start..<Swift.min(texts.count, start + chunk)]
                let ids = part.map(\.ids)
                tokens += ids.reduce(0) { $0 + $1.count }
                let vectors = try embedder.embed(tokenized: ids)
                for (item, v) in zip(part, vectors) {
                    if let writer { try writer.write(EmbeddingFile.line(id: item.id, embedding: v)) } else { matrix += v }
                }
                start += part.count
                progress.report(ProgressEvent(task: "embed", completed: start, total: texts.count, unit: "texts"))
            }
            if let writer { try writer.commit() }
            if npy, let output {
                try NpyMatrix.write(matrix, rows: texts.count, columns: embedder.dimension, to: output)
                let idWriter = try AtomicLineWriter(path: output + ".ids.jsonl")
                for t in texts {
                    var line = ""
                    JSONWriter.appendString(t.id, to: &line)
                    try idWriter.write(line)
                }
                try idWriter.commit()
            }
        } catch {
            writer?.abandon()
            throw error
        }
        let seconds = Date().timeIntervalSince(started)
        var summary = String(format: "synpref embed: %d texts (%d tokens) in %.1f s: %.1f texts/s, %.0f tokens/s; dimension %d",
                             texts.count, tokens, seconds, Double(texts.count) / Swift.max(seconds, 1e-9),
                             Double(tokens) / Swift.max(seconds, 1e-9), embedder.dimension)
        if let withoutAttributes { summary += "; \(withoutAttributes) pair(s) had no attributes and were embedded by their conversation alone" }
        progress.line(summary)
    }
}
extension EmbeddingFormat: ExpressibleByArgument {}
