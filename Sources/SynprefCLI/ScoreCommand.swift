import ArgumentParser

struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score conversations or token sequences with a reward model.")

    func run() async throws {
        throw NotYetAvailable(command: "score", issue: 2)
    }
}
