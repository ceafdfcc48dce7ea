import ZooCore

/// JSON Schema to grammar: the output is a JSON value the schema accepts.
///
/// Supported keywords (anything else is an error naming the keyword and its JSON path):
/// - `type` (a name or a list, e.g. `["string", "null"]`), `const`, `enum`, `anyOf`, `oneOf`,
///   `$ref` (local: `#`, `#/$defs/…`, `#/definitions/…`) with `$defs` / `definitions`;
/// - objects: `properties` (written in the schema's order), `required`, `additionalProperties`
///   (`false`, `true` or a schema; absent means no extra properties are generated, which every
///   validator accepts; extra names have at most 16 characters and never repeat a declared one);
/// - arrays: `items`, `prefixItems`, `minItems`, `maxItems`;
/// - strings: `minLength`, `maxLength`, `pattern` (``RegexGrammar``'s subset, matched as a
///   whole), `format` `date`, `time`, `date-time`, `uuid`;
/// - `integer` and `number`: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`
///   (integer-valued bounds for `number`);
/// - annotations are ignored: `title`, `description`, `default`, `examples`, `$schema`, `$id`,
///   `$comment`, `deprecated`, `readOnly`, `writeOnly`.
///
/// `oneOf` is generated as `anyOf`: its alternatives should not overlap.
public struct JSONSchemaGrammar {
    /// Rules whose `rootName` rule matches the values `schema` accepts; every other rule's name
    /// starts with `rootName-`, so the rules can join another grammar (e.g. a tool call's
    /// `"<tool_call>" call "</tool_call>"`).
    public static func rules(for schema: JSONValue, rootName: String = "root", source: String = "json_schema") throws -> [GrammarRuleDefinition] {
        var converter = JSONSchemaGrammar(root: schema, prefix: rootName == "root" ? "schema" : rootName, source: source)
        let body = try converter.convert(schema, path: "$")
        return JSONGrammar.rules(prefix: converter.prefix) + converter.rules
            + [GrammarRuleDefinition(name: rootName, body: body, location: "")]
    }

    /// The grammar of the values `schema` accepts.
    public static func grammar(_ schema: JSONValue, source: String = "json_schema") throws -> Grammar {
        try Grammar(rules: rules(for: schema, source: source), source: source)
    }

    /// The grammar of the values the schema in `jsonText` accepts.
    public static func grammar(jsonText: String, source: String = "json_schema") throws -> Grammar {
        try grammar(parse(jsonText, source: source), source: source)
    }

    /// A schema's JSON text, read with its keys in written order (``JSONValue``); an error names
    /// `source` and the `line:column`.
    public static func parse(_ jsonText: String, source: String = "json_schema") throws -> JSONValue {
        do {
            return try JSONValue(parsing: jsonText)
        } catch let error as JSONSyntaxError {
            throw GrammarError(source: source, location: "\(error.line):\(error.column)", reason: error.message)
        }
    }

    static let annotations: Set<String> = [
        "title", "description", "default", "examples", "$schema", "$id", "$comment", "deprecated", "readOnly", "writeOnly",
        "$defs", "definitions",
    ]
    static let typeKeywords: [String: Set<String>] = [
        "object": ["properties", "required", "additionalProperties"],
        "array": ["items", "prefixItems", "minItems", "maxItems"],
        "string": ["minLength", "maxLength", "pattern", "format"],
        "integer": ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"],
        "number": ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"],
        "boolean": [], "null": [],
    ]
    static let combinators: Set<String> = ["type", "const", "enum", "anyOf", "oneOf", "$ref"]

    let root: JSONValue
    let prefix: String
    let source: String
    var rules: [GrammarRuleDefinition] = []
    private var refRules: [String: String] = [:]
    private var defined: [GrammarExpression: String] = [:]
    private var counter = 0
    private var nesting = 0

    private init(root: JSONValue, prefix: String, source: String) {
        self.root = root
        self.prefix = prefix
        self.source = source
    }

