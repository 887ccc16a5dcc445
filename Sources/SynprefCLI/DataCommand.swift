import ArgumentParser

struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Import, validate, deduplicate, decontaminate and export preference data.")

    func run() async throws {
        throw NotYetAvailable(command: "data", issue: 4)
    }
}
