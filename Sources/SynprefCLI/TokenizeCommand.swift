import ArgumentParser
import Foundation
import SynprefCore
import SynprefText

struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize text with a Hugging Face tokenizer.json.",
        discussion: """
            Reads JSON lines {"id": ..., "text": "...", "add_special_tokens": true|false} \
            (add_special_tokens defaults to true) and writes {"id": ..., "input_ids": [...]} \
            per line, in order: the ids transformers' fast tokenizer gives for \
            tokenizer(text, add_special_tokens=...). The input may be gzip-compressed. \
            A malformed line stops the run with its line number.
            """)

    @Option(name: .long, help: "Model folder with tokenizer.json (and optionally tokenizer_config.json).")
    var tokenizer: String

    @Option(name: .long, help: "Input JSON lines file (plain or .gz).")
    var input: String

    @Option(name: .long, help: "Output file (default: standard output).")
    var output: String?

    func run() async throws {
        let tok = try Tokenizer.load(directory: URL(fileURLWithPath: tokenizer, isDirectory: true))
        let reader = try LineReader(path: input)
        // Written to a temporary file renamed into place at the end: a bad line leaves no
        // partial output behind.
        let sink = try AtomicLineWriter(path: output)
        do {
            try JSONLinesTokenization.run(tokenizer: tok, input: reader) { line in try sink.write(line) }
            try sink.commit()
        } catch {
            sink.abandon()
            throw error
        }
    }
}