    private func fail(_ path: String, _ reason: String) -> GrammarError {
        GrammarError(source: source, location: path, reason: reason)
    }

    private func common(_ name: String) -> GrammarExpression { .rule("\(prefix)-\(name)") }
    private var space: GrammarExpression { common("space") }

    /// Names `body` as a rule of its own (so it is written once however often it is used). An
    /// equal body gets the rule already made for it: two properties of one type share their
    /// parser states, and so their masks.
    private mutating func define(_ hint: String, _ body: GrammarExpression) -> GrammarExpression {
        if let name = defined[body] { return .rule(name) }
        counter += 1
        let name = "\(prefix)-\(hint)-\(counter)"
        rules.append(GrammarRuleDefinition(name: name, body: body, location: ""))
        defined[body] = name
        return .rule(name)
    }

    // MARK: Schemas

    /// The deepest a schema may nest subschemas (each level is a few frames of this converter and
    /// of the lowering; a fuzzed schema must get an error, not a stack overflow).
    public static let maxNesting = 64

    mutating func convert(_ schema: JSONValue, path: String) throws -> GrammarExpression {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Self.maxNesting else { throw fail(path, "subschemas nest more than \(Self.maxNesting) deep") }
        switch schema {
        case .bool(true): return common("value")
        case .bool(false): throw fail(path, "the schema false accepts no value, so nothing can be generated")
        case .object: break
        default: throw fail(path, "a schema must be an object or a boolean, found \(JSONWriter.compact(schema))")
        }
        guard case .object(let object) = schema else { return common("value") }
        let members = object.members
        let keys = Set(object.keys)
        let known = Self.annotations.union(Self.combinators).union(Self.typeKeywords.values.joined())
        for (key, _) in members where !known.contains(key) {
            throw fail("\(path).\(key)", "unsupported keyword \"\(key)\"")
        }
        let validating = keys.subtracting(Self.annotations)
        if let ref = schema["$ref"] {
            guard validating == ["$ref"] else {
                throw fail(path, "\"$ref\" beside other keywords (\(validating.subtracting(["$ref"]).sorted().joined(separator: ", "))) is not supported")
            }
            return try reference(ref, path: "\(path).$ref")
        }
        if let value = schema["const"] { return .text(JSONWriter.compact(value)) }
        if let values = schema["enum"] {
            guard case .array(let items) = values, !items.isEmpty else { throw fail("\(path).enum", "must be a non-empty array") }
            return .anyText(of: items.map { JSONWriter.compact($0) })
        }
        for keyword in ["anyOf", "oneOf"] {
            guard let value = schema[keyword] else { continue }
            guard case .array(let subschemas) = value, !subschemas.isEmpty else { throw fail("\(path).\(keyword)", "must be a non-empty array of schemas") }
            let others = validating.subtracting([keyword])
            guard others.isEmpty else {
                throw fail(path, "\"\(keyword)\" beside other keywords (\(others.sorted().joined(separator: ", "))) is not supported; move them into each alternative")
            }
            var options: [GrammarExpression] = []
            for (i, s) in subschemas.enumerated() { options.append(try convert(s, path: "\(path).\(keyword)[\(i)]")) }
            return .either(options)
        }
        let types: [String]
        switch schema["type"] {
        case .string(let t)?: types = [t]
        case .array(let list)?:
            types = try list.enumerated().map { i, t in
                guard case .string(let name) = t else { throw fail("\(path).type[\(i)]", "must be a type name") }
                return name
            }
            guard !types.isEmpty else { throw fail("\(path).type", "must name at least one type") }
        case nil:
            // No type: the one the keywords imply, else any value.
            let implied = Self.typeKeywords.filter { $0.key != "integer" && !$0.value.isDisjoint(with: validating) }.map(\.key)
            if implied.isEmpty { return common("value") }
            types = implied.sorted()
            guard types.count == 1 else { throw fail(path, "keywords of several types (\(types.joined(separator: ", "))) need a \"type\"") }
        case let other?:
            throw fail("\(path).type", "must be a type name or a list of them, found \(JSONWriter.compact(other))")
        }
        var options: [GrammarExpression] = []
        for t in types {
            guard Self.typeKeywords[t] != nil else { throw fail("\(path).type", "unknown type \"\(t)\"") }
            options.append(try typed(t, schema, path: path))
        }
        return .either(options)
    }

