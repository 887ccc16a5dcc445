import ArgumentParser

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a Bradley-Terry reward model.")

    func run() async throws {
        throw NotYetAvailable(command: "train", issue: 6)
    }
}
