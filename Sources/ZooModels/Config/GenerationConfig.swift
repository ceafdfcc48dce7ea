import Foundation

/// The parts of `generation_config.json` that the runtime uses.
///
/// Like transformers and mlx-lm, its `eos_token_id` overrides the one in `config.json`.
public struct GenerationConfig: Decodable, Sendable, Equatable {
    public var eosTokenIDs: [Int]?
    public var bosTokenID: Int?
    public var padTokenID: Int?
    public var maxNewTokens: Int?
    public var doSample: Bool?
    public var temperature: Double?
    public var topK: Int?
    public var topP: Double?
    public var repetitionPenalty: Double?

    enum CodingKeys: String, CodingKey {
        case eosTokenIDs = "eos_token_id", bosTokenID = "bos_token_id", padTokenID = "pad_token_id"
        case maxNewTokens = "max_new_tokens", doSample = "do_sample", temperature
        case topK = "top_k", topP = "top_p", repetitionPenalty = "repetition_penalty"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        eosTokenIDs = try c.decodeIfPresent(OneOrManyInts.self, forKey: .eosTokenIDs)?.values
        bosTokenID = try c.decodeIfPresent(Int.self, forKey: .bosTokenID)
        padTokenID = try c.decodeIfPresent(Int.self, forKey: .padTokenID)
        maxNewTokens = try c.decodeIfPresent(Int.self, forKey: .maxNewTokens)
        doSample = try c.decodeIfPresent(Bool.self, forKey: .doSample)
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        topK = try c.decodeIfPresent(Int.self, forKey: .topK)
        topP = try c.decodeIfPresent(Double.self, forKey: .topP)
        repetitionPenalty = try c.decodeIfPresent(Double.self, forKey: .repetitionPenalty)
    }

    /// Reads `generation_config.json` from a checkpoint directory; `nil` when the file is absent.
    public static func load(directory: URL) throws -> GenerationConfig? {
        let url = directory.appendingPathComponent("generation_config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try ConfigFile(url).decode(GenerationConfig.self)
    }
}
