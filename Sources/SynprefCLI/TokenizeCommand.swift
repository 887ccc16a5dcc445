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
        let sink = try OutputSink(path: output)
        defer { sink.close() }
        try JSONLinesTokenization.run(tokenizer: tok, input: reader) { line in try sink.write(line) }
    }
}

/// Buffered line output to a file or standard output.
private final class OutputSink {
    private let handle: UnsafeMutablePointer<FILE>
    private let ownsHandle: Bool
    private let path: String

    init(path: String?) throws {
        if let path {
            guard let f = fopen(path, "w") else {
                throw ValidationError("cannot open \(path) for writing: \(String(cString: strerror(errno)))")
            }
            handle = f
            ownsHandle = true
            self.path = path
        } else {
            // A private stream on descriptor 1 (the global `stdout` is not concurrency-safe).
            guard let f = fdopen(1, "w") else { throw ValidationError("cannot write to standard output") }
            handle = f
            ownsHandle = false
            self.path = "standard output"
        }
    }

    func write(_ line: String) throws {
        var l = line
        l.append("\n")
        let ok = l.withCString { fputs($0, handle) >= 0 }
        if !ok { throw ValidationError("write to \(path) failed: \(String(cString: strerror(errno)))") }
    }

    func close() {
        fflush(handle)
        if ownsHandle { fclose(handle) }
    }
}
