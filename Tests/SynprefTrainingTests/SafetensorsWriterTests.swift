import Foundation
import SynprefModels
import SynprefTensor
import Testing

extension TrainingTests {
/// The checkpoint writer: what it writes reads back (our reader validates the layout as the
/// reference `safetensors` does), narrowing rounds to nearest even, and failures are typed.
@Suite struct SafetensorsWriterTests {
    @Test func bfloat16RoundsToNearestEven() {
        let b = SafetensorsWriter.bfloat16Bits
        #expect(b(1.0) == 0x3F80 && b(-3.0) == 0xC040)
        // 1 + 2⁻⁸ is halfway between 1 and 1 + 2⁻⁷: ties go to the even mantissa (1).
        #expect(b(1 + 0x1p-8) == 0x3F80)
        // 1 + 3·2⁻⁸ is halfway between 0x3F81 and 0x3F82: even is 0x3F82.
        #expect(b(1 + 3 * 0x1p-8) == 0x3F82)
        #expect(b(1 + 0x1p-8 + 0x1p-20) == 0x3F81)  // just above halfway rounds up
        #expect(b(.infinity) == 0x7F80 && b(.nan) == 0x7FC0 && b(.greatestFiniteMagnitude) == 0x7F80)
    }

    @Test func float16RoundsToNearestEven() {
        let h = SafetensorsWriter.float16Bits
        #expect(h(1.0) == 0x3C00 && h(-2.0) == 0xC000 && h(65504) == 0x7BFF)
        #expect(h(65520) == 0x7C00)            // halfway to 65536, ties to even: overflows to inf
        #expect(h(0x1p-24) == 0x0001)          // smallest subnormal
        #expect(h(0x1p-25) == 0x0000)          // halfway to it, ties to even: zero
        #expect(h(3 * 0x1p-25) == 0x0002)      // 1.5 subnormal steps, ties to even: 2
        #expect(h(1.0 / 3.0) == 0x3555 && h(.infinity) == 0x7C00 && h(-0.0) == 0x8000)
        #expect(h(.nan) & 0x7C00 == 0x7C00 && h(.nan) & 0x03FF != 0)
    }

    @Test func writesWhatTheReaderReads() throws {
        let dir = try TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        let values: [Float] = [1, -2, 0.5, 3.25, 0, -0.125]  // exact in every dtype
        try SafetensorsWriter.write([
            .init(name: "a.weight", values: Tensor(values, shape: [2, 3]), dtype: .float32),
            .init(name: "b \"quoted\"", values: Tensor(values, shape: [6]), dtype: .bfloat16),
            .init(name: "c", values: Tensor(values, shape: [3, 2]), dtype: .float16),
        ], metadata: ["format": "pt"], to: url)
        let file = try SafetensorsFile(url: url)
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensorNames == ["a.weight", "b \"quoted\"", "c"])
        #expect(try file.tensor("a.weight").shape == [2, 3] && file.tensor("b \"quoted\"").dtype == .bfloat16)
        for n in file.tensorNames { #expect(try Fixture.values(file, n) == values) }
        // The header is padded to a multiple of 8 bytes.
        let data = try Data(contentsOf: url)
        let headerLength = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".m.safetensors.partial").path))
    }

    @Test func failuresAreTyped() throws {
        let dir = try TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = Tensor([1], shape: [1])
        #expect(throws: SafetensorsWriteError.duplicateTensor(file: dir.appendingPathComponent("x").path, tensor: "w")) {
            try SafetensorsWriter.write([.init(name: "w", values: t, dtype: .float32), .init(name: "w", values: t, dtype: .float32)],
                                        to: dir.appendingPathComponent("x"))
        }
        #expect { try SafetensorsWriter.write([.init(name: "w", values: t, dtype: .float32)], to: URL(fileURLWithPath: "/nonexistent/dir/x.safetensors")) }
            throws: { "\($0)".contains("/nonexistent/dir/x.safetensors: cannot write the checkpoint") }
    }
}
}
