import ArgumentParser

@testable import SynprefCLI

/// Runs `synpref ARGS...` in-process, as the executable would (parse, then run).
func runSynpref(_ args: [String]) async throws {
    var command = try SynprefCommand.parseAsRoot(args)
    do {
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    } catch {
        // What the user sees: library errors with the flags that fix them.
        throw FlagAdvice.advised(error)
    }
}
