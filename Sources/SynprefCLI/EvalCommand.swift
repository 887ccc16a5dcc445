import ArgumentParser

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a reward model on the standard benchmarks.")

    func run() async throws {
        throw NotYetAvailable(command: "eval", issue: 5)
    }
}
