import Foundation
import Synchronization
import ZooCore
import ZooSamplers

/// The constraint stages, by the names manifests and `--chain` use:
///
/// | name | option (`value` = the scalar form) |
/// |---|---|
/// | `json` | — (any JSON value) |
/// | `json_schema` | a schema: JSON text (keys keep their order) or a map (keys sorted) |
/// | `json_schema_file` | the path of a JSON Schema file |
/// | `regex` | a regular expression (``RegexGrammar``'s subset), matched as a whole |
/// | `grammar` | GBNF text (llama.cpp's syntax, ``GBNFParser``) |
/// | `grammar_file` | the path of a GBNF file |
/// | `choice` | a list of strings (or one) |
///
/// ```yaml
/// sampler:
///   - json_schema: {type: object, properties: {answer: {type: integer}}, required: [answer]}
///   - temperature: 0.7
/// ```
/// `--chain 'grammar_file=answer.gbnf,top_k=20'`. A constraint is best first in its chain: the
/// stages after it only rescore or cut what it allows.
public enum ConstraintStages {
    /// The stage names.
    public static let names = ["json", "json_schema", "json_schema_file", "regex", "grammar", "grammar_file", "choice"]

    /// Registers every constraint stage under its name.
    public static func register(into registry: Registry<SamplerStageFactory>) {
        for name in names {
            registry.register(name) { options in try stage(name, options: options) }
        }
    }

    /// The stage `name` with `options`, its grammar compiled (and cached by its text).
    public static func stage(_ name: String, options: ComponentOptions) throws -> GrammarConstraintStage {
        var value = options.values["value"] ?? .null
        if name == "json_schema", options.values["value"] == nil, !options.values.isEmpty {
            // A manifest's `- json_schema: {type: object, …}` arrives as the stage's options.
            value = .map(options.values)
        } else {
            for key in options.values.keys.sorted() where key != "value" {
                throw OptionError(context: options.context, key: "\(name).\(key)", message: "unknown option; \(name) takes one value, e.g. \(name)=…")
            }
        }
        let (key, make) = try recipe(name, value: value, context: options.context)
        let grammar = try GrammarCache.shared.grammar(key, make)
        return GrammarConstraintStage(name: name, grammar: grammar, key: key)
    }

    /// What identifies the grammar, and how to compile it.
    private static func recipe(_ name: String, value: OptionValue, context: String) throws -> (String, () throws -> Grammar) {
        func text() throws -> String {
            guard case .string(let s) = value else {
                throw OptionError(context: context, key: name, message: "expected a string, found \(value.typeName)")
            }
            return s
        }
        func file() throws -> (path: String, text: String) {
            let path = try text()
            do {
                return (path, try String(contentsOfFile: (path as NSString).expandingTildeInPath, encoding: .utf8))
            } catch {
                throw OptionError(context: context, key: name, message: "cannot read \(path): \(error.localizedDescription)")
            }
        }
        switch name {
        case "json":
            guard value == .null else { throw OptionError(context: context, key: name, message: "takes no value") }
            return ("json", JSONGrammar.grammar)
        case "json_schema":
            switch value {
            case .string(let s): return ("json_schema:" + s, { try JSONSchemaGrammar.grammar(jsonText: s) })
            case .map, .bool:
                let schema = JSONValue(wire: value)
                return ("json_schema:" + JSONWriter.compact(schema), { try JSONSchemaGrammar.grammar(schema) })
            default:
                throw OptionError(context: context, key: name, message: "expected a schema (a map or JSON text), found \(value.typeName)")
            }
        case "json_schema_file":
            let (path, s) = try file()
            return ("json_schema:" + s, { try JSONSchemaGrammar.grammar(jsonText: s, source: path) })
        case "regex":
            let s = try text()
            return ("regex:" + s, { try RegexGrammar.grammar(s) })
        case "grammar":
            let s = try text()
            return ("grammar:" + s, { try Grammar(gbnf: s) })
        case "grammar_file":
            let (path, s) = try file()
            return ("grammar:" + s, { try Grammar(gbnf: s, source: path) })
        default:
            let choices: [String]
            switch value {
            case .string(let s): choices = [s]
            case .list(let items):
                choices = try items.map { item in
                    switch item {
                    case .string(let s): return s
                    case .number: return SamplerSpecFormatting.plain(item)
                    default: throw OptionError(context: context, key: name, message: "expected strings, found \(item.typeName)")
                    }
                }
            default: throw OptionError(context: context, key: name, message: "expected a list of strings, e.g. choice=[yes,no]")
            }
            return ("choice:" + choices.map { JSONWriter.compact(.string($0)) }.joined(separator: ","), { try ChoiceGrammar.grammar(choices) })
        }
    }
}

/// Compiled grammars by their text, so that the chain an engine builds per sample compiles once.
final class GrammarCache: Sendable {
    static let shared = GrammarCache()
    private static let capacity = 64
    private let entries = Mutex<[String: Grammar]>([:])

    func grammar(_ key: String, _ make: () throws -> Grammar) throws -> Grammar {
        if let g = entries.withLock({ $0[key] }) { return g }
        let g = try make()
        entries.withLock { table in
            if table.count >= Self.capacity { table.removeAll() }
            table[key] = g
        }
        return g
    }
}

/// How a bare number in a `choice` list reads as text (`choice=[1,2]` means "1" or "2").
enum SamplerSpecFormatting {
    static func plain(_ value: OptionValue) -> String {
        guard case .number(let n) = value else { return "" }
        return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : "\(n)"
    }
}

extension SamplerStageSpec {
    /// A `json_schema` stage for the schema in `jsonText` (its keys keep their order).
    public static func jsonSchema(_ jsonText: String) -> SamplerStageSpec {
        SamplerStageSpec("json_schema", ["value": .string(jsonText)])
    }

    /// A `grammar` stage for GBNF text.
    public static func grammar(_ gbnf: String) -> SamplerStageSpec { SamplerStageSpec("grammar", ["value": .string(gbnf)]) }

    /// A `regex` stage.
    public static func regex(_ pattern: String) -> SamplerStageSpec { SamplerStageSpec("regex", ["value": .string(pattern)]) }

    /// A `choice` stage.
    public static func choice(_ choices: [String]) -> SamplerStageSpec {
        SamplerStageSpec("choice", ["value": .list(choices.map { .string($0) })])
    }

    /// The `json` stage (any JSON value).
    public static var json: SamplerStageSpec { SamplerStageSpec("json") }
}
