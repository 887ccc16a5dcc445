import ArgumentParser

@testable import SynprefCLI

/// Runs `synpref ARGS...` in-process, as the executable would (parse, then run).
func runSynpref(_ args: [String]) async throws {
    var command = try SynprefCommand.parseAsRoot(args)
    if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
    } else {
        try command.run()
    }
}
