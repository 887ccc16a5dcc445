import ArgumentParser

struct TokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize text with a Hugging Face tokenizer.json.")

    func run() async throws {
        throw NotYetAvailable(command: "tokenize", issue: 3)
    }
}
