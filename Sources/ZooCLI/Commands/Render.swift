import ArgumentParser
import Foundation
import QwenZoo

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the prompt ids a manifest's variant renders for a conversation, as one JSON array.",
        discussion: """
            --messages is a JSON array of OpenAI-style chat messages (role system, user, assistant or tool; an \
            assistant's tool_calls; a tool's tool_call_id). --tools is a JSON array of tools \
            ({"type": "function", "function": {"name", "description", "parameters"}}). The ids end with the \
            assistant's generation prompt, as transformers' apply_chat_template(..., add_generation_prompt=True) \
            gives them, so templates can be checked against it. Only the manifest's tokenizer and variant are \
            loaded, not its weights.
            """)

    @OptionGroup var manifestArguments: ManifestArguments

    @Option(help: "A JSON file: the conversation's messages.")
    var messages: String

    @Option(help: "A JSON file: the tools the model is shown.")
    var tools: String?

    @Option(help: "none, auto (default), required, or a tool's name (a forced call opens <tool_call> in the prompt).")
    var toolChoice: String = "auto"

    func validate() throws {
        guard manifestArguments.manifest != nil else { throw ValidationError("--manifest is required") }
    }

    func run() throws {
        try reportingErrors {
            let conversation = try ToolFiles.messages(messages)
            let toolList = try tools.map(ToolFiles.tools) ?? []
            let renderer = try PromptRenderer.load(try manifestArguments.resolve()!.manifest)
            let choice = ToolChoice(toolChoice)
            _ = try ToolCallSchema.schema(for: toolList, choice: choice)  // a named tool must exist
            let request: VariantRequest = toolList.isEmpty && choice == .auto
                ? .chat(conversation) : .toolChat(ToolChatRequest(messages: conversation, tools: toolList, toolChoice: choice))
            StandardIO.write(StandardIO.json(try renderer.plan(request).tokens) + "\n")
        }
    }
}

/// The JSON files of `--messages` and `--tools`, read with errors that name the file.
enum ToolFiles {
    static func messages(_ path: String) throws -> [ChatMessage] {
        try read(path) { try ChatMessage.list(parsing: $0) }
    }

    static func tools(_ path: String) throws -> [ToolDefinition] {
        try read(path) { try ToolDefinition.list(parsing: $0) }
    }

    private static func read<T>(_ path: String, _ parse: (String) throws -> T) throws -> T {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw InputError(description: "\(path): cannot read the file (\(error.localizedDescription))")
        }
        do {
            return try parse(text)
        } catch {
            throw InputError(description: "\(path): \(error)")
        }
    }
}
