import ArgumentParser
import Foundation
import QwenZoo

extension Eval {
    /// `zoo eval --protocol NAME --data FILE`: one benchmark under one of Qwen's protocols.
    func runProtocol() throws {
        guard let evaluationProtocol, let data else { return }
        try reportingErrors {
            let resolved = try manifestArguments.resolve()!
            let run = try protocolRun(evaluationProtocol, votes: votes)
            let items = try EvaluationDataReader.benchmark(URL(fileURLWithPath: data), format: format, limit: limit)
            let results = try resultsFile()
            if evaluationProtocol.kind == .code { try run.sandbox.preflight() }
            let zoo = try LoadedModel.load(resolved.manifest)
            var concurrent = run
            concurrent.concurrency = inFlight(zoo)
            let bar = ProgressBar(label: evaluationProtocol.rawValue)
            let start = Date()
            let summary = try concurrent.run(zoo, items: items, results: results, progress: bar.update)
            bar.finish(seconds: Date().timeIntervalSince(start))
            var fields = Self.fields(summary)
            fields.merge(["manifest": resolved.manifest.name, "data": data, "seed": seed]) { $1 }
            try printResult(fields, title: "\(evaluationProtocol.rawValue) on \(resolved.manifest.name)",
                            rows: rows(summary), tables: groupTables(summary))
        }
    }

    /// The protocol run the options describe (`--fewshot` read here, so a bad dev file fails before loading).
    func protocolRun(_ evaluationProtocol: EvaluationProtocol, votes: Int, fewshot: URL? = nil) throws -> ProtocolEvaluation {
        let fewShotURL = fewshot ?? self.fewshot.map { URL(fileURLWithPath: $0) }
        return ProtocolEvaluation(
            evaluationProtocol, votes: votes, votingChain: try chain.map { try ChainSyntax.parse($0) }, seed: seed,
            maxTokens: maxTokens, fewShot: try fewShotURL.map { try EvaluationDataReader.fewShot($0) } ?? [:])
    }

    /// The JSON fields of a summary: `accuracy`, `items`, `answered`, and with votes `maj_at_k`, `votes`,
    /// `agreement`; `subjects` and `levels` map each group to its `items` and `accuracy`.
    static func fields(_ summary: EvaluationSummary) -> [String: Any] {
        let overall = summary.overall
        var fields: [String: Any] = [
            "protocol": summary.protocolName, "items": overall.items, "accuracy": overall.accuracy, "answered": summary.answered,
        ]
        if let average = summary.subjectAverage { fields["subject_average"] = average }
        fields["headline"] = summary.headline
        if let majority = overall.majorityAccuracy {
            fields["maj_at_k"] = majority
            fields["votes"] = summary.votes
            fields["agreement"] = summary.meanAgreement ?? 0
        }
        func groups(_ list: [EvaluationSummary.Group]) -> [String: Any] {
            Dictionary(uniqueKeysWithValues: list.map { group in
                var entry: [String: Any] = ["items": group.items, "accuracy": group.accuracy]
                if let majority = group.majorityAccuracy { entry["maj_at_k"] = majority }
                return (group.name, entry)
            })
        }
        if !summary.bySubject.isEmpty { fields["subjects"] = groups(summary.bySubject) }
        if !summary.byLevel.isEmpty { fields["levels"] = groups(summary.byLevel) }
        return fields
    }

    private func rows(_ summary: EvaluationSummary) -> [(String, String)] {
        let overall = summary.overall
        var rows = [("items", "\(overall.items)"), ("accuracy", percent(overall.accuracy))]
        if let average = summary.subjectAverage, summary.bySubject.count > 1 {
            rows.append(("mean of the subjects' accuracies" + (summary.headline == average ? " (the script's AVERAGE)" : ""), percent(average)))
        }
        if summary.records.contains(where: { $0.extracted != nil }) { rows.append(("answers found", "\(summary.answered)")) }
        if let majority = overall.majorityAccuracy {
            rows.append(("maj@\(summary.votes) accuracy", percent(majority)))
            rows.append(("agreement with the majority", percent(summary.meanAgreement ?? 0)))
        }
        return rows
    }

    /// The per-subject (or MATH type) and per-level tables, when the items have subjects or levels.
    private func groupTables(_ summary: EvaluationSummary) -> [String] {
        let voted = summary.overall.majorityCorrect != nil
        return [("subject", summary.bySubject), ("level", summary.byLevel)].compactMap { name, groups in
            guard !groups.isEmpty else { return nil }
            var table = "| \(name) | items | accuracy |" + (voted ? " maj@\(summary.votes) |" : "") + "\n|---|---|---|" + (voted ? "---|" : "") + "\n"
            for group in groups {
                table += "| \(group.name) | \(group.items) | \(percent(group.accuracy)) |"
                    + (group.majorityAccuracy.map { " \(percent($0)) |" } ?? "") + "\n"
            }
            return table
        }
    }
}
