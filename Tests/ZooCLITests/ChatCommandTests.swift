import Foundation
import XCTest
import ZooTestSupport

/// `zoo chat` as issue 19 asks: a session with prompt-cache reuse, a conversation that outlives the
/// context, commands handled by the tool, and the variant checked before the first prompt.
final class ChatCommandTests: XCTestCase {
    /// The conversation: one question again and again, so every reply has the same length
    /// and turn costs are comparable.
    static let question = "What is the capital of France?"

    /// Issue 19 bugs 3 and 4: 42 turns used to end with "the sequence needs 1043 positions" and rc 1,
    /// and every turn re-read the whole history. The session drops the oldest turns once, says so
    /// once, and a late turn costs about what an early one does. `ZOO_CHAT_TURNS` runs more turns
    /// (the acceptance run is 200).
    func testAConversationOutlivesTheContextAtSteadyCost() throws {
        let turns = Int(ProcessInfo.processInfo.environment["ZOO_CHAT_TURNS"] ?? "") ?? 60
        let input = String(repeating: Self.question + "\n", count: turns)
        let run = try TimedChat.run(["chat", "--manifest", "nano-chat"], input: input)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.replyTimes.count, turns, "one reply line per turn")
        let notes = run.stderr.components(separatedBy: "dropped the oldest").count - 1
        XCTAssertEqual(notes, 1, "told once: \(run.stderr)")
        XCTAssertFalse(run.stderr.contains("zoo: error"), run.stderr)
        // The cost of a turn is the CPU time zoo spent on it: wall time on a machine shared with
        // other builds measures their load as much as ours (both are printed). Medians of ten
        // turns; turns 6-15 stand for "the tenth turn".
        let cpu = run.cpuSeconds
        let early = TimedChat.median(Array(cpu[5..<15]))
        let late = TimedChat.median(Array(cpu.suffix(10)))
        XCTAssertLessThanOrEqual(late, 2 * early, "CPU per turn: turn 10 ≈ \(early) s, last turns ≈ \(late) s")
        let wall = run.latencies
        print("chat \(turns) turns: wall tenth turn \(wall[9]) s, last turn \(wall.last!) s, medians turns 6-15 \(TimedChat.median(Array(wall[5..<15]))) s, last 10 \(TimedChat.median(Array(wall.suffix(10)))) s; CPU medians \(early) s / \(late) s")
    }

    /// Issue 19 bug 10: a math manifest is refused before the first prompt, in one line.
    func testChatRefusesANonChatVariantBeforeReading() throws {
        let out = try ZooProcess.run(["chat", "--manifest", "nano-math"], stdin: "What is 2 plus 2?\n")
        XCTAssertEqual(out.status, 1)
        XCTAssertEqual(out.stdout, "")
        XCTAssertTrue(out.stderr.hasPrefix("zoo: error: zoo chat needs a chat variant: nano-math has variant \"math\""), out.stderr)
        XCTAssertEqual(out.stderr.split(separator: "\n").count, 1, out.stderr)
    }

    /// Usability: a banner, /help, /reset (confirmed) and /quit never reach the model; an empty turn is refused.
    func testCommandsAreHandledByTheTool() throws {
        let question = "What is the capital of Japan?"
        let out = try ZooProcess.run(["chat", "--manifest", "nano-chat"],
                                     stdin: "/help\n\(question)\n   \n/reset\n\(question)\n/quit\nnever read\n")
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertEqual(out.stdout, "The capital of Japan is Tokyo.\nThe capital of Japan is Tokyo.\n")
        let notes = out.stderr.split(separator: "\n").map(String.init)
        XCTAssertTrue(notes.first?.contains("/help") == true, "banner: \(notes)")
        XCTAssertTrue(notes.contains { $0.hasPrefix("/help") && $0.contains("/reset") && $0.contains("/quit") }, "\(notes)")
        XCTAssertTrue(notes.contains("zoo: error: the message is empty; type some text (/help for commands)"), "\(notes)")
        XCTAssertTrue(notes.contains("(conversation reset)"), "\(notes)")
    }

    /// Usability: on a terminal, line editing and history. `script` gives `zoo` a pseudo-terminal; the
    /// keys are typed ahead: "Japan?", Ctrl-A (to the start), "What is the capital of ", Enter, ↑
    /// (the same line again), Enter, then /quit.
    func testATerminalGetsLineEditingAndHistory() throws {
        let keys = "Japan?\u{01}What is the capital of \r\u{1B}[A\r/quit\r"
        let (status, text) = try ZooProcess.runInTerminal(["chat", "--manifest", "nano-chat"], keys: keys)
        XCTAssertEqual(status, 0, text)
        XCTAssertEqual(text.components(separatedBy: "The capital of Japan is Tokyo.").count - 1, 2, text)
    }
}

/// A piped chat whose reply lines are timed as they arrive.
enum TimedChat {
    struct Run {
        var status: Int32
        var stderr: String
        var started: Date
        var replyTimes: [Date]
        /// zoo's CPU time (user + system, seconds) when each reply ended.
        var replyCPU: [Double]
        /// Seconds from one reply to the next (the first from the start).
        var latencies: [Double] {
            zip([started] + replyTimes, replyTimes).map { $1.timeIntervalSince($0) }
        }
        /// CPU seconds spent from one reply to the next (the first includes loading).
        var cpuSeconds: [Double] {
            zip([0] + replyCPU, replyCPU).map { $1 - $0 }
        }
    }

    /// User + system CPU seconds of process `pid` so far, from /proc/PID/stat (fields 14 and 15).
    static func cpuTime(of pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After "pid (comm)", field 3 is fields[0]: utime (14) is fields[11], stime (15) fields[12].
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func run(_ arguments: [String], input: String) throws -> Run {
        let process = Process()
        process.executableURL = ZooProcess.executable
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.repositoryRoot
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let started = Date()
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { errData = stderr.fileHandleForReading.readDataToEndOfFile() }
        var times: [Date] = []
        var cpu: [Double] = []
        while true {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            let now = Date(), used = cpuTime(of: process.processIdentifier)
            let lines = chunk.filter { $0 == UInt8(ascii: "\n") }.count
            times += Array(repeating: now, count: lines)
            cpu += Array(repeating: used, count: lines)
        }
        group.wait()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stderr: String(decoding: errData, as: UTF8.self),
                   started: started, replyTimes: times, replyCPU: cpu)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}
