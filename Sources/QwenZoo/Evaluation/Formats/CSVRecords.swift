import Foundation

/// RFC 4180 CSV as pandas' `read_csv` reads the benchmarks' files: fields separated by commas, quoted
/// fields may hold commas, doubled quotes and line breaks. Each record keeps the line it starts on, for errors.
enum CSVRecords {
    /// The records of `text`, with the 1-based line each starts on; blank lines are skipped.
    /// Throws for a quote left open, naming `path` and the record's line.
    static func parse(_ text: String, path: String) throws -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1, recordLine = 1
        var quoted = false, fieldWasQuoted = false
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var i = 0
        func endRecord() {
            fields.append(String(field))
            if !(fields.count == 1 && fields[0].isEmpty && !fieldWasQuoted) { records.append((recordLine, fields)) }
            fields = []
            field = String.UnicodeScalarView()
            fieldWasQuoted = false
        }
        while i < scalars.count {
            let c = scalars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" {
                        field.append("\"")
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
                fieldWasQuoted = true
            } else if c == "," {
                fields.append(String(field))
                field = String.UnicodeScalarView()
                fieldWasQuoted = false
            } else if c == "\n" || c == "\r" {
                if c == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            } else {
                field.append(c)
            }
            i += 1
        }
        if quoted { throw EvaluationError("\(path):\(recordLine): a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRecord() }
        return records
    }
}
