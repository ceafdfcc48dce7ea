import ZooCore

/// Makes a stage from its options (a single scalar arrives as the option `value`).
public typealias SamplerStageFactory = @Sendable (ComponentOptions) throws -> any SamplerStage
