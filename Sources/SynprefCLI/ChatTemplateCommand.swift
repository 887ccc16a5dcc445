import ArgumentParser
import Foundation
import SynprefCore
import SynprefJinja

/// `synpref chat-template`: renders conversations with a tokenizer folder's chat template,
/// exactly as transformers' `apply_chat_template(tokenize=False)` does.
struct ChatTemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat-template",
        abstract: "Render conversations with a model's chat template.",
        discussion: """
            Input: JSON lines {"id": ..., "messages": [{"role": ..., "content": ...}, ...]} \
            (plain or gzip; optional "tools"). Output: JSON lines {"id": ..., "text": ...}. \
            The template comes from DIR/chat_template.jinja or DIR/tokenizer_config.json, \
            and bos_token/eos_token (and the other named special tokens) from \
            DIR/tokenizer_config.json. No generation prompt is added unless asked: a reward \
            model scores the finished conversation.
            """)

    @Option(help: "Hugging Face tokenizer folder (chat_template.jinja or tokenizer_config.json).")
    var tokenizer: String

    @Option(help: "Conversations, one JSON object per line.")
    var input: String

    @Option(help: "Where to write the rendered lines (default: standard output).")
    var output: String?

    @Flag(help: "Append the assistant header, as for generation (off for reward scoring).")
    var addGenerationPrompt = false

    @Option(help: "Use a named template from the folder (default: \"default\").")
    var templateName: String?

    @Option(help: "Use this Jinja file as the template instead of the folder's (special tokens still come from the folder).")
    var templateFile: String?

    func run() async throws {
        let folder = URL(fileURLWithPath: tokenizer)
        let template: ChatTemplate
        if let templateFile {
            let source = try ChatTemplate.readText(URL(fileURLWithPath: templateFile))
            template = try ChatTemplate(source: source, specialTokens: try ChatTemplate.specialTokens(fromDirectory: folder))
        } else {
            template = try ChatTemplate(directory: folder, name: templateName)
        }
        let renderer = ChatTemplateJSONL(template: template, addGenerationPrompt: addGenerationPrompt)
        let sink = try AtomicLineWriter(path: output)
        let count: Int
        do {
            count = try renderer.renderFile(path: input) { try sink.write($0) }
            try sink.commit()
        } catch {
            sink.abandon()
            throw error
        }
        ProgressLine.write("rendered \(count) conversations\n")
    }
}
