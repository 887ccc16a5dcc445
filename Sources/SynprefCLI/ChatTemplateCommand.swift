import ArgumentParser

struct ChatTemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat-template",
        abstract: "Render conversations with a model's chat template.")

    func run() async throws {
        throw NotYetAvailable(command: "chat-template", issue: 3)
    }
}
