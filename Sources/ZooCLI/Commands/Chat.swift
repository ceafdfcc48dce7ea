import ArgumentParser
import Foundation
import QwenZoo

struct Chat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat with a manifest's model: one line per user turn, replies streamed.",
        discussion: """
            The conversation lives in a session whose prompt cache keeps the history, so a turn costs \
            only its new tokens. When it outgrows the context (or the variant's history_budget) the \
            oldest turns are dropped, with a note on stderr. Commands: /help, /reset (forget the \
            conversation), /quit; end of input (Ctrl-D) also quits. On a terminal the line can be edited \
            and ↑/↓ recall earlier turns.

            With --tools FILE (a JSON array of OpenAI-style tools) the model may call them: each call is printed \
            as a line "tool call: NAME ARGUMENTS-JSON", and the next lines you type are the calls' results, one \
            line per call, in order; once every call has its result, the model continues the turn.
            """)

    @OptionGroup var arguments: VariantRunArguments

    @Option(help: "A JSON file of tools the model may call ([{\"type\": \"function\", \"function\": {...}}]).")
    var tools: String?

    @Option(help: "With --tools: none, auto (default), required, or a tool's name.")
    var toolChoice: String = "auto"

    static let help = "/help this list · /reset forget the conversation · /quit leave (or Ctrl-D)"

    func run() throws {
        try reportingErrors {
            let zoo = try arguments.load()
            try Self.checkChatVariant(zoo)
            let options = try arguments.options()
            let toolList = try tools.map(ToolFiles.tools) ?? []
            let choice = ToolChoice(toolChoice)
            _ = try ToolCallSchema.schema(for: toolList, choice: choice)  // a named tool must exist, before any turn
            let session = zoo.chat(options: options, tools: toolList, toolChoice: choice)
            // Calls of the last reply still waiting for their results, and the results typed so far.
            var pending: [ToolCall] = []
            var results: [ChatMessage] = []
            // A terminal gets line editing and history; piped input is read line by line.
            let editor = isatty(0) == 1 ? LineEditor(prompt: "> ") : nil
            StandardIO.writeError("\(zoo.manifest.name): type a message; \(Self.help)\n")
            var toldAboutWindow = false
            while true {
                guard let line = editor.map({ $0.readLine() }) ?? readLine(strippingNewline: true) else { break }
                let text = line.trimmingCharacters(in: .whitespaces)
                switch text {
                case "/quit", "/exit": return
                case "/help":
                    StandardIO.writeError(Self.help + "\n")
                    continue
                case "/reset":
                    try AsyncBridge.wait { try await session.reset() }
                    pending = []
                    results = []
                    StandardIO.writeError("(conversation reset)\n")
                    continue
                case "" where pending.isEmpty:
                    StandardIO.writeError("zoo: error: the message is empty; type some text (/help for commands)\n")
                    continue
                case _ where text.hasPrefix("/") && !text.contains(" "):
                    StandardIO.writeError("zoo: unknown command \(text); \(Self.help)\n")
                    continue
                default: break
                }
                let sending: [ChatMessage]
                if pending.isEmpty {
                    sending = [ChatMessage(.user, line)]
                } else {
                    results.append(.toolResult(line, for: pending[results.count]))
                    guard results.count == pending.count else {
                        Self.askForResult(of: pending, index: results.count)
                        continue
                    }
                    sending = results
                    pending = []
                    results = []
                }
                do {
                    let response = try AsyncBridge.wait { try await Self.turn(sending, on: session) }
                    pending = response.toolCalls
                    for call in pending { StandardIO.write("tool call: \(call.name) \(JSONWriter.compact(call.arguments))\n") }
                    if !pending.isEmpty { Self.askForResult(of: pending, index: 0) }
                    for warning in response.warnings {
                        // Dropping turns is said once; it happens again whenever the window fills.
                        let isWindowNotice = ConversationWindow.isNotice(warning)
                        if isWindowNotice, toldAboutWindow { continue }
                        StandardIO.writeError("zoo: \(isWindowNotice ? "note" : "warning"): \(warning)\n")
                        toldAboutWindow = toldAboutWindow || isWindowNotice
                    }
                } catch {
                    // A failed turn is reported; the conversation goes on.
                    StandardIO.write("\n")
                    StandardIO.writeError("zoo: error: \(error)\n")
                }
            }
        }
    }

    /// Streams one reply to stdout and returns the response once the stream has ended, so that the session's
    /// work for the turn is over before the next line is read (or the process exits).
    private static func turn(_ messages: [ChatMessage], on session: ChatSession) async throws -> Response {
        var done: Response?
        for try await event in session.respond(with: messages) {
            switch event {
            case .text(let chunk): StandardIO.write(chunk)
            case .done(let response):
                StandardIO.write("\n")
                done = response
            default: break
            }
        }
        guard let done else { throw CancellationError() }
        return done
    }

    private static func askForResult(of calls: [ToolCall], index: Int) {
        StandardIO.writeError("(type the result of tool call \(index + 1)/\(calls.count), \(calls[index].name))\n")
    }

    /// Refuses a manifest whose variant cannot take chat turns, before the first prompt.
    static func checkChatVariant(_ zoo: LoadedModel) throws {
        do {
            _ = try zoo.plan(.chat([ChatMessage(.user, "hello")]))
        } catch {
            throw InputError(description: "zoo chat needs a chat variant: \(zoo.manifest.name) has variant \"\(zoo.manifest.variant.name)\" (\(error))")
        }
    }
}
