import Foundation
import XCTest
import ZooCore
@testable import ZooSamplers

final class ChainTests: XCTestCase {
    let inf = Float.infinity

    func randomLogits(_ n: Int, seed: UInt64) -> [Float] {
        var r = SeededRandom(seed: seed)
        return (0..<n).map { _ in Float(r.nextDouble() * 10 - 5) }
    }

    func run(_ spec: String, seed: UInt64, steps: Int = 30, vocab: Int = 500) throws -> [Int] {
        var chain = try SamplerChain(spec: spec)
        var context = SamplingContext(prompt: [1, 2, 3], seed: seed)
        var out: [Int] = []
        for step in 0..<steps {
            var row = randomLogits(vocab, seed: UInt64(step))
            let t = try chain.next(logits: &row, context: &context)
            out.append(t)
            context.append(t)
        }
        return out
    }

    // MARK: Reproducibility

    func testSameSeedSameTokensDifferentSeedsDiffer() throws {
        for spec in ["temperature=1.5", "repetition_penalty=1.05,top_k=20,top_p=0.8,temperature=0.7",
                     "min_p=0.05,temperature=1", "xtc(probability=0.5,threshold=0.01),temperature=2",
                     "mirostat_v2(tau=5)"] {
            let a = try run(spec, seed: 42)
            XCTAssertEqual(a, try run(spec, seed: 42), spec)
            XCTAssertNotEqual(a, try run(spec, seed: 43), spec)
        }
    }

    func testEmptyChainAndTemperatureZeroAreGreedy() throws {
        for step in 0..<10 {
            let logits = randomLogits(1000, seed: UInt64(step))
            for spec in ["", "temperature=0", "top_k=50,temperature=0", "greedy", "repetition_penalty=1,greedy"] {
                var chain = try SamplerChain(spec: spec)
                var context = SamplingContext(prompt: [0], seed: UInt64(step))
                var row = logits
                XCTAssertEqual(try chain.next(logits: &row, context: &context), Greedy.argmax(logits), spec)
            }
        }
    }

    // MARK: Edge cases

    func testEdgeCases() throws {
        let logits: [Float] = [0.5, 2, -1, 1]
        // top_p = 1 and top_k larger than the vocabulary keep everything.
        XCTAssertEqual(try applyStage("top_p=1", logits), logits)
        XCTAssertEqual(try applyStage("top_k=1000", logits), logits)
        XCTAssertEqual(try applyStage("top_k=0", logits), logits)
        // All but one at -inf: that one is chosen, whatever the chain.
        let one: [Float] = [-inf, -inf, 0.3, -inf]
        for spec in ["temperature=0.7", "top_p=0.5", "min_p=0.5", "typical_p=0.5", "top_n_sigma=1", "eta_cutoff=0.1",
                     "xtc(probability=1,threshold=0.1)", "mirostat", "mirostat_v2", "dry(multiplier=1)"] {
            var chain = try SamplerChain(spec: spec)
            var context = SamplingContext(prompt: [2, 2, 2, 2], seed: 1)
            var row = one
            XCTAssertEqual(try chain.next(logits: &row, context: &context), 2, spec)
        }
        // A cutoff that would empty the set keeps the best token.
        XCTAssertEqual(try applyStage("epsilon_cutoff=0.9", [1, 1.5, 1.2]), [-inf, 1.5, -inf])
        XCTAssertEqual(try applyStage("no_repeat_ngram=1", [1, 3, 2], history: [0, 1, 2]), [-inf, 3, -inf])
        XCTAssertEqual(try applyStage("banned_tokens=[0,1,2]", [1, 3, 2]), [-inf, 3, -inf])
    }

    func testInvalidLogitsThrowClearErrors() throws {
        var chain = try SamplerChain(spec: "top_k=2")
        var context = SamplingContext(prompt: [0], seed: 0)
        var nan: [Float] = [0, .nan, 1]
        assertThrowsMessage(try chain.next(logits: &nan, context: &context), "the logit of token 1 is nan")
        var plusInf: [Float] = [0, 1, .infinity]
        assertThrowsMessage(try chain.next(logits: &plusInf, context: &context), "the logit of token 2 is inf")
        var allMasked: [Float] = [-inf, -inf]
        assertThrowsMessage(try chain.next(logits: &allMasked, context: &context), "every logit is -inf")
        var empty: [Float] = []
        assertThrowsMessage(try chain.next(logits: &empty, context: &context), "empty")
        var greedy = SamplerChain.greedy
        var nan2: [Float] = [.nan]
        assertThrowsMessage(try greedy.next(logits: &nan2, context: &context), "is nan")
    }

