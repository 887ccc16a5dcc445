import ArgumentParser
import Foundation
import SynprefCore
import SynprefTensor

/// The `synpref` command line. Each subcommand lives in its own file and stays thin: it
/// parses, calls a library, prints.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct SynprefCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "synpref",
        abstract: "Build, score, train and evaluate Bradley-Terry reward models on a CPU.",
        discussion: """
            Synpref follows the Skywork-Reward-V2 recipe: curate preference data, train \
            Bradley-Terry reward models, score conversations, and evaluate on the benchmarks \
            the field uses. Run `synpref help <subcommand>` for details.
            """,
        version: SynprefVersion.string,
        subcommands: [
            ScoreCommand.self,
            ServeCommand.self,
            EmbedCommand.self,
            RetrieveCommand.self,
            JudgeCommand.self,
            CurateCommand.self,
            UsersCommand.self,
            TokenizeCommand.self,
            ChatTemplateCommand.self,
            EvalCommand.self,
            DataCommand.self,
            TrainCommand.self,
            DoctorCommand.self,
        ])

    public init() {}
}

/// Entry point for the `synpref` executable.
public enum SynprefMain {
    public static func run() async {
        BLAS.onFallback { message in ProgressLine.write("warning: \(message)\n") }
        do {
            var command = try SynprefCommand.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            SynprefCommand.exit(withError: FlagAdvice.advised(error))
        }
    }
}
