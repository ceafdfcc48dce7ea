import ZooCore

/// Request bodies as JSON text: ZooCore's writer over the options' wire form (``JSONValue/init(wire:)``).
package enum JSONText {
    package static func encode(_ value: OptionValue) -> [UInt8] {
        Array(JSONWriter.compact(JSONValue(wire: value)).utf8)
    }
}
