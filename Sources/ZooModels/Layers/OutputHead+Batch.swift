import ZooCore

extension OutputHead {
    /// Each sequence's selected logits from the rows `x[rows.count, hidden]` of a batch; the selected
    /// rows go through the head together, and `scratch` holds at least `rows.count × hidden` floats.
    func logits(_ x: UnsafePointer<Float>, rows: BatchRows, scratch: UnsafeMutablePointer<Float>) -> [Logits?] {
        let selected = rows.selectedRows
        let hidden = lmHead.inFeatures, vocabulary = lmHead.outFeatures
        let wanted = selected.compactMap { $0 }
        // One sequence (a single forward): its rows are already contiguous.
        if wanted.count == 1, let only = wanted.first {
            let logits = self.logits(x + only.first * hidden, tokens: only.count, selection: .all, scratch: scratch)
            return selected.map { $0 == nil ? nil : logits }
        }
        guard !wanted.isEmpty else { return selected.map { _ in nil } }
        let total = wanted.reduce(0) { $0 + $1.count }
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: total * hidden)
        defer { gathered.deallocate() }
        var row = 0
        for range in wanted {
            (gathered + row * hidden).update(from: x + range.first * hidden, count: range.count * hidden)
            row += range.count
        }
        let all = self.logits(gathered, tokens: total, selection: .all, scratch: scratch)
        row = 0
        return selected.map { range in
            guard let range else { return nil }
            defer { row += range.count }
            let values = Array(all.values[(row * vocabulary)..<((row + range.count) * vocabulary)])
            return Logits(rows: range.count, vocabularySize: vocabulary, values: values)
        }
    }
}