    func testInvalidParametersNameTheParameter() {
        assertThrowsMessage(try TopP(1.5), "top_p: must be in (0, 1], found 1.5")
        assertThrowsMessage(try SamplerChain(spec: "top_k=20,top_p=1.5"), "--chain, stage 2: top_p: must be in (0, 1], found 1.5")
        assertThrowsMessage(try SamplerChain(spec: "temperature=-1"), "temperature: must be ≥ 0, found -1")
        assertThrowsMessage(try SamplerChain(spec: "top_k=2.5"), "top_k: expected an integer, found 2.5")
        assertThrowsMessage(try SamplerChain(spec: "top_k=-1"), "top_k: must be ≥ 0 (0 disables), found -1")
        assertThrowsMessage(try SamplerChain(spec: "temperature=hot"), "temperature: expected a number, found a string")
        assertThrowsMessage(try SamplerChain(spec: "dry(multiplier=0.8,base=0.5)"), "dry.base: must be ≥ 1, found 0.5")
        assertThrowsMessage(try SamplerChain(spec: "dry(multipler=0.8)"), "dry.multipler: unknown option (did you mean \"multiplier\"?)")
        assertThrowsMessage(try SamplerChain(spec: "dry(base=2)"), "dry.multiplier: is required")
        assertThrowsMessage(try SamplerChain(spec: "top_q=0.9"), "--chain, stage 1: unknown sampler stage \"top_q\" (did you mean \"top_k\"?)")
        assertThrowsMessage(try SamplerChain(spec: "mirostat,top_k=3"), "mirostat: picks the token itself, so it must be the last stage; found \"top_k\" after it")
        assertThrowsMessage(try SamplerChain(spec: "xtc=0.5"), "xtc: takes named options")
        assertThrowsMessage(try SamplerChain(spec: "top_p"), "top_p: needs a value")
        assertThrowsMessage(try SamplerChain(spec: "banned_tokens=[1,-2]"), "banned_tokens: expected token ids")
        assertThrowsMessage(try SamplerChain(spec: "typical_p=0"), "typical_p: must be in (0, 1], found 0")
        assertThrowsMessage(try SamplerChain(spec: "epsilon_cutoff=1"), "epsilon_cutoff: must be in (0, 1), found 1")
        assertThrowsMessage(try SamplerChain(spec: "repetition_penalty=0"), "repetition_penalty: must be > 0, found 0")
    }

    // MARK: Spec syntax and building

    func testSpecParsesLikeTheManifestList() throws {
        let specs = try ChainSyntax.parse(" repetition_penalty=1.05, top_k=20,top_p=0.8 ,temperature=0.7")
        XCTAssertEqual(specs, [
            SamplerStageSpec("repetition_penalty", value: 1.05), SamplerStageSpec("top_k", value: 20),
            SamplerStageSpec("top_p", value: 0.8), SamplerStageSpec("temperature", value: 0.7),
        ])
        let dry = try ChainSyntax.parse("dry(multiplier=0.8, base=1.75, allowed_length=2, sequence_breakers=[198,[25,220]]),greedy")
        XCTAssertEqual(dry, [
            SamplerStageSpec("dry", [
                "multiplier": .number(0.8), "base": .number(1.75), "allowed_length": .number(2),
                "sequence_breakers": .list([.number(198), .list([.number(25), .number(220)])]),
            ]),
            SamplerStageSpec("greedy"),
        ])
        XCTAssertEqual(try ChainSyntax.parse(""), [])
        XCTAssertEqual(try ChainSyntax.parse("logit_bias(151643=-inf,42=2.5)")[0].options,
                       ["151643": .number(-.infinity), "42": .number(2.5)])
        XCTAssertEqual(try ChainSyntax.parse("x(s=\"a,b\",t=word,f=false,n=null)")[0].options,
                       ["s": .string("a,b"), "t": .string("word"), "f": .bool(false), "n": .null])
        for text in ["repetition_penalty=1.05,top_k=20,top_p=0.8,temperature=0.7",
                     "dry(allowed_length=2,base=1.75,multiplier=0.8,sequence_breakers=[198,[25,220]]),mirostat_v2",
                     "banned_tokens=[1,2],logit_bias(7=-inf)"] {
            XCTAssertEqual(ChainSyntax.format(try ChainSyntax.parse(text)), text)
        }
        assertThrowsMessage(try ChainSyntax.parse("top_k=20,,top_p=0.8"), "expected a stage name, found \",\" at column 10")
        assertThrowsMessage(try ChainSyntax.parse("dry(multiplier=0.8"), "expected \")\", found the end")
        assertThrowsMessage(try ChainSyntax.parse("top_k=20 top_p=0.8"), "expected \",\" between stages")
        assertThrowsMessage(try ChainSyntax.parse("dry(base=1,base=2)"), "option \"base\" of dry is given twice")
    }

