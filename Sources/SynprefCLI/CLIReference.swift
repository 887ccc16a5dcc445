import ArgumentParser
import Foundation

/// The command-line reference (`docs/cli.md`): every subcommand's `--help` text, generated
/// from the argument parser itself so the document cannot drift from the code
/// (`CLIReferenceTests` fails when it does and says how to regenerate it).
public enum CLIReference {
    /// Width the help texts are wrapped at.
    static let columns = 100

    /// The whole reference as Markdown.
    public static func markdown() -> String {
        var out = """
            # `synpref` command-line reference

            Generated from the commands' own help (`synpref help <subcommand>` prints the same).
            Regenerate after changing an option:
            `SYNPREF_UPDATE_CLI_REFERENCE=1 swift test --filter CLIReferenceTests`.

            """
        var sections: [(path: String, help: String)] = []
        collect(SynprefCommand.self, path: [], into: &sections)
        out += "\n"
        for section in sections {
            let anchor = section.path.replacingOccurrences(of: " ", with: "-")
            out += "- [`\(section.path)`](#\(anchor))\n"
        }
        for section in sections {
            out += "\n## \(section.path)\n\n```text\n\(section.help.trimmingTrailingWhitespace())\n```\n"
        }
        return out
    }

    private static func collect(
        _ command: any ParsableCommand.Type, path: [String], into sections: inout [(path: String, help: String)]
    ) {
        let configuration = command.configuration
        let name = configuration.commandName ?? String(describing: command)
        let fullPath = path + [name]
        sections.append((fullPath.joined(separator: " "),
                         SynprefCommand.helpMessage(for: command, columns: columns)))
        for sub in configuration.subcommands {
            collect(sub, path: fullPath, into: &sections)
        }
    }
}

extension String {
    /// The text with trailing spaces removed from every line (help output pads some lines).
    fileprivate func trimmingTrailingWhitespace() -> String {
        split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in
                var l = Substring(line)
                while l.last == " " { l = l.dropLast() }
                return String(l)
            }
            .joined(separator: "\n")
            .trimmingCharacters(in: .newlines)
    }
}
