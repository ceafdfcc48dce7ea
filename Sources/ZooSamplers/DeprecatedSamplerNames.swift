// The names these types had before #21's renames, kept so library users still build.

@available(*, deprecated, renamed: "ChainSyntax")
public typealias SamplerSpec = ChainSyntax

@available(*, deprecated, renamed: "ChainSyntaxError")
public typealias SamplerSpecSyntaxError = ChainSyntaxError

@available(*, deprecated, renamed: "BuiltinSamplerStages")
public typealias SamplerStages = BuiltinSamplerStages

@available(*, deprecated, renamed: "GenerationConfigSampling")
public typealias Sampling = GenerationConfigSampling
