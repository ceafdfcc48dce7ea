import Foundation

/// Answer normalisation after QwenLM/Qwen2.5-Math `evaluation/parser.py` `strip_string` (the step list, in order, is
/// in the body). Two parts are simplified, both documented at their step: `convert_word_number` (word2number's
/// `word_to_num`) handles integers but not "point" decimals, and the no-op brace-unwrapping step is left out.
public enum MathNormalization {
    /// `strip_string(string, skip_unit)`.
    public static func stripString(_ input: String, skipUnit: Bool = false) -> String {
        var s = pythonStrip(input)
        // linebreaks; right "."; remove inverse spaces
        s = s.pyReplace("\n", with: "")
        while s.hasSuffix(".") { s.removeLast() }
        s = s.pyReplace(#"\!"#, with: "")
        // matrix
        s = Regex.sub(#"\\begin\{array\}\{.*?\}"#, #"\\begin{pmatrix}"#, s)
        s = Regex.sub(#"\\end\{array\}"#, #"\\end{pmatrix}"#, s)
        s = s.pyReplace("bmatrix", with: "pmatrix")
        // tfrac/dfrac -> frac; \neq \leq \geq
        s = s.pyReplace("tfrac", with: "frac").pyReplace("dfrac", with: "frac")
        s = s.pyReplace(#"\neq"#, with: #"\ne"#).pyReplace(#"\leq"#, with: #"\le"#).pyReplace(#"\geq"#, with: #"\ge"#)
        // \left, \right, \{, \}
        s = s.pyReplace(#"\left"#, with: "").pyReplace(#"\right"#, with: "")
        s = s.pyReplace(#"\{"#, with: "{").pyReplace(#"\}"#, with: "}")
        // a trailing \text{...} unit, if something is left
        let withoutUnit = pythonStrip(Regex.sub(#"\\text\{.*?\}$"#, "", s))
        if !withoutUnit.isEmpty, withoutUnit != s { s = withoutUnit }
        // unit words (MathQA list), twice over
        if !skipUnit {
            for _ in 0..<2 {
                for regex in unitRegexes.value {
                    let t = Regex.sub(regex, "$1$2", s)
                    if !t.isEmpty { s = t }
                }
            }
        }
        // degrees, dollars, \( \)
        s = s.pyReplace(#"^{\circ}"#, with: "").pyReplace(#"^\circ"#, with: "")
        s = s.pyReplace(#"\$"#, with: "").pyReplace("$", with: "")
        s = s.pyReplace(#"\("#, with: "").pyReplace(#"\)"#, with: "")
        s = convertWordNumber(s)
        // \text{X} -> X; x=, y=, z=, x\in, …
        s = Regex.sub(#"\\text\{(.*?)\}"#, "$1", s)
        for key in ["x=", "y=", "z=", #"x\in"#, #"y\in"#, #"z\in"#, #"x\to"#, #"y\to"#, #"z\to"#] {
            s = s.pyReplace(key, with: "")
        }
        s = s.pyReplace(#"\emptyset"#, with: "{}")
        s = s.pyReplace(#"(-\infty,\infty)"#, with: #"\mathbb{R}"#)
        // percentages
        s = s.pyReplace(#"\%"#, with: "").pyReplace("%", with: "")
        // " ." -> " 0.", "{." -> "{0."
        s = s.pyReplace(" .", with: " 0.").pyReplace("{.", with: "{0.")
        // (parser.py then unwraps {x}/(x)/[x] only when the whole string, brackets included, `isalnum()` — never
        // true, so that step changes nothing and is left out.)
        // infinity
        s = s.pyReplace("infinity", with: #"\infty"#)
        if !s.contains(#"\infty"#) { s = s.pyReplace("inf", with: #"\infty"#) }
        s = s.pyReplace(#"+\inity"#, with: #"\infty"#)
        // "and", \mathbf, \mbox{...}
        s = s.pyReplace("and", with: "").pyReplace(#"\mathbf"#, with: "")
        s = Regex.sub(#"\\mbox\{.*?\}"#, "", s)
        // i, j
        if s.contains("j"), !s.contains("i") { s = s.pyReplace("j", with: "i") }
        // 5.00 -> 5, 2.0x -> 2x
        s = Regex.sub(#"(\d+)\.0*([^\d])"#, "$1$2", s)
        s = Regex.sub(#"(\d+)\.0*$"#, "$1", s)
        if s.isEmpty { return s }
        if s.hasPrefix(".") { s = "0" + s }
        // "k = v" with a short left side -> v
        let sides = s.components(separatedBy: "=")
        if sides.count == 2, sides[0].unicodeScalars.count <= 2 { s = sides[1] }
        // \sqrt3 -> \sqrt{3}; no spaces; \frac12 -> \frac{1}{2}; a/b -> \frac{a}{b}
        s = Regex.sub(#"\\sqrt(\w+)"#, #"\\sqrt{$1}"#, s)
        s = s.pyReplace(" ", with: "")
        s = fixFracs(s)
        s = fixSlash(s)
        return s
    }

    /// `_fix_fracs`: `\frac12` → `\frac{1}{2}`, `\frac1{2}` → `\frac{1}{2}`, `\frac1b` → `\frac{1}{b}`.
    static func fixFracs(_ string: String) -> String {
        let parts = string.components(separatedBy: #"\frac"#)
        var out = parts[0]
        for part in parts.dropFirst() {
            out += #"\frac"#
            let scalars = Array(part.unicodeScalars)
            if scalars.first == "{" {
                out += part
                continue
            }
            guard scalars.count >= 2 else { return string }
            let a = String(scalars[0]), b = String(scalars[1])
            let post = String(String.UnicodeScalarView(scalars[2...]))
            out += b != "{" ? "{" + a + "}{" + b + "}" + post : "{" + a + "}" + b + post
        }
        return out
    }

    /// `_fix_a_slash_b`: `3/4` → `\frac{3}{4}` when both sides are integers written canonically (or hold "sqrt").
    static func fixSlash(_ string: String) -> String {
        let parts = string.components(separatedBy: "/")
        guard parts.count == 2 else { return string }
        func ok(_ side: String) -> Bool { side.contains("sqrt") || isCanonicalInteger(side) }
        guard ok(parts[0]), ok(parts[1]) else { return string }
        return #"\frac{"# + parts[0] + "}{" + parts[1] + "}"
    }

    /// Whether `str(int(s)) == s`.
    static func isCanonicalInteger(_ s: String) -> Bool {
        let digits = s.hasPrefix("-") ? s.dropFirst() : Substring(s)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        if digits == "0" { return !s.hasPrefix("-") }
        return digits.first != "0"
    }

    // MARK: convert_word_number (word2number 1.1 `w2n.word_to_num`; failures leave the text unchanged)

    static let numberWords: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
        "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
        "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
        "million": 1_000_000, "billion": 1_000_000_000,
    ]

    /// `word_to_num`: a string of ASCII digits becomes its integer (`"007"` → `"7"`); otherwise the number words
    /// among its space-separated words (any other words are ignored, as w2n ignores them) make the number. Decimals
    /// ("point") are not handled here: such text is left unchanged.
    static func convertWordNumber(_ text: String) -> String {
        let sentence = text.pyReplace("-", with: " ").lowercased()
        // `isdigit()` then `int()`: decimal digits of any script make an integer.
        if !sentence.isEmpty, sentence.unicodeScalars.allSatisfy({ $0.properties.numericType == .decimal }) {
            let ascii = String(sentence.unicodeScalars.map { Character(String(Int($0.properties.numericValue ?? 0))) })
            let trimmed = ascii.drop { $0 == "0" }
            return trimmed.isEmpty ? "0" : String(trimmed)
        }
        let words = sentence.split(whereSeparator: \.isWhitespace).map(String.init)
        if words.contains("point") { return text }
        let clean = words.filter { numberWords[$0] != nil }
        guard !clean.isEmpty else { return text }
        for scale in ["thousand", "million", "billion"] where clean.filter({ $0 == scale }).count > 1 { return text }
        let billion = clean.firstIndex(of: "billion") ?? -1
        let million = clean.firstIndex(of: "million") ?? -1
        let thousand = clean.firstIndex(of: "thousand") ?? -1
        if (thousand > -1 && (thousand < million || thousand < billion)) || (million > -1 && million < billion) { return text }
        func formation(_ ws: ArraySlice<String>) -> Int? {
            let n = ws.map { numberWords[$0]! }
            switch n.count {
            case 0: return nil  // number_formation([]) raises IndexError
            case 4: return n[0] * n[1] + n[2] + n[3]
            case 3: return n[0] * n[1] + n[2]
            case 2: return n.contains(100) ? n[0] * n[1] : n[0] + n[1]
            default: return n[0]
            }
        }
        var total = 0
        if clean.count == 1 {
            total = numberWords[clean[0]]!
        } else {
            let c = clean[...]
            if billion > -1 { guard let m = formation(c[0..<billion]) else { return text }; total += m * 1_000_000_000 }
            if million > -1 {
                guard let m = formation(billion > -1 ? c[(billion + 1)..<million] : c[0..<million]) else { return text }
                total += m * 1_000_000
            }
            if thousand > -1 {
                let start = million > -1 ? million + 1 : (billion > -1 ? billion + 1 : 0)
                guard start <= thousand, let m = formation(c[start..<thousand]) else { return text }
                total += m * 1000
            }
            let last = clean.count - 1
            var hundreds = 0
            if thousand > -1, thousand != last {
                guard let h = formation(c[(thousand + 1)...]) else { return text }; hundreds = h
            } else if million > -1, million != last {
                guard let h = formation(c[(million + 1)...]) else { return text }; hundreds = h
            } else if billion > -1, billion != last {
                guard let h = formation(c[(billion + 1)...]) else { return text }; hundreds = h
            } else if thousand == -1, million == -1, billion == -1 {
                guard let h = formation(c) else { return text }; hundreds = h
            }
            total += hundreds
        }
        return String(total)
    }

    // MARK: unit words

    /// `unit_texts` of parser.py ("units mainly from MathQA"), in order; the plural forms follow, as
    /// `unit_texts.extend([t + "s" for t in unit_texts])` adds them.
    public static let unitTexts: [String] = {
        let base = [
            "east", "degree", "mph", "kmph", "ft", "m sqaure", " m east", "sq m", "deg", "mile", "q .", "monkey", "prime",
            "ratio", "profit of rs", "rd", "o", "gm", "p . m", "lb", "tile", "per", "dm", "lt", "gain", "ab", "way", "west",
            "a .", "b .", "c .", "d .", "e .", "f .", "g .", "h .", "t", "a", "h", "no change", "men", "soldier", "pie", "bc",
            "excess", "st", "inches", "noon", "percent", "by", "gal", "kmh", "c", "acre", "rise", "a . m", "th", "π r 2",
            "sq", "mark", "l", "toy", "coin", "sq . m", "gallon", "° f", "profit", "minw", "yr", "women", "feet", "am",
            "pm", "hr", "cu cm", "square", "v â € ™", "are", "rupee", "rounds", "cubic", "cc", "mtr", "s", "ohm", "number",
            "kmph", "day", "hour", "minute", "min", "second", "man", "woman", "sec", "cube", "mt", "sq inch", "mp",
            "∏ cm ³", "hectare", "more", "sec", "unit", "cu . m", "cm 2", "rs .", "rs", "kg", "g", "month", "km", "m",
            "cm", "mm", "apple", "liter", "loss", "yard", "pure", "year", "increase", "decrease", "d", "less", "Surface",
            "litre", "pi sq m", "s .", "metre", "meter", "inch",
        ]
        return base + base.map { $0 + "s" }
    }()

    /// `re.sub(r"(^|\W)" + unit_text + r"($|\W)", r"\1\2", string)` for every unit text (the text is a regex there,
    /// so its "." matches any character).
    static let unitRegexes = Compiled(unitTexts.compactMap { try? NSRegularExpression(pattern: #"(^|\W)"# + $0 + #"($|\W)"#) })
}

/// Compiled regular expressions shared across threads (NSRegularExpression is immutable and thread-safe).
struct Compiled<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Python `re` operations on NSRegularExpression (ICU), whose syntax and `\d`, `\w`, `$` agree with Python's for the
/// patterns used here. Templates use `$1`.
enum Regex {
    static func sub(_ pattern: String, _ template: String, _ s: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return s }
        return sub(regex, template, s)
    }

    static func sub(_ regex: NSRegularExpression, _ template: String, _ s: String) -> String {
        regex.stringByReplacingMatches(in: s, range: NSRange(location: 0, length: (s as NSString).length), withTemplate: template)
    }

    /// `re.findall(pattern, s)` for a pattern without groups.
    static func findAll(_ pattern: String, _ s: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let ns = s as NSString
        return regex.matches(in: s, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
    }
}

extension String {
    /// Python's `str.replace`: literal, code point by code point (no grapheme or canonical-equivalence matching).
    func pyReplace(_ target: String, with replacement: String) -> String {
        replacingOccurrences(of: target, with: replacement, options: .literal)
    }
}

/// Python's `str.strip()`.
func pythonStrip(_ s: String) -> String {
    var sub = Substring(s)
    while let c = sub.first, c.isWhitespace { sub.removeFirst() }
    while let c = sub.last, c.isWhitespace { sub.removeLast() }
    return String(sub)
}
