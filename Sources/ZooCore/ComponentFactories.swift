import Foundation

/// Builds a tokenizer from a vocabulary path and its manifest options (`tokenizer: {kind: hf, path: …}`).
public typealias TokenizerFactory = @Sendable (URL, ComponentOptions) throws -> any Tokenizer

/// Builds an attention kind from its manifest options (`attention: {kind: causal}`).
public typealias AttentionFactory = @Sendable (ComponentOptions) throws -> any Attention
