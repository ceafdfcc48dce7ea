import ZooCore

/// The variant plugins that ship with QwenZoo.
enum BuiltinVariants {
    static func register(into registry: Registry<VariantFactory>) {
        // The QwenBase, QwenChat, QwenCode and QwenMath targets register here once they land.
    }
}
