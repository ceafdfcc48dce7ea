// zoo-tools: the model calls a calculator tool, the app computes the result and the model answers with it.
//   swift run --package-path Examples zoo-tools [MANIFEST] ["QUESTION"]
// tool_choice is `required`: the call is held to the tool's JSON Schema by grammar-constrained sampling, so even
// the bundled 1.4M-parameter nano-chat (the default) writes a call that parses.
import Foundation
import QwenZoo

let calculator = ToolDefinition(
    name: "calculator", description: "Evaluate an arithmetic expression: numbers, + - * / and parentheses.",
    parameters: [
        "type": "object",
        // The pattern keeps even a small model's call evaluable: the grammar allows only such strings.
        "properties": ["expression": ["type": "string", "description": "The expression, e.g. 17 * 23",
                                      "pattern": "[0-9]{1,4}( [-+*/] [0-9]{1,4}){0,2}"]],
        "required": ["expression"],
        "additionalProperties": false,
    ])

/// + - * / and parentheses over decimals, by recursive descent; nil for anything else.
func evaluate(_ text: String) -> Double? {
    var s = Substring(text.filter { !$0.isWhitespace })
    func number() -> Double? {
        if s.first == "(" {
            s.removeFirst()
            let v = sum()
            guard s.first == ")" else { return nil }
            s.removeFirst()
            return v
        }
        if s.first == "-" { s.removeFirst(); return number().map { -$0 } }
        let digits = s.prefix { $0.isNumber || $0 == "." }
        s.removeFirst(digits.count)
        return Double(digits)
    }
    func product() -> Double? {
        guard var v = number() else { return nil }
        while let op = s.first, op == "*" || op == "/" {
            s.removeFirst()
            guard let r = number() else { return nil }
            v = op == "*" ? v * r : v / r
        }
        return v
    }
    func sum() -> Double? {
        guard var v = product() else { return nil }
        while let op = s.first, op == "+" || op == "-" {
            s.removeFirst()
            guard let r = product() else { return nil }
            v = op == "+" ? v + r : v - r
        }
        return v
    }
    let value = sum()
    return s.isEmpty ? value : nil
}

let arguments = CommandLine.arguments.dropFirst()
let name = arguments.first ?? "nano-chat"
let question = arguments.dropFirst().first ?? "What is 17 times 23?"
let repositoryZoo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../zoo").standardizedFileURL
let model = try await Zoo.model(named: name, searchPaths: ManifestLoader.defaultSearchPaths + [repositoryZoo])

let chat = model.chat(options: GenerationOptions(maxTokens: 96), tools: [calculator], toolChoice: .required)
print("you: \(question)")
let first: Response
do {
    first = try await chat.reply(to: question)
} catch {
    print("error: \(error)")  // e.g. a build without grammar-constrained sampling
    exit(1)
}
for warning in first.warnings { print("warning: \(warning)") }
guard let call = first.toolCalls.first else {
    print("no tool call; the model wrote: \(first.text)")
    exit(1)
}
let expression = call.arguments["expression"]?.stringValue ?? ""
let result = evaluate(expression).map { $0.rounded() == $0 ? String(Int($0)) : String($0) } ?? "error: cannot evaluate \(expression)"
print("tool call: \(call.name) \(call.arguments)")
print("tool result: \(result)")

// The result goes back as a `tool` message; with tool_choice auto the model may now answer in words.
await chat.setTools(choice: .auto)
let answer = try await chat.reply(with: [.toolResult(result, for: call)])
print("bot: \(answer.toolCalls.isEmpty ? answer.text : "another call: \(answer.toolCalls.map(\.name))")")