    func testDefaultOrderAndGenerationConfig() throws {
        let bag = [SamplerStageSpec("top_p", value: 0.8), SamplerStageSpec("temperature", value: 0.7),
                   SamplerStageSpec("top_k", value: 20), SamplerStageSpec("repetition_penalty", value: 1.05)]
        XCTAssertEqual(BuiltinSamplerStages.inDefaultOrder(bag).map(\.name), ["repetition_penalty", "temperature", "top_k", "top_p"])
        // Qwen2.5-Instruct's generation_config.json
        XCTAssertEqual(
            ChainSyntax.format(GenerationConfigSampling.stages(doSample: true, temperature: 0.7, topK: 20, topP: 0.8, repetitionPenalty: 1.05)),
            "repetition_penalty=1.05,temperature=0.7,top_k=20,top_p=0.8")
        // Qwen v1: top_k 0 disables; HF's default top_k 50 applies when absent.
        XCTAssertEqual(ChainSyntax.format(GenerationConfigSampling.stages(doSample: true, topK: 0, topP: 0.8)), "top_p=0.8")
        XCTAssertEqual(ChainSyntax.format(GenerationConfigSampling.stages(doSample: true)), "top_k=50")
        XCTAssertEqual(ChainSyntax.format(GenerationConfigSampling.stages(doSample: false, temperature: 0.7, repetitionPenalty: 1.1)),
                       "repetition_penalty=1.1,greedy")
        XCTAssertEqual(ChainSyntax.format(GenerationConfigSampling.stages(doSample: nil)), "greedy")
        XCTAssertEqual(ChainSyntax.format(GenerationConfigSampling.stages(doSample: true, temperature: 0)), "greedy")
        XCTAssertNoThrow(try GenerationConfigSampling.chain(doSample: true, temperature: 0.7, topK: 20, topP: 0.8, repetitionPenalty: 1.05))
    }

    func testAppRegistersItsOwnStage() throws {
        struct OnlyEven: SamplerStage {
            let name = "only_even"
            func apply(to candidates: inout SamplerCandidates, context: inout SamplingContext) throws {
                candidates.removeAll { c, _ in c.id % 2 == 1 }
            }
        }
        let registry = BuiltinSamplerStages.makeRegistry()
        registry.register("only_even") { options in
            try options.rejectUnknownKeys(allowed: [])
            return OnlyEven()
        }
        var chain = try SamplerChain(spec: "only_even,temperature=1", registry: registry)
        var context = SamplingContext(prompt: [0], seed: 5)
        for _ in 0..<50 {
            var row: [Float] = [0, 5, 0, 5, 0]
            XCTAssertEqual(try chain.next(logits: &row, context: &context) % 2, 0)
        }
    }

    // MARK: Large vocabulary, selection and tracing

    func testSelectionOverQwenVocabularyMatchesFullSort() throws {
        let logits = randomLogits(151_936, seed: 9)
        let order = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        for k in [1, 20, 4096, 5000] {
            var c = try SamplerCandidates(logits: logits)
            c.keepBest(k)
            XCTAssertEqual(c.all.map { Int($0.id) }, Array(order.prefix(k)), "keepBest(\(k))")
        }
        var c = try SamplerCandidates(logits: logits)
        c.sortPrefix(300)
        XCTAssertEqual((0..<300).map { Int(c[$0].id) }, Array(order.prefix(300)))
        c.sortPrefix(3000)
        XCTAssertEqual((0..<3000).map { Int(c[$0].id) }, Array(order.prefix(3000)))
        XCTAssertEqual(c.count, 151_936)
        // Ties resolve to the lower id, whatever the path.
        var ties = try SamplerCandidates(logits: [Float](repeating: 1, count: 10_000))
        ties.keepBest(5)
        XCTAssertEqual(ties.all.map(\.id), [0, 1, 2, 3, 4])
        // top_p over the dense vocabulary (no top_k first) keeps the exact nucleus.
        let scaled = logits.map { $0 * 3 }
        let out = try applyStage("top_p=0.9", scaled)
        let p = softmax(scaled.map(Double.init))
        var mass = 0.0
        var expected = Set<Int>()
        for i in order where mass < 0.9 {
            expected.insert(i)
            mass += p[i]
        }
        XCTAssertEqual(Set(out.indices.filter { out[$0] > -.infinity }), expected)
    }

    func testTraceRecordsStagesAndChoice() throws {
        var chain = try SamplerChain(spec: "top_k=3,temperature=0.5")
        var context = SamplingContext(prompt: [0], seed: 1)
        var row: [Float] = [3, 2, 1, 0, -1]
        let token = try chain.next(logits: &row, context: &context)
        XCTAssertNil(chain.lastTrace)
        chain.tracing = true
        row = [3, 2, 1, 0, -1]
        let traced = try chain.next(logits: &row, context: &context)
        let trace = try XCTUnwrap(chain.lastTrace)
        XCTAssertEqual(trace.candidates, 5)
        XCTAssertEqual(trace.stages.map(\.stage), ["top_k", "temperature"])
        XCTAssertEqual(trace.stages.map(\.kept), [3, 3])
        let p = softmax([3, 2, 1, 0, -1])
        XCTAssertEqual(trace.stages[0].mass, p[0] + p[1] + p[2], accuracy: 1e-6)
        XCTAssertEqual(trace.stages[1].mass, 1, accuracy: 1e-6)
        XCTAssertEqual(trace.token, traced)
        XCTAssertEqual(trace.probability, softmax([6, 4, 2])[traced], accuracy: 1e-6)
        XCTAssertLessThan(token, 3)
    }
}
