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
}
