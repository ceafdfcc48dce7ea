/// The `config.json` fields every decoder-only architecture here shares, decoded one way for all:
/// the sizes, the tied head and the special token ids.
struct DecoderDimensions: Decodable {
    let modelType: String
    let vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads: Int
    let tieWordEmbeddings: Bool
    let bosTokenID: Int?
    let eosTokenIDs: [Int]

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", vocabSize = "vocab_size", hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", tieWordEmbeddings = "tie_word_embeddings"
        case bosTokenID = "bos_token_id", eosTokenID = "eos_token_id"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        modelType = try c.decode(String.self, forKey: .modelType)
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        numHiddenLayers = try c.decode(Int.self, forKey: .numHiddenLayers)
        numAttentionHeads = try c.decode(Int.self, forKey: .numAttentionHeads)
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false
        bosTokenID = try c.decodeIfPresent(Int.self, forKey: .bosTokenID)
        eosTokenIDs = try c.decodeIfPresent(OneOrManyInts.self, forKey: .eosTokenID)?.values ?? []
    }
}

extension ConfigError {
    /// An error in `field` of the config being decoded (``ConfigFile/decode(_:)`` adds the file).
    static func field(_ field: String, _ message: String) -> ConfigError {
        ConfigError(file: nil, field: field, message: message)
    }

    /// Throws for the first of `fields` whose value is not positive.
    static func requirePositive(_ fields: KeyValuePairs<String, Int>) throws {
        for (field, value) in fields where value <= 0 {
            throw ConfigError.field(field, "must be positive, found \(value)")
        }
    }
}
