import QwenBase
import QwenChat
import QwenCode
import QwenMath
import ZooCore

/// The variant plugins that ship with QwenZoo, each registered by its own target.
enum BuiltinVariants {
    static func register(into registry: Registry<VariantFactory>) {
        QwenBaseVariant.register(into: registry)
        QwenChatVariant.register(into: registry)
        QwenCodeVariant.register(into: registry)
        QwenMathVariant.register(into: registry)
    }

    /// The built-in variant that takes `option`, for errors that say which variant a request needs.
    static func owner(of option: String) -> String? {
        let keys = [
            (QwenBaseVariant.name, CompletionVariant.optionKeys), (QwenChatVariant.name, ChatVariant.optionKeys),
            (QwenCodeVariant.name, CodeVariant.optionKeys), (QwenMathVariant.name, MathVariant.optionKeys),
        ]
        return keys.first { $0.1.contains(option) }?.0
    }
}
