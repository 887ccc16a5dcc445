import ArgumentParser
import Foundation
import SynprefCore
import SynprefRetrieval

/// `synpref embed`: sentence embeddings of texts, as sentence-transformers computes them.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts with a sentence-transformers model (BERT mean pooling, Qwen3-Embedding last token).",
        discussion: """
            Input: JSON lines {"id": string, "text": string}. Output: {"id": string, \
            "embedding": [number]} per input line, in input order, written atomically to \
            --output (or stdout). --model is a sentence-transformers folder (modules.json, \
            1_Pooling/config.json, the encoder's config.json, safetensors and tokenizer.json) \
            or a Hugging Face repo id. Texts are cut on the right at the model's \
            max_seq_length, pooled as its pooling module says and normalised when it has a \
            Normalize module, exactly as SentenceTransformer.encode does. --prompt-name picks \
            a prompt of config_sentence_transformers.json (e.g. "query" for Qwen3-Embedding). \
            An --output ending in .npy gets a float32 NumPy matrix (rows in input order) and \
            OUTPUT.ids.jsonl with the ids, for large corpora.
            """)

    @Option(help: "sentence-transformers folder or Hugging Face repo id.")
    var model: String

    @Option(help: "Input JSON lines: {\"id\": string, \"text\": string}.")
    var input: String

    @Option(help: "Output JSON lines file (default: stdout), or a .npy matrix.")
    var output: String?

    @Option(name: .customLong("prompt-name"), help: "A prompt from the model's config_sentence_transformers.json, put before every text.")
    var promptName: String?

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(name: .customLong("batch-tokens"), help: "Token budget of one packed forward pass.")
    var batchTokens: Int = 8192

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
        if batchTokens < 1 { throw ValidationError("--batch-tokens must be at least 1") }
    }

    func run() async throws {
        let progress = ProgressLine()
        let texts = try EmbeddingFile.readTexts(path: input)
        let embedder = try SentenceEmbedder(model, threads: threads, maxBatchTokens: batchTokens, progress: progress)
        let prompt = try promptName.map { try embedder.prompt(named: $0) } ?? ""
        let started = Date()
        var tokens = 0
        let npy = output?.hasSuffix(".npy") == true
        let writer = npy ? nil : try AtomicLineWriter(path: output)
        var matrix: [Float] = []
        do {
            let chunk = 1024
            var start = 0
            while start < texts.count {
                let part = texts[start..<Swift.min(texts.count, start + chunk)]
                let ids = part.map { embedder.tokenize($0.text, prompt: prompt) }
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
        progress.line(String(format: "synpref embed: %d texts (%d tokens) in %.1f s: %.1f texts/s, %.0f tokens/s; dimension %d",
                             texts.count, tokens, seconds, Double(texts.count) / Swift.max(seconds, 1e-9),
                             Double(tokens) / Swift.max(seconds, 1e-9), embedder.dimension))
    }
}
