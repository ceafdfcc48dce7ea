import Foundation

/// Reads lines from a terminal with editing and history: ←/→, Home/End (Ctrl-A/E), Backspace,
/// ↑/↓ through earlier lines, Ctrl-U clears, Ctrl-D on an empty line ends input. Used only when
/// stdin is a terminal; piped input is read as plain lines.
final class LineEditor {
    private var history: [String] = []
    private let prompt: String

    init(prompt: String) {
        self.prompt = prompt
    }

    /// The next line, or `nil` at end of input. Falls back to `readLine` if the terminal cannot
    /// be put in raw mode.
    func readLine() -> String? {
        var saved = termios()
        guard tcgetattr(0, &saved) == 0 else { return Swift.readLine(strippingNewline: true) }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        tcsetattr(0, TCSADRAIN, &raw)  // TCSADRAIN keeps what was typed ahead
        defer { tcsetattr(0, TCSADRAIN, &saved) }

        var state = LineEditState(history: history)
        redraw(state)
        var keys = KeyReader()
        while let key = keys.next() {
            switch state.handle(key) {
            case .edit: redraw(state)
            case .submit:
                StandardIO.writeError("\n")
                let line = state.text
                if !line.trimmingCharacters(in: .whitespaces).isEmpty { history.append(line) }
                return line
            case .endOfInput:
                StandardIO.writeError("\n")
                return nil
            }
        }
        StandardIO.writeError("\n")
        return nil
    }

    private func redraw(_ state: LineEditState) {
        let after = state.characters.count - state.cursor
        StandardIO.writeError("\r" + prompt + state.text + "\u{1B}[K" + (after > 0 ? "\u{1B}[\(after)D" : ""))
    }
}

/// A key a terminal sends, as ``LineEditState`` needs it.
enum Key: Equatable {
    case character(Character)
    case enter, backspace, left, right, up, down, home, end, clear, endOfInput
}

/// The line being edited and the cursor; pure, so its rules are testable without a terminal.
struct LineEditState {
    enum Action: Equatable { case edit, submit, endOfInput }

    private(set) var characters: [Character] = []
    private(set) var cursor = 0
    private let history: [String]
    private var historyIndex: Int

    init(history: [String]) {
        self.history = history
        historyIndex = history.count
    }

    var text: String { String(characters) }

    mutating func handle(_ key: Key) -> Action {
        switch key {
        case .character(let c):
            characters.insert(c, at: cursor)
            cursor += 1
        case .enter: return .submit
        case .endOfInput:
            if characters.isEmpty { return .endOfInput }
        case .backspace:
            if cursor > 0 {
                cursor -= 1
                characters.remove(at: cursor)
            }
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(characters.count, cursor + 1)
        case .home: cursor = 0
        case .end: cursor = characters.count
        case .clear:
            characters = []
            cursor = 0
        case .up, .down:
            historyIndex = key == .up ? max(0, historyIndex - 1) : min(history.count, historyIndex + 1)
            characters = historyIndex < history.count ? Array(history[historyIndex]) : []
            cursor = characters.count
        }
        return .edit
    }
}

/// Turns the bytes a terminal sends into keys (UTF-8 characters, control keys, ANSI arrow sequences).
struct KeyReader {
    private var pending: [UInt8] = []

    mutating func next() -> Key? {
        while true {
            guard let byte = readByte() else { return nil }
            switch byte {
            case 13, 10: return .enter
            case 127, 8: return .backspace
            case 4: return .endOfInput
            case 1: return .home
            case 5: return .end
            case 21, 3: return .clear
            case 27:
                guard readByte() == UInt8(ascii: "["), let code = readByte() else { continue }
                switch code {
                case UInt8(ascii: "A"): return .up
                case UInt8(ascii: "B"): return .down
                case UInt8(ascii: "C"): return .right
                case UInt8(ascii: "D"): return .left
                case UInt8(ascii: "H"): return .home
                case UInt8(ascii: "F"): return .end
                default: continue
                }
            case 0..<32: continue
            default:
                pending.append(byte)
                // A UTF-8 character is complete when it decodes; a lone continuation byte waits.
                if let text = String(validating: pending, as: UTF8.self), let c = text.first {
                    pending = []
                    return .character(c)
                }
                if pending.count >= 4 { pending = [] }
            }
        }
    }

    private func readByte() -> UInt8? {
        var byte: UInt8 = 0
        return read(0, &byte, 1) == 1 ? byte : nil
    }
}