    private mutating func typed(_ type: String, _ schema: JSONValue, path: String) throws -> GrammarExpression {
        switch type {
        case "null": return .text("null")
        case "boolean": return common("boolean")
        case "integer": return try integer(schema, path: path)
        case "number": return try number(schema, path: path)
        case "string": return try string(schema, path: path)
        case "array": return try array(schema, path: path)
        default: return try object(schema, path: path)
        }
    }

    private mutating func reference(_ ref: JSONValue, path: String) throws -> GrammarExpression {
        guard case .string(let pointer) = ref else { throw fail(path, "must be a string") }
        if let name = refRules[pointer] { return .rule(name) }
        guard pointer == "#" || pointer.hasPrefix("#/") else {
            throw fail(path, "only local references (#, #/$defs/…) are supported, found \"\(pointer)\"")
        }
        var target = root
        for segment in pointer.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) where pointer != "#" {
            let key = segment.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch target {
            case .object: guard let next = target[key] else { throw fail(path, "\"\(pointer)\" does not resolve (no \"\(key)\")") }; target = next
            case .array(let items):
                guard let i = Int(key), items.indices.contains(i) else { throw fail(path, "\"\(pointer)\" does not resolve") }
                target = items[i]
            default: throw fail(path, "\"\(pointer)\" does not resolve")
            }
        }
        counter += 1
        let name = "\(prefix)-ref-\(counter)"
        refRules[pointer] = name  // before converting, so that a recursive schema refers to itself
        let body = try convert(target, path: pointer == "#" ? "$" : "$" + pointer.dropFirst(1).replacingOccurrences(of: "/", with: "."))
        rules.append(GrammarRuleDefinition(name: name, body: body, location: ""))
        return .rule(name)
    }

    // MARK: Numbers

    private func bound(_ schema: JSONValue, _ key: String, path: String) throws -> Double? {
        guard let v = schema[key] else { return nil }
        guard let n = v.doubleValue, n.isFinite, abs(n) < 1e15 else {
            throw fail("\(path).\(key)", "must be a number below 1e15 in magnitude (draft-4 boolean exclusive bounds are not supported)")
        }
        return n
    }

    private func integerBounds(_ schema: JSONValue, path: String, allowEmpty: Bool = false) throws -> (Int64?, Int64?) {
        var low = try bound(schema, "minimum", path: path).map { Int64($0.rounded(.up)) }
        if let e = try bound(schema, "exclusiveMinimum", path: path) {
            let v = Int64(e.rounded(.down)) + 1
            low = max(low ?? v, v)
        }
        var high = try bound(schema, "maximum", path: path).map { Int64($0.rounded(.down)) }
        if let e = try bound(schema, "exclusiveMaximum", path: path) {
            let v = Int64(e.rounded(.up)) - 1
            high = min(high ?? v, v)
        }
        if !allowEmpty, let l = low, let h = high, l > h { throw fail(path, "no integer lies between the bounds") }
        return (low, high)
    }

    private mutating func integer(_ schema: JSONValue, path: String) throws -> GrammarExpression {
        let (low, high) = try integerBounds(schema, path: path)
        if low == nil && high == nil { return common("integer") }
        return define("integer", IntegerRangeGrammar.integers(low, high))
    }

    private mutating func number(_ schema: JSONValue, path: String) throws -> GrammarExpression {
        let keys = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]
        guard keys.contains(where: { schema[$0] != nil }) else { return common("number") }
        for key in keys {
            if let b = try bound(schema, key, path: path), b != b.rounded() {
                throw fail("\(path).\(key)", "a number's bounds must be integers (found \(b))")
            }
        }
        let (low, high) = try integerBounds(schema, path: path, allowEmpty: true)
        let a = try bound(schema, "minimum", path: path).map(Int64.init) ?? (try bound(schema, "exclusiveMinimum", path: path).map(Int64.init))
        let b = try bound(schema, "maximum", path: path).map(Int64.init) ?? (try bound(schema, "exclusiveMaximum", path: path).map(Int64.init))
        // x = ±(I + f) with a fraction f in (0, 1): I ranges where every such x stays inside.
        let fraction = GrammarExpression.sequence([.text("."), GrammarExpression.range("0", "9").times(0, 5), .range("1", "9")])
        var options: [GrammarExpression] = []
        if low.flatMap({ l in high.map { l <= $0 } }) ?? true { options.append(IntegerRangeGrammar.integers(low, high)) }
        let positiveLow = max(0, a ?? 0), positiveHigh = b.map { $0 - 1 }
        if b.map({ $0 > 0 }) ?? true, positiveHigh.map({ positiveLow <= $0 }) ?? true {
            options.append(.sequence([IntegerRangeGrammar.magnitudes(positiveLow, positiveHigh), fraction]))
        }
        let negativeLow = max(0, b.map { -$0 } ?? 0), negativeHigh = a.map { -$0 - 1 }
        if a.map({ $0 < 0 }) ?? true, negativeHigh.map({ negativeLow <= $0 }) ?? true {
            options.append(.sequence([.text("-"), IntegerRangeGrammar.magnitudes(negativeLow, negativeHigh), fraction]))
        }
        guard !options.isEmpty else { throw fail(path, "no number lies between the bounds") }
        return define("number", .either(options))
    }

    // MARK: Strings

    private func count(_ schema: JSONValue, _ key: String, path: String) throws -> Int? {
        guard let v = schema[key] else { return nil }
        guard let n = v.doubleValue, n >= 0, n == n.rounded(), n <= Double(GBNFParser.maxRepetition) else {
            throw fail("\(path).\(key)", "must be a whole number from 0 to \(GBNFParser.maxRepetition)")
        }
        return Int(n)
    }

    private mutating func string(_ schema: JSONValue, path: String) throws -> GrammarExpression {
        let quote = GrammarExpression.text("\"")
        let minLength = try count(schema, "minLength", path: path) ?? 0
        let maxLength = try count(schema, "maxLength", path: path)
        if let m = maxLength, m < minLength { throw fail(path, "maxLength is below minLength") }
        let lengths = schema["minLength"] != nil || schema["maxLength"] != nil
        if let format = schema["format"] {
            guard case .string(let name) = format, let body = Self.format(name) else {
                throw fail("\(path).format", "unsupported format \(JSONWriter.compact(format)) (supported: date, time, date-time, uuid)")
            }
            guard !lengths, schema["pattern"] == nil else { throw fail(path, "\"format\" with a length or a pattern is not supported") }
            return define("format", .sequence([quote, body, quote]))
        }
        if let pattern = schema["pattern"] {
            guard case .string(let regex) = pattern else { throw fail("\(path).pattern", "must be a string") }
            guard !lengths else { throw fail(path, "\"pattern\" with minLength/maxLength is not supported") }
            let body = try RegexGrammar.expression(regex, context: .jsonString, source: "\(source) \(path).pattern")
            return define("pattern", .sequence([quote, body, quote]))
        }
        guard lengths else { return common("string") }
        return define("string", .sequence([quote, common("char").times(minLength, maxLength), quote]))
    }

    /// RFC 3339 dates and times as JSON Schema's format checkers read them (a day that exists in
    /// its month, a time with a zone).
    static func format(_ name: String) -> GrammarExpression? {
        let d = GrammarExpression.range("0", "9")
        let two = { (a: GrammarExpression, b: GrammarExpression) in GrammarExpression.sequence([a, b]) }
        let month31 = GrammarExpression.either(["01", "03", "05", "07", "08", "10", "12"].map { .text($0) })
        let month30 = GrammarExpression.either(["04", "06", "09", "11"].map { .text($0) })
        let day28 = GrammarExpression.either([two(.text("0"), .range("1", "9")), two(.text("1"), d), two(.text("2"), .range("0", "8"))])
        let date = GrammarExpression.sequence([
            .range("1", "9"), d.times(3, 3), .text("-"),
            .either([
                .sequence([month31, .text("-"), .either([day28, .text("29"), .text("30"), .text("31")])]),
                .sequence([month30, .text("-"), .either([day28, .text("29"), .text("30")])]),
                .sequence([.text("02-"), day28]),
            ]),
        ])
        let hour = GrammarExpression.either([two(.range("0", "1"), d), two(.text("2"), .range("0", "3"))])
        let sixty = two(.range("0", "5"), d)
        let zone = GrammarExpression.either([.text("Z"), .sequence([.oneOf("+-"), hour, .text(":"), sixty])])
        let time = GrammarExpression.sequence([
            hour, .text(":"), sixty, .text(":"), sixty,
            GrammarExpression.sequence([.text("."), d.times(1, 6)]).optional, zone,
        ])
        let hex = GrammarExpression.characterClass(ranges: [48...57, 97...102], negated: false)
        switch name {
        case "date": return date
        case "time": return time
        case "date-time": return .sequence([date, .text("T"), time])
        case "uuid":
            return .sequence([hex.times(8, 8), .text("-"), hex.times(4, 4), .text("-"), hex.times(4, 4), .text("-"),
                              hex.times(4, 4), .text("-"), hex.times(12, 12)])
        default: return nil
        }
    }

    // MARK: Arrays

    private mutating func array(_ schema: JSONValue, path: String) throws -> GrammarExpression {
        let minItems = try count(schema, "minItems", path: path) ?? 0
        let maxItems = try count(schema, "maxItems", path: path)
        if let m = maxItems, m < minItems { throw fail(path, "maxItems is below minItems") }
        var prefix: [GrammarExpression] = []
        if let p = schema["prefixItems"] {
            guard case .array(let schemas) = p else { throw fail("\(path).prefixItems", "must be an array of schemas") }
            for (i, s) in schemas.enumerated() {
                prefix.append(define("item", try convert(s, path: "\(path).prefixItems[\(i)]")))
            }
        }
        var extra: GrammarExpression?
        switch schema["items"] {
        case .bool(false)?: extra = nil
        case let s?: extra = define("item", try convert(s, path: "\(path).items"))
        case nil: extra = prefix.isEmpty || minItems > prefix.count ? common("value") : nil
        }
        if extra == nil, minItems > prefix.count {
            throw fail(path, "minItems (\(minItems)) needs more items than prefixItems gives and items is false")
        }
        let separator = GrammarExpression.sequence([.text(","), space])
        /// What may follow once `k` items are written.
        func after(_ k: Int) -> GrammarExpression {
            if let m = maxItems, k >= m { return .empty }
            if k < prefix.count {
                let next = GrammarExpression.sequence([separator, prefix[k], after(k + 1)])
                return k >= minItems ? next.optional : next
            }
            guard let extra else { return .empty }
            return GrammarExpression.sequence([separator, extra]).times(max(0, minItems - k), maxItems.map { $0 - k })
        }
        var body = GrammarExpression.empty
        if maxItems != 0, let first = prefix.first ?? extra {
            body = .sequence([first, after(1)])
            if minItems == 0 { body = body.optional }
        }
        return define("array", .sequence([.text("["), space, body, .text("]")]))
    }

    // MARK: Objects

    private mutating func object(_ schema: JSONValue, path: String) throws -> GrammarExpression {
        var properties: [(name: String, schema: JSONValue)] = []
        if let p = schema["properties"] {
            guard case .object(let members) = p else { throw fail("\(path).properties", "must be an object") }
            properties = members.members.map { ($0.key, $0.value) }
        }
        var required = Set<String>()
        if let r = schema["required"] {
            guard case .array(let names) = r else { throw fail("\(path).required", "must be an array of names") }
            for (i, n) in names.enumerated() {
                guard case .string(let name) = n else { throw fail("\(path).required[\(i)]", "must be a string") }
                required.insert(name)
                if !properties.contains(where: { $0.name == name }) { properties.append((name, .bool(true))) }
            }
        }
        var extraValue: GrammarExpression?
        switch schema["additionalProperties"] {
        case nil, .bool(false)?: extraValue = nil
        case let s?: extraValue = try convert(s, path: "\(path).additionalProperties")
        }
        let colon = GrammarExpression.sequence([.text(":"), space])
        var pairs: [GrammarExpression] = []
        for (name, s) in properties {
            let value = try convert(s, path: "\(path).properties.\(name)")
            pairs.append(define("kv", .sequence([.text(JSONWriter.compact(.string(name))), colon, value])))
        }
        let separator = GrammarExpression.sequence([.text(","), space])
        var extraPair: GrammarExpression?
        if let extraValue {
            let key = GrammarExpression.sequence([.text("\""), Self.keyNotIn(properties.map(\.name)), .text("\"")])
            extraPair = define("extra-kv", .sequence([key, colon, extraValue]))
        }
        // After something is written, each property is "," pair (required) or ("," pair)?.
        func laterPairs(from k: Int) -> GrammarExpression {
            var items: [GrammarExpression] = []
            for j in k..<properties.count {
                let item = GrammarExpression.sequence([separator, pairs[j]])
                items.append(required.contains(properties[j].name) ? item : item.optional)
            }
            if let extraPair { items.append(GrammarExpression.sequence([separator, extraPair]).times(0, nil)) }
            return .sequence(items)
        }
        // Before anything is written: the first pair written is property k (optional ones may be skipped).
        var firstFrom = GrammarExpression.empty
        if let extraPair { firstFrom = GrammarExpression.sequence([extraPair, laterPairs(from: properties.count)]).optional }
        for k in stride(from: properties.count - 1, through: 0, by: -1) {
            let here = GrammarExpression.sequence([pairs[k], laterPairs(from: k + 1)])
            firstFrom = required.contains(properties[k].name) ? here : define("props", .either([here, firstFrom]))
        }
        return define("object", .sequence([.text("{"), space, firstFrom, .text("}")]))
    }

    /// Unescaped JSON string contents of at most ``maxExtraKeyLength`` characters other than the
    /// given names (extra properties never repeat a declared one).
    /// The longest name an extra property gets (a constrained key must end somewhere).
    public static let maxExtraKeyLength = 16

    static func keyNotIn(_ names: [String]) -> GrammarExpression {
        let plain: [ClosedRange<UInt32>] = [0...0x1F, 0x22...0x22, 0x5C...0x5C]
        let anyPlain = GrammarExpression.characterClass(ranges: plain, negated: true)
        // A trie of the names, cut at maxExtraKeyLength characters: a longer name can never be an
        // extra key, so the recursion is that deep at most whatever the schema says (a 900-character
        // "required" name used to nest the expression 900 deep). Nil where no key can go on.
        func build(_ words: [[UInt32]], depth: Int) -> GrammarExpression? {
            var options: [GrammarExpression] = []
            if !words.contains(where: \.isEmpty) { options.append(.empty) }
            guard depth < maxExtraKeyLength else { return options.isEmpty ? nil : .either(options) }
            let firsts = Set(words.compactMap(\.first)).sorted()
            for c in firsts {
                let rest = words.filter { $0.first == c }.map { Array($0.dropFirst()) }
                if let tail = build(rest, depth: depth + 1) { options.append(.sequence([.literal([c]), tail])) }
            }
            let other = GrammarExpression.characterClass(ranges: plain + firsts.map { $0...$0 }, negated: true)
            options.append(.sequence([other, anyPlain.times(0, maxExtraKeyLength - 1 - depth)]))
            return .either(options)
        }
        let words = names.map { $0.unicodeScalars.map(\.value) }.filter { $0.count <= maxExtraKeyLength }
        return build(words, depth: 0)!
    }
}
