import Foundation
import QwenZoo
import XCTest
import ZooTestSupport

/// Manifest layering, interpolation, provenance and every class of validation error.
final class ManifestTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = try Fixtures.temporaryDirectory("zoo-manifests")
    }

    @discardableResult
    private func write(_ name: String, _ yaml: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: url)
        return url
    }

    private func load(_ name: String, overrides: [String] = [], environment: [String: String] = [:]) throws -> ResolvedManifest {
        try ManifestLoader(searchPaths: [dir], environment: environment).load(name, overrides: overrides)
    }

    private func assertError(_ name: String, overrides: [String] = [], _ fragments: String..., line: UInt = #line) {
        XCTAssertThrowsError(try load(name, overrides: overrides), line: line) { error in
            for fragment in fragments {
                XCTAssertTrue("\(error)".contains(fragment), "\"\(error)\" lacks \"\(fragment)\"", line: line)
            }
        }
    }

    // MARK: Layering

    func testChildScalarsWinListsReplaceMapsMerge() throws {
        try write("families/base.yaml", """
            description: parent
            variant: {name: chat, format: qwen2.5, system: Be kind.}
            sampler:
              - top_k: 20
              - top_p: 0.8
            stop: {strings: ["a"], ids: [1]}
            max_tokens: 100
            """)
        try write("child.yaml", """
            extends: families/base.yaml
            name: child
            variant: {system: Be brief.}
            sampler:
              - temperature: 0.5
            stop: {ids: null}
            """)
        let m = try load("child").manifest
        XCTAssertEqual(m.name, "child")
        XCTAssertEqual(m.description, "parent")
        XCTAssertEqual(m.maxTokens, 100)
        XCTAssertEqual(m.variant.name, "chat")
        XCTAssertEqual(m.variant.options.values["format"], .string("qwen2.5"))
        XCTAssertEqual(m.variant.options.values["system"], .string("Be brief."))
        XCTAssertEqual(m.sampler.map(\.name), ["temperature"], "lists replace")
        XCTAssertEqual(m.stop.strings, ["a"])
        XCTAssertEqual(m.stop.ids, [], "null removes an inherited value")
    }

    func testSeveralParentsApplyInOrder() throws {
        try write("a.yaml", "max_tokens: 1\nseed: 1\n")
        try write("b.yaml", "max_tokens: 2\n")
        try write("c.yaml", "extends: [a.yaml, b.yaml]\nname: c\n")
        let m = try load("c").manifest
        XCTAssertEqual(m.maxTokens, 2)
        XCTAssertEqual(m.seed, 1)
        XCTAssertEqual(try load("c").files.map(\.lastPathComponent), ["a.yaml", "b.yaml", "c.yaml"])
    }

    func testOverridesFromTheCommandLine() throws {
        try write("m.yaml", "name: m\nseed: 1\nvariant: chat\n")
        let m = try load("m", overrides: ["seed=7", "variant.name=base", "stop.ids=[5, 6]"]).manifest
        XCTAssertEqual(m.seed, 7)
        XCTAssertEqual(m.variant.name, "base")
        XCTAssertEqual(m.stop.ids, [5, 6])
        assertError("m", overrides: ["seed"], "key=value")
    }

    func testProvenanceNamesTheFileAndLineOfEveryValue() throws {
        try write("p.yaml", "max_tokens: 5\nseed: 3\n")
        try write("q.yaml", "extends: p.yaml\nname: q\nseed: 4\n")
        let text = ManifestPrinter.render(try load("q", overrides: ["max_tokens=9"]))
        XCTAssertTrue(text.contains("seed: 4  # \(dir.path)/q.yaml:3"), text)
        XCTAssertTrue(text.contains("max_tokens: 9  # --set"), text)
        XCTAssertTrue(text.contains("name: q  # \(dir.path)/q.yaml:2"), text)
    }

    // MARK: Interpolation and paths

    func testEnvironmentAndFieldReferencesAndRelativePaths() throws {
        try write("families/f.yaml", "tokenizer: {kind: hf, path: \"${weights.path}\"}\n")
        try write("sub/m.yaml", """
            extends: ../families/f.yaml
            name: m
            weights: {path: ckpt}
            description: "${WHO:-nobody} ${HOME_DIR}"
            """)
        let m = try ManifestLoader(searchPaths: [dir], environment: ["HOME_DIR": "/h"]).load("sub/m.yaml".replacingOccurrences(of: "sub/m.yaml", with: dir.appendingPathComponent("sub/m.yaml").path)).manifest
        XCTAssertEqual(m.description, "nobody /h")
        XCTAssertEqual(m.weights?.path.path, dir.appendingPathComponent("sub/ckpt").path, "relative to the file that wrote it")
        XCTAssertEqual(m.tokenizer?.path.path, dir.appendingPathComponent("sub/ckpt").path)
    }

    func testMissingEnvironmentVariableIsNamed() throws {
        try write("e.yaml", "name: e\nweights: {path: \"${NOT_SET_ANYWHERE}/x\"}\n")
        assertError("e", "e.yaml:2", "weights.path", "NOT_SET_ANYWHERE is not set")
    }

    // MARK: Validation errors

    func testUnknownKeySuggestsTheClosest() throws {
        try write("u.yaml", "name: u\nmax_token: 5\n")
        assertError("u", "u.yaml:2", "max_token", "did you mean \"max_tokens\"")
        try write("u2.yaml", "name: u\nweights: {pth: x}\n")
        assertError("u2", "weights.pth", "did you mean \"path\"")
    }

    func testWrongTypesAreNamed() throws {
        try write("t.yaml", "name: t\nmax_tokens: lots\n")
        assertError("t", "t.yaml:2", "max_tokens", "expected an integer, found a string")
        try write("t2.yaml", "name: t\nsampler: {top_k: 3}\n")
        assertError("t2", "sampler", "expected a list")
        try write("t3.yaml", "name: t\nstop: {ids: [1, -2]}\n")
        assertError("t3", "stop.ids[1]", "token id")
        // Found by the manifest fuzz target: 15e1645 is infinity as a double, and converting it crashed.
        try write("t5.yaml", "name: t\nstop: {ids: [15e1645, 151643]}\n")
        assertError("t5", "stop.ids[0]", "token id")
        try write("t6.yaml", "name: t\nstop: {ids: [4294967296]}\n")
        assertError("t6", "stop.ids[0]", "token id")
        try write("t4.yaml", "name: t\ncontext_overflow: truncate\n")
        assertError("t4", "context_overflow", "did you mean \"truncate-left\"")
    }

    func testMissingRequiredFields() throws {
        // A manifest's name is its file name: a file that writes none (nor does any parent) takes it.
        try write("r.yaml", "description: no name\n")
        XCTAssertEqual(try load("r").manifest.name, "r")
        try write("r2.yaml", "name: r\nweights: {format: safetensors}\n")
        assertError("r2", "weights.path", "required field is missing")
        try write("r3.yaml", "name: r\nvariant: {system: hi}\n")
        assertError("r3", "variant.name", "required field is missing")
    }

    func testCycleInExtends() throws {
        try write("x.yaml", "extends: y.yaml\nname: x\n")
        try write("y.yaml", "extends: x.yaml\n")
        assertError("x", "cycle in extends", "x.yaml → y.yaml → x.yaml")
        try write("self.yaml", "extends: self.yaml\n")
        assertError("self", "cycle in extends")
    }

    func testMissingFiles() throws {
        try write("m.yaml", "extends: nowhere.yaml\nname: m\n")
        assertError("m", "m.yaml:1", "extends", "nowhere.yaml not found")
        assertError("no-such-manifest", "no manifest named \"no-such-manifest\"")
        try write("close.yaml", "name: close\n")
        assertError("clsoe", "did you mean \"close\"")
    }

    func testInvalidYAMLNamesTheLine() throws {
        try write("bad.yaml", "name: bad\nsampler:\n  - top_k: [1\n")
        assertError("bad", "bad.yaml:", "not valid YAML")
        try write("list.yaml", "- just\n- a list\n")
        assertError("list", "a manifest must be a map")
        try write("dup.yaml", "name: a\nname: b\n")
        assertError("dup", "dup.yaml", "duplicated key", "name")
    }

    func testUnknownComponentListsTheRegisteredOnes() throws {
        try write("k.yaml", "name: k\nattention: flash\n")
        let manifest = try load("k").manifest
        XCTAssertThrowsError(try ManifestValidator.check(manifest)) {
            XCTAssertTrue("\($0)".contains("k.yaml:2: attention: unknown attention kind \"flash\"; registered: causal"), "\($0)")
        }
        try write("k2.yaml", "name: k2\nattention: {kind: causal, window: 5}\n")
        XCTAssertThrowsError(try ManifestValidator.check(try load("k2").manifest)) {
            XCTAssertTrue("\($0)".contains("window: unknown option"), "\($0)")
        }
        try write("k3.yaml", "name: k3\nattention: {kind: causal, kv_cache: q4}\n")
        XCTAssertThrowsError(try ManifestValidator.check(try load("k3").manifest)) {
            XCTAssertTrue("\($0)".contains("kv_cache: 'q4' is not a KV cache precision; use one of f32, f16"), "\($0)")
        }
        try write("k4.yaml", "name: k4\nattention: {kind: causal, kv_cache: f16}\n")
        XCTAssertNoThrow(try ManifestValidator.check(try load("k4").manifest))
    }

    func testAbsentWeightsSayWhereToPutThem() throws {
        try write("w.yaml", "name: w\nweights: {path: /nonexistent/Qwen2.5-7B}\nvariant: base\n")
        XCTAssertThrowsError(try LoadedModel.load(try load("w").manifest)) { error in
            // Reported before anything else is built when the variant exists; otherwise the variant is named.
            XCTAssertTrue("\(error)".contains("/nonexistent/Qwen2.5-7B") || "\(error)".contains("variant"), "\(error)")
        }
    }

    func testEveryBundledManifestParses() throws {
        let catalog = ManifestCatalog(searchPaths: [Fixtures.repositoryRoot.appendingPathComponent("zoo")])
        XCTAssertGreaterThanOrEqual(catalog.entries.count, 16)
        let loader = ManifestLoader(searchPaths: catalog.searchPaths, environment: [:])
        for entry in catalog.entries {
            XCTAssertNoThrow(try loader.load(entry.file.path), entry.name)
        }
    }

    func testWeightPrecisionFromTheManifest() throws {
        try write("q.yaml", "name: q\nweights: {path: x, quantize: q8_0}\n")
        XCTAssertEqual(try load("q").manifest.weights?.precision, .q8_0)
        try write("k.yaml", "name: k\nweights: {path: x, quantize: q4_K}\n")
        XCTAssertEqual(try load("k").manifest.weights?.precision, .q4_K)
        try write("f.yaml", "name: f\nweights: {path: x, dtype: f32}\n")
        XCTAssertEqual(try load("f").manifest.weights?.precision, .f32)
        try write("h.yaml", "name: h\nweights: {path: x, dtype: bf16}\n")
        XCTAssertEqual(try load("h").manifest.weights?.precision, .bf16)
        try write("a.yaml", "name: a\nweights: {path: x}\n")
        XCTAssertEqual(try load("a").manifest.weights?.precision, .asStored)
        XCTAssertEqual(try load("a").manifest.weights?.mmap, true)
        try write("m.yaml", "name: m\nweights: {path: x, mmap: false}\n")
        XCTAssertEqual(try load("m").manifest.weights?.mmap, false)
        try write("bad.yaml", "name: b\nweights: {path: x, quantize: q4_1}\n")
        assertError("bad", "weights.quantize", "\"q4_1\" is not one of q8_0, q4_0, q4_K")
    }
}
