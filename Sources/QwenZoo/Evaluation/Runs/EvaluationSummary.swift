import Foundation

/// The numbers of a protocol run: overall, and per subject (MMLU, C-Eval, CMMLU; MATH's type) and per level (MATH).
public struct EvaluationSummary: Sendable, Equatable {
    /// The counts of one group of items.
    public struct Group: Sendable, Equatable {
        /// The group's name (a subject, type or level; "all" for the whole run).
        public var name: String
        /// Items in the group.
        public var items: Int
        /// Items whose greedy answer is correct.
        public var correct: Int
        /// Items whose majority answer is correct (nil without votes).
        public var majorityCorrect: Int?
        /// Accuracy from 0 to 1.
        public var accuracy: Double { items == 0 ? 0 : Double(correct) / Double(items) }
        /// maj@K accuracy from 0 to 1 (nil without votes).
        public var majorityAccuracy: Double? { majorityCorrect.map { items == 0 ? 0 : Double($0) / Double(items) } }
    }

    /// The protocol's name.
    public var protocolName: String
    /// The votes per item (1: greedy only).
    public var votes: Int
    /// Every item's record, in the data's order.
    public var records: [EvaluationRecord]

    /// The summary of `records`.
    public init(protocolName: String, records: [EvaluationRecord], votes: Int) {
        self.protocolName = protocolName
        self.records = records
        self.votes = votes
    }

    /// All items together.
    public var overall: Group { Self.group("all", records) }
    /// The mean of the per-subject accuracies (nil when items have no subjects): C-Eval's and CMMLU's
    /// `AVERAGE`.
    public var subjectAverage: Double? {
        let groups = bySubject
        return groups.isEmpty ? nil : groups.map(\.accuracy).reduce(0, +) / Double(groups.count)
    }

    /// The figure the protocol's script reports: ``subjectAverage`` for `qwen-ceval` and `qwen-cmmlu`, the
    /// overall accuracy otherwise.
    public var headline: Double {
        if EvaluationProtocol(rawValue: protocolName)?.averagesSubjects == true, let average = subjectAverage { return average }
        return overall.accuracy
    }

    /// Items with an extracted answer.
    public var answered: Int { records.filter { $0.extracted != nil }.count }
    /// The mean share of votes agreeing with the majority (nil without votes).
    public var meanAgreement: Double? {
        let rates = records.compactMap(\.agreement)
        return rates.isEmpty ? nil : rates.reduce(0, +) / Double(rates.count)
    }
    /// One group per subject (or MATH type), sorted by name; empty when items have none.
    public var bySubject: [Group] { Self.groups(records, by: \.subject) }
    /// One group per MATH level, sorted by name; empty when items have none.
    public var byLevel: [Group] { Self.groups(records, by: \.level) }

    private static func groups(_ records: [EvaluationRecord], by key: KeyPath<EvaluationRecord, String?>) -> [Group] {
        Dictionary(grouping: records.filter { $0[keyPath: key] != nil }) { $0[keyPath: key]! }
            .map { group($0.key, $0.value) }.sorted { $0.name < $1.name }
    }

    private static func group(_ name: String, _ records: [EvaluationRecord]) -> Group {
        let voted = records.compactMap(\.majorityCorrect)
        return Group(name: name, items: records.count, correct: records.filter(\.correct).count,
                     majorityCorrect: voted.isEmpty ? nil : voted.filter { $0 }.count)
    }
}
