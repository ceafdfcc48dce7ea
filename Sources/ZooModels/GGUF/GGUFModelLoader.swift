/// GGUF files are loaded by the architecture their `general.architecture` names (``ArchitectureRegistry``);
/// Qwen2 is the one that reads them.
enum GGUFModelLoader {
    /// The Qwen2 configuration that a GGUF file's metadata describes.
    static func configuration(of file: GGUFFile, options: ModelOptions) throws -> Qwen2Configuration {
        try Qwen2Model.configuration(of: file, options: options)
    }
}
