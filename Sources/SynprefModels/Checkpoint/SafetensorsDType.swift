/// Element sizes of every dtype a safetensors header may declare, so that tensors in dtypes
/// Synpref does not compute with (e.g. the I64 `embeddings.position_ids` buffer of BERT
/// checkpoints) are still validated and listed.
enum SafetensorsDType {
    /// Bits per element, by the dtype's name in the header.
    static let bitsPerElement: [String: Int] = [
        "BOOL": 8, "U8": 8, "I8": 8,
        "F8_E5M2": 8, "F8_E4M3": 8, "F8_E4M3FNUZ": 8, "F8_E5M2FNUZ": 8, "F8_E8M0": 8,
        "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
        "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
        "I32": 32, "U32": 32, "F32": 32,
        "I64": 64, "U64": 64, "F64": 64, "C64": 64,
    ]

    static var knownNames: [String] { bitsPerElement.keys.sorted() }

    /// Total bits of `elements` values with `bits` bits each; nil on overflow.
    static func bitCount(elements: Int, bits: Int) -> Int? {
        let (totalBits, overflow) = elements.multipliedReportingOverflow(by: bits)
        return overflow ? nil : totalBits
    }
}
